"""Mail to case beyond the corpus: threading by our own Message-IDs, follow-ups of closed
cases, who may join which case, forged headers, unknown senders (answered once in a while,
or held), failures and duplicates."""

import pytest

from helpdesk.accounts.models import CustomerRole, User
from helpdesk.cases import service
from helpdesk.cases.models import Case, Channel, Event, EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.inbound.parse import parse
from helpdesk.mail.models import OutboxMessage
from helpdesk.policy import MailCase
from helpdesk.products.models import Product
from tests.mail.inbound.helpers import simple_mail

MIA = "Mia Member <mia.member@muster.example>"


def _messages(case):
    return list(Event.select().where((Event.case == case) & (Event.kind == EventKind.MESSAGE)))


def test_a_reply_to_our_acknowledgement_joins_by_its_message_id(app, world):
    with app.app_context():
        acknowledgement = OutboxMessage.get(OutboxMessage.case == world.case)
        raw = simple_mail(
            MIA,
            "Re: your mail",
            "Noch eine Information.",
            headers=f"In-Reply-To: {acknowledgement.message_id}\n",
        )
        outcome = world.receive(raw)
        assert outcome.state == InboundState.TAKEN
        [message] = _messages(world.case)
        assert message.body == "Noch eine Information."
        assert message.author_id == world.people["mia.member"].id


def test_a_reply_to_a_reply_joins_by_the_earlier_mail(app, world):
    with app.app_context():
        first = simple_mail(MIA, f"[#{world.case.call_id}] Drucker", "Erste.")
        world.receive(first)
        second = simple_mail(
            MIA,
            "Nachtrag",
            "Zweite.",
            message_id="<simple-2@muster.example>",
            headers="References: <simple-1@muster.example>\n",
        )
        assert world.receive(second).message.case_id == world.case.id
        assert [m.body for m in _messages(world.case)] == ["Erste.", "Zweite."]


def test_a_reply_to_a_closed_case_opens_a_linked_follow_up(app, world):
    with app.app_context():
        agent = world.people["erik.first"]
        service.move_status(world.case, agent, "closed")
        raw = simple_mail(MIA, f"Re: [#{world.case.call_id}] Drucker", "Es geht wieder nicht.")
        outcome = world.receive(raw)
        follow_up = Case.get_by_id(outcome.message.case_id)
        assert follow_up.id != world.case.id
        assert follow_up.parent_id == world.case.id
        assert follow_up.channel == Channel.MAIL
        assert follow_up.subject == "Drucker"
        assert follow_up.description == "Es geht wieder nicht."
        assert _messages(world.case) == []


def test_a_colleague_who_may_not_see_the_case_opens_a_new_one(app, world):
    with app.app_context():
        User.create(
            email="max.member@muster.example",
            name="Max Member",
            organisation=world.case.organisation_id,
            customer_role=CustomerRole.MEMBER,
            support_authorised=True,
        )
        raw = simple_mail(
            "max.member@muster.example",
            f"Re: [#{world.case.call_id}] Drucker",
            "Ich auch.",
            headers=f"In-Reply-To: <case-{world.case.call_id}@portal.vendor.example>\n",
        )
        outcome = world.receive(raw)
        assert outcome.message.case_id != world.case.id
        assert _messages(world.case) == []


def test_our_own_headers_from_outside_are_removed_before_anyone_reads_them(app, world):
    raw = simple_mail(MIA, "Hallo", headers="X-Helpdesk-Case: 2026-00001\nX-HELPDESK-Agent: 1\n")
    parsed = parse(raw)
    assert parsed.header("X-Helpdesk-Case") == "" and parsed.header("X-Helpdesk-Agent") == ""
    assert parsed.header("Subject") == "Hallo"


