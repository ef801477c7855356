"""Runs the test suite on SQLite, then on PostgreSQL with huey on Redis.

The second run happens when both servers answer. With ``CI=true`` a server that does not
answer fails the run instead of skipping it, and so does a missing Chromium.
Addresses come from ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` (defaults: the local
servers). Extra arguments go to pytest.
"""

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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
    return code or second


if __name__ == "__main__":
    sys.exit(main())
