"""What a mail contains, read through the real intake path: a mail that is one file, a reply
whose only file is refused (told so in the sender's language), a mail without a sender (held,
not dropped), signed mail, and headers and texts in the charsets mail programs really send.
The corpus shows each shape once; these follow one through the pipe or the IMAP path."""

from email.message import EmailMessage

from helpdesk.accounts.models import User
from helpdesk.cases.models import Attachment, Event, EventKind
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.inbound.parse import parse
from tests.mail.inbound.helpers import simple_mail

MIA = "Mia Member <mia.member@muster.example>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)


def _reply_with_only(world, filename: str, data: bytes, maintype: str, subtype: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"] = MIA, "support@vendor.example"
    mail["Subject"] = f"Re: [#{world.case.call_id}] Drucker"
    mail["Message-ID"] = f"<only-{filename}@muster.example>"
    mail.set_content(data, maintype, subtype, filename=filename)
    return mail.as_bytes()


def _speaks_german(address: str = "mia.member@muster.example") -> None:
    User.update(language="de").where(User.email == address).execute()


def test_a_reply_that_is_one_encrypted_file_is_taken_by_the_pipe(app, world, pipe):
    encrypted = (world.corpus("smime_encrypted.eml").split(b"\n\n", 1)[1]).decode()
    mail = EmailMessage()
    mail["From"], mail["Subject"] = MIA, f"Re: [#{world.case.call_id}] Drucker"
    mail["Message-ID"] = "<smime-reply@muster.example>"
    mail["Content-Type"] = 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'
    mail["Content-Transfer-Encoding"] = "base64"
    mail.set_payload(encrypted)
    done = pipe(mail.as_bytes())
    assert done.returncode == 0, done.stderr.decode()
    with app.app_context():
        [kept] = Attachment.select().where(Attachment.case == world.case)
        assert (kept.filename, kept.content_type) == ("smime.p7m", "application/pkcs7-mime")
        assert InboundMessage.get().event_id == kept.event_id


def test_a_reply_whose_only_file_is_refused_says_which_and_why_in_the_sender_s_language(
    app, world, pipe
):
    with app.app_context():
        _speaks_german()
    raw = _reply_with_only(world, "setup.exe", EXE, "application", "octet-stream")
    done = pipe(raw)
    assert done.returncode == 69
    said = done.stderr.decode()
    assert "setup.exe hat einen Dateityp, den wir nicht annehmen" in said
    assert "Please write" not in said and "Ihre Mail enthält keinen Text" in said
    with app.app_context():
        assert InboundMessage.get().state == InboundState.REFUSED
        assert Event.select().where(Event.kind == EventKind.MESSAGE).count() == 0


def test_the_imap_path_answers_a_refused_file_by_mail_in_the_sender_s_language(
    app, world, smtp_server
):
    with app.app_context():
        _speaks_german()
        outcome = world.receive(
            _reply_with_only(world, "setup.exe", EXE, "application", "octet-stream"), "imap"
        )
        assert outcome.state == InboundState.REFUSED
    to_mia = [m for m in smtp_server.messages if "mia.member@muster.example" in m["To"]]
    [answer] = [m for m in to_mia if not m["Subject"].startswith("[#")]  # not the case mail
    assert answer["Subject"].startswith("Ihre Mail hat den Support nicht erreicht")
    text = answer.get_body(("plain",)).get_content()
    assert "setup.exe hat einen Dateityp, den wir nicht annehmen" in text
    assert "Your mail" not in text


def test_a_mail_without_a_sender_is_held_for_an_admin_not_ignored(app, world, pipe):
    raw = simple_mail(MIA, "Bitte um Rückruf").replace(f"From: {MIA}\n".encode(), b"")
    done = pipe(raw)
    assert done.returncode == 0 and b"held" in done.stdout
    with app.app_context():
        row = InboundMessage.get()
        assert row.state == InboundState.HELD and row.reason == "From header missing"


def test_the_signature_of_a_signed_mail_is_not_a_file_of_the_case(app, world):
    signed = (
        f"From: {MIA}\nSubject: Signiert\nMessage-ID: <signed-1@muster.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        'micalg=sha-256; boundary="s"\n\n'
        "--s\nContent-Type: text/plain; charset=utf-8\n\nDie Lizenz ist abgelaufen.\n"
        '--s\nContent-Type: application/pkcs7-signature; name="smime.p7s"\n'
        'Content-Disposition: attachment; filename="smime.p7s"\n'
        "Content-Transfer-Encoding: base64\n\nMIIBhQYJKoZIhvcNAQcCoIIBdjCCAXICAQEx\n--s--\n"
    ).encode()
    with app.app_context():
        outcome = world.receive(signed)
        assert outcome.state == InboundState.TAKEN and outcome.reason is None
        assert outcome.message.case.description == "Die Lizenz ist abgelaufen."
        assert Attachment.select().where(Attachment.case == outcome.message.case).count() == 0


def test_a_character_split_across_two_encoded_words_stays_whole():
    # Some mail programs cut an encoded word in the middle of a UTF-8 character.
    raw = simple_mail(MIA, "=?utf-8?B?R3LD?= =?utf-8?B?vMOfZQ==?=")
    assert parse(raw).subject == "Grüße"


def test_a_gbk_filename_labelled_gb2312_is_read_as_gbk():
    name = "朱镕基.pdf".encode("gbk")
    encoded = "".join(f"%{byte:02X}" for byte in name)
    raw = (
        f"From: {MIA}\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nSiehe Anhang.\n"
        f"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        f"filename*=gb2312''{encoded}\n\n%PDF-1.4\n--b--\n"
    ).encode()
    assert [a.filename for a in parse(raw).attachments] == ["朱镕基.pdf"]


def test_nul_characters_do_not_stop_a_mail(app, world):
    """PostgreSQL stores no NUL in text; a mail program that sends one (UTF-16 declared as
    something else, a broken encoded word) must not make the mail fail for good."""
    subject = "=?utf-8?B?RHJ1Y2tlcgBrYXB1dHQ=?="  # "Drucker\0kaputt"
    raw = simple_mail(MIA, subject, "Der Drucker\x00 druckt nicht.\n")
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.TAKEN, outcome.reason
        case = outcome.message.case
        assert (case.subject, case.description) == ("Druckerkaputt", "Der Drucker druckt nicht.")


def test_headers_the_email_package_cannot_parse_do_not_stop_a_mail(app, world, pipe):
    """Its parser raises on some broken headers (IndexError, AttributeError); the mail would
    be answered "try again later" for ever. Such a header is read as plain text."""
    raw = simple_mail(MIA, "Zugang gesperrt", headers="To: Team: ; extern\n").replace(
        b"Message-ID: <simple-1@muster.example>", b"Message-ID: <simple-1@"
    )
    done = pipe(raw)
    assert done.returncode == 0, done.stderr.decode()
    with app.app_context():
        row = InboundMessage.get()
        assert row.state == InboundState.TAKEN and row.case.subject == "Zugang gesperrt"


def test_control_characters_in_an_html_mail_do_not_stop_it(app, world):
    html = "<table><tr><td><p>Fehler\x0b 17</p></td><td>\x01heute</td></tr></table>"
    raw = simple_mail(MIA, "Tabelle", html).replace(b"text/plain", b"text/html")
    with app.app_context():
        outcome = world.receive(raw)
        assert outcome.state == InboundState.TAKEN, outcome.reason
        assert outcome.message.case.description == "Fehler 17  heute"
