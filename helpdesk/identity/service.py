"""Who a provider's answer signs in, and the admin's providers (ACC-1, ACC-7).

A sign-in goes out with ``begin`` (an ``SsoAttempt`` keeps its nonce and PKCE verifier) and
comes back to ``finish``, which uses the attempt up, has ``oidc`` check the ID token, and
finds the account: by the link made at an earlier sign-in, else by the address the provider
names, when the provider vouches for it (``email_verified``, or the admin said it vouches for
every address) and its domain is one the admin allowed. An unknown person becomes an agent
only at a domain the admin named for that; nobody else is ever created. Every refusal raises
``SignInRefused`` with a sentence for the person, in their language.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from peewee import IntegrityError

from helpdesk import audit
from helpdesk.accounts import sessions
from helpdesk.accounts.models import Kind, User
from helpdesk.accounts.service import normalise_email
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.identity import crypto, oidc
from helpdesk.identity.models import ProviderLink, SignInProvider, SsoAttempt, domains_of
from helpdesk.permissions import ensure_admin
from helpdesk.security import CONTENT_SECURITY_POLICY
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

#: How long a sign-in may stay at the provider; attempts are forgotten after a day.
ATTEMPT_LIFETIME = timedelta(minutes=10)
ATTEMPT_KEPT = timedelta(days=1)

#: The sentence for each way the protocol fails (``oidc.OidcError.reason``).
REASONS = {
    "unreachable": _l(
        "The sign-in provider cannot be reached just now. Please try again in a few minutes "
        "or sign in with your password."
    ),
    "metadata": _l("The sign-in provider is not set up correctly. Please tell an administrator."),
    "token": _l("The sign-in provider did not confirm this sign-in. Please start again."),
    "signature": _l(
        "The sign-in provider's answer carries no valid signature, so it was not trusted. "
        "Please tell an administrator."
    ),
    "expired": _l("The sign-in provider's answer had expired when it arrived. Please start again."),
    "audience": _l(
        "The sign-in provider's answer was meant for another application, so it was not "
        "trusted. Please tell an administrator."
    ),
    "nonce": _l("The sign-in provider's answer belongs to another sign-in. Please start again."),
    "issuer": _l(
        "The sign-in provider's answer was issued by someone else, so it was not trusted. "
        "Please tell an administrator."
    ),
    "claims": _l("The sign-in provider's answer is incomplete. Please tell an administrator."),
    "secret": _l(
        "The sign-in provider's client secret cannot be read with this installation's key. "
        "An administrator must enter it again."
    ),
}


class SignInRefused(Exception):
    """Nobody is signed in; ``message`` says why, for the person trying."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# The admin's providers ------------------------------------------------------------------

PROVIDER_FIELDS = [
    "name",
    "issuer",
    "client_id",
    "allowed_domains",
    "user_claim",
    "agents_from",
    "customers",
    "emails_verified",
    "trust_mfa",
    "active",
]


def providers():
    """Every provider, by name (the admin page)."""
    return SignInProvider.select().order_by(SignInProvider.name, SignInProvider.id)


def active_providers():
    """The providers a person may choose on the sign-in page."""
    return providers().where(SignInProvider.active)


def _normalised(values: dict) -> dict:
    values = dict(values)
    values["issuer"] = values["issuer"].strip().rstrip("/")
    for key in ("allowed_domains", "agents_from"):
        values[key] = " ".join(sorted(domains_of(values.get(key))))
    return values


def create_provider(actor: User, values: dict, client_secret: str) -> SignInProvider:
    """A new provider; the client secret is stored encrypted."""
    ensure_admin(actor)
    values = _normalised(values)
    with db.atomic():
        provider = SignInProvider.create(client_secret=crypto.encrypt(client_secret), **values)
        audit.record(actor, "sign_in_provider.created", provider, None, _logged(values))
    return provider


