"""Who sent a mail: the one mailbox of its From header as a mail server parses it, never a
display name, never Reply-To, Sender or Return-Path. A From that names no mailbox, several,
a group, or is not well-formed is held for an admin, never taken and never dropped."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.cases.models import Case
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.inbound.parse import parse
from helpdesk.products.models import Product
from tests.mail.inbound.helpers import simple_mail

MIA = "mia.member@muster.example"


def _mail(from_header: str | None, headers: str = "", message_id: str = "<s-1@x.example>"):
    raw = simple_mail("PLACEHOLDER", "Neue Frage", "Bitte helfen Sie.", message_id, headers)
    if from_header is None:
        return raw.replace(b"From: PLACEHOLDER\n", b"")
    return raw.replace(b"PLACEHOLDER", from_header.encode("utf-8", "surrogateescape"))


def _cases_of(address: str) -> int:
    return Case.select().where(Case.requester == User.get(User.email == address)).count()


@pytest.mark.parametrize(
    "from_header",
    [
        f"{MIA} <attacker@evil.example>",  # a display name that looks like an address
        f"Mia <{MIA}> <attacker@evil.example>",  # junk after the mailbox
        f"undisclosed: {MIA};",  # group syntax
        f"Team: {MIA}, attacker@evil.example;",
        f"{MIA}, attacker@evil.example",  # several mailboxes
        f"attacker@evil.example, {MIA}",
        f"<>, {MIA}",  # the first address empty
        "<>",
        "Mia Member",  # no address at all
        "",
    ],
)
def test_a_from_without_exactly_one_clear_mailbox_is_held(app, world, from_header):
    with app.app_context():
        cases_before = Case.select().count()
        outcome = world.receive(_mail(from_header))
        assert outcome.state == InboundState.HELD, outcome.reason
        assert "From" in outcome.reason
        assert Case.select().count() == cases_before
        assert InboundMessage.get_by_id(outcome.message.id).case_id is None


def test_a_mail_without_from_is_held_not_ignored(app, world):
    with app.app_context():
        outcome = world.receive(_mail(None))
        assert outcome.state == InboundState.HELD


def test_two_from_headers_are_held(app, world):
    raw = _mail(f"attacker@evil.example\nFrom: {MIA}")
    with app.app_context():
        assert world.receive(raw).state == InboundState.HELD
        assert _cases_of(MIA) == 1  # the world's case only


@pytest.mark.parametrize(
    "from_header",
    [
        f'"{MIA}" <attacker@evil.example>',
        f"=?utf-8?q?{MIA}?= <attacker@evil.example>",
        "=?utf-8?b?bWlhLm1lbWJlckBtdXN0ZXIuZXhhbXBsZQ==?= <attacker@evil.example>",
        f"attacker@evil.example ({MIA})",
    ],
)
def test_a_display_name_never_names_the_sender(app, world, from_header):
    with app.app_context():
        outcome = world.receive(_mail(from_header))
        assert outcome.state == InboundState.REFUSED and outcome.unknown_sender
        assert InboundMessage.get_by_id(outcome.message.id).sender == "attacker@evil.example"
        assert _cases_of(MIA) == 1


@pytest.mark.parametrize("header", ["Reply-To", "Sender", "Return-Path", "Resent-From"])
def test_other_address_headers_never_name_the_sender(app, world, smtp_server, header):
    raw = _mail("attacker@evil.example", headers=f"{header}: <{MIA}>\n")
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.REFUSED and outcome.unknown_sender
        assert _cases_of(MIA) == 1
    # The explanation goes to the address in From, not to the one the mail named.
    assert [m["To"] for m in smtp_server.messages[1:]] == ["attacker@evil.example"]


def test_a_reply_to_does_not_redirect_a_customer_s_acknowledgement(app, world, smtp_server):
    raw = _mail(f"Mia Member <{MIA}>", headers="Reply-To: attacker@evil.example\n")
    with app.app_context():
        assert world.receive(raw).state == InboundState.TAKEN
        assert _cases_of(MIA) == 2
    recipients = [m["To"].addresses[0].addr_spec for m in smtp_server.messages]
    assert "attacker@evil.example" not in recipients


def test_a_trailing_dot_of_the_domain_is_dropped():
    parsed = parse(_mail('"Clement.Si" <claudia.shu@example.com.>'))
    assert parsed.sender == "claudia.shu@example.com"
    assert parsed.sender_name == "Clement.Si"


def test_a_known_customer_with_a_trailing_dot_is_taken(app, world):
    with app.app_context():
        outcome = world.receive(_mail('"Mia.M" <Mia.Member@Muster.Example.>'))
        assert outcome.state == InboundState.TAKEN
        assert _cases_of(MIA) == 2


def test_names_in_raw_8_bit_and_encoded_words_are_still_read(app, world):
    latin_1 = parse(_mail("J\udcfcrgen M\udcfcller <juergen@muster.example>"))
    assert (latin_1.sender, latin_1.sender_name) == ("juergen@muster.example", "Jürgen Müller")
    encoded = parse(_mail("=?iso-8859-1?q?J=FCrgen_M=FCller?= <juergen@muster.example>"))
    assert (encoded.sender, encoded.sender_name) == ("juergen@muster.example", "Jürgen Müller")


def test_a_display_name_spoof_through_the_pipe_is_held(app, world, pipe):
    done = pipe(_mail(f"{MIA} <attacker@evil.example>"))
    assert done.returncode == 0 and b"held" in done.stdout, done.stderr.decode()
    with app.app_context():
        assert InboundMessage.get().state == InboundState.HELD
        assert _cases_of(MIA) == 1


def test_the_admin_sees_why_a_mail_was_held(app, world, admin_client):
    with app.app_context():
        pk = world.receive(_mail(f"{MIA}, attacker@evil.example")).message.id
    page = admin_client.get("/admin/inbound")
    assert page.status_code == 200 and b"Neue Frage" in page.data
    detail = admin_client.get(f"/admin/inbound/{pk}").get_data(as_text=True)
    assert "From names 2 mailboxes, not one" in detail
    # The header as written, for the admin to judge; the form suggests nobody to open it for.
    assert f"{MIA}, attacker@evil.example" in detail
    assert 'name="customer" type="email" required value=""' in detail


def test_another_mail_with_a_failed_mail_s_message_id_does_not_replace_it(app, world):
    """A failed mail is processed again when its Message-ID comes again (an MTA's retry), and
    then as it was stored: a different mail that reuses the id cannot speak for its sender or
    have it refused."""
    original = _mail(f"Mia Member <{MIA}>", message_id="<mia-7@muster.example>")
    forged = simple_mail(
        "attacker@evil.example", "Neue Frage", "Etwas anderes.", "<mia-7@muster.example>"
    )
    with app.app_context():
        Product.update(active=False).execute()
        assert world.receive(original).state == InboundState.FAILED
        Product.update(active=True).execute()
        outcome = world.receive(forged)
        assert outcome.state == InboundState.TAKEN, outcome.reason
        row = InboundMessage.get_by_id(outcome.message.id)
        assert bytes(row.raw) == original
        assert Case.get_by_id(row.case_id).description == "Bitte helfen Sie."
        assert _cases_of(MIA) == 2


def test_a_call_id_in_the_subject_never_lets_another_organisation_in(app, world):
    raw = simple_mail(
        "Olaf Other <olaf@other.example>", f"Re: [#{world.case.call_id}] Drucker", "Ich lese mit."
    )
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.TAKEN
        assert outcome.message.case_id != world.case.id  # Olaf's own new case
        assert Case.get_by_id(outcome.message.case_id).requester_id == world.outsider.id
