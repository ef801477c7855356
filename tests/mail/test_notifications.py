"""Case notifications, received by a real SMTP server: who gets which mail, in which language,
threaded under its case."""

import uuid
from pathlib import Path

import pytest
from flask import Blueprint

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Attachment
from helpdesk.db import db
from helpdesk.hookspecs import hookimpl
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.reading import paragraphs
from helpdesk.products.models import Product


def open_case(app, requester, subject="Export bricht ab", attachments=(), **values):
    with app.app_context():
        return service.open_case(
            service.NewCase(
                requester=requester,
                product=Product.select().first(),
                subject=subject,
                description=values.pop("description", "Seit dem Update"),
                case_type="fault",
                severity="normal",
                **values,
            ),
            attachments,
        )


def set_user(app, user, **fields):
    """Change ``user`` in the database (and on the object the test holds)."""
    with app.app_context(), db.atomic():
        User.update(**fields).where(User.id == user.id).execute()
    for name, value in fields.items():
        setattr(user, name, value)


def run(app, change, *args, **kwargs):
    """One change in its own app context, as a request or job makes it."""
    with app.app_context():
        return change(*args, **kwargs)


def file_of(app, uploader, filename):
    with app.app_context():
        return Attachment.create(
            uploaded_by=uploader,
            filename=filename,
            stored_name=uuid.uuid4().hex,
            content_type="text/plain",
            size=3,
            sha256="0" * 64,
        )


def addressees(messages) -> list[str]:
    return sorted(message["To"].addresses[0].addr_spec for message in messages)


def text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(("html",)).get_content().replace("\r\n", "\n")


@pytest.fixture
def people(demo_people):
    return demo_people


@pytest.fixture
def case(app, people, smtp_server):
    """Mia's case, followed by Martin (a colleague) and by Sara (an agent); no mail yet."""
    case = open_case(app, people["mia.member"])
    run(app, service.follow, case, people["martin.main"], added_by=people["mia.member"])
    run(app, service.follow, case, people["sara.second"])
    smtp_server.handler.envelopes.clear()
    return case


# -- Opening ---------------------------------------------------------------------------------


def test_a_new_case_is_acknowledged_with_its_call_id_in_the_requesters_language(
    app, demo_people, smtp_server
):
    mia = demo_people["mia.member"]
    set_user(app, mia, language="de")
    case = open_case(app, mia)
    [mail] = smtp_server.messages
    assert mail["To"] == f"{mia.name} <{mia.email}>"
    assert mail["Subject"] == f"[#{case.call_id}] Ihr Fall ist eingegangen: Export bricht ab"
    assert mail["In-Reply-To"] == f"<case-{case.call_id}@portal.vendor.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["From"] == "Support <support@vendor.example>"
    body = text(mail)
    assert case.call_id in body
    assert f"http://localhost:5000/cases/{case.call_id}" in body
    assert "Eine Kopie" not in body
    assert case.call_id in html(mail)


def test_a_case_that_fails_to_open_sends_nothing(app, demo_people, smtp_server):
    with pytest.raises(service.CaseError):
        open_case(app, demo_people["mia.member"], subject=" ")
    assert smtp_server.messages == []


def test_the_requested_copy_comes_with_the_acknowledgement(app, people, smtp_server):
    mia = people["mia.member"]
    upload = file_of(app, mia, "log.txt")
    case = open_case(
        app,
        mia,
        description="Line one\n<b>not bold</b>",
        copy_to_requester=True,
        checklist={"steps": "Export starten"},
        attachments=[upload],
    )
    [mail] = smtp_server.messages  # one mail: the call id and the copy together
    body = text(mail)
    assert case.call_id in body
    assert "A copy of what you sent us" in body
    assert "Line one\n<b>not bold</b>" in body
    assert "Steps to reproduce:\nExport starten" in body
    assert "- log.txt" in body
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html(mail)
    assert f"/cases/{case.call_id}/attachments/{upload.id}/log.txt" in html(mail)


def test_a_phone_case_tells_the_requester_who_opened_it_and_routing_tells_the_agent(
    make_app, smtp_server
):
    from helpdesk import demo

    class RouteToErik:
        @hookimpl
        def helpdesk_route_case(self, case_type, product, version, component):
            from helpdesk.policy import Route

            return Route(team="support", agent_email="erik.first@vendor.example")

    app = make_app(RouteToErik(), **smtp_server.settings)
    with app.app_context():
        demo.load(password="x")
        mia = User.get(User.email == "mia.member@muster.example")
        tom = User.get(User.email == "tom.third@vendor.example")
    case = open_case(app, mia, opened_by=tom)
    assert addressees(smtp_server.messages) == [
        "erik.first@vendor.example",
        "mia.member@muster.example",
    ]
    routed, ack = sorted(smtp_server.messages, key=lambda m: m["To"].addresses[0].addr_spec)
    assert "Tom Third opened it for you." in text(ack)
    assert routed["To"].addresses[0].addr_spec == "erik.first@vendor.example"
    assert routed["Subject"] == f"[#{case.call_id}] Assigned to you: Export bricht ab"
    assert "Requester: Mia Member" in text(routed)