def update_provider(
    actor: User, provider: SignInProvider, values: dict, client_secret: str | None = None
) -> SignInProvider:
    """Change a provider; a new client secret only when one is given."""
    ensure_admin(actor)
    with db.atomic():
        before, after = audit.changes(provider, PROVIDER_FIELDS, _normalised(values))
        if client_secret:
            provider.client_secret = crypto.encrypt(client_secret)
            before["client_secret"], after["client_secret"] = "…", "…"  # changed, never shown
        if after:
            provider.save()
            audit.record(actor, "sign_in_provider.updated", provider, before, after)
    return provider


def _logged(values: dict) -> dict:
    return {key: values[key] for key in PROVIDER_FIELDS if key in values}


def origin(url: str) -> str:
    """The scheme, host and port of ``url`` (a provider's web site, for the CSP)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def forms_may_go_to(response, urls):
    """Let this page's forms be answered with a redirect to the sites of ``urls``."""
    origins = sorted({origin(url) for url in urls})
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", " ".join(["form-action 'self'", *origins])
    )
    return response


def client_of(provider: SignInProvider) -> oidc.Client:
    try:
        secret = crypto.decrypt(provider.client_secret)
    except crypto.SecretUnreadable as error:
        raise SignInRefused(REASONS["secret"]) from error
    return oidc.Client(provider.issuer, provider.client_id, secret)


def test_connection(provider: SignInProvider) -> str | None:
    """None when the provider's metadata and keys can be fetched and its secret read; else
    what failed, in plain words."""
    try:
        client_of(provider)
        oidc.check(provider.issuer)
    except SignInRefused as error:
        return str(error.message)
    except oidc.OidcError as error:
        return f"{REASONS.get(error.reason, error.reason)} ({error.detail})"
    return None


# Signing in -----------------------------------------------------------------------------


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin(provider: SignInProvider, redirect_uri: str, next_url: str | None = None) -> tuple:
    """Send a sign-in to ``provider``: returns ``(url, state)``; the browser goes to ``url``
    and its session keeps ``state`` (the answer must come back to the same browser)."""
    try:
        started = oidc.start(client_of(provider), redirect_uri)
    except oidc.OidcError as error:
        log.warning("sso: provider %s: %s", provider.id, error)
        raise SignInRefused(REASONS.get(error.reason, REASONS["metadata"])) from error
    SsoAttempt.delete().where(SsoAttempt.created_at < utcnow() - ATTEMPT_KEPT).execute()
    SsoAttempt.create(
        provider=provider.id,
        state_hash=_digest(started.state),
        nonce=started.nonce,
        code_verifier=started.code_verifier,
        next_url=next_url,
    )
    return started.url, started.state


@dataclass(frozen=True)
class Outcome:
    user: User
    next_url: str | None
    #: The provider asserted a second factor and the admin lets that replace ours.
    mfa_done: bool


def finish(
    *, state: str, expected_state: str | None, code: str, error: str, redirect_uri: str
) -> Outcome:
    """The provider's answer (the callback's query): the account it signs in, or
    ``SignInRefused``. Signs nobody in by itself: the view starts the portal's sign-in."""
    attempt = _use_attempt(state, expected_state)
    provider = attempt.provider
    if error:
        raise SignInRefused(
            _l("The sign-in provider did not sign you in (%(error)s).", error=error[:100])
        )
    if not provider.active:
        raise SignInRefused(_l("This way of signing in is switched off."))
    if not code:
        raise SignInRefused(REASONS["token"])
    try:
        claims = oidc.finish(
            client_of(provider), redirect_uri, code, attempt.nonce, attempt.code_verifier
        )
    except oidc.OidcError as failure:
        log.warning("sso: provider %s refused: %s", provider.id, failure)
        raise SignInRefused(REASONS.get(failure.reason, REASONS["claims"])) from failure
    user = account_for(provider, claims)
    amr = claims.get("amr") or []
    return Outcome(
        user=user,
        next_url=attempt.next_url,
        mfa_done=bool(provider.trust_mfa and isinstance(amr, list) and "mfa" in amr),
    )


