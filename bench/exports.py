"""An export of every case (``make bench``): time to the last byte and the workers' peak memory.

Runs against the benchmark's gunicorn: the agent's queue, all views and statuses, as CSV and
as Excel, read to the end in pieces as a browser downloads it. The peak memory (VmHWM) of the
workers before and after shows whether the export's memory grew with its rows.
"""

import time
import urllib.request

from bench import run as bench_run

PATH = "/cases/export.{fmt}?view=all&status=all"


def measure(base: str, cookie: str, master: int) -> list[str]:
    lines = []
    for fmt in ("csv", "xlsx"):
        before = bench_run.peak_memory_mb(master)
        started = time.monotonic()
        request = urllib.request.Request(base + PATH.format(fmt=fmt), headers={"Cookie": cookie})
        size, newlines = 0, 0
        with urllib.request.urlopen(request, timeout=600) as response:
            while piece := response.read(256 * 1024):
                size += len(piece)
                newlines += piece.count(b"\r\n")
        seconds = time.monotonic() - started
        after = bench_run.peak_memory_mb(master)
        rows = f"{newlines - 1:,} rows, " if fmt == "csv" else ""
        lines.append(
            f"export {fmt}: {rows}{size / 2**20:.1f} MB in {seconds:.1f} s; workers' peak memory "
            + ", ".join(f"{a:.0f} MB" for a in before)
            + " before, "
            + ", ".join(f"{a:.0f} MB" for a in after)
            + " after"
        )
    return lines
