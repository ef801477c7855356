"""Forgot password (ACC-2): a mailed single-use link that ends after an hour.

The request answers the same, and takes about the same time, whether or not the address has
an account: both ways hash a fresh secret and look the address up, and the answer waits until
``RESET_MIN_SECONDS`` have passed (the mail itself goes out after the commit, in a job).
"""

import secrets
import time
from datetime import timedelta

from flask import current_app

from helpdesk.accounts import service, sessions, tokens
from helpdesk.accounts.models import User
from helpdesk.accounts.tokens import Purpose, State
from helpdesk.db import db
from helpdesk.mail.notify import send
from helpdesk.web import external_url


def request_reset(email: str) -> None:
    """Mail a reset link to the account at ``email``, if it is open (``sessions``)."""
    started = time.monotonic()
    user = User.get_or_none(User.email == service.normalise_email(email))
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    if user is not None and sessions.account_open(user):
        with db.atomic():
            tokens.kill_unused(user, Purpose.RESET)
            secret, _ = tokens.issue(Purpose.RESET, timedelta(minutes=minutes), user)
            link = external_url("reset.reset", secret=secret)
            send("account_reset", user, link=link, minutes=minutes)
    else:
        tokens.digest(secrets.token_urlsafe(32))  # the work a real token costs
    rest = current_app.config["RESET_MIN_SECONDS"] - (time.monotonic() - started)
    if rest > 0:
        time.sleep(rest)


def reset_password(secret: str, password: str) -> State:
    """Set the password the link's token is for; every other session ends with it."""
    with db.atomic():
        state, token = tokens.consume(secret, Purpose.RESET)
        if state != State.VALID:
            return state
        user = token.user
        if not sessions.account_open(user):
            return State.UNKNOWN
        service.set_password(user, password)
        tokens.kill_unused(user, Purpose.RESET)
    return State.VALID
