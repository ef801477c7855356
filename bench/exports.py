"""An export of every case (``make bench``) through the path a person takes.

The agent's queue, all views and statuses, as CSV and as Excel: 100,000 cases are more than
``EXPORT_IMMEDIATE_ROWS``, so the request is answered with the export's page and a huey
consumer (started here, on the benchmark's instance and queue) writes the file. Reported: the
time from the request to the finished file (the page polled as its meta refresh would, the
file then downloaded), the file's size, the consumer's CPU time meanwhile (its periodic tasks
included) and its peak memory (VmHWM, started anew before each export) next to the web
workers'.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import run as bench_run

PATH = "/cases/export.{fmt}?view=all&status=all"
POLL_SECONDS = 0.5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def consumer(folder: Path) -> subprocess.Popen:
    """A huey consumer on the benchmark's instance (its SQLite queue), one worker thread."""
    command = [str(Path(sys.executable).parent / "huey_consumer"), "helpdesk.worker.huey"]
    env = dict(os.environ, HELPDESK_INSTANCE=str(folder))
    return subprocess.Popen(
        [*command, "-w", "1", "-k", "thread", "-q"], env=env, cwd=bench_run.ROOT
    )


def measure(base: str, cookie: str, master: int, folder: Path) -> list[str]:
    worker = consumer(folder)
    try:
        return [_export(base, cookie, master, worker.pid, fmt) for fmt in ("csv", "xlsx")]
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)


def _export(base: str, cookie: str, master: int, job_pid: int, fmt: str) -> str:
    Path(f"/proc/{job_pid}/clear_refs").write_text("5")
    cpu_before = _cpu_seconds(job_pid)
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    request = urllib.request.Request(base + PATH.format(fmt=fmt), headers={"Cookie": cookie})
    try:
        opener.open(request, timeout=60)
        return f"export {fmt}: answered at once (fewer rows than EXPORT_IMMEDIATE_ROWS?)"
    except urllib.error.HTTPError as redirect:
        if redirect.code != 303:
            raise
        page_url = base + redirect.headers["Location"]
    while True:
        page = _get(page_url, cookie).decode()
        link = re.search(r'href="(/cases/exports/[\w-]+/file)"', page)
        if link or "could not be prepared" in page:
            break
        time.sleep(POLL_SECONDS)
    if not link:
        return f"export {fmt}: the job failed"
    size = len(_get(base + link.group(1), cookie))
    seconds = time.monotonic() - started
    rows = re.search(r"export of ([\d,.]+) cases is ready", page)
    job, cpu = _peak_mb(job_pid), _cpu_seconds(job_pid) - cpu_before
    web = ", ".join(f"{m:.0f} MB" for m in bench_run.peak_memory_mb(master))
    return (
        f"export {fmt}: {rows.group(1) if rows else '?'} rows, {size / 2**20:.1f} MB, "
        f"{seconds:.1f} s from request to downloaded file, the consumer's CPU {cpu:.1f} s; "
        f"job's peak memory {job:.0f} MB "
        f"(web workers' {web})"
    )


def _get(url: str, cookie: str) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
