"""Runs the test suite on SQLite and, at the same time, on PostgreSQL with huey on Redis; with
``CI=true`` then the cluster test at CI size (``bench.cluster``, ``CLUSTER_ARGUMENTS``: two app
servers, two consumers, PostgreSQL, a private Redis, the whole fault schedule, then the same
load on SQLite; about four minutes). A failure of any of the three fails the run.

The two suite runs are each mostly one Python process, so on two cores they take about as
long together as the longer one alone. Each writes into a file of its own, printed whole under
a header when that run ends. They share nothing that could collide: each has its own database
(a fresh SQLite file, or a fresh PostgreSQL database), its own temporary folders, free ports
and huey name; only the PostgreSQL run uses Redis; each keeps its own pytest cache. The W3C Nu
checker validates the browser tests' pages in the SQLite run only (``VALIDATE_HTML=0`` in the
other): the markup does not depend on the database, and axe-core still checks every page in
both runs.

The PostgreSQL run happens when both servers answer. With ``CI=true`` a server that does not
answer fails the run instead of skipping it, and so does a missing Chromium or Nu checker.
Addresses come from ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` (defaults: the local
servers). Extra arguments go to pytest.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
#: The cluster test in CI: 20 clients for 20 s (``make cluster-test``: the
#: issue's 200 for 60 s, about 12 minutes).
CLUSTER_ARGUMENTS = ["--clients", "20", "--seconds", "20", "--cases", "500"]


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


@dataclass
class Run:
    label: str
    process: subprocess.Popen
    output: IO[bytes]
    started: float


def start(label: str, env: dict, folder: Path, *options: str) -> Run:
    """pytest for ``label`` in the background, its output into a file in ``folder``."""
    output = (folder / f"{len(list(folder.iterdir()))}.log").open("w+b")
    command = [sys.executable, "-m", "pytest", *options, *sys.argv[1:]]
    process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    print(f"started: test suite on {label}", flush=True)
    return Run(label, process, output, time.monotonic())


def finish(runs: list[Run]) -> int:
    """Wait for every run; print each one's output whole as it ends. The first failure's code."""
    codes = []
    waiting = list(runs)
    while waiting:
        for run in [run for run in waiting if run.process.poll() is not None]:
            waiting.remove(run)
            code = run.process.returncode
            minutes = (time.monotonic() - run.started) / 60
            print(
                f"\n=== test suite on {run.label}: exit {code}, {minutes:.1f} min ===", flush=True
            )
            run.output.seek(0)
            sys.stdout.buffer.write(run.output.read())
            sys.stdout.flush()
            run.output.close()
            codes.append(code)
        time.sleep(1)
    return next((code for code in codes if code), 0)


def main() -> int:
    ci = os.environ.get("CI") == "true"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    missing = [
        name
        for name, url, port in (("PostgreSQL", POSTGRES, 5432), ("Redis", REDIS, 6379))
        if not answers(url, port)
    ]
    if missing and ci:
        print(
            f"FAILED: {' and '.join(missing)} did not answer; with CI=true the second run is "
            "required.",
            flush=True,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="test-matrix-") as folder:
        runs = [start("SQLite with huey's SQLite queue", base, Path(folder))]
        if missing:
            message = f"skipped the PostgreSQL/Redis run: {' and '.join(missing)} did not answer."
            print(message, flush=True)
        else:
            env = dict(base, DATABASE_URL=POSTGRES, REDIS_URL=REDIS, VALIDATE_HTML="0")
            cache = ("-o", "cache_dir=.pytest_cache/postgres")
            runs.append(start("PostgreSQL with huey on Redis", env, Path(folder), *cache))
        code = finish(runs)
    third = cluster(dict(base, DATABASE_URL=POSTGRES)) if ci else 0
    return code or third


def cluster(env: dict) -> int:
    """The cluster test at CI size (its own database on the PostgreSQL server, its own Redis)."""
    print("\n=== cluster test (CI size) ===", flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "bench.cluster", *CLUSTER_ARGUMENTS], env=env)
    print(f"cluster test: {time.monotonic() - started:.0f} s, exit {code}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