# -- Messages --------------------------------------------------------------------------------


def test_an_agents_reply_reaches_requester_and_followers_threaded_and_not_automatic(
    app, people, case, smtp_server
):
    mia, erik = people["mia.member"], people["erik.first"]
    set_user(app, mia, language="de", timezone="America/New_York")
    run(app, service.add_message, case, erik, "Bitte senden Sie das Protokoll.\n<script>")
    mails = smtp_server.messages
    # Mia asked, Martin follows, Sara follows (an agent); Erik wrote it.
    assert addressees(mails) == [
        "martin.main@muster.example",
        "mia.member@muster.example",
        "sara.second@vendor.example",
    ]
    to_mia = next(m for m in mails if m["To"].addresses[0].addr_spec == mia.email)
    assert to_mia["Subject"] == f"[#{case.call_id}] Erik First schrieb: Export bricht ab"
    [sender] = to_mia["From"].addresses  # the writer's name, the support address
    assert (sender.display_name, sender.addr_spec) == (
        "Erik First (Support)",
        "support@vendor.example",
    )
    thread = f"<case-{case.call_id}@portal.vendor.example>"
    assert to_mia["In-Reply-To"] == thread
    assert to_mia["References"] == thread
    assert to_mia["Auto-Submitted"] is None  # a person typed it (RFC 3834)
    body = text(to_mia)
    assert "Bitte senden Sie das Protokoll.\n<script>" in body
    assert "(America/New_York)" in body
    assert "&lt;script&gt;" in html(to_mia) and "<script>" not in html(to_mia)
    to_martin = next(
        m for m in mails if m["To"].addresses[0].addr_spec == "martin.main@muster.example"
    )
    assert "Erik First wrote" in to_martin["Subject"]
    assert "(Europe/Vienna)" in text(to_martin)


def test_names_with_line_breaks_are_one_line_in_the_headers(app, people, case, smtp_server):
    """A name is text its owner typed: line breaks in it made the address header raise and the
    agent's whole reply a 500 (found by tests/test_robustness.py). They become spaces."""
    mia, erik = people["mia.member"], people["erik.first"]
    set_user(app, mia, name="Mia\r\nBcc: victim@evil.example\x07 Member")
    set_user(app, erik, name="Erik\nFirst\x1b")
    run(app, service.add_message, case, erik, "Bitte senden Sie das Protokoll.")
    to_mia = next(m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == mia.email)
    assert to_mia["To"].addresses[0].display_name == "Mia Bcc: victim@evil.example Member"
    assert to_mia["From"].addresses[0].display_name == "Erik First (Support)"
    assert to_mia["Bcc"] is None
    assert all("victim@evil.example" not in e.rcpt_tos for e in smtp_server.handler.envelopes)


def test_the_reply_is_threaded_under_the_acknowledgement(app, people, smtp_server):
    case = open_case(app, people["mia.member"])
    run(app, service.add_message, case, people["mia.member"], "Noch ein Detail")
    run(app, service.add_message, case, people["erik.first"], "Danke, wir sehen es uns an")
    ack = smtp_server.messages[0]
    [reply] = [m for m in smtp_server.messages if "Erik First" in m["Subject"]]
    assert reply["To"].addresses[0].addr_spec == "mia.member@muster.example"
    assert reply["In-Reply-To"] == ack["In-Reply-To"]
    assert ack["In-Reply-To"] in reply["References"]
    assert reply["Subject"].startswith(f"[#{case.call_id}]")


def test_reply_to_is_the_inbound_address_when_configured(make_app, people, smtp_server):
    app = make_app(MAIL_REPLY_TO="inbound@vendor.example", **smtp_server.settings)
    open_case(app, people["mia.member"])
    [mail] = smtp_server.messages
    assert mail["Reply-To"] == "inbound@vendor.example"


def outbox_count(app) -> int:
    with app.app_context():
        return OutboxMessage.select().count()


def test_an_internal_note_mails_nobody(app, people, case, smtp_server):
    before = outbox_count(app)
    run(app, service.add_message, case, people["erik.first"], "Kunde ist schwierig", internal=True)
    assert smtp_server.messages == []
    assert outbox_count(app) == before


def test_field_changes_mail_nobody(app, people, case, smtp_server):
    run(app, service.change_field, case, people["erik.first"], "priority", "high", "eilt")
    assert smtp_server.messages == []


