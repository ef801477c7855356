"""``make bench``: seed a dataset, serve it with gunicorn (2 workers), load it with wrk.

    python -m bench.run [--cases 100000] [--duration 10] [--connections 4]

Reports requests/s, p50 and p99 latency per page, the ratio to a trivial Flask route on the
same server and to the signed-in floor (an empty page in the portal's layout), the size of
the list page's htmx partial and the peak memory of each worker.
The dataset lives in ``bench/data/<cases>/`` (SQLite) and is reused by later runs; with
``DATABASE_URL`` set to PostgreSQL the dataset goes into a database named
``<database>_bench_<cases>`` beside the URL's database (instance folder
``bench/data/<cases>-postgresql/``).
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import api, exports, knowledge
from bench import seed as seeding

ROOT = Path(__file__).resolve().parent.parent
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def prepare(cases: int) -> tuple[Path, dict]:
    """The instance folder with a seeded database; seeds only on the first run for ``cases``."""
    folder = ROOT / "bench" / "data" / str(cases)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        # Named after the URL's database: several checkouts may share one server. Its own
        # instance folder: a run on SQLite at the same time leaves its configuration alone.
        name = urllib.parse.urlsplit(url).path.strip("/") or "helpdesk"
        url = _postgres_database(url, f"{name}_bench_{cases}")
        folder = folder.with_name(f"{cases}-postgresql")
    else:
        url = f"sqlite:///{folder / 'helpdesk.db'}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.py").write_text(
        f'SECRET_KEY = "bench-secret-key-not-for-production"\nHELPDESK_PLUGINS = ["erp_handbook"]\n'
        f'DATABASE_URL = "{url}"\n'
    )
    marker = folder / f"seeded-{_slug(url)}.txt"
    os.environ["HELPDESK_INSTANCE"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    from bench import reports
    from helpdesk import create_app, migrations

    app = create_app()
    with app.app_context():
        migrations.upgrade()
        if not marker.exists():
            started = time.monotonic()
            facts = seeding.seed(cases)
            marker.write_text(facts["detail_call_id"])
            print(f"seeded {cases:,} cases in {time.monotonic() - started:.0f} s", flush=True)
        seeding.ensure_clocks()
        # What every portal has, and the sweep's hooks keep: without them a sweep of solved
        # cases skipped the response and resolution times (5.8 instead of 37 s at 1,000,000
        # cases before those were made cheaper, 2026-12-06).
        reports.ensure_rollups()
        knowledge.seed_once(folder, _slug(url))
    database = app.extensions["database"]
    if not database.is_closed():
        database.close()
    database.close_all()  # a copy of the dataset (``--consumers``) needs it unused
    return folder, {"detail_call_id": marker.read_text(), "database": url.split(":")[0]}


def _slug(url: str) -> str:
    return re.sub(r"\W+", "-", url.split("@")[-1])[-60:]


def _postgres_database(url: str, name: str) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    connection = psycopg.connect(url, autocommit=True)
    cursor = connection.cursor()
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",
            "bench.wsgi:app",
        ],
        env=dict(os.environ, HELPDESK_INSTANCE=str(folder)),
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/trivial", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def session_cookie(base: str, email: str) -> str:
    """Sign in through the real form and return the ``Cookie`` header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": seeding.PASSWORD}
    ).encode()
    opener.open(f"{base}/sign-in", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        header = cookie if cookie.startswith("Authorization:") else f"Cookie: {cookie}"
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        p: float(v) * UNITS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses")
    return {"rate": rate, "p50": latency["50"], "p99": latency["99"]}


def interleaved(base: str, pages: list, args) -> list:
    """Every page for ``duration / rounds`` seconds, page after page, ``rounds`` times: a
    disturbance of the machine hits all pages alike instead of one. Per page the median
    requests/s and latencies over the rounds, and its share of the floor's rate of the same
    round (median, lowest, highest)."""
    seconds = max(1, round(args.duration / args.rounds))
    runs = {path_label: [] for path_label, _path, _cookie in pages}
    for _round in range(args.rounds):
        for label, path, cookie in pages:
            runs[label].append(wrk(base + path, cookie, seconds, args.connections))
    floor = runs[pages[1][0]]
    results = []
    for label, path, _cookie in pages:
        shares = sorted(r["rate"] / f["rate"] for r, f in zip(runs[label], floor, strict=True))
        results.append(
            (
                label,
                path,
                {
                    "rate": statistics.median(r["rate"] for r in runs[label]),
                    "p50": statistics.median(r["p50"] for r in runs[label]),
                    "p99": max(r["p99"] for r in runs[label]),
                    "share": statistics.median(shares),
                    "spread": (shares[0], shares[-1]),
                },
            )
        )
    return results


def peak_memory_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return peaks


def reset_peak_memory(master: int) -> None:
    """Start each worker's peak (VmHWM) anew from what it holds now (Linux's clear_refs)."""
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5, help="rounds the pages interleave in")
    parser.add_argument(
        "--timer-due",
        type=int,
        default=None,
        help="cases with a status timer due in the timer sweep (default: 1%% of --cases)",
    )
    parser.add_argument(
        "--consumers",
        type=int,
        default=None,
        help="processes sharing the timer sweep on a copy of the dataset, committing, each "
        "its lane (default: two; 1 with --statements: one sweep in this process, rolled back)",
    )
    parser.add_argument(
        "--sweeps",
        type=int,
        default=SWEEPS,
        help="shared timer sweeps, each on a fresh copy: the median and range are reported",
    )
    parser.add_argument("--timers-only", action="store_true", help="measure only the sweep")
    parser.add_argument(
        "--statements",
        action="store_true",
        help="with the sweep, its SQL statements timed (the sweep in this process, rolled "
        "back, on either database; PostgreSQL's multi-row writes in its own placeholders "
        "are not counted)",
    )
    parser.add_argument("--reports-only", action="store_true", help="measure only the reports")
    parser.add_argument(
        "--knowledge-only", action="store_true", help="measure only the floor and knowledge pages"
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="only the pages (no sweep, reports, export)"
    )
    parser.add_argument(
        "--no-export", action="store_true", help="everything but the export of every case"
    )
    args = parser.parse_args()
    if args.timers_only or args.reports_only:
        _folder, facts = prepare(args.cases)
        print(_reports_line() if args.reports_only else _timer_line(args))
        return 0
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 1
    folder, facts = prepare(args.cases)
    if args.knowledge_only:
        return _knowledge_only(args, folder, facts)
    sweep = "" if args.pages_only else _timer_line(args) + "\n" + _reports_line()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(folder, port)
    try:
        customer = session_cookie(base, seeding.CUSTOMER)
        agent = session_cookie(base, seeding.AGENT)
        pages = [
            ("trivial Flask route (ceiling)", "/_bench/trivial", None),
            ("signed-in empty page (floor)", "/_bench/signed-in", customer),
            ("customer case list", "/cases", customer),
            ("case detail, 10 messages (customer)", f"/cases/{facts['detail_call_id']}", customer),
            ("case detail, 10 messages (agent)", f"/cases/{facts['detail_call_id']}", agent),
            ("agent queue, all open", "/queue?view=all", agent),
            ("agent queue, most urgent first", "/queue?view=all&sort=due&dir=desc", agent),
            ("agent search over all cases", "/queue?view=all&q=drucker", agent),
            *api.pages(facts),
            *knowledge.pages(customer),
        ]
        # A sign-in checks a password with argon2, which takes 64 MiB while it runs: the peak
        # with the sign-ins is reported apart from the peak of serving the pages.
        memory_signing_in = peak_memory_mb(server.pid)
        reset_peak_memory(server.pid)
        for _label, path, cookie in pages:
            wrk(base + path, cookie, 1, args.connections)  # warm up
        results = interleaved(base, pages, args)
        partial = _partial_size(base + "/cases", customer)
        suggestion = _partial_size(base + knowledge.pages(customer)[1][1], customer)
        memory = peak_memory_mb(server.pid), memory_signing_in
        if not (args.pages_only or args.no_export):
            try:
                sweep = "\n".join([sweep, *exports.measure(base, agent, server.pid, folder)])
            except (OSError, http.client.HTTPException) as error:  # the pages still count
                sweep += f"\nexport failed: {type(error).__name__}: {error}"[:300]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    report(args, facts, results, partial, memory, sweep)
    print(f"knowledge suggestion answer (htmx): {suggestion:,} bytes")
    return 0


