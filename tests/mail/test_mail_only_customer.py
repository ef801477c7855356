"""A customer who only uses mail, end to end: her mail opens a case, she is told its call id,
the agent's answer reaches her, her reply to that answer joins the case, and she learns when it
is solved. Mail out goes through the outbox to a real SMTP server; mail in through the same
intake the MTA pipe and the IMAP poller use; the reply answers the very mail she received."""

from helpdesk.cases import service
from helpdesk.cases.models import Case, Channel, Event, EventKind
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundState

MIA = "mia.member@muster.example"


def mails_to(smtp_server, address):
    return [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == address]


def reply_to(mail, body: str, message_id: str) -> bytes:
    """What a mail program sends when Mia answers ``mail``: threaded, quoting it below."""
    quoted = "\n".join(f"> {line}" for line in mail.get_body(("plain",)).get_content().split("\n"))
    return (
        f"From: Mia Member <{MIA}>\nTo: {mail['From']}\nSubject: Re: {mail['Subject']}\n"
        f"Message-ID: {message_id}\nIn-Reply-To: {mail['Message-ID']}\n"
        f"References: {mail.get('References', '')} {mail['Message-ID']}\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n\nAm Montag schrieb der Support:\n{quoted}\n"
    ).encode()


def test_a_customer_who_only_uses_mail(app, demo_people, smtp_server):
    first = (
        f"From: Mia Member <{MIA}>\nTo: support@vendor.example\nSubject: Drucker streikt\n"
        "Message-ID: <first@muster.example>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\nSeit heute druckt nichts mehr.\n"
    ).encode()
    with app.app_context():
        outcome = intake.receive(first, "pipe")
        assert outcome.state == InboundState.TAKEN
        case = Case.get_by_id(outcome.message.case_id)
        assert (case.channel, case.subject) == (Channel.MAIL, "Drucker streikt")
    [acknowledgement] = mails_to(smtp_server, MIA)
    assert acknowledgement["Subject"].startswith(f"[#{case.call_id}] ")

    with app.app_context():
        service.add_message(
            Case.get_by_id(case.id), demo_people["erik.first"], "Bitte starten Sie neu."
        )
    answer = mails_to(smtp_server, MIA)[-1]
    assert "Bitte starten Sie neu." in answer.get_body(("plain",)).get_content()

    # Her reply carries neither the call id in a form we rely on nor anything but threading:
    # the subject is rewritten to make sure the thread headers alone find the case.
    reply = reply_to(answer, "Neustart hat geholfen, danke!", "<second@muster.example>")
    reply = reply.replace(f"[#{case.call_id}]".encode(), b"")
    with app.app_context():
        outcome = intake.receive(reply, "imap")
        assert outcome.state == InboundState.TAKEN and outcome.message.case_id == case.id
        last = (
            Event.select()
            .where((Event.case == case.id) & (Event.kind == EventKind.MESSAGE))
            .order_by(Event.id.desc())
            .first()
        )
        # Shown without the quoted history; the original mail is kept whole.
        assert last.body == "Neustart hat geholfen, danke!"
        assert last.author_id == demo_people["mia.member"].id
        assert b"Am Montag schrieb" in bytes(outcome.message.raw)
        service.move_status(Case.get_by_id(case.id), demo_people["erik.first"], "solved")
    solved = mails_to(smtp_server, MIA)[-1]
    assert solved["Subject"].startswith(f"[#{case.call_id}] ")
    assert "Solved" in solved["Subject"]
    # Every mail to her belongs to the same thread.
    threads = {m["In-Reply-To"] for m in mails_to(smtp_server, MIA)}
    assert threads == {f"<case-{case.call_id}@portal.vendor.example>"}
