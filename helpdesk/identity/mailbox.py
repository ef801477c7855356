"""Mail connections over OAuth2 (MAIL-1, MAIL-4): the outbox's SMTP and the poller's IMAP
sign in with SASL OAUTHBEARER or XOAUTH2 (``mechanism``: what the server advertises) and an
access token instead of a password.

An admin stores, per connection, where tokens come from: the token endpoint, the client and
either nothing more (the client credentials grant, Microsoft 365's app-only access) or the
refresh token of a one-time consent (Google, or Microsoft 365 delegated access). Tokens are
kept encrypted; ``refresh_due`` (a job every minute) renews each one ``AHEAD`` of its expiry,
so a connection rarely waits for the provider. A failed refresh is recorded in plain words
(the admin page and ``/health`` show it); ``mail.token_alerts`` mails it to the admins once,
until a refresh succeeds again.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.identity import crypto, oidc
from helpdesk.identity.models import MailboxToken, SignInProvider
from helpdesk.timeutil import utcnow

if TYPE_CHECKING:  # Authlib and requests are imported where used (see ``oidc``)
    from authlib.common.errors import AuthlibBaseError

log = logging.getLogger(__name__)

#: Renew a token this long before it expires.
AHEAD = timedelta(minutes=10)
TIMEOUT = 10

#: Where Microsoft 365 and Google keep mail: their servers (filled into the admin's form,
#: which may change them: Gmail also takes SMTP on 465 with "ssl"), and the token's scopes.
PRESETS = {
    "microsoft365": {
        "label": "Microsoft 365",
        "token_url": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "scope_app": "https://outlook.office365.com/.default",
        "scope_consent": "https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/SMTP.Send offline_access",
        "smtp": {"host": "smtp.office365.com", "port": 587, "security": "starttls"},
        "imap": {"host": "outlook.office365.com", "port": 993, "security": "ssl"},
    },
    "google": {
        "label": "Google Workspace",
        "token_url": "https://oauth2.googleapis.com/token",
        "scope_app": "",  # Gmail takes no client credentials: a consent's refresh token only
        "scope_consent": "https://mail.google.com/",
        "smtp": {"host": "smtp.gmail.com", "port": 587, "security": "starttls"},
        "imap": {"host": "imap.gmail.com", "port": 993, "security": "ssl"},
    },
}
PURPOSES = ("smtp", "imap")


class TokenError(Exception):
    """No access token could be had; the message says why in plain words."""


def xoauth2(username: str, token: str) -> str:
    """The SASL XOAUTH2 initial response (before base64, which smtplib and imaplib add)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(username: str, token: str, host: str, port: int) -> str:
    """The SASL OAUTHBEARER initial response (RFC 7628), before base64: a GS2 header naming
    the mailbox (``=`` and ``,`` escaped), then the server and the bearer token."""
    user = username.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"


def mechanism(offered) -> str:
    """The SASL mechanism for a token among those the server advertises: the standard
    OAUTHBEARER when offered, else XOAUTH2 (all Microsoft 365 offers; Google takes both)."""
    return "OAUTHBEARER" if "OAUTHBEARER" in {name.upper() for name in offered} else "XOAUTH2"


def responder(chosen: str, username: str, token: str, host: str, port: int):
    """The SASL exchange's client side for smtplib's ``auth`` and imaplib's ``authenticate``:
    the initial response first; to the server's error challenge (a refused token), the reply
    that ends the exchange: ``\x01`` for OAUTHBEARER (RFC 7628 3.2.3), empty for XOAUTH2."""
    if chosen == "OAUTHBEARER":
        answer, after_error = oauthbearer(username, token, host, port), "\x01"
    else:
        answer, after_error = xoauth2(username, token), ""

    def respond(challenge=None) -> str:
        return after_error if challenge else answer

    return respond


def configured(purpose: str) -> MailboxToken | None:
    return MailboxToken.get_or_none(MailboxToken.purpose == purpose)


def server(purpose: str, config) -> tuple[str, int, str]:
    """``(host, port, security)`` of ``purpose``'s mail server: the connection's own when an
    admin named one, else the configuration's. ``security`` is "ssl" (TLS from the start),
    "starttls" or "none"."""
    row = configured(purpose)
    if row is not None and row.host:
        return row.host, int(row.port), row.security
    if purpose == "smtp":
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        ssl, starttls = config["MAIL_USE_TLS"], config["MAIL_USE_STARTTLS"]
    else:
        host, port = config["IMAP_HOST"], config["IMAP_PORT"]
        ssl, starttls = config["IMAP_USE_SSL"], config["IMAP_USE_STARTTLS"]
    return host, int(port), "ssl" if ssl else "starttls" if starttls else "none"