def _knowledge_only(args, folder: Path, facts: dict) -> int:
    """The ceiling, the floor and the knowledge pages alone (issue 14's target)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(folder, port)
    try:
        customer = session_cookie(base, seeding.CUSTOMER)
        pages = [
            ("trivial Flask route (ceiling)", "/_bench/trivial", None),
            ("signed-in empty page (floor)", "/_bench/signed-in", customer),
            *knowledge.pages(customer),
        ]
        for _label, path, cookie in pages:
            wrk(base + path, cookie, 1, args.connections)  # warm up
        results = interleaved(base, pages, args)
        suggestion = _partial_size(base + knowledge.pages(customer)[1][1], customer)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{args.cases:,} cases on {facts['database']}, knowledge pages only")
    print("| page | requests/s | share of signed-in floor (median, spread) | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, _path, r in results:
        low, high = r["spread"]
        print(
            f"| {label} | {r['rate']:.0f} | {100 * r['share']:.0f}% ({100 * low:.0f}-"
            f"{100 * high:.0f}) | {r['p50']:.1f} | {r['p99']:.1f} |"
        )
    print(f"knowledge suggestion answer (htmx): {suggestion:,} bytes")
    return 0


#: Consumers sharing the sweep unless ``--consumers`` says otherwise: the worker runs two
#: (``flask serve``, docs/deploy.md, the cluster test), and the sweep two lanes.
CONSUMERS = 2
#: Shared sweeps per run unless ``--sweeps`` says otherwise: one sweep of the same code at
#: 1,000,000 cases took 9.4-11.4 s in 15 runs on one machine (README, morning of
#: 2026-12-08), so one run says little about a 10 s target; the median of three says more.
SWEEPS = 3


def _timer_line(args) -> str:
    """The timer sweep (``bench.timers``) on the dataset ``prepare`` left configured: by
    ``CONSUMERS`` processes on a fresh copy, committing, each sweeping its lane, ``--sweeps``
    times (the median and range of their times, the last one's counts, and whether every
    run acted on each due case once); with ``--consumers 1`` or ``--statements`` once, in
    this process, rolled back."""
    from bench import timers
    from helpdesk import create_app

    due = args.timer_due or max(1, args.cases // 100)
    consumers = args.consumers or CONSUMERS
    if consumers > 1 and not args.statements:
        with create_app().app_context():
            runs = [timers.measure_shared(due, consumers) for _ in range(max(1, args.sweeps))]
        seconds = sorted(r["seconds"] for r in runs)
        timed = f"{statistics.median(seconds):.1f} s"
        if len(runs) > 1:
            timed += f", the median of {len(runs)} ({seconds[0]:.1f}-{seconds[-1]:.1f} s)"
        r = runs[-1]
        once = all(run["once"] for run in runs)
        return (
            f"timer sweep, {r['consumers']} consumers: {r['cases']:,} cases of which "
            f"{r['due']:,} due: {timed} ({r['acted']:,} acted on, per consumer "
            f"{', '.join(f'{n:,}' for n in r['per_consumer'])}; each due case acted on once "
            f"in every run: {'yes' if once else 'NO'}, {r['entries']:,} entries, "
            f"{r['mails']:,} mails)"
        )
    with create_app().app_context():
        r = timers.measure(due, statements=args.statements)
    line = (
        f"timer sweep: {r['cases']:,} cases of which {r['due']:,} due: {r['seconds']:.1f} s "
        f"({r['acted']:,} acted on, {1000 * r['seconds'] / max(1, r['acted']):.1f} ms each; "
        f"CPU {r['cpu']:.1f} s, {1000 * r['cpu'] / max(1, r['acted']):.1f} ms each)"
    )
    return line + "".join(_statement_lines(r["statements"]))


def _statement_lines(spent: dict[str, list], shown: int = 12):
    """The dearest ``shown`` statements of ``timers.timed_statements``, one line each."""
    dearest = sorted(spent.items(), key=lambda item: -item[1][1])[:shown]
    for sql, (runs, seconds) in dearest:
        yield f"\n  {seconds:7.3f} s {runs:6,}x  {' '.join(sql.split())[:150]}"


def _reports_line() -> str:
    """The dashboard's figures (``bench.reports``), best and median of five, in ms."""
    from bench import reports
    from helpdesk import create_app

    with create_app().app_context():
        r = reports.measure(seeding.AGENT, seeding.CUSTOMER)
    times = "; ".join(
        f"{k}: {v[0]:.0f} ms (median {v[1]:.0f}, CPU {v[2]:.0f})"
        for k, v in r.items()
        if k != "cases"
    )
    return f"reports dashboard over {r['cases']:,} cases: {times}"


