"""Rate limits on the doors an attacker knocks on: signing in (by address and by account).

Counted in Redis when ``REDIS_URL`` is set, so every worker on every host shares the count;
otherwise in each process's memory (on the one-server default each web worker counts on its
own, so an address gets the limit once per worker). Moving windows: a burst cannot double up
at a window's edge.
"""

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class RateLimits:
    def __init__(self, app: Flask):
        uri = app.config.get("REDIS_URL") or "memory://"
        options = {"key_prefix": app.config["RATE_LIMIT_PREFIX"]} if uri.startswith("redis") else {}
        self.storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.limits = {name: parse(rule) for name, rule in app.config["RATE_LIMITS"].items()}

    def allow(self, name: str, key: str) -> bool:
        """Count one attempt of kind ``name`` by ``key``; False once the limit is used up."""
        return self.limiter.hit(self.limits[name], name, key)


def init_app(app: Flask) -> None:
    app.extensions["rate_limits"] = RateLimits(app)


def allow(name: str, key: str) -> bool:
    return current_app.extensions["rate_limits"].allow(name, key)
