"""Layered configuration: defaults, then ``instance/config.py``, then the environment.

A test (or an embedding program) passes a dict to ``create_app`` that wins over all three.
"""

import os
from pathlib import Path

from flask import Flask

#: Shipped in ``instance/config.py.sample`` and the docs; refusing it keeps a copy-pasted
#: sample from becoming a production secret.
SAMPLE_SECRET_KEYS = frozenset({"", "change-me", "dev", "sample-secret-key"})

DEFAULTS = {
    "SECRET_KEY": "dev",
    "DATABASE_URL": None,  # None: sqlite file in the instance folder
    "REDIS_URL": None,  # None: huey's SQLite queue in the instance folder
    "HELPDESK_PLUGINS": [],
    # Where people reach the portal: links in mail and other places without a request.
    "BASE_URL": "http://localhost:5000",
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Vienna",
    "LANGUAGES": ("de", "en"),
    "HUEY_IMMEDIATE": False,
    "HEARTBEAT_STALE_SECONDS": 180,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Reverse proxies in front of the portal whose X-Forwarded-* headers are trusted (0: none).
    "PROXY_FIX": 0,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "MAX_PICTURE_BYTES": 5 * 1024 * 1024,  # a profile picture as uploaded (ACC-5)
    # Case exports (CASE-8) of more rows are prepared by a job, not in the request.
    "EXPORT_IMMEDIATE_ROWS": 5000,
    "EXPORT_LIFETIME_HOURS": 24,  # a prepared export is deleted after this
    # Attempts per moving window (limits' notation); see helpdesk/ratelimit.py.
    "RATE_LIMITS": {
        "sign_in_address": "30 per 10 minutes",
        "sign_in_account": "10 per 10 minutes",
        # Accounts (ACC-1..4): reset, registration, invitations, second-factor codes.
        "reset_address": "3 per hour",
        "reset_client": "20 per hour",
        "registration_client": "10 per hour",
        "invitation_inviter": "30 per hour",
        "totp_account": "10 per 10 minutes",
        "inbound_refusal": "3 per hour",  # explaining replies to one unknown sender
        "api_token": "600 per minute",  # calls with one personal access token (issue 18)
    },
    "RATE_LIMIT_PREFIX": "helpdesk-limits",
    "API_TOKEN_MAX_DAYS": 366,  # the longest a personal access token lives (issue 18)
    "SIGN_IN_LINK_MINUTES": 5,  # how long a sign-in link of the vendor's software works
    # Accounts (ACC-1..4): password policy, link lifetimes, the second factor.
    "PASSWORD_MIN_LENGTH": 12,
    "RESET_TOKEN_MINUTES": 60,
    "CONFIRM_TOKEN_HOURS": 48,
    "INVITATION_DAYS": 7,
    # A reset request answers no sooner than this, whether or not the address has an account.
    "RESET_MIN_SECONDS": 0.3,
    "TOTP_ISSUER": "Support portal",
    "FREE_MAIL_DOMAINS": (),  # more free-mail domains that never name an organisation
    # Satisfaction survey (helpdesk/survey): how long its link works, and the ratings (1-5)
    # at or below which the team's managers are told.
    "SURVEY_LINK_DAYS": 60,
    "SURVEY_LOW_RATING": 2,
    # The audit log (REP-2): rows older than this many days are pruned nightly; 0 keeps all.
    "AUDIT_RETENTION_DAYS": 730,
    # Business time (helpdesk/sla): cases the timer sweep handles per transaction batch (500:
    # 10,000 due among 1,000,000 in 8.6-9.0 s on SQLite against 9.2-10.0 s with 200 when a
    # batch was one transaction; its transaction, now only the claim and the writes, holds
    # SQLite's write lock about 0.4 s), and how many hours before its response is due a case
    # shows in the queue's "breaching soon".
    "SLA_TIMER_BATCH": 500,
    # The sweep's lanes: a case's lane is its id modulo this; each lane is a job of its own, so
    # that as many job workers sweep at once, none preparing another's cases.
    "SLA_SWEEP_LANES": 2,
    "SLA_BREACHING_SOON_HOURS": 4,
    # Outbound mail (helpdesk/mail): the SMTP relay, and how the outbox retries.
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # implicit TLS from the first byte (usually port 465)
    "MAIL_USE_STARTTLS": False,  # plain connection upgraded by STARTTLS (usually port 587)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "support@localhost",
    "MAIL_REPLY_TO": None,  # where answers go when not to MAIL_DEFAULT_SENDER (the inbound box)
    "MAIL_DOMAIN": None,  # right-hand side of our Message-IDs; None: the sender's domain
    "MAIL_TIMEOUT": 30,  # seconds per SMTP operation
    "MAIL_MAX_TRIES": 30,  # then dead; waits 1, 5, 15, 60 minutes, then hourly: ~27 h
    "MAIL_RETRY_MINUTES": (1, 5, 15, 60),  # after the 1st, 2nd, ... failed try; the last repeats
    "MAIL_LEASE_SECONDS": 600,  # a crashed worker's claim; well above a send (MAIL_TIMEOUT)
    "MAIL_SWEEP_BATCH": 100,
    "MAIL_SWEEP_SECONDS": 45,  # one sweep delivers batch after batch for at most this long
    # Case notifications (helpdesk/mail/notifications.py): whether agents get mail at all,
    # and whether a customer's message on an unassigned case goes to its team's agents.
    "NOTIFY_AGENTS": True,
    "NOTIFY_TEAM_WHEN_UNASSIGNED": True,
    # Inbound mail (helpdesk/mail/inbound): unknown senders, and the IMAP mailbox to poll.
    "MAIL_UNKNOWN_SENDERS": "reject",  # "reject": answer with an explanation; "hold": admin
    "IMAP_HOST": None,  # None: no polling (an MTA pipes mail to `flask mail-pipe` instead)
    "IMAP_PORT": 993,
    "IMAP_USE_SSL": True,  # implicit TLS (IMAPS, usually port 993)
    "IMAP_USE_STARTTLS": False,  # plain connection upgraded by STARTTLS (usually port 143)
    "IMAP_CA_FILE": None,  # certificates to trust instead of the system's (a private CA)
    "IMAP_USERNAME": None,
    "IMAP_PASSWORD": None,
    "IMAP_FOLDER": "INBOX",
    "IMAP_DONE_FOLDER": "Processed",  # None: handled mail is flagged seen and deleted
    "IMAP_FAILED_FOLDER": "Failed",
    "IMAP_TIMEOUT": 30,
    "IMAP_BATCH": 50,  # mails per poll
    # Secrets kept in the database (helpdesk/identity/crypto.py): Fernet keys, comma separated;
    # None: derived from SECRET_KEY.
    "SECRETS_KEY": None,
}

