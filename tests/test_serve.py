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
    process = subprocess.Popen(
        [flask, "--app", "wsgi", "serve", "--web-workers", "1", "--job-workers", "1"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 40
        status = None
        while time.monotonic() < deadline:
            status, body = _get(f"http://127.0.0.1:{port}/health")
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, body
        assert _get(f"http://127.0.0.1:{port}/sign-in")[0] == 200
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    text = output.decode()
    assert "paula.portal@muster.example" in text and "password for all" in text
    assert process.returncode == 0, text[-2000:]
