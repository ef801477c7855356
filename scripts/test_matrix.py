"""Runs the test suite on SQLite, then on PostgreSQL with huey on Redis; with ``CI=true``
then the cluster test at CI size (``bench.cluster``, ``CLUSTER_ARGUMENTS``: two app servers,
two consumers, PostgreSQL, a private Redis, the whole fault schedule, then the same load on
SQLite; about four minutes). A failure of any of the three fails the run.

The second run happens when both servers answer. With ``CI=true`` a server that does not
answer fails the run instead of skipping it, and so does a missing Chromium.
Addresses come from ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` (defaults: the local
servers). Extra arguments go to pytest.
"""

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
#: The cluster test in CI: 20 clients for 20 s (``make cluster-test``: 50 for 30 s).
CLUSTER_ARGUMENTS = ["--clients", "20", "--seconds", "20", "--cases", "500"]


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest(label: str, env: dict) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)


def main() -> int:
    ci = os.environ.get("CI") == "true"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    code = pytest("SQLite with huey's SQLite queue", base)
    missing = [
        name
        for name, url, port in (("PostgreSQL", POSTGRES, 5432), ("Redis", REDIS, 6379))
        if not answers(url, port)
    ]
    if missing:
        message = f"{' and '.join(missing)} did not answer"
        if ci:
            print(f"FAILED: {message}; with CI=true the second run is required.", flush=True)
            return 1
        print(f"skipped the PostgreSQL/Redis run: {message}.", flush=True)
        return code
    second = pytest(
        "PostgreSQL with huey on Redis", dict(base, DATABASE_URL=POSTGRES, REDIS_URL=REDIS)
    )
    third = cluster(dict(base, DATABASE_URL=POSTGRES)) if ci else 0
    return code or second or third


def cluster(env: dict) -> int:
    """The cluster test at CI size (its own database on the PostgreSQL server, its own Redis)."""
    print("\n=== cluster test (CI size) ===", flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "bench.cluster", *CLUSTER_ARGUMENTS], env=env)
    print(f"cluster test: {time.monotonic() - started:.0f} s, exit {code}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
