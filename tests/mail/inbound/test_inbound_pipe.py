"""The pipe command as an MTA runs it: ``python -m helpdesk.mail.inbound.cli`` (or ``flask
--app wsgi mail-pipe``) in its own process, one mail on standard input, and the exit code the
MTA acts on."""

import pytest

from helpdesk.cases.models import Case, Channel
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from tests.mail.inbound.helpers import FLASK_COMMAND, MODULE_COMMAND, simple_mail


@pytest.mark.parametrize("command", [FLASK_COMMAND, MODULE_COMMAND], ids=["flask", "module"])
def test_a_known_sender_s_mail_is_taken(app, world, pipe, command):
    done = pipe(simple_mail("mia.member@muster.example", "Per Pipe: Drucker streikt"), command)
    assert done.returncode == 0, done.stderr.decode()
    with app.app_context():
        case = Case.get(Case.subject == "Per Pipe: Drucker streikt")
        assert case.channel == Channel.MAIL
        assert InboundMessage.get(InboundMessage.case == case).source == "pipe"
    again = pipe(simple_mail("mia.member@muster.example", "Per Pipe: Drucker streikt"), command)
    assert again.returncode == 0 and b"duplicate" in again.stdout


def test_an_unknown_sender_is_refused_with_ex_nouser_and_no_mail_of_ours(
    app, world, pipe, smtp_server
):
    done = pipe(simple_mail("someone@unknown.example", "Hallo"))
    assert done.returncode == 67
    assert b"unknown sender" in done.stderr
    with app.app_context():
        assert InboundMessage.get().state == InboundState.REFUSED
    assert [m for m in smtp_server.messages if m["To"] == "someone@unknown.example"] == []


def test_automatic_mail_is_taken_and_ignored(app, world, pipe):
    raw = simple_mail(
        "mia.member@muster.example", "Abwesend", headers="Auto-Submitted: auto-replied\n"
    )
    done = pipe(raw)
    assert done.returncode == 0 and b"ignored" in done.stdout


def test_an_empty_message_is_refused(app, pipe):
    assert pipe(b"").returncode == 69


def test_a_database_that_does_not_answer_means_try_again_later(app, pipe, tmp_path):
    missing = "sqlite:///" + str(tmp_path / "no" / "such" / "folder" / "helpdesk.db")
    done = pipe(simple_mail("mia.member@muster.example", "Hallo"), DATABASE_URL=missing)
    assert done.returncode == 75, done.stderr.decode()


def test_a_portal_that_cannot_start_means_try_again_later(app, pipe):
    """A broken configuration (here: no secret key) stops the portal from starting; the
    module answers 75 so the MTA keeps the mail, where ``flask`` cannot."""
    raw = simple_mail("mia.member@muster.example", "Hallo")
    done = pipe(raw, MODULE_COMMAND, SECRET_KEY="")
    assert done.returncode == 75, done.stderr.decode()
    assert b"try again later" in done.stderr
    assert pipe(raw, FLASK_COMMAND, SECRET_KEY="").returncode not in (0, 75)
