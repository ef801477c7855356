"""A small OpenID Connect provider for tests: real HTTP on a free port, signed tokens.

A Flask app served by werkzeug in a daemon thread, signing with joserfc (Authlib's JOSE
library). It does what the portal needs of a provider: discovery, the authorization endpoint
(it signs in whoever ``identity`` names without asking, and sends the browser back with a
code), the token endpoint (client secret, PKCE S256, one use per code), the keys, userinfo,
and token introspection (RFC 7662, for Dovecot). ``misbehave`` makes the next ID tokens
wrong on purpose: ``"audience"``, ``"expired"``, ``"signature"`` (signed by a key it does not
publish), ``"unverified"`` (``email_verified`` false), ``"nonce"`` (another sign-in's
nonce), ``"no-nonce"`` (none at all) or ``"issuer"`` (another issuer named in the token).

``XOAuth2SmtpServer(provider)`` is the mail catcher taking only XOAUTH2 and OAUTHBEARER
(RFC 7628) with the provider's access tokens; ``offered`` narrows what it advertises.
"""

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from helpdesk.testing.mail import Collector, SmtpServer

_KEYS: dict[str, RSAKey] = {}


def _key(kid: str) -> RSAKey:
    # RSA keys are slow to make: one pair per test session is plenty.
    if kid not in _KEYS:
        _KEYS[kid] = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256"})
    return _KEYS[kid]


