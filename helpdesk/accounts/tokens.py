"""Single-use, expiring tokens in links we mail: password reset, address confirmation,
invitation (ACC-2, ACC-3, ACC-4).

The secret goes out once, in the mail; only its SHA-256 is stored, so a copy of the database
opens no account. A token is consumed by one conditional UPDATE (``used_at IS NULL``): of two
clicks at once exactly one wins. ``check`` tells a page apart "unknown", "expired" and "used",
so a person who clicks an old link is told what happened and offered a new one.
"""

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk.accounts.models import User
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow


class Purpose(StrEnum):
    RESET = "reset"
    CONFIRM = "confirm"
    INVITATION = "invitation"
    SIGN_IN_LINK = "sign_in_link"  # made by the vendor's software for a customer (issue 18)


class State(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class AccountToken(BaseModel):
    id = AutoField()
    # None for an invitation: the invited person has no account until they accept.
    user = ForeignKeyField(User, null=True, backref="tokens", on_delete="CASCADE")
    purpose = CharField(max_length=20)
    hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(purpose: Purpose, lifetime: timedelta, user: User | None = None):
    """A new token; returns ``(secret, token)``. The secret is never stored."""
    secret = secrets.token_urlsafe(32)
    token = AccountToken.create(
        user=user, purpose=purpose, hash=digest(secret), expires_at=utcnow() + lifetime
    )
    return secret, token


def kill_unused(user: User, purpose: Purpose) -> None:
    """End every unused token of ``user`` for ``purpose`` (a newer one replaces them)."""
    AccountToken.update(used_at=utcnow()).where(
        (AccountToken.user == user.id)
        & (AccountToken.purpose == purpose)
        & AccountToken.used_at.is_null()
    ).execute()


def check(secret: str, purpose: Purpose) -> tuple[State, AccountToken | None]:
    """What a link's secret is worth now, without using it up."""
    token = AccountToken.get_or_none(
        (AccountToken.hash == digest(secret or "")) & (AccountToken.purpose == purpose)
    )
    if token is None:
        return State.UNKNOWN, None
    if token.used_at is not None:
        return State.USED, token
    if token.expires_at <= utcnow():
        return State.EXPIRED, token
    return State.VALID, token


def consume(secret: str, purpose: Purpose) -> tuple[State, AccountToken | None]:
    """Use the token up; ``VALID`` only for the one caller whose UPDATE took it."""
    state, token = check(secret, purpose)
    if state != State.VALID:
        return state, token
    now = utcnow()
    taken = (
        AccountToken.update(used_at=now)
        .where(
            (AccountToken.id == token.id)
            & AccountToken.used_at.is_null()
            & (AccountToken.expires_at > now)
        )
        .execute()
    )
    if not taken:
        return State.USED, token
    token.used_at = now
    return State.VALID, token
