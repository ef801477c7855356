"""CPU time per request of the benchmark's pages, in-process (no server, no load generator).

    python -m bench.inprocess [--cases 100000] [--requests 300] [--rounds 10]
                              [--knowledge-rounds 20]

Signs in through the real form with Flask's test client and times each page of ``bench.run``,
and the API's case list and get with a token (``bench.api``), with ``time.process_time``: the
Python a page costs, little disturbed by other work on the machine. For comparing two
versions of the code on the same dataset (``make bench`` seeds it); the requests/s of
``make bench`` are the figures that count.
"""

import argparse
import os
import re
import statistics
import time

from bench import api as bench_api
from bench import knowledge
from bench import run as bench_run
from bench import seed as seeding

PAGES = (
    ("trivial Flask route", "/_bench/trivial", None),
    ("signed-in empty page", "/_bench/signed-in", seeding.CUSTOMER),
    ("customer case list", "/cases", seeding.CUSTOMER),
    ("case detail, 10 messages (customer)", "/cases/{detail}", seeding.CUSTOMER),
    ("case detail, 10 messages (agent)", "/cases/{detail}", seeding.AGENT),
    ("agent queue, all open", "/queue?view=all", seeding.AGENT),
    ("agent queue, most urgent first", "/queue?view=all&sort=due&dir=desc", seeding.AGENT),
    ("agent queue, breaching", "/queue?view=breaching", seeding.AGENT),
    ("agent search over all cases", "/queue?view=all&q=drucker", seeding.AGENT),
    *((label, path, seeding.CUSTOMER) for label, path, _cookie in knowledge.pages(None)),
)
FLOOR = PAGES[1]
#: The pages of issue 19's targets, measured against the floor by ``--rounds``.
CASE_PAGES = PAGES[1:9]


def signed_in(app, email: str | None):
    client = app.test_client()
    if email is not None:
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"csrf_token": token, "email": email, "password": seeding.PASSWORD}
        client.post("/sign-in", data=data)
    return client


def cpu_ms(client, url: str, requests: int, headers: dict | None = None) -> float:
    """The best of three rounds, in milliseconds of CPU per request."""
    for _ in range(20):
        assert client.get(url, headers=headers).status_code == 200, url
    rounds = []
    for _ in range(3):
        started = time.process_time()
        for _ in range(requests):
            client.get(url, headers=headers)
        rounds.append((time.process_time() - started) / requests * 1000)
    return min(rounds)


def server_seconds(app) -> float | None:
    """PostgreSQL on this machine: the CPU seconds (user and system) its backends serving
    this database have spent so far, from ``/proc``; None elsewhere. The web process's CPU
    leaves out what the database server does for a request, where PostgreSQL's pages lost."""
    from helpdesk.db import db, is_postgres

    with app.app_context():
        if not is_postgres():
            return None
        pids = db.execute_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    ticks = 0
    for (pid,) in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None  # a server on another machine
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def shares(app, pages, requests: int, rounds: int) -> None:
    """The pages in turn, ``requests`` each per round, the floor first: per page the median
    (and least) CPU ms and the median (and range) of its share of the floor in the same
    round. A machine shared with other work slows all of one round alike, so the share moves
    far less than the milliseconds. On PostgreSQL on this machine also the database server's
    CPU per request (``server_seconds``) and the share of web and database together."""
    clients = {}
    for _label, url, email in pages:
        client = clients.get(email) or clients.setdefault(email, signed_in(app, email))
        for _ in range(20):
            assert client.get(url).status_code == 200, url
    spent = {label: [] for label, _url, _email in pages}
    server = {label: [] for label, _url, _email in pages}
    for _ in range(rounds):
        for label, url, email in pages:
            client = clients[email]
            before = server_seconds(app)
            started = time.process_time()
            for _ in range(requests):
                client.get(url)
            spent[label].append((time.process_time() - started) / requests * 1000)
            if before is not None:
                server[label].append((server_seconds(app) - before) / requests * 1000)
    floor = spent[FLOOR[0]]
    for label, times in spent.items():
        share = sorted(100 * f / t for f, t in zip(floor, times, strict=True))
        line = (
            f"{label:36s} {statistics.median(times):6.2f} ms (least {min(times):5.2f})"
            f"  {statistics.median(share):4.0f}% of the floor ({share[0]:.0f}-{share[-1]:.0f})"
        )
        if server[label]:
            both = [w + d for w, d in zip(times, server[label], strict=True)]
            floors = [w + d for w, d in zip(floor, server[FLOOR[0]], strict=True)]
            share = sorted(100 * f / t for f, t in zip(floors, both, strict=True))
            line += (
                f"; database {statistics.median(server[label]):5.2f} ms, with it"
                f" {statistics.median(share):4.0f}% ({share[0]:.0f}-{share[-1]:.0f})"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--knowledge-rounds",
        type=int,
        default=0,
        help="only the floor and the knowledge pages, interleaved in this many rounds",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="only the floor and the case pages (lists, case page, queue, search), "
        "interleaved in this many rounds",
    )
    args = parser.parse_args()
    _folder, facts = bench_run.prepare(args.cases)
    from bench.wsgi import app  # the app as served, with the trivial route

    if args.knowledge_rounds:
        shares(app, [FLOOR, *PAGES[-2:]], args.requests, args.knowledge_rounds)
        return
    if args.rounds:
        detail = facts["detail_call_id"]
        pages = [(label, path.format(detail=detail), e) for label, path, e in CASE_PAGES]
        shares(app, pages, args.requests, args.rounds)
        return

    clients = {}  # one sign-in per person: the sign-in limit allows only a few a minute
    for label, path, email in PAGES:
        url = path.format(detail=facts["detail_call_id"])
        client = clients.get(email) or clients.setdefault(email, signed_in(app, email))
        print(f"{label:36s} {cpu_ms(client, url, args.requests):6.2f} ms")
    # The API's list and get beside their pages (issue 18), with a token of the seeded person.
    for label, url, header in bench_api.pages(facts):
        name, _colon, value = header.partition(": ")
        spent = cpu_ms(app.test_client(), url, args.requests, {name: value})
        print(f"{label:36s} {spent:6.2f} ms")


if __name__ == "__main__":
    main()