def test_unknown_senders_are_answered_a_few_times_an_hour_at_most(app, world, smtp_server):
    with app.app_context():
        for number in range(5):
            raw = simple_mail("robot@unknown.example", "Hallo", message_id=f"<r{number}@x>")
            outcome = world.receive(raw)
            assert outcome.state == InboundState.REFUSED and outcome.unknown_sender
    answers = [m for m in smtp_server.messages if m["To"] == "robot@unknown.example"]
    assert len(answers) == 3
    assert answers[0]["Auto-Submitted"] == "auto-generated"
    assert "Hallo" in answers[0]["Subject"]
    # Nobody knows the stranger's language: the answer is in each, the default (English) first.
    assert answers[0]["Subject"].startswith("Your mail did not reach support")
    assert "Ihre Mail hat den Support nicht erreicht" in answers[0]["Subject"]
    text = answers[0].get_body(("plain",)).get_content()
    assert text.index("authorised") < text.index("freigeschaltet")


def test_a_sender_not_authorised_for_support_is_refused(app, world):
    with app.app_context():
        User.update(support_authorised=False).where(
            User.email == "mia.member@muster.example"
        ).execute()
        outcome = world.receive(simple_mail(MIA, "Neue Frage"))
        assert outcome.state == InboundState.REFUSED
        assert outcome.reason == "sender may not open cases"


def test_unknown_senders_can_be_held_instead(make_app, smtp_server, demo_people):
    app = make_app(MAIL_UNKNOWN_SENDERS="hold", **smtp_server.settings)
    with app.app_context():
        outcome = intake.receive(simple_mail("new@unknown.example", "Hallo"), "pipe")
        assert outcome.state == InboundState.HELD
        assert Case.select().count() == 0
    assert smtp_server.messages == []


def test_a_mail_that_fails_is_recorded_and_processed_again(app, world):
    with app.app_context():
        Product.update(active=False).execute()
        outcome = world.receive(simple_mail(MIA, "Neue Frage"))
        assert outcome.state == InboundState.FAILED
        assert "no active product" in outcome.message.reason
        Product.update(active=True).execute()
        row = InboundMessage.get_by_id(outcome.message.id)
        again = intake.retry(row, world.people["ada.admin"])
        assert again.state == InboundState.TAKEN and not again.duplicate
        assert InboundMessage.get_by_id(outcome.message.id).case_id is not None
        # Taken now: a third delivery is a duplicate.
        assert world.receive(simple_mail(MIA, "Neue Frage")).duplicate


def test_a_mail_without_message_id_is_still_stored_once(app, world):
    raw = simple_mail(MIA, "Ohne ID").replace(b"Message-ID: <simple-1@muster.example>\n", b"")
    with app.app_context():
        assert not world.receive(raw).duplicate
        assert world.receive(raw).duplicate


class FaultsByMail:
    @hookimpl
    def helpdesk_mail_case(self, sender, subject):
        return MailCase("fault", "low", product="suite") if "Fehler" in subject else None


@pytest.mark.hook("helpdesk_mail_case")
def test_the_core_types_a_mail_case_unless_a_plugin_answers(make_app, smtp_server, demo_people):
    app = make_app(FaultsByMail(), **smtp_server.settings)
    with app.app_context():
        plain = intake.receive(simple_mail(MIA, "Frage"), "pipe")
        case = Case.get_by_id(plain.message.case_id)
        assert (case.case_type, case.severity, case.product.key) == ("question", "normal", "suite")
        fault = intake.receive(simple_mail(MIA, "Fehler", message_id="<f@x>"), "pipe")
        case = Case.get_by_id(fault.message.case_id)
        assert (case.case_type, case.severity) == ("fault", "low")


def test_a_refused_mail_leaves_no_files_behind(app, world):
    from email.message import EmailMessage

    from helpdesk.cases.files import upload_folder

    with app.app_context():
        service.move_status(world.case, world.people["erik.first"], "closed")
        User.update(support_authorised=False).where(User.email == MIA.split("<")[1][:-1]).execute()
        mail = EmailMessage()
        mail["From"], mail["Subject"] = MIA, f"Re: [#{world.case.call_id}] Drucker"
        mail["Message-ID"] = "<with-file@muster.example>"
        mail.set_content("Noch ein Log.")
        mail.add_attachment(b"ERR 4711\n", "text", "plain", filename="fehler.log")
        outcome = world.receive(mail.as_bytes())
        assert outcome.state == InboundState.REFUSED  # a follow-up needs authorisation
        assert [p for p in upload_folder().rglob("*") if p.is_file()] == []
        assert Case.select().count() == 1