#: Environment variables read over the instance file; lists are comma separated.
ENVIRONMENT = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "HELPDESK_PLUGINS",
    "BASE_URL",
    "PROXY_FIX",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_STARTTLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_REPLY_TO",
    "MAIL_DOMAIN",
    "MAIL_UNKNOWN_SENDERS",
    "IMAP_HOST",
    "IMAP_PORT",
    "IMAP_USE_SSL",
    "IMAP_USE_STARTTLS",
    "IMAP_CA_FILE",
    "IMAP_USERNAME",
    "IMAP_PASSWORD",
    "IMAP_FOLDER",
    "IMAP_DONE_FOLDER",
    "IMAP_FAILED_FOLDER",
    "SECRETS_KEY",
)


def load(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` from the three layers and the caller's overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name in ENVIRONMENT:
        value = os.environ.get(name)
        if value:
            app.config[name] = _from_environment(name, value)
    if overrides:
        app.config.from_mapping(overrides)
    plugins = app.config["HELPDESK_PLUGINS"]
    if isinstance(plugins, str):
        app.config["HELPDESK_PLUGINS"] = [p.strip() for p in plugins.split(",") if p.strip()]
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "helpdesk.db")
    _refuse_sample_secret(app)


def _from_environment(name: str, value: str):
    """An environment string as the type of the setting's default (flags and numbers)."""
    default = DEFAULTS.get(name)
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    return value


def _refuse_sample_secret(app: Flask) -> None:
    if app.debug or app.testing:
        return
    if os.environ.get("FLASK_DEBUG") == "1":
        return
    if app.config["SECRET_KEY"] in SAMPLE_SECRET_KEYS or len(app.config["SECRET_KEY"]) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing or a sample value. Set SECRET_KEY in the environment or in "
            "instance/config.py (`make run` writes a random one there)."
        )
