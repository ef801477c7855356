"""One mail for an MTA (MAIL-4): ``pipe`` takes its bytes and answers with the exit code the
MTA acts on (sysexits.h), for both ways in: ``python -m helpdesk.mail.inbound.cli`` and
``flask --app wsgi mail-pipe`` (``helpdesk.cli``).

- 0: taken: a case or a message, held for an admin, ignored as automatic, a duplicate, or
  recorded as failed (an admin sees it and may retry it);
- 67 (EX_NOUSER): refused, the sender is unknown or may not open cases;
- 69 (EX_UNAVAILABLE): refused for another reason (nothing to add, a file refused);
- 75 (EX_TEMPFAIL): not recorded (the database does not answer): the MTA tries again later.

A refusal prints its reason, which the MTA puts into its bounce: the pipe never answers by
mail itself, so the sender is told once.
"""

import logging

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
