"""Development projects (DOC-4): a development item shows to the customers whose cases wait on
it, with those cases and its state, and never to another organisation."""

from helpdesk.development import service as development


def test_items_show_only_to_the_linked_organisation(app, demo_people, foreigner, open_case):
    erik = demo_people["erik.first"]
    with app.app_context():
        ours = open_case("mia.member", subject="Export fails")
        theirs = open_case(foreigner, subject="Fremder Fehler")
        development.link(ours, erik, "DEV-7", "Faster export")
        development.link(theirs, erik, "DEV-9", "Secret feature")
        development.publish(development.item_of(ours), erik, "2026.2")
    mia = app.test_client().sign_in_as(demo_people["mia.member"])
    page = mia.get("/organisation/development")
    assert page.status_code == 200
    assert "DEV-7" in page.text and ours.call_id in page.text and "2026.2" in page.text
    assert "DEV-9" not in page.text and theirs.call_id not in page.text
    stranger = app.test_client().sign_in_as(foreigner).get("/organisation/development")
    assert "DEV-9" in stranger.text and "in development" in stranger.text
    assert "DEV-7" not in stranger.text
    agent = app.test_client().sign_in_as(erik)
    assert agent.get("/organisation/development").status_code == 404


def test_planned_release_and_the_cases_messages_show_to_the_customer(app, demo_people, open_case):
    """An agent plans an item's release on the development list (audited, checked, kept
    when refused); the customer sees it with the number of each case's public messages,
    linked to the case's history. Internal notes are not counted."""
    from helpdesk.audit import AuditLog
    from helpdesk.cases import service
    from helpdesk.development.models import DevelopmentItem

    erik, mia = demo_people["erik.first"], demo_people["mia.member"]
    with app.app_context():
        case = open_case(mia, subject="Export fails")
        development.link(case, erik, "DEV-11", "Faster export")
        service.add_message(case, erik, "We are on it.")
        service.add_message(case, erik, "Looked at the code.", internal=True)
        item = development.item_of(case)
    agent = app.test_client().sign_in_as(erik)
    url = f"/development/{item.id}/plan"
    too_long = agent.post(url, data={"planned_release": "x" * 101})
    assert too_long.status_code == 422 and "x" * 101 in too_long.text
    assert agent.post(url, data={"planned_release": " 2027.1 "}).status_code == 303
    assert 'value="2027.1"' in agent.get("/development").text
    with app.app_context():
        assert DevelopmentItem.get_by_id(item.id).planned_release == "2027.1"
        logged = AuditLog.get(AuditLog.action == "development.planned")
        assert (logged.before_values, logged.after_values) == (
            {"planned_release": None},
            {"planned_release": "2027.1"},
        )
    page = app.test_client().sign_in_as(mia).get("/organisation/development").text
    assert "planned for release 2027.1" in page
    assert f"/cases/{case.call_id}#timeline-title" in page and "1 message<" in page
    customer = app.test_client().sign_in_as(mia)
    assert customer.post(url, data={"planned_release": "now"}).status_code == 404
