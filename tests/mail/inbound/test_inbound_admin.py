"""``/admin/inbound``: admins see held and failed mail, accept held mail for a customer or
refuse it, retry failed mail; agents read the original of a mail on a case's timeline;
customers and other agents get 404s."""

import pytest

from helpdesk.cases.models import Case
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.products.models import Product
from tests.mail.inbound.helpers import simple_mail


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(MAIL_UNKNOWN_SENDERS="hold", **smtp_server.settings)


def _held(app, subject="Hallo von neu", message_id="<held-1@unknown.example>"):
    with app.app_context():
        raw = simple_mail("neu@unknown.example", subject, "Bitte um Rückruf.", message_id)
        return intake.receive(raw, "imap").message.id


def test_admins_list_held_mail(app, world, admin_client):
    pk = _held(app)
    page = admin_client.get("/admin/inbound")
    assert page.status_code == 200
    assert b"Hallo von neu" in page.data and b"unknown sender" in page.data
    detail = admin_client.get(f"/admin/inbound/{pk}")
    assert "Bitte um Rückruf.".encode() in detail.data


def test_others_get_404(app, world, agent_client, customer_client):
    pk = _held(app)
    assert agent_client.get("/admin/inbound").status_code == 404
    assert agent_client.get(f"/admin/inbound/{pk}").status_code == 404
    assert agent_client.post(f"/admin/inbound/{pk}/refuse").status_code == 404
    assert agent_client.get(f"/admin/inbound/{pk}/raw").status_code == 404  # on no case
    assert customer_client.get("/admin/inbound").status_code == 404


def test_accepting_opens_a_case_for_the_chosen_customer(app, world, admin_client):
    pk = _held(app)
    answer = admin_client.post(
        f"/admin/inbound/{pk}/accept", data={"customer": "Mia.Member@muster.example"}
    )
    assert answer.status_code == 302
    with app.app_context():
        row = InboundMessage.get_by_id(pk)
        assert row.state == InboundState.TAKEN
        case = Case.get_by_id(row.case_id)
        assert case.requester.email == "mia.member@muster.example"
        assert case.opened_by.email == "ada.admin@vendor.example"
        assert case.description == "Bitte um Rückruf."
        assert answer.location.endswith(f"/cases/{case.call_id}")


def test_accepting_for_an_unknown_address_changes_nothing(app, world, admin_client):
    pk = _held(app)
    admin_client.post(f"/admin/inbound/{pk}/accept", data={"customer": "erik.first@vendor.example"})
    with app.app_context():
        assert InboundMessage.get_by_id(pk).state == InboundState.HELD


def test_accepting_needs_the_csrf_token(app, world, admin_client):
    pk = _held(app)
    answer = admin_client.post(
        f"/admin/inbound/{pk}/accept", data={"customer": "mia.member@muster.example"}, csrf=False
    )
    assert answer.status_code == 400
    with app.app_context():
        assert InboundMessage.get_by_id(pk).state == InboundState.HELD


def test_refusing_held_mail(app, world, admin_client, smtp_server):
    pk = _held(app)
    before = len(smtp_server.messages)
    admin_client.post(f"/admin/inbound/{pk}/refuse")
    with app.app_context():
        assert InboundMessage.get_by_id(pk).state == InboundState.REFUSED
    assert len(smtp_server.messages) == before  # refused without an answer


def test_agents_read_the_original_of_a_mail_on_the_timeline(
    app, world, agent_client, customer_client
):
    with app.app_context():
        raw = simple_mail("mia.member@muster.example", f"[#{world.case.call_id}] Drucker", "Neu.")
        pk = intake.receive(raw, "pipe").message.id
    page = agent_client.get(f"/cases/{world.case.call_id}")
    assert f"/admin/inbound/{pk}/raw".encode() in page.data
    original = agent_client.get(f"/admin/inbound/{pk}/raw")
    assert original.status_code == 200 and original.data == raw
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert b"/admin/inbound/" not in customer_client.get(f"/cases/{world.case.call_id}").data
    assert customer_client.get(f"/admin/inbound/{pk}/raw").status_code == 404


def test_a_failed_mail_is_processed_again_by_an_admin(app, world, admin_client):
    with app.app_context():
        Product.update(active=False).execute()
        raw = simple_mail("mia.member@muster.example", "Neue Frage", "Text.")
        pk = intake.receive(raw, "imap").message.id
        Product.update(active=True).execute()
    assert b"no active product" in admin_client.get("/admin/inbound").data
    admin_client.post(f"/admin/inbound/{pk}/retry")
    with app.app_context():
        row = InboundMessage.get_by_id(pk)
        assert row.state == InboundState.TAKEN and row.case.subject == "Neue Frage"
