"""One mail on standard input, for an MTA to call (MAIL-4): ``python -m
helpdesk.mail.inbound.cli`` (or ``flask --app wsgi mail-pipe``).

The exit code is what the MTA acts on (sysexits.h):

- 0: taken: a case or a message, held for an admin, ignored as automatic, a duplicate, or
  recorded as failed (an admin sees it and may retry it);
- 67 (EX_NOUSER): refused, the sender is unknown or may not open cases;
- 69 (EX_UNAVAILABLE): refused for another reason (nothing to add, a file refused);
- 75 (EX_TEMPFAIL): not recorded (the database does not answer): the MTA tries again later.

A refusal prints its reason, which the MTA puts into its bounce: the pipe never answers by
mail itself, so the sender is told once.

``python -m`` is the safer way in: when the portal cannot even start (a broken configuration,
a missing package after an update), it still answers 75 and the mail waits at the MTA, where
``flask`` would exit 1 or 2 and the MTA would bounce the mail for good.
"""

import logging
import sys

import click

from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundState

log = logging.getLogger(__name__)

EX_OK = 0
EX_NOUSER = 67
EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75


def pipe(raw: bytes) -> tuple[int, str]:
    """Take one mail; returns the exit code and a line for the MTA."""
    if not raw.strip():
        return EX_UNAVAILABLE, "empty message"
    try:
        outcome = intake.receive(raw, "pipe", reply=False)
    except Exception:
        log.exception("mail-pipe: could not record the mail; the MTA should try again")
        return EX_TEMPFAIL, "temporary failure, please try again later"
    if outcome.state == InboundState.REFUSED and not outcome.duplicate:
        code = EX_NOUSER if outcome.unknown_sender else EX_UNAVAILABLE
        return code, f"refused: {outcome.reason}"
    return EX_OK, outcome.state.value + (" (duplicate)" if outcome.duplicate else "")


def main() -> None:
    """Build the portal and take one mail; any failure to start is a temporary one."""
    try:
        from helpdesk import create_app

        app = create_app()
    except Exception:
        log.exception("mail-pipe: the portal did not start; the MTA should try again")
        print("temporary failure, please try again later", file=sys.stderr)
        sys.exit(EX_TEMPFAIL)
    with app.app_context():
        code, text = pipe(sys.stdin.buffer.read())
    print(text, file=sys.stderr if code != EX_OK else sys.stdout)
    sys.exit(code)


@click.command("mail-pipe")
def mail_pipe_command():
    """Take one mail from standard input (for an MTA); exit 0, 67, 69 or 75."""
    code, text = pipe(sys.stdin.buffer.read())
    click.echo(text, err=code != EX_OK)
    sys.exit(code)


if __name__ == "__main__":
    main()
