"""Personal access tokens (issue 18): made in the profile, shown once, stored hashed.

A token stands for its person and never for more: every API call is decided by the same
permission and visibility functions as the pages, for the token's person; the scopes only
narrow what a token may be used for. A disabled person, a deactivated organisation, an
expired or a revoked token open nothing. Making and revoking a token is audited; its owner,
their organisation's portal admin and the vendor's admins (for agents' tokens) may revoke it.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from peewee import JOIN

from helpdesk import audit
from helpdesk.accounts.models import Organisation, User
from helpdesk.accounts.sessions import may_sign_in
from helpdesk.api.models import ApiToken
from helpdesk.cases.errors import CaseError
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import NotAllowed, may_administer, may_manage_organisation
from helpdesk.timeutil import utcnow

#: Every scope a token can carry, with its name for the profile page.
SCOPES = {
    "cases:read": _l("Read cases"),
    "cases:write": _l("Write cases"),
    "knowledge": _l("Knowledge base"),
    "admin": _l("Administration"),
}
#: Scopes only the vendor's admins may give a token.
ADMIN_SCOPES = ("admin",)
#: What every token starts with, so a leaked one is recognised (secret scanners, logs).
MARK = "hd_"
#: How often ``last_used_at`` is written at most: most calls write nothing.
USED_EVERY = timedelta(minutes=1)


class TokenError(CaseError):
    """A token that cannot be made as asked; the message names the field (``field``)."""


def available_scopes(user: User) -> list[tuple[str, object]]:
    """The scopes ``user`` may give a token, with their names."""
    return [
        (key, label)
        for key, label in SCOPES.items()
        if key not in ADMIN_SCOPES or may_administer(user)
    ]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(user: User, name: str, expires_on: date | None, scopes) -> tuple[str, ApiToken]:
    """A new token of ``user`` valid until the end of ``expires_on`` (UTC); returns
    ``(secret, token)``. The secret is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError(_l("Please give the token a name of at most 100 characters."), "name")
    today = utcnow().date()
    longest = current_app.config["API_TOKEN_MAX_DAYS"]
    if expires_on is None or not today < expires_on <= today + timedelta(days=longest):
        raise TokenError(
            _l("The token expires after today and within %(days)s days.", days=longest),
            "expires_on",
        )
    allowed = {key for key, _label in available_scopes(user)}
    chosen = [key for key in SCOPES if key in set(scopes or ())]
    if not chosen or not set(scopes) <= allowed:
        raise TokenError(_l("Please choose at least one of the offered scopes."), "scopes")
    secret = MARK + secrets.token_urlsafe(32)
    with db.atomic():
        token = ApiToken.create(
            user=user.id,
            name=name,
            hash=digest(secret),
            prefix=secret[:10],
            scopes=" ".join(chosen),
            expires_at=datetime.combine(expires_on + timedelta(days=1), time()),
        )
        token.user = user
        audit.record(
            user,
            "api_token.created",
            token,
            None,
            {"name": name, "scopes": " ".join(chosen), "expires_at": token.expires_at},
        )
    return secret, token


def tokens_of(user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first, revoked ones included (they show as revoked)."""
    return list(ApiToken.select().where(ApiToken.user == user.id).order_by(ApiToken.id.desc()))


def tokens_of_organisation(organisation_id: int) -> list[ApiToken]:
    """The tokens of everyone of an organisation, with their people, newest first."""
    return list(
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(User.organisation == organisation_id)
        .order_by(ApiToken.id.desc())
    )


def may_revoke(actor: User, token: ApiToken) -> bool:
    """Its owner; their organisation's portal admin; a vendor admin for an agent's token."""
    if token.user_id == actor.id:
        return True
    return may_manage_organisation(actor, token.user.organisation_id)


def token_for(actor: User, token_id: int) -> ApiToken | None:
    """The token ``actor`` may revoke by that id, or None (as if there were none)."""
    token = ApiToken.select(ApiToken, User).join(User).where(ApiToken.id == token_id).first()
    if token is None or not may_revoke(actor, token):
        return None
    return token


def revoke(actor: User, token: ApiToken) -> bool:
    """Revoke ``token`` for good; False when it already was."""
    if not may_revoke(actor, token):
        raise NotAllowed(_l("You may not revoke this token."))
    now = utcnow()
    with db.atomic():
        done = (
            ApiToken.update(revoked_at=now)
            .where((ApiToken.id == token.id) & ApiToken.revoked_at.is_null())
            .execute()
        )
        if done:
            token.revoked_at = now
            audit.record(actor, "api_token.revoked", token, {"name": token.name}, None)
    return bool(done)


@dataclass(frozen=True)
class Check:
    """What a presented token is worth: its row when valid, else the reason (a message)."""

    token: ApiToken | None
    reason: object = None


def authenticate(secret: str) -> Check:
    """The live token behind ``secret``, with its person and their organisation loaded."""
    if not secret or not secret.startswith(MARK) or len(secret) > 100:
        return Check(None, _l("The access token is missing or unknown."))
    token = (
        ApiToken.select(ApiToken, User, Organisation)
        .join(User)
        .join(Organisation, JOIN.LEFT_OUTER, on=(User.organisation == Organisation.id))
        .where(ApiToken.hash == digest(secret))
        .first()
    )
    if token is None:
        return Check(None, _l("The access token is missing or unknown."))
    now = utcnow()
    if token.revoked_at is not None:
        return Check(None, _l("The access token was revoked."))
    if token.expires_at <= now:
        return Check(None, _l("The access token has expired."))
    if not may_sign_in(token.user):
        return Check(None, _l("The account of this access token is disabled."))
    if token.last_used_at is None or token.last_used_at < now - USED_EVERY:
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()
        token.last_used_at = now
    return Check(token)


def has_scope(token: ApiToken, scope: str) -> bool:
    """Whether ``token`` was given ``scope``; writing cases includes reading them."""
    names = token.scope_names
    return scope in names or (scope == "cases:read" and "cases:write" in names)