def test_a_customers_message_on_an_unassigned_case_reaches_the_team_and_the_addressees(
    app, people, case, smtp_server
):
    upload = file_of(app, people["mia.member"], "screenshot.png")
    run(app, service.add_message, case, people["mia.member"], "Hier der Screenshot", [upload])
    mails = smtp_server.messages
    # The support team's agents (case unassigned), Martin following; not Mia herself.
    assert addressees(mails) == [
        "ada.admin@vendor.example",
        "erik.first@vendor.example",
        "martin.main@muster.example",
        "sara.second@vendor.example",
        "tom.third@vendor.example",
    ]
    mail = mails[0]
    assert mail["Subject"] == f"[#{case.call_id}] Mia Member wrote: Export bricht ab"
    assert "- screenshot.png" in text(mail)
    assert "screenshot.png" in html(mail)


def test_a_customers_message_on_an_assigned_case_reaches_only_its_agent(
    app, people, case, smtp_server
):
    run(app, service.assign, case, people["erik.first"], people["erik.first"])
    run(app, service.unfollow, case, people["sara.second"])
    run(app, service.unfollow, case, people["martin.main"])
    assert smtp_server.messages == []  # assigning oneself tells nobody
    run(app, service.add_message, case, people["mia.member"], "Noch da?")
    assert addressees(smtp_server.messages) == ["erik.first@vendor.example"]


def test_the_team_can_be_left_out_and_agents_switched_off(make_app, smtp_server):
    from helpdesk import demo

    app = make_app(NOTIFY_TEAM_WHEN_UNASSIGNED=False, **smtp_server.settings)
    with app.app_context():
        demo.load(password="x")
        people = {u.email.split("@")[0]: u for u in User.select()}
    case = open_case(app, people["mia.member"])
    run(app, service.follow, case, people["sara.second"])
    smtp_server.handler.envelopes.clear()
    run(app, service.add_message, case, people["mia.member"], "Hallo?")
    assert addressees(smtp_server.messages) == ["sara.second@vendor.example"]

    app.config["NOTIFY_AGENTS"] = False
    smtp_server.handler.envelopes.clear()
    run(app, service.add_message, case, people["mia.member"], "Hallo??")
    run(app, service.assign, case, people["tom.third"], people["erik.first"])
    assert smtp_server.messages == []


def test_an_inactive_follower_gets_nothing(app, people, case, smtp_server):
    set_user(app, people["martin.main"], active=False)
    run(app, service.add_message, case, people["erik.first"], "Antwort")
    assert "martin.main@muster.example" not in addressees(smtp_server.messages)
    assert "mia.member@muster.example" in addressees(smtp_server.messages)


def test_the_recipients_are_read_in_one_query_however_many_there_are(
    app, people, case, smtp_server, monkeypatch
):
    """No query per recipient: a reply to 2 or to 7 followers reads the same rows (the
    delivery after commit reads each outbox row and its connection's mailbox token, by design,
    and is not counted)."""

    def selects_for_a_reply() -> list[str]:
        seen = []
        execute = db.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            delivery = "outbox_message" in sql or "mailbox_token" in sql
            if sql.lstrip().upper().startswith("SELECT") and not delivery:
                seen.append(sql)
            return execute(sql, params, *args, **kwargs)

        monkeypatch.setattr(db.obj, "execute_sql", counting)
        run(app, service.add_message, case, people["erik.first"], "Antwort")
        monkeypatch.undo()
        return seen

    selects_for_a_reply()  # once first: what is read once per process is not per recipient
    few = selects_for_a_reply()
    with app.app_context():
        for number in range(5):
            colleague = User.create(
                email=f"colleague{number}@muster.example",
                name=f"Colleague {number}",
                organisation=people["mia.member"].organisation_id,
                support_authorised=True,
            )
            service.follow(case, colleague, added_by=people["mia.member"])
    smtp_server.handler.envelopes.clear()
    many = selects_for_a_reply()
    assert len(smtp_server.messages) == 8
    assert len(many) == len(few)


# -- Status and assignment ---------------------------------------------------------------------


def test_waiting_for_the_customer_tells_requester_and_customer_followers_in_their_language(
    app, people, case, smtp_server
):
    set_user(app, people["mia.member"], language="de")
    run(
        app,
        service.move_status,
        case,
        people["erik.first"],
        "waiting",
        waiting_for="Das Protokoll vom Montag",
    )
    mails = smtp_server.messages
    assert addressees(mails) == ["martin.main@muster.example", "mia.member@muster.example"]
    to_mia = next(m for m in mails if m["To"].addresses[0].addr_spec == "mia.member@muster.example")
    assert to_mia["Subject"] == f"[#{case.call_id}] Wartet auf Sie: Ihre Rückmeldung"
    assert to_mia["Auto-Submitted"] == "auto-generated"
    assert "Das Protokoll vom Montag" in text(to_mia)


