"""Signing in and out, as plain functions every channel can call."""

from helpdesk.accounts import sessions
from helpdesk.accounts.models import User
from helpdesk.accounts.passwords import hash_password, needs_rehash, verify_password
from helpdesk.db import db
from helpdesk.timeutil import utcnow


def authenticate(email: str, password: str) -> User | None:
    """The active user with this address and password, or None.

    An unknown address costs the same hash verification as a wrong password.
    """
    user = User.get_or_none(User.email == normalise_email(email))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    changes = {User.last_sign_in_at: utcnow()}
    if needs_rehash(user.password_hash):
        changes[User.password_hash] = hash_password(password)
    User.update(changes).where(User.id == user.id).execute()
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password and end every sign-in of the user."""
    user.password_hash = hash_password(password)
    user.save(only=[User.password_hash])
    sessions.end_all(user)


class WrongPassword(ValueError):
    """The current password given to change it was not right."""


def change_password(user: User, current: str, new: str) -> None:
    """``user`` changes their own password, proving it with the ``current`` one; every
    sign-in of theirs ends (the caller starts a new one for the browser they used)."""
    from helpdesk import audit

    if not verify_password(user.password_hash, current):
        raise WrongPassword(current)
    with db.atomic():
        set_password(user, new)
        audit.record(user, "user.password", user, None, None)


def set_language(user: User, language: str) -> None:
    user.language = language
    user.save(only=[User.language])


def normalise_email(email: str) -> str:
    return email.strip().lower()
