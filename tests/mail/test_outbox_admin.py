"""``/admin/outbox``: vendor admins see every mail and send failed ones again; nobody else."""

import pytest

from helpdesk.db import db
from helpdesk.mail import outbox, views
from helpdesk.mail.models import OutboxMessage, State

MIA = "mia@muster.example"


def send(app, subject, to=MIA):
    with app.app_context(), db.atomic():
        return outbox.enqueue(to, subject, "Guten Tag")


def state_of(app, pk) -> str:
    with app.app_context():
        return OutboxMessage.get_by_id(pk).state


def test_an_admin_sees_every_mail_newest_first(app, admin_client, smtp_server):
    send(app, "First mail")
    smtp_server.refuse.add("nobody@muster.example")
    send(app, "Second mail", to="nobody@muster.example")

    page = admin_client.get("/admin/outbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Second mail") < html.index("First mail")
    assert "given up" in html and "550" in html
    assert "<script>" not in html and "style=" not in html  # the page keeps to the CSP

    dead = admin_client.get("/admin/outbox?state=dead").get_data(as_text=True)
    assert "Second mail" in dead and "First mail" not in dead
    sent = admin_client.get("/admin/outbox?state=sent").get_data(as_text=True)
    assert "First mail" in sent and "Second mail" not in sent


def test_the_list_comes_in_pages(app, admin_client, smtp_server, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for n in range(3):
        send(app, f"Mail number {n}")

    first = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "Mail number 2" in first and "Mail number 1" in first
    assert "Mail number 0" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first

    second = admin_client.get("/admin/outbox?page=2").get_data(as_text=True)
    assert "Mail number 0" in second and "Mail number 1" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_an_admin_sends_a_failed_mail_again(app, admin_client, smtp_server):
    smtp_server.stop()
    row = send(app, "Waiting for the server")
    assert state_of(app, row.id) == State.FAILED
    smtp_server.start()

    answer = admin_client.post(f"/admin/outbox/{row.id}/resend", data={"state": "failed"})

    assert answer.status_code == 302
    assert answer.location == "/admin/outbox?state=failed"
    assert state_of(app, row.id) == State.SENT  # handed over when the request ended
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_a_dead_mail_gets_a_fresh_count_of_tries(app, admin_client, smtp_server):
    smtp_server.refuse.add("nobody@muster.example")
    row = send(app, "Given up", to="nobody@muster.example")
    with app.app_context():
        OutboxMessage.update(tries=30).where(OutboxMessage.id == row.id).execute()
    smtp_server.refuse.clear()

    admin_client.post(f"/admin/outbox/{row.id}/resend")

    with app.app_context():
        again = OutboxMessage.get_by_id(row.id)
    assert (again.state, again.tries) == (State.SENT, 1)


def test_a_sent_mail_is_not_sent_again(app, admin_client, smtp_server):
    row = send(app, "Delivered")
    page = admin_client.post(f"/admin/outbox/{row.id}/resend", follow_redirects=True)
    assert "Only failed messages can be sent again." in page.get_data(as_text=True)
    assert len(smtp_server.envelopes) == 1
    assert admin_client.post("/admin/outbox/999999/resend").status_code == 404


def test_resending_needs_the_csrf_token(app, admin_client, smtp_server):
    smtp_server.stop()
    row = send(app, "Failed")
    assert admin_client.post(f"/admin/outbox/{row.id}/resend", csrf=False).status_code == 400
    assert state_of(app, row.id) == State.FAILED


@pytest.mark.parametrize("who", ["customer_client", "agent_client", "portal_admin_client"])
def test_nobody_else_finds_the_outbox(app, who, request, smtp_server):
    row = send(app, "Private")
    client = request.getfixturevalue(who)
    assert client.get("/admin/outbox").status_code == 404
    assert client.post(f"/admin/outbox/{row.id}/resend").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client):
    answer = client.get("/admin/outbox")
    assert answer.status_code == 302
    assert answer.location.startswith("/sign-in")


def test_the_pager_is_the_same_in_the_page_and_its_htmx_partial(app, admin_client):
    from helpdesk.db import db
    from helpdesk.mail import outbox

    with app.app_context(), db.atomic():
        for number in range(60):
            outbox.enqueue("a@b.example", f"Mail {number}", "text")
    for headers in ({}, {"HX-Request": "true"}):
        html = admin_client.get("/admin/outbox", headers=headers).get_data(as_text=True)
        assert 'href="/admin/outbox?page=2" rel="next"' in html