@pytest.mark.parametrize(
    ("status", "subject"), [("solved", "Solved: Export bricht ab"), ("closed", "Closed:")]
)
def test_solved_and_closed_tell_the_customers(app, people, case, smtp_server, status, subject):
    run(app, service.move_status, case, people["erik.first"], status)
    # A closed case also sends the requester the satisfaction survey (FLOW-5).
    mails = [m for m in smtp_server.messages if subject in m["Subject"]]
    assert addressees(mails) == ["martin.main@muster.example", "mia.member@muster.example"]


def test_other_status_changes_tell_nobody(app, people, case, smtp_server):
    run(app, service.move_status, case, people["erik.first"], "hold")
    run(app, service.move_status, case, people["erik.first"], "open")
    assert smtp_server.messages == []


def test_an_assignment_by_someone_else_tells_the_agent(app, people, case, smtp_server):
    run(app, service.assign, case, people["tom.third"], people["erik.first"])
    [mail] = smtp_server.messages
    assert mail["To"].addresses[0].addr_spec == "erik.first@vendor.example"
    assert mail["Subject"] == f"[#{case.call_id}] Assigned to you: Export bricht ab"
    assert "Tom Third assigned this case to you" in text(mail)


# -- Transactions and plugins -------------------------------------------------------------------


def test_a_rolled_back_change_sends_nothing(app, people, case, smtp_server):
    before = outbox_count(app)
    with app.app_context(), pytest.raises(RuntimeError), db.atomic():
        service.add_message(case, people["erik.first"], "Wird nie gesendet")
        assert outbox_count(app) == before + 3  # written, inside the transaction
        raise RuntimeError("the caller's transaction fails after the change")
    assert outbox_count(app) == before
    assert smtp_server.messages == []


@pytest.mark.hook("helpdesk_mail_template")
def test_a_plugin_writes_a_mail_with_its_own_template(make_app, smtp_server, tmp_path):
    folder = tmp_path / "templates" / "vendor_mail"
    folder.mkdir(parents=True)
    (folder / "case_opened.txt").write_text(
        "{% block subject %}Ticket {{ case.call_id }} angelegt{% endblock %}"
        "{% block text %}Servus {{ recipient.name }}!{% endblock %}"
    )
    asked = []

    class VendorMail:
        @hookimpl
        def helpdesk_init_app(self, app):
            app.register_blueprint(
                Blueprint("vendor_mail", __name__, template_folder=str(tmp_path / "templates"))
            )

        @hookimpl
        def helpdesk_mail_template(self, name, language):
            asked.append((name, language))
            return "vendor_mail/case_opened" if name == "case_opened" else None

    from helpdesk import demo

    app = make_app(VendorMail(), **smtp_server.settings)
    with app.app_context():
        demo.load(password="x")
        mia = User.get(User.email == "mia.member@muster.example")
    set_user(app, mia, language="de")
    case = open_case(app, mia)
    [mail] = smtp_server.messages
    assert mail["Subject"] == f"[#{case.call_id}] Ticket {case.call_id} angelegt"
    assert text(mail) == "Servus Mia Member!\n"
    # the plugin wrote no HTML template: its text in the one mail layout (MAIL-1)
    assert '<p style="margin:0 0 12px">Servus Mia Member!</p>' in html(mail)
    assert asked == [("case_opened", "de")]


def test_mail_templates_write_times_in_the_recipients_zone():
    """A mail is read on its recipient's clock: ``local_time`` writes it so, named; the
    ``datetimeformat`` filter writes the zone of whoever caused the mail, unnamed (three
    templates did, tests/sla/test_lifecycles.py shows them now)."""
    templates = list((Path(__file__).parents[2] / "templates" / "mail").iterdir())
    assert len(templates) > 30
    uses_filter = [str(path) for path in templates if "datetimeformat" in path.read_text()]
    assert uses_filter == []


def test_a_text_mails_paragraphs_in_html_are_escaped_linked_and_keep_their_lines():
    text = (
        "Hello <Mia> & co,\r\n\r\n\r\nsee https://portal.example/cases/1?a=1&b=2.\n"
        "Second line\n\n  \n\n-- \nSupport"
    )
    link = '<a href="https://portal.example/cases/1?a=1&amp;b=2" rel="noopener noreferrer"'
    link += ' style="color:red">https://portal.example/cases/1?a=1&amp;b=2</a>'
    assert paragraphs(text, "color:red") == [
        "Hello &lt;Mia&gt; &amp; co,",
        f"see {link}.<br>\nSecond line",
        "-- <br>\nSupport",
    ]
