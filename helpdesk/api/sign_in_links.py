"""Sign-in links for the vendor's software (seed 001): its ERP opens a customer's portal pages
signed in, with one click.

A vendor admin's token (scope ``admin``) asks for a link for one customer user; the link is
single-use, works for ``SIGN_IN_LINK_MINUTES`` and signs in exactly that person, so it never
gives anyone more than that person may do. Links are for customer users only (never an
agent), whose account may sign in, and who do not sign in with a second factor (a link would
bypass it). Only the SHA-256 of the secret is stored (``accounts.tokens``); whether the
person may still sign in is asked again when the link is used.
"""

from datetime import timedelta

from flask import current_app

from helpdesk import audit
from helpdesk.accounts import tokens, two_factor
from helpdesk.accounts.models import User
from helpdesk.accounts.sessions import may_sign_in
from helpdesk.accounts.tokens import AccountToken, Purpose, State
from helpdesk.cases.errors import CaseError
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_admin


class LinkError(CaseError):
    """A link that cannot be made for this person; the message says why."""


def create(actor: User, person: User | None) -> tuple[str, AccountToken]:
    """A new sign-in link's secret for ``person``, made by the vendor admin ``actor``."""
    ensure_admin(actor)
    if person is None or not person.is_customer:
        raise LinkError(_l("Sign-in links are only for customer users."), "user")
    if not may_sign_in(person):
        raise LinkError(_l("This person may not sign in: the account is disabled."), "user")
    if two_factor.enabled(person):
        raise LinkError(
            _l("This person signs in with a second factor, which a link cannot replace."), "user"
        )
    lifetime = timedelta(minutes=current_app.config["SIGN_IN_LINK_MINUTES"])
    with db.atomic():
        secret, token = tokens.issue(Purpose.SIGN_IN_LINK, lifetime, person)
        audit.record(actor, "sign_in_link.created", person, None, {"expires_at": token.expires_at})
    return secret, token


def check(secret: str) -> State:
    """What a link is worth now, without using it."""
    return tokens.check(secret, Purpose.SIGN_IN_LINK)[0]


def use(secret: str) -> tuple[State, User | None]:
    """Use the link up: its person if they may still sign in, else the link's state
    (``UNKNOWN`` for a person who may no longer sign in)."""
    state, token = tokens.consume(secret, Purpose.SIGN_IN_LINK)
    if state != State.VALID:
        return state, None
    person = User.get_or_none(User.id == token.user_id)
    if person is None or not person.is_customer or not may_sign_in(person):
        return State.UNKNOWN, None
    if two_factor.enabled(person):
        return State.UNKNOWN, None
    return State.VALID, person
