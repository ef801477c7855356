"""FLOW-7: agents link cases to a development item; publishing its release tells every linked
case (message and mail) and moves it as the plugin says (seed 002)."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.development import service as development
from helpdesk.development.models import DevelopmentItem
from tests.lifecycle.conftest import mails_to, open_case, person, text_of


def test_property_software_release_reaches_every_linked_case(make_lifecycle_app, smtp_server):
    app = make_lifecycle_app("property_software")
    with app.app_context():
        User.update(language="de").where(User.email.startswith("martin.main")).execute()
        erik = person("erik.first")
        first = open_case()
        second = open_case(requester="martin.main")
        other = open_case()
        for case in (first, second):
            service.move_status(case, erik, "open_in_development")
        development.link(first, erik, "DEV-7", "Rechnungslauf stoppt")
        with pytest.raises(CaseError):
            development.link(second, erik, "DEV-8", "")  # a new item needs a title
        development.link(second, erik, "DEV-7")
        with pytest.raises(CaseError):
            development.link(other, person("mia.member"), "DEV-7")
    client = app.test_client().sign_in_as(erik)
    item_id = DevelopmentItem.get(DevelopmentItem.key == "DEV-7").id
    assert client.post(f"/development/{item_id}/publish", data={"release": ""}).status_code == 422
    assert (
        client.post(f"/development/{item_id}/publish", data={"release": "2026.2"}).status_code
        == 303
    )
    with app.app_context():
        for case in (first, second):
            assert Case.get_by_id(case.id).status == "solved"
            released = Event.get((Event.case == case.id) & (Event.kind == EventKind.RELEASED))
            assert released.visibility == "public" and "2026.2" in released.body
        assert (
            "Gute" not in Event.get(Event.kind == EventKind.RELEASED, Event.case == first.id).body
        )
        german = Event.get((Event.case == second.id) & (Event.kind == EventKind.RELEASED)).body
        assert Case.get_by_id(other.id).status == "new"
        with pytest.raises(CaseError):
            development.publish(DevelopmentItem.get_by_id(item_id), erik, "2026.3")
    [mia_mail] = [m for m in mails_to(smtp_server, "mia.member") if "2026.2" in m["Subject"]]
    assert first.call_id in mia_mail["Subject"] and first.call_id in text_of(mia_mail)
    [martin_mail] = [m for m in mails_to(smtp_server, "martin.main") if "2026.2" in m["Subject"]]
    assert "Release 2026.2" in martin_mail["Subject"]
    assert german != Event.get((Event.case == first.id) & (Event.kind == EventKind.RELEASED)).body


def test_the_core_keeps_the_status_and_customers_do_not_see_the_pages(app):
    with app.app_context():
        erik, mia = person("erik.first"), person("mia.member")
        case = open_case()
        development.link(case, erik, "DEV-1", "Export")
        development.publish(DevelopmentItem.get(DevelopmentItem.key == "DEV-1"), erik, "1.1")
        assert Case.get_by_id(case.id).status == "new"
    customer = app.test_client().sign_in_as(mia)
    assert customer.get("/development").status_code == 404
    assert customer.post(f"/cases/{case.call_id}/development", data={"key": "X"}).status_code == 404
    page = customer.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert "announced release 1.1" in page and "DEV-1" not in page


def test_a_key_longer_than_a_tracker_id_is_refused_with_a_reason(app):
    """Found by tests/test_robustness.py: PostgreSQL refused the long key (a 500)."""
    with app.app_context():
        erik = person("erik.first")
        case = open_case()
    client = app.test_client().sign_in_as(erik)
    response = client.post(
        f"/cases/{case.call_id}/development", data={"key": "DEV-" + "9" * 60, "title": "Export"}
    )
    assert response.status_code == 422
    assert "at most 50 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert DevelopmentItem.select().count() == 0