class TestProvider:
    """``TestProvider(client_id, client_secret)``; ``start()``, ``stop()``, ``issuer``."""

    __test__ = False  # not a pytest test class

    def __init__(self, client_id: str = "portal", client_secret: str = "provider-secret"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = _key("test-1")
        self.other_key = _key("test-1-forged")  # same kid, never published
        self.identity = {"sub": "subject-1", "email": "", "email_verified": True, "name": ""}
        self.misbehave: str | None = None
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.token_lifetime = 3600
        # Where the metadata says authorization happens (``/auth`` answers as well).
        self.authorization_path = "/authorize"
        self.lock = threading.Lock()
        self.app = self._build()
        self.server = None
        self.thread = None

    # Serving ------------------------------------------------------------------------------

    def start(self) -> "TestProvider":
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    def sign_in_as(self, email: str, sub: str | None = None, **claims) -> None:
        """Who the next authorization signs in (verified address, no MFA unless ``amr``)."""
        self.identity = {
            "sub": sub or "sub-" + hashlib.sha256(email.encode()).hexdigest()[:16],
            "email": email,
            "email_verified": True,
            "name": email.split("@")[0].replace(".", " ").title(),
            **claims,
        }

    # Tokens -------------------------------------------------------------------------------

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        if nonce:
            payload["nonce"] = nonce
        key = self.key
        if self.misbehave == "nonce":
            payload["nonce"] = "nonce-of-another-sign-in"
        elif self.misbehave == "no-nonce":
            payload.pop("nonce", None)
        elif self.misbehave == "issuer":
            payload["iss"] = "https://impostor.example"
        elif self.misbehave == "audience":
            payload["aud"] = "someone-else"
        elif self.misbehave == "expired":
            payload["iat"], payload["exp"] = now - 7200, now - 3600
        elif self.misbehave == "signature":
            key = self.other_key
        elif self.misbehave == "unverified":
            payload["email_verified"] = False
        header = {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, payload, key)

    def access_token(self, subject: dict, scope: str) -> dict:
        token = secrets.token_urlsafe(24)
        refresh = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[token] = {
                **subject,
                "scope": scope,
                "exp": int(time.time()) + self.token_lifetime,
            }
            self.refresh_tokens[refresh] = {**subject, "scope": scope}
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "refresh_token": refresh,
            "scope": scope,
        }

    def token_info(self, token: str) -> dict | None:
        with self.lock:
            info = self.access_tokens.get(token)
        if info is None or info["exp"] < time.time():
            return None
        return info

    # The app ------------------------------------------------------------------------------

    def _client_ok(self) -> bool:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            given = (auth.username, auth.password)
        else:
            given = (request.form.get("client_id"), request.form.get("client_secret"))
        return given == (self.client_id, self.client_secret)

    def _build(self) -> Flask:
        app = Flask("test_oidc_provider")
        provider = self

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify(
                issuer=base,
                authorization_endpoint=base + provider.authorization_path,
                token_endpoint=base + "/token",
                jwks_uri=base + "/jwks",
                userinfo_endpoint=base + "/userinfo",
                introspection_endpoint=base + "/introspect",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                grant_types_supported=["authorization_code", "refresh_token", "client_credentials"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/authorize")
        @app.get("/auth")
        def authorize():
            args = request.args
            if args.get("client_id") != provider.client_id or args.get("response_type") != "code":
                return "unknown client", 400
            target = args["redirect_uri"]
            if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
                query = {"error": "invalid_request", "state": args.get("state", "")}
                return redirect(target + "?" + urlencode(query))
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {
                    "redirect_uri": target,
                    "nonce": args.get("nonce"),
                    "challenge": args["code_challenge"],
                    "claims": dict(provider.identity),
                    "scope": args.get("scope", ""),
                }
            return redirect(target + "?" + urlencode({"code": code, "state": args.get("state")}))

        @app.post("/token")
        def token():
            if not provider._client_ok():
                return jsonify(error="invalid_client"), 401
            grant = request.form.get("grant_type")
            if grant == "authorization_code":
                return provider._code_grant()
            if grant == "client_credentials":
                subject = {"sub": provider.client_id, "email": request.form.get("username", "")}
                return jsonify(provider.access_token(subject, request.form.get("scope", "")))
            if grant == "refresh_token":
                with provider.lock:
                    known = provider.refresh_tokens.pop(request.form.get("refresh_token"), None)
                if known is None:
                    return jsonify(error="invalid_grant"), 400
                scope = known.pop("scope")
                return jsonify(provider.access_token(known, scope))
            return jsonify(error="unsupported_grant_type"), 400

        @app.get("/userinfo")
        def userinfo():
            auth = request.headers.get("Authorization", "")
            info = provider.token_info(auth.removeprefix("Bearer ").strip())
            if info is None:
                return jsonify(error="invalid_token"), 401
            return jsonify({k: v for k, v in info.items() if k != "exp"})

        @app.post("/introspect")
        def introspect():
            info = provider.token_info(request.form.get("token", ""))
            if info is None:
                return jsonify(active=False)
            return jsonify(active=True, **info)

        return app

    def _code_grant(self):
        with self.lock:
            grant = self.codes.pop(request.form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != request.form.get("redirect_uri"):
            return jsonify(error="invalid_grant"), 400
        verifier = request.form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return jsonify(error="invalid_grant", error_description="PKCE"), 400
        answer = self.access_token(grant["claims"], grant["scope"])
        answer["id_token"] = self.id_token(grant["claims"], grant["nonce"])
        return jsonify(answer)


class XOAuth2Collector(Collector):
    """The mail catcher's handler, accepting SASL XOAUTH2 and OAUTHBEARER with a token of
    ``provider``; ``logins`` are the mailboxes, ``mechanisms`` how each signed in."""

    def __init__(self, provider: TestProvider):
        super().__init__()
        self.provider = provider
        self.logins: list[str] = []
        self.mechanisms: list[str] = []

    async def auth_OAUTHBEARER(self, server, args):
        try:
            header, _, rest = base64.b64decode(args[1]).decode().partition("\x01")
            values = dict(field.split("=", 1) for field in rest.split("\x01") if "=" in field)
            token = values["auth"].removeprefix("Bearer ").strip()
            flag, user, _ = header.split(",", 2)
        except (IndexError, ValueError, KeyError):
            return AuthResult(success=False, handled=False)
        if flag != "n" or not user.startswith("a=") or not values.get("host"):
            return AuthResult(success=False, handled=False)
        user = user[2:].replace("=2C", ",").replace("=3D", "=")
        if self.provider.token_info(token) is None:
            # RFC 7628 3.2.2: an error challenge, which the client answers with ^A.
            reply = await server.challenge_auth('{"status":"invalid_token"}')
            self.mechanisms.append(f"refused OAUTHBEARER, client replied {reply!r}")
            return AuthResult(success=False, handled=False)
        self.logins.append(user)
        self.mechanisms.append("OAUTHBEARER")
        return AuthResult(success=True, auth_data=user)

    async def auth_XOAUTH2(self, server, args):
        try:
            fields = base64.b64decode(args[1]).decode().split("\x01")
            values = dict(field.split("=", 1) for field in fields if "=" in field)
            token = values["auth"].removeprefix("Bearer ").strip()
        except (IndexError, ValueError, KeyError):
            return AuthResult(success=False, handled=False)
        if self.provider.token_info(token) is None:
            return AuthResult(success=False, handled=False)
        self.logins.append(values.get("user", ""))
        self.mechanisms.append("XOAUTH2")
        return AuthResult(success=True, auth_data=values.get("user"))


class XOAuth2SmtpServer(SmtpServer):
    """A real SMTP server (aiosmtpd) that takes mail only after an XOAUTH2 or OAUTHBEARER
    sign-in (``offered``: the mechanisms it advertises)."""

    MECHANISMS = ("XOAUTH2", "OAUTHBEARER")

    def __init__(self, provider: TestProvider, offered: tuple[str, ...] = MECHANISMS):
        super().__init__()
        self.handler = XOAuth2Collector(provider)
        self.not_offered = [name for name in self.MECHANISMS if name not in offered]

    def start(self) -> None:
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="smtp.test",
            auth_required=True,
            auth_require_tls=False,  # a test on 127.0.0.1; production uses STARTTLS
            auth_exclude_mechanism=["LOGIN", "PLAIN", *self.not_offered],
        )
        self.controller.start()
