"""An agent answers by mail only by replying to a mail the portal sent that agent about that
case: the Message-ID of such a mail carries a token (an HMAC over case and agent) that the
agent's mail program sends back in In-Reply-To/References. A From header alone never lets a
mail act with an agent's rights: without a valid token the mail is held for an admin.

One test per way the rule can fail: no token, the case's public thread id instead of a token,
a token for another case, for another agent, with a wrong MAC; and customers' replies still
work as before, with or without a token in their headers. The last tests go through the real
pipe command (``flask --app wsgi mail-pipe``) in its own process."""

import pytest

from helpdesk.cases import service
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from tests.mail.inbound.helpers import simple_mail

ERIK = "Erik First <erik.first@vendor.example>"
MIA = "mia.member@muster.example"


def _to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == address]


def _messages(case) -> list[Event]:
    return list(
        Event.select()
        .where((Event.case == case) & (Event.kind == EventKind.MESSAGE))
        .order_by(Event.id)
    )


def _portal_mail_to_agent(app, world, smtp_server, agent="erik.first", case=None):
    """The portal mails ``agent`` about ``case`` (it is assigned to them); returns that mail."""
    people = world.people
    with app.app_context():
        case = Case.get_by_id((case or world.case).id)
        service.assign(case, people["ada.admin"], people[agent])
    return _to(smtp_server, people[agent].email)[-1]


def _reply(mail, sender: str, body: str, message_id: str, subject: str | None = None) -> bytes:
    """What a mail program sends when ``sender`` answers ``mail``."""
    subject = subject or f"Re: {mail['Subject']}"
    references = f"{mail.get('References', '')} {mail['Message-ID']}".strip()
    headers = f"In-Reply-To: {mail['Message-ID']}\nReferences: {references}\n"
    return simple_mail(sender, subject, body, message_id, headers)


def _forged(mail, position: int, replacement: str):
    """``mail``'s Message-ID with the character at ``position`` of its local part replaced."""
    local, _at, domain = mail["Message-ID"].strip("<>").partition("@")
    changed = local[:position] + replacement + local[position + 1 :]
    return f"<{changed}@{domain}>"


def test_an_agent_s_reply_to_the_portal_s_mail_is_a_public_message(app, world, smtp_server):
    mail = _portal_mail_to_agent(app, world, smtp_server)
    raw = _reply(mail, ERIK, "Bitte installieren Sie den Treiber neu.", "<erik-1@vendor.example>")
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.TAKEN, outcome.reason
        [message] = _messages(world.case)
        assert message.author_id == world.people["erik.first"].id
        assert message.body == "Bitte installieren Sie den Treiber neu."
    [answer] = _to(smtp_server, "mia.member@muster.example")[1:]  # after the acknowledgement
    assert "Bitte installieren Sie den Treiber neu." in answer.get_body(("plain",)).get_content()


def test_an_agent_s_address_in_from_alone_is_held_and_mails_nobody(app, world, smtp_server):
    raw = simple_mail(ERIK, f"Re: [#{world.case.call_id}] Drucker", "Ihr Vertrag ist gekündigt.")
    mails_before = len(smtp_server.messages)
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.HELD
        assert "token" in outcome.reason
        assert _messages(world.case) == []
        assert InboundMessage.get_by_id(outcome.message.id).case_id is None
    assert smtp_server.messages[mails_before:] == []


def test_the_case_s_public_thread_id_is_no_token(app, world):
    thread = f"<case-{world.case.call_id}@portal.vendor.example>"
    raw = simple_mail(
        ERIK, "Re: Drucker", "Erledigt.", headers=f"In-Reply-To: {thread}\nReferences: {thread}\n"
    )
    with app.app_context():
        assert world.receive(raw).state == InboundState.HELD
        assert _messages(world.case) == []


def _another_case(app, world) -> Case:
    with app.app_context():
        return service.open_case(
            service.NewCase(
                requester=world.people["mia.member"],
                product=world.case.product,
                subject="Scanner",
                description="Der Scanner scannt nicht.",
                case_type=world.case.case_type,
                severity=world.case.severity,
            )
        )


def test_a_token_for_another_case_does_not_reach_this_one(app, world, smtp_server):
    mail = _portal_mail_to_agent(app, world, smtp_server, case=_another_case(app, world))
    # The token of the other case, the subject and thread id of the world's case.
    thread = f"<case-{world.case.call_id}@portal.vendor.example>"
    subject = f"Re: [#{world.case.call_id}] Drucker"
    raw = _reply(mail, ERIK, "Falscher Fall.", "<erik-2@vendor.example>", subject).replace(
        b"References: ", f"References: {thread} ".encode()
    )
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.message.case_id != world.case.id
        assert _messages(world.case) == []


