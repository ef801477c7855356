"""Sign-ins as server-side records (ACC-1): what a session cookie and a remember-me cookie
are worth is decided here, on every request.

Each sign-in gets a random id; the session cookie and the remember-me cookie carry it (it is
what ``User.get_id`` answers), the database keeps only its SHA-256. Signing out revokes the
sign-in, so every copy of either cookie is worthless from then on; signing out everywhere, a
new password, disabling the account and deactivating its organisation revoke all of the
person's sign-ins. A revoked sign-in never comes back, even when the account is enabled
again.

The signed-in request costs one query: the sign-in, its user and the user's organisation in
one prepared join that also refuses a revoked sign-in, a disabled account and an inactive
organisation. ``last_seen_at`` is written at most every ``SEEN_EVERY``, so most requests
write nothing.
"""

import hashlib
import secrets
from datetime import timedelta

from peewee import JOIN, AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk.accounts.models import Approval, Organisation, User
from helpdesk.db import BaseModel, Prepared
from helpdesk.timeutil import utcnow

#: How stale ``last_seen_at`` may be before a request writes it anew.
SEEN_EVERY = timedelta(minutes=10)


class SignIn(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, backref="sign_ins", on_delete="CASCADE")
    hash = CharField(max_length=64, unique=True)  # SHA-256 of the id the cookies carry
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def account_open(user: User) -> bool:
    """An enabled account whose organisation (if any) is active. Whatever lets a person in
    (signing in, a reset link, an invitation they send) asks this: a deactivated
    organisation keeps its data, but nobody of it gets in."""
    return user.active and (user.organisation_id is None or user.organisation.is_active)


def may_sign_in(user: User) -> bool:
    """An open, approved account."""
    return account_open(user) and user.approval == Approval.APPROVED


def start(user: User) -> User:
    """Record a new sign-in of ``user`` and return ``user`` carrying its id (for
    ``login_user``). Refuses an account that may not sign in."""
    if not may_sign_in(user):
        raise PermissionError(f"user {user.id} may not sign in")
    session_id = secrets.token_urlsafe(32)
    SignIn.create(user=user.id, hash=_digest(session_id))
    user.session_id = session_id
    return user


def load(session_id: str) -> User | None:
    """The user of a live sign-in, or None: Flask-Login's user loader, for the session
    cookie and the remember-me cookie alike."""
    if not session_id:
        return None
    row = _live.first(_digest(session_id))
    if row is None:
        return None
    now = utcnow()
    if row.last_seen_at < now - SEEN_EVERY:
        SignIn.update(last_seen_at=now).where(SignIn.id == row.id).execute()
    user = row.user
    user.session_id = session_id
    return user


def end(user: User) -> None:
    """Sign out: revoke the sign-in ``user`` came with."""
    session_id = getattr(user, "session_id", None)
    if session_id:
        SignIn.update(revoked_at=utcnow()).where(
            (SignIn.hash == _digest(session_id)) & SignIn.revoked_at.is_null()
        ).execute()


def end_all(user: User) -> int:
    """Sign ``user`` out everywhere; returns how many sign-ins ended."""
    return (
        SignIn.update(revoked_at=utcnow())
        .where((SignIn.user == user.id) & SignIn.revoked_at.is_null())
        .execute()
    )


def end_all_of_organisation(organisation: Organisation) -> int:
    """Sign every person of ``organisation`` out everywhere."""
    people = User.select(User.id).where(User.organisation == organisation.id)
    return (
        SignIn.update(revoked_at=utcnow())
        .where(SignIn.user.in_(people) & SignIn.revoked_at.is_null())
        .execute()
    )


def _live_query(digest: str):
    # The organisation comes along: nearly every page of a customer reads it.
    return (
        SignIn.select(SignIn, User, Organisation)
        .join(User)
        .join(Organisation, JOIN.LEFT_OUTER, on=(User.organisation == Organisation.id))
        .where(
            (SignIn.hash == digest)
            & SignIn.revoked_at.is_null()
            & User.active
            & (Organisation.id.is_null() | Organisation.is_active)
        )
    )


#: Runs on every request: compiled once.
_live = Prepared(_live_query, "0" * 64)
