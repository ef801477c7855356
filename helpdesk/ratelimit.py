"""Rate limits on the doors an attacker knocks on: signing in (by address and by account),
reset and registration requests, invitations, second-factor codes.

Every configuration counts in one place that all workers on all hosts share: in Redis when
``REDIS_URL`` is set (the ``limits`` library), otherwise in the database, in
``rate_limit_hit``. Moving windows in both: an attempt counts for exactly the window's
length after it happened, so a burst cannot double up at a window's edge.

The database counts one row per attempt and decides in one transaction that nobody else can
interleave with: SQLite's ``BEGIN IMMEDIATE`` takes the write lock before counting, and
PostgreSQL takes a transaction-level advisory lock on the key. Only a digest of the key is
stored (no addresses in the table), and rows older than the longest window go on the way.
"""

import hashlib
import time

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from peewee import AutoField, CharField, FloatField

from helpdesk.db import BaseModel, db, is_postgres

#: The advisory lock class of rate limit keys (PostgreSQL's two-number lock space).
_LOCK_CLASS = 7_311


class RateLimitHit(BaseModel):
    """One counted attempt: the digest of its limit and key, and when (seconds since 1970)."""

    id = AutoField()
    key = CharField(max_length=64)
    at = FloatField()

    class Meta:
        indexes = ((("key", "at"), False), (("at",), False))


class DatabaseWindows:
    """Moving windows counted in ``rate_limit_hit``."""

    def __init__(self, prefix: str, longest: int):
        self.prefix = prefix
        self.longest = longest  # seconds: older rows count for no limit

    def hit(self, item: RateLimitItem, name: str, key: str) -> bool:
        digest = hashlib.sha256(f"{self.prefix}/{name}/{key}".encode()).hexdigest()
        now = time.time()
        # On SQLite every transaction takes the write lock first (``helpdesk.db``), so counting
        # and writing are one step; PostgreSQL takes a lock on the key.
        with db.atomic():
            if is_postgres():
                db.execute_sql(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, digest)
                )
            RateLimitHit.delete().where(RateLimitHit.at <= now - self.longest).execute()
            used = (
                RateLimitHit.select()
                .where((RateLimitHit.key == digest) & (RateLimitHit.at > now - item.get_expiry()))
                .count()
            )
            if used >= item.amount:
                return False
            RateLimitHit.create(key=digest, at=now)
        return True


class RedisWindows:
    """Moving windows counted in Redis by the ``limits`` library."""

    def __init__(self, url: str, prefix: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(url, key_prefix=prefix))

    def hit(self, item: RateLimitItem, name: str, key: str) -> bool:
        return self.limiter.hit(item, name, key)


class RateLimits:
    def __init__(self, app: Flask):
        self.limits = {name: parse(rule) for name, rule in app.config["RATE_LIMITS"].items()}
        prefix = app.config["RATE_LIMIT_PREFIX"]
        if app.config.get("REDIS_URL"):
            self.windows = RedisWindows(app.config["REDIS_URL"], prefix)
        else:
            longest = max((item.get_expiry() for item in self.limits.values()), default=0)
            self.windows = DatabaseWindows(prefix, longest)

    def allow(self, name: str, key: str) -> bool:
        """Count one attempt of kind ``name`` by ``key``; False once the limit is used up."""
        return self.windows.hit(self.limits[name], name, key)


def init_app(app: Flask) -> None:
    app.extensions["rate_limits"] = RateLimits(app)


def allow(name: str, key: str) -> bool:
    return current_app.extensions["rate_limits"].allow(name, key)