def _partial_size(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "HX-Request": "true"})
    return len(urllib.request.urlopen(request).read())


def both_databases(cases: int) -> list[str]:
    """One table of the latest run on each database at ``cases`` (each run saves its own)."""
    runs = {}
    for name in ("sqlite", "postgresql"):
        path = ROOT / "bench" / "data" / f"results-{cases}-{name}.json"
        if path.exists():
            runs[name] = json.loads(path.read_text())
    if len(runs) < 2:
        return ["(run it with DATABASE_URL=postgresql://... too for both databases in one table)"]
    lite, pg = runs["sqlite"], runs["postgresql"]
    lines = [
        "| page | SQLite share of floor | PostgreSQL share of floor | PG/SQLite | "
        "p99 ms SQLite | p99 ms PG |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label in lite:
        if label not in pg or label == "memory":
            continue
        a, b = lite[label], pg[label]
        lines.append(
            f"| {label} | {100 * a['share']:.0f}% | {100 * b['share']:.0f}% | "
            f"{b['share'] / a['share']:.2f} | {a['p99']:.1f} | {b['p99']:.1f} |"
        )
    peaks = [", ".join(f"{m:.0f}" for m in run.get("memory", [])) or "-" for run in (lite, pg)]
    lines.append(f"| peak MB per worker serving the pages | {peaks[0]} | {peaks[1]} | | | |")
    return lines


def report(args, facts, results, partial, memory, sweep) -> None:
    ceiling = results[0][2]["rate"]
    lines = [
        f"{args.cases:,} cases on {facts['database']}"
        f"{', Redis counting the rate limits' if os.environ.get('REDIS_URL') else ''}"
        ", gunicorn 2 sync workers, wrk -t2 "
        f"-c{args.connections}, {args.rounds} interleaved rounds of "
        f"{max(1, round(args.duration / args.rounds))} s per page; {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "",
        "| page | requests/s | share of trivial | share of signed-in floor (median, spread) "
        "| p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, _path, r in results:
        low, high = r["spread"]
        lines.append(
            f"| {label} | {r['rate']:.0f} | {100 * r['rate'] / ceiling:.0f}% | "
            f"{100 * r['share']:.0f}% ({100 * low:.0f}-{100 * high:.0f}) | "
            f"{r['p50']:.1f} | {r['p99']:.1f} |"
        )
    lines += [
        "",
        f"customer list htmx partial: {partial / 1024:.1f} KB; peak memory per worker serving "
        "the pages: "
        + ", ".join(f"{m:.0f} MB" for m in memory[0])
        + " (with the sign-ins before them: "
        + ", ".join(f"{m:.0f} MB" for m in memory[1])
        + "; a password check takes argon2's 64 MiB while it runs)",
        sweep,
        *api.shares(results),
    ]
    saved = ROOT / "bench" / "data" / f"results-{args.cases}-{facts['database']}.json"
    saved.write_text(json.dumps({label: r for label, _path, r in results} | {"memory": memory[0]}))
    lines += ["", *both_databases(args.cases)]
    text = "\n".join(lines)
    print("\n" + text)
    out = ROOT / "bench" / "data" / f"results-{args.cases}-{facts['database']}.md"
    out.write_text(text + "\n")
    print(f"\n(saved to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    sys.exit(main())
