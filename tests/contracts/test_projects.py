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