def save(purpose: str, values: dict, client_secret: str | None, refresh_token: str | None):
    """Store (or change) how ``purpose``'s tokens come; a secret only when one is given."""
    row = configured(purpose) or MailboxToken(purpose=purpose)
    for name, value in values.items():
        setattr(row, name, value)
    if client_secret:
        row.client_secret = crypto.encrypt(client_secret)
    if refresh_token is not None:
        row.refresh_token = crypto.encrypt(refresh_token) if refresh_token else None
    row.access_token = row.expires_at = None  # the next use fetches one with the new values
    row.updated_at = utcnow()
    row.save()
    return row


def bearer(purpose: str) -> tuple[str, str] | None:
    """``(username, access token)`` for ``purpose``, or None when it signs in with a password
    (no OAuth2 configured). Renews a token that is about to expire; raises ``TokenError``."""
    row = configured(purpose)
    if row is None:
        return None
    if row.access_token is None or row.expires_at is None or row.expires_at < utcnow() + AHEAD:
        refresh(row)
    try:
        return row.username, crypto.decrypt(row.access_token)
    except crypto.SecretUnreadable as error:
        raise TokenError(str(_l("The stored token cannot be read with this key."))) from error


def refresh(row: MailboxToken) -> None:
    """A new access token for ``row`` from its provider; records and reports a failure."""
    try:
        token = _fetch(row)
    except TokenError as error:
        _failed(row, str(error))
        raise
    _store(row, token)


def _store(row: MailboxToken, token: dict) -> None:
    changes = {
        MailboxToken.access_token: crypto.encrypt(token["access_token"]),
        MailboxToken.expires_at: utcnow() + timedelta(seconds=int(token.get("expires_in", 3600))),
        MailboxToken.last_error: None,
        MailboxToken.failed_at: None,
        MailboxToken.mailed_at: None,
        MailboxToken.updated_at: utcnow(),
    }
    if token.get("refresh_token"):  # the provider rotates it: keep the new one
        changes[MailboxToken.refresh_token] = crypto.encrypt(token["refresh_token"])
    MailboxToken.update(changes).where(MailboxToken.id == row.id).execute()
    for field, value in changes.items():
        setattr(row, field.name, value)


def _fetch(row: MailboxToken) -> dict:
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session

    try:
        secret = crypto.decrypt(row.client_secret)
        refresh_token = crypto.decrypt(row.refresh_token) if row.refresh_token else None
    except crypto.SecretUnreadable as error:
        raise TokenError(
            str(_l("The stored client secret cannot be read with this key: enter it again."))
        ) from error
    client = OAuth2Session(row.client_id, secret, scope=row.scope or None, default_timeout=TIMEOUT)
    try:
        if refresh_token:
            return client.refresh_token(row.token_url, refresh_token=refresh_token)
        return client.fetch_token(row.token_url, grant_type="client_credentials")
    except AuthlibBaseError as error:
        raise TokenError(_refused(error)) from error
    except (requests.RequestException, ValueError) as error:
        raise TokenError(_unreachable(error)) from error


def _refused(error: AuthlibBaseError) -> str:
    return str(
        _l(
            "The provider refused a token: %(error)s %(description)s",
            error=error.error or "",
            description=error.description or "",
        )
    ).strip()


def _unreachable(error: Exception) -> str:
    return str(_l("The provider's token address cannot be reached: %(error)s", error=error))


def _failed(row: MailboxToken, message: str) -> None:
    now = utcnow()
    log.warning("mailbox %s: token refresh failed: %s", row.purpose, message)
    MailboxToken.update(last_error=message[:2000], failed_at=now).where(
        MailboxToken.id == row.id
    ).execute()
    row.last_error, row.failed_at = message, now


def untold() -> list[MailboxToken]:
    """The failing connections the admins were not told of yet (``mail.token_alerts``)."""
    return list(
        MailboxToken.select().where(
            MailboxToken.last_error.is_null(False) & MailboxToken.mailed_at.is_null()
        )
    )


