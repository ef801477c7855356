"""The OpenID Connect protocol, as a relying party (authorization code flow with PKCE).

Authlib's OAuth2 client builds the authorization URL (state, nonce, S256 code challenge) and
exchanges the code; joserfc (Authlib's JOSE library) checks the ID token: its signature
against the provider's published keys, its issuer, audience, expiry and nonce. Nothing here
touches the database or the request: ``service`` decides what an answer means.

Every way this can fail raises ``OidcError`` with a ``reason`` the sign-in page turns into a
plain sentence; the technical detail goes to the log only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: a web worker that never signs in this way saves 15 MB
    from authlib.integrations.requests_client import OAuth2Session
    from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

#: Seconds to wait for the provider; seconds the clocks may disagree.
TIMEOUT = 10
LEEWAY = 60
#: The provider's metadata and keys are fetched again after this many seconds.
METADATA_SECONDS = 3600
#: What a sign-in asks for: the account's address and name.
SCOPE = "openid email profile"
#: Signature algorithms accepted for ID tokens (never "none", never a shared-secret HMAC).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


class OidcError(Exception):
    """The provider could not be used, or its answer is not to be trusted."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Client:
    """A registration at a provider."""

    issuer: str
    client_id: str
    client_secret: str


_metadata: dict[str, tuple[float, dict]] = {}


def metadata(issuer: str, fresh: bool = False) -> dict:
    """The provider's discovery document (``/.well-known/openid-configuration``), kept for an
    hour. Raises ``OidcError("unreachable")`` or ``OidcError("metadata")``."""
    issuer = issuer.rstrip("/")
    cached = _metadata.get(issuer)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    document = _get_json(issuer + "/.well-known/openid-configuration")
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    missing = [key for key in needed if not document.get(key)]
    if missing:
        raise OidcError("metadata", f"missing {', '.join(missing)}")
    if document["issuer"].rstrip("/") != issuer:
        raise OidcError("metadata", f"issuer {document['issuer']!r} is not {issuer!r}")
    _metadata[issuer] = (time.monotonic() + METADATA_SECONDS, document)
    return document


def _get_json(url: str) -> dict:
    import requests

    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as error:
        raise OidcError("unreachable", f"{url}: {error}") from error
    except ValueError as error:
        raise OidcError("metadata", f"{url} is not JSON") from error
    if not isinstance(document, dict):
        raise OidcError("metadata", f"{url} is not a JSON object")
    return document


def _session(client: Client, redirect_uri: str | None = None) -> OAuth2Session:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=TIMEOUT,
    )


@dataclass(frozen=True)
class Start:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def start(client: Client, redirect_uri: str) -> Start:
    """A new authorization request: random state, nonce and PKCE verifier."""
    from authlib.common.security import generate_token

    endpoint = metadata(client.issuer)["authorization_endpoint"]
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url, _state = _session(client, redirect_uri).create_authorization_url(
        endpoint, state=state, nonce=nonce, code_verifier=verifier
    )
    return Start(url=url, state=state, nonce=nonce, code_verifier=verifier)


def finish(client: Client, redirect_uri: str, code: str, nonce: str, verifier: str) -> dict:
    """Exchange ``code`` for tokens and return the ID token's checked claims."""
    import requests
    from authlib.common.errors import AuthlibBaseError

    document = metadata(client.issuer)
    try:
        token = _session(client, redirect_uri).fetch_token(
            document["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
        )
    except AuthlibBaseError as error:
        raise OidcError("token", f"{error.error}: {error.description}") from error
    except requests.RequestException as error:
        raise OidcError("unreachable", str(error)) from error
    id_token = token.get("id_token")
    if not id_token:
        raise OidcError("token", "no id_token in the answer")
    return verify_id_token(client, document, id_token, nonce)


def verify_id_token(client: Client, document: dict, id_token: str, nonce: str) -> dict:
    """The claims of ``id_token`` once its signature, issuer, audience, times and nonce hold.

    A signature by an unknown key fetches the provider's keys once more (it may have rotated
    them) before it is refused."""
    from joserfc import jwt
    from joserfc.errors import (
        BadSignatureError,
        ExpiredTokenError,
        InvalidClaimError,
        JoseError,
        MissingClaimError,
    )

    keys = _keys(document["jwks_uri"])
    try:
        try:
            decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except (BadSignatureError, ValueError):
            decoded = jwt.decode(id_token, _keys(document["jwks_uri"], fresh=True), ALGORITHMS)
        claims = dict(decoded.claims)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": document["issuer"]},
            aud={"essential": True, "value": client.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except BadSignatureError as error:
        raise OidcError("signature", str(error)) from error
    except ExpiredTokenError as error:
        raise OidcError("expired", str(error)) from error
    except (InvalidClaimError, MissingClaimError) as error:
        reason = {"aud": "audience", "iss": "issuer", "nonce": "nonce"}.get(
            getattr(error, "claim", ""), "claims"
        )
        raise OidcError(reason, str(error)) from error
    except (JoseError, ValueError) as error:
        raise OidcError("signature", f"{type(error).__name__}: {error}") from error
    azp = claims.get("azp")
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and azp != client.client_id:
        raise OidcError("audience", f"azp {azp!r}")
    return claims


_key_sets: dict[str, tuple[float, KeySet]] = {}


def _keys(url: str, fresh: bool = False) -> KeySet:
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    cached = _key_sets.get(url)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(url))
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise OidcError("metadata", f"keys at {url}: {error}") from error
    _key_sets[url] = (time.monotonic() + METADATA_SECONDS, keys)
    return keys


def check(issuer: str) -> dict:
    """The "test connection" of the admin page: the metadata and keys fetched afresh."""
    document = metadata(issuer, fresh=True)
    _keys(document["jwks_uri"], fresh=True)
    return document
