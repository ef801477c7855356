"""One mail on standard input, for an MTA to call (MAIL-4): ``python -m
helpdesk.mail.inbound.cli`` (or ``flask --app wsgi mail-pipe``). The exit codes and what they
mean are in ``helpdesk.mail.inbound.pipe``.

``python -m`` is the safer way in: when the portal cannot even start (a broken configuration,
a missing package after an update), it still answers 75 and the mail waits at the MTA, where
``flask`` would exit 1 or 2 and the MTA would bounce the mail for good.
"""

import logging
import sys

from helpdesk.mail.inbound.pipe import EX_OK, EX_TEMPFAIL, pipe

log = logging.getLogger(__name__)


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


if __name__ == "__main__":
    main()