def mark_told(row: MailboxToken) -> bool:
    """Note that the admins hear of ``row``'s failure; False when another worker did it."""
    return bool(
        MailboxToken.update(mailed_at=utcnow())
        .where((MailboxToken.id == row.id) & MailboxToken.mailed_at.is_null())
        .execute()
    )


#: Microsoft 365's token address, and its tenant's OpenID Connect issuer.
MICROSOFT_TOKEN = re.compile(r"(https://login\.microsoftonline\.com/[^/]+)/oauth2/v2\.0/token")
GOOGLE_ISSUER = "https://accounts.google.com"


def issuer_of(row: MailboxToken) -> str | None:
    """The OpenID Connect issuer of ``row``'s token address, where one is known: Google's,
    the Microsoft 365 tenant's, or that of a sign-in provider whose address it is under."""
    if row.preset == "google":
        return GOOGLE_ISSUER
    tenant = MICROSOFT_TOKEN.fullmatch(row.token_url)
    if tenant:
        return tenant.group(1) + "/v2.0"
    for provider in SignInProvider.select(SignInProvider.issuer).order_by(SignInProvider.id):
        if row.token_url.startswith(provider.issuer.rstrip("/") + "/"):
            return provider.issuer
    return None


def authorize_url(row: MailboxToken) -> str:
    """Where the admin gives the one-time consent: the address the admin gave, else the
    ``authorization_endpoint`` of the issuer's metadata. Raises ``TokenError`` saying why not."""
    if row.authorize_url:
        return row.authorize_url
    issuer = issuer_of(row)
    if issuer is None:
        message = _l("Please give the authorize address: no metadata is known for this provider.")
        raise TokenError(str(message))
    try:
        return oidc.metadata(issuer)["authorization_endpoint"]
    except oidc.OidcError as error:
        message = _l("The provider's metadata (%(issuer)s) could not be read.", issuer=issuer)
        raise TokenError(str(message)) from error


def consent_site(row: MailboxToken) -> str:
    """The site the consent goes to, without asking the network (for the page's CSP)."""
    return row.authorize_url or issuer_of(row) or row.token_url


def begin_consent(row: MailboxToken, redirect_uri: str) -> tuple[str, str, str]:
    """The admin's consent for ``row``'s mailbox: ``(url, state, code verifier)``."""
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    state, verifier = generate_token(32), generate_token(64)
    client = OAuth2Session(
        row.client_id, scope=row.scope or None, redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )  # fmt: skip
    url, _state = client.create_authorization_url(
        authorize_url(row),
        state=state,
        code_verifier=verifier,
        login_hint=row.username,
        access_type="offline",  # Google: a refresh token
        prompt="consent",  # Google hands a refresh token out only on a fresh consent
    )
    return url, state, verifier


def finish_consent(row: MailboxToken, redirect_uri: str, code: str, verifier: str) -> None:
    """Exchange the consent's code; keep its refresh token (and the access token)."""
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.requests_client import OAuth2Session

    try:
        secret = crypto.decrypt(row.client_secret)
    except crypto.SecretUnreadable as error:
        raise TokenError(
            str(_l("The stored client secret cannot be read with this key: enter it again."))
        ) from error
    client = OAuth2Session(
        row.client_id, secret, redirect_uri=redirect_uri, default_timeout=TIMEOUT
    )
    try:
        token = client.fetch_token(
            row.token_url, grant_type="authorization_code", code=code, code_verifier=verifier
        )
    except AuthlibBaseError as error:
        raise TokenError(_refused(error)) from error
    except (requests.RequestException, ValueError) as error:
        raise TokenError(_unreachable(error)) from error
    if not token.get("refresh_token"):
        raise TokenError(str(_l("The provider gave no refresh token (offline access).")))
    _store(row, token)


def refresh_due() -> int:
    """Renew every token that expires within ``AHEAD`` (the job every minute)."""
    due = MailboxToken.select().where(
        MailboxToken.expires_at.is_null() | (MailboxToken.expires_at < utcnow() + AHEAD)
    )
    renewed = 0
    for row in due:
        try:
            refresh(row)
            renewed += 1
        except TokenError:
            continue
    return renewed


def problems() -> dict[str, str]:
    """purpose -> the last refresh's failure, for ``/health`` and the admin page."""
    query = MailboxToken.select(MailboxToken.purpose, MailboxToken.last_error).where(
        MailboxToken.last_error.is_null(False)
    )
    return {row.purpose: row.last_error for row in query}
