"""The message ``transport.build_message`` writes is, byte for byte, what Python's ``email``
package writes for the same headers and bodies (``EmailMessage`` with the SMTP policy):
RFC 2047 encoded words for non-ASCII names and subjects, long headers folded, bodies
quoted-printable. The portal writes the text itself only because it is faster."""

import random
import re
import string
from datetime import UTC, datetime
from email import quoprimime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

import pytest

from helpdesk.mail import transport

NAMES = ["Mia Member", "Jörg Müller", 'Mia "the boss" Member', "O'Brien, Pat", "日本語の名前"]
SUBJECTS = [
    "Hi",
    "[#2026-00042] Erinnerung: Ihr Fall wartet auf Ihre Antwort – bitte melden Sie sich",
    "=?utf-8?q?J=C3=B6rg?= looks encoded",
    "word " * 30,
    "x" * 76,
    "ab " * 23 + "a",  # one character too long for its line: folded
    "Grüße\r\naus Köln",
]
#: The second as ``notify`` writes it when a person's name shows: already RFC 2047 encoded.
SENDERS = [
    "Erik First (Support) <support@vendor.example>",
    formataddr(("Jörg Müller (Support)", "support@vendor.example")),
]
TEXTS = ["", "Hallo Jörg,\n\n" + "a long line " * 20 + "\n", "a=b\r\nc\rd\n-- \nsig", "ünï\n" * 3]


def reference(*, message_id, sender, to, subject, text, html, thread, automatic, request_id):
    """The message as ``EmailMessage`` builds it."""
    message = EmailMessage()
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = " ".join(subject.split())
    if thread:
        message["In-Reply-To"] = thread
        message["References"] = thread
    if automatic:
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text, cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    if request_id:
        message["X-Request-ID"] = request_id
    return message.as_string(policy=SMTP)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("html", [None, "<p>Grüße</p>\n"])
@pytest.mark.parametrize("sender", SENDERS)
def test_the_wire_is_what_the_email_package_writes(name, subject, text, html, sender):
    automatic = html is None
    thread = "<case-2026-00042@vendor.example>" if html else None
    request_id = "req-1" if html else None
    to = [f'"{name}" <mia@muster.example>' if '"' not in name else "mia@muster.example"]
    arguments = dict(
        message_id="<1.2.3@vendor.example>",
        sender=sender,
        to=to,
        subject=subject,
        text=text,
        html=html,
        automatic=automatic,
    )
    random.seed(7)  # the same multipart boundary for both
    written = transport.build_message(
        **arguments, in_reply_to=thread, references=[], request_id=request_id
    )
    random.seed(7)
    expected = reference(**arguments, thread=thread, request_id=request_id)
    assert written.isascii()
    assert without_date(written) == without_date(expected)


def without_date(message: str) -> str:
    """The message without its Date line (the two may be written in different seconds)."""
    return re.sub(r"Date: .*\r\n", "", message, count=1)


#: Words of the random subjects: call ids, umlauts, other scripts, long words, and the
#: characters that start or end an encoded word.
WORDS = ["[#2026-00042]", "Re:", "gelöst", "Grüße", "日本語の名前", "x" * 30, "a", "=?", "?="]
WORDS += ["Müller-Lüdenscheidt", "(c)", '"q"', "ab" * 20, "Ωμέγα", "e\u0301", "emoji😀"]
LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß[]#-0123456789=?()\"'<>,;:@.日"


def test_a_subject_is_folded_as_the_email_package_folds_it():
    """Subjects are folded from the fold of the same subject with another first word (the
    call id): over random subjects, with random first words of any printable ASCII, the
    header is the one the policy writes."""
    rng = random.Random(19)

    def word() -> str:
        if rng.random() < 0.5:
            return rng.choice(WORDS)
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 50)))

    for n in range(3000):
        if n % 2:
            first = "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 45)))
        else:
            first = word()
        subject = " ".join([first, *(word() for _ in range(rng.randint(0, 10)))])
        expected = SMTP.header_factory("Subject", subject).fold(policy=SMTP)
        assert transport._header("Subject", subject) == expected, subject


def test_a_body_is_encoded_as_the_email_package_encodes_it():
    """Bodies are encoded line by line, short lines once per process: over random texts
    (line breaks of every kind, spaces and tabs at line ends, escapes at the folding
    column, lines seen before), the encoding is the one of the whole text at once, as the
    email package writes it (``email.contentmanager``)."""
    rng = random.Random(19)
    letters = "ab =\t\n\r äö€日\x0b\x0c\x85\x1c\u2028" + "x" * 10
    for _ in range(5000):
        size = rng.choice([0, 1, 5, 50, 75, 76, 77, 78, 79, 80, 150, 170, 300])
        text = "".join(rng.choice(letters) for _ in range(size + rng.randint(0, 3)))
        lines = text.encode("utf-8").splitlines()
        whole = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), 78)
        assert transport._quoted_printable(text) == whole.replace("\n", "\r\n"), text