def test_a_token_issued_to_another_agent_is_held(app, world, smtp_server):
    mail = _portal_mail_to_agent(app, world, smtp_server, agent="sara.second")
    raw = _reply(mail, ERIK, "Ich übernehme.", "<erik-3@vendor.example>")
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.HELD
        assert _messages(world.case) == []


def test_a_token_with_a_wrong_mac_is_held(app, world, smtp_server):
    other = _another_case(app, world)
    mail = _portal_mail_to_agent(app, world, smtp_server)
    local = mail["Message-ID"].strip("<>").partition("@")[0]
    last = local[-1]
    for number, forged in enumerate(
        (
            _forged(mail, len(local) - 1, "0" if last != "0" else "1"),  # the MAC changed
            _forged(mail, len(local) - 1, ""),  # the MAC shortened
            # The MAC of the world's case, presented for another case.
            mail["Message-ID"].replace(f".agent-{world.case.id}-", f".agent-{other.id}-"),
        )
    ):
        assert forged != mail["Message-ID"]
        raw = simple_mail(
            ERIK,
            f"Re: {mail['Subject']}",
            "Gefälscht.",
            f"<forged-{number}@evil.example>",
            headers=f"In-Reply-To: {forged}\nReferences: {forged}\n",
        )
        with app.app_context():
            assert world.receive(raw).state == InboundState.HELD, forged
            assert _messages(world.case) == []


@pytest.mark.parametrize("holding_a_token", [False, True], ids=["plain", "holding-a-token"])
def test_a_customer_s_reply_works_as_before(app, world, smtp_server, holding_a_token):
    """A customer who somehow has an agent's token (forwarded to her) still writes as herself."""
    headers = ""
    if holding_a_token:
        token = _portal_mail_to_agent(app, world, smtp_server)["Message-ID"]
        headers = f"References: {token}\n"
    subject = f"Re: [#{world.case.call_id}] Drucker"
    raw = simple_mail(f"Mia Member <{MIA}>", subject, "Es geht.", headers=headers)
    with app.app_context():
        assert world.receive(raw).state == InboundState.TAKEN
        [message] = _messages(world.case)
        assert message.author_id == world.people["mia.member"].id


def test_an_answer_to_a_customer_s_mail_from_an_agent_s_address_is_held(app, world, smtp_server):
    _portal_mail_to_agent(app, world, smtp_server)
    acknowledgement = _to(smtp_server, "mia.member@muster.example")[0]
    # Mia answers the acknowledgement, pretending to be Erik: no token, held.
    raw = _reply(acknowledgement, ERIK, "Als Erik.", "<mia-as-erik@x>")
    with app.app_context():
        assert world.receive(raw).state == InboundState.HELD
        assert _messages(world.case) == []


def test_an_agent_s_token_stops_working_when_the_secret_key_changes(
    make_app, smtp_server, app, world
):
    mail = _portal_mail_to_agent(app, world, smtp_server)
    other_key = make_app(SECRET_KEY="another-secret-key-of-32-characters", **smtp_server.settings)
    raw = _reply(mail, ERIK, "Nach dem Schlüsselwechsel.", "<erik-4@vendor.example>")
    with other_key.app_context():
        assert world.receive(raw).state == InboundState.HELD


# -- Through the pipe command, in its own process ------------------------------------------


def test_a_forged_agent_reply_through_the_pipe_is_held(app, world, pipe, smtp_server):
    raw = simple_mail(ERIK, f"Re: [#{world.case.call_id}] Drucker", "Bitte zahlen Sie an ...")
    mails_before = len(smtp_server.messages)
    done = pipe(raw)
    assert done.returncode == 0 and b"held" in done.stdout, done.stderr.decode()
    with app.app_context():
        assert _messages(world.case) == []
        assert InboundMessage.get().state == InboundState.HELD
    assert smtp_server.messages[mails_before:] == []


def test_an_agent_s_real_reply_through_the_pipe_is_taken(app, world, pipe, smtp_server):
    mail = _portal_mail_to_agent(app, world, smtp_server)
    done = pipe(_reply(mail, ERIK, "Per Mail beantwortet.", "<erik-5@vendor.example>"))
    assert done.returncode == 0 and b"taken" in done.stdout, done.stderr.decode()
    with app.app_context():
        [message] = _messages(world.case)
        assert (message.author_id, message.body) == (
            world.people["erik.first"].id,
            "Per Mail beantwortet.",
        )