def _use_attempt(state: str, expected_state: str | None) -> SsoAttempt:
    """The attempt ``state`` names, used up by one conditional UPDATE: of two answers with
    the same state (a replay) only the first gets through."""
    attempt = SsoAttempt.get_or_none(SsoAttempt.state_hash == _digest(state or ""))
    start_again = _l(
        "This sign-in was started in another window or took too long. Please start again."
    )
    if attempt is None or not state:
        raise SignInRefused(start_again)
    used_already = _l("This sign-in answer was used already. Please start again.")
    if attempt.used_at is not None:
        raise SignInRefused(used_already)
    now = utcnow()
    fresh = attempt.created_at > now - ATTEMPT_LIFETIME
    taken = (
        SsoAttempt.update(used_at=now)
        .where((SsoAttempt.id == attempt.id) & SsoAttempt.used_at.is_null())
        .execute()
    )
    if not taken:
        raise SignInRefused(used_already)
    if not fresh or state != expected_state:
        raise SignInRefused(start_again)
    return attempt


def account_for(provider: SignInProvider, claims: dict) -> User:
    """The account ``claims`` (checked by ``oidc``) sign in, linked on first use."""
    subject = str(claims["sub"])[:255]
    link = (
        ProviderLink.select(ProviderLink, User)
        .join(User)
        .where((ProviderLink.provider == provider.id) & (ProviderLink.subject == subject))
        .first()
    )
    if link is not None:
        return _may_enter(provider, link.user)
    address = claims.get(provider.user_claim)
    if not isinstance(address, str) or "@" not in address:
        raise SignInRefused(
            _l(
                "The sign-in provider did not tell us your e-mail address. Please tell an "
                "administrator."
            )
        )
    address = normalise_email(address)
    verified = provider.emails_verified or (
        provider.user_claim == "email" and claims.get("email_verified") in (True, "true")
    )
    if not verified:
        raise SignInRefused(
            _l(
                "The sign-in provider has not confirmed your e-mail address, so it cannot be "
                "linked to an account here."
            )
        )
    domain = address.rpartition("@")[2]
    if domain not in provider.domains | provider.agent_domains:
        raise SignInRefused(
            _l(
                "Addresses at %(domain)s may not sign in through %(provider)s.",
                domain=domain,
                provider=provider.name,
            )
        )
    with db.atomic():
        user = User.get_or_none(User.email == address)
        if user is None and domain in provider.agent_domains:
            user = User.create(
                email=address,
                name=str(claims.get("name") or address)[:200],
                kind=Kind.AGENT,
                support_level=1,
                email_confirmed_at=utcnow(),
            )
            audit.record(
                None, "agent.created", user, None, {"email": address, "sso": provider.name}
            )
        if user is None:
            raise SignInRefused(
                _l(
                    "No account here uses %(email)s. Please ask an administrator to set one up "
                    "for you.",
                    email=address,
                )
            )
        _may_enter(provider, user)
        try:
            with db.atomic():
                ProviderLink.create(provider=provider.id, subject=subject, user=user.id)
        except IntegrityError:
            pass  # the same person's other tab linked it a moment ago
        else:
            audit.record(None, "sso.linked", user, None, {"provider": provider.name})
    return user


def _may_enter(provider: SignInProvider, user: User) -> User:
    if not sessions.may_sign_in(user):
        raise SignInRefused(_l("This account may not sign in. Please contact us."))
    if user.is_customer and not provider.customers:
        raise SignInRefused(
            _l(
                "Customers do not sign in through %(provider)s. Please use your password.",
                provider=provider.name,
            )
        )
    User.update(last_sign_in_at=utcnow()).where(User.id == user.id).execute()
    return user
