"""``flask serve`` (what ``make run`` starts): web server and job consumer together.

Runs the real processes on a free port against this run's database and queue, waits for the
health endpoint to see the worker's heartbeat, then stops everything with Ctrl-C (SIGINT).
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpdesk import instance
from helpdesk.testing.mail import free_port


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return None, b""


def test_serve_runs_web_and_worker_and_stops_on_ctrl_c(tmp_path, schema, make_app):
    make_app()  # empties the tables: the first start must load the demo data
    folder = tmp_path / "instance"
    instance.ensure(folder)
    port = free_port()
    env = dict(os.environ, HELPDESK_INSTANCE=str(folder), DATABASE_URL=schema, PORT=str(port))
    env["HUEY_NAME"] = f"serve-test-{os.getpid()}"
    flask = str(Path(sys.executable).parent / "flask")
    # Output goes to a file, not a pipe: a pipe nobody reads while waiting fills up and stops
    # the server mid-start.
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [flask, "--app", "wsgi", "serve", "--web-workers", "1", "--job-workers", "1"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # Migrating and loading the demo data comes first: on a busy CI machine sharing two cores
    # between two test runs that has taken longer than 40 seconds on PostgreSQL.
    deadline = time.monotonic() + 180
    status = None
    while time.monotonic() < deadline and process.poll() is None:
        status = _get(f"http://127.0.0.1:{port}/health")[0]
        if status == 200:
            break
        time.sleep(0.5)
    signing_in = _get(f"http://127.0.0.1:{port}/sign-in")[0] if status == 200 else None
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)
    log.close()
    text = (tmp_path / "serve.log").read_text()
    assert status == 200, text[-3000:]
    assert signing_in == 200
    assert "paula.portal@muster.example" in text and "password for all" in text
    assert process.returncode == 0, text[-2000:]
