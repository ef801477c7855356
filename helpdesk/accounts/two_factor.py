"""The optional second factor (ACC-1): TOTP codes from an authenticator app, and ten
single-use recovery codes for a lost phone.

Agents and customer portal admins may turn it on. A TOTP code is accepted once: the time step
it was made for is remembered, and a conditional UPDATE lets only a later step through, so a
code seen over someone's shoulder cannot be used again. Recovery codes are stored hashed
(they are long random strings: SHA-256 suffices) and used up by a conditional UPDATE too.
"""

import hashlib
import secrets
from datetime import UTC, datetime

import pyotp
from flask import current_app
from markupsafe import Markup
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from helpdesk import audit
from helpdesk.accounts.models import CustomerRole, User
from helpdesk.db import BaseModel, db
from helpdesk.timeutil import utcnow

RECOVERY_CODES = 10


class RecoveryCode(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    hash = CharField(max_length=64)
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


def eligible(user: User) -> bool:
    return user.is_agent or user.customer_role == CustomerRole.PORTAL_ADMIN


def enabled(user: User) -> bool:
    return user.totp_secret is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (typed in or as a QR code)."""
    issuer = current_app.config["TOTP_ISSUER"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to: now, or one step either side (clock drift)."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def qr_code(uri: str) -> Markup:
    """``uri`` as a QR code for the phone's camera: an inline SVG (no image request, no
    script, nothing the content security policy forbids)."""
    import segno  # here: a web worker that never sets up a second factor saves 9 MB

    code = segno.make(uri, error="m")
    return Markup(code.svg_inline(scale=4, border=4, dark="#000", light="#fff"))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the second factor on if ``code`` fits ``secret``; returns the recovery codes
    (shown once), or None when the code is wrong."""
    step = _matching_step(secret, _normalise(code))
    if step is None:
        return None
    with db.atomic():
        User.update(totp_secret=secret, totp_last_step=step).where(User.id == user.id).execute()
        user.totp_secret, user.totp_last_step = secret, step
        audit.record(user, "two_factor.enabled", user, None, None)
        return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned in clear this once."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with db.atomic():
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        RecoveryCode.insert_many([{"user": user.id, "hash": _digest(c)} for c in codes]).execute()
    return codes


def verify(user: User, code: str) -> bool:
    """A TOTP code not used before, or an unused recovery code (which is then used up)."""
    if not enabled(user):
        return False
    code = _normalise(code)
    if code.isdigit() and len(code) == 6:
        step = _matching_step(user.totp_secret, code)
        if step is None:
            return False
        taken = (
            User.update(totp_last_step=step)
            .where(
                (User.id == user.id)
                & (User.totp_last_step.is_null() | (User.totp_last_step < step))
            )
            .execute()
        )
        return bool(taken)
    with db.atomic():
        return _use_recovery_code(user, code)


def _use_recovery_code(user: User, code: str) -> bool:
    taken = (
        RecoveryCode.update(used_at=utcnow())
        .where(
            (RecoveryCode.user == user.id)
            & (RecoveryCode.hash == _digest(code))
            & RecoveryCode.used_at.is_null()
        )
        .execute()
    )
    if taken:
        audit.record(user, "two_factor.recovery_code_used", user, None, None)
    return bool(taken)


def recovery_codes_left(user: User) -> int:
    return (
        RecoveryCode.select()
        .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null())
        .count()
    )


def disable(user: User) -> None:
    with db.atomic():
        User.update(totp_secret=None, totp_last_step=None).where(User.id == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        audit.record(user, "two_factor.disabled", user, None, None)
        user.totp_secret = None
