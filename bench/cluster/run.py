"""``python -m bench.cluster [--clients 200] [--seconds 60] [--sink-down 30]``

Runs the cluster on PostgreSQL and Redis with the fault schedule, then the same load without
faults on the embedded default (SQLite, huey's SQLite queue, one host), checks each run and
prints one table. Exits 1 when a check fails. ``DATABASE_URL`` names the PostgreSQL server
(default ``postgresql://postgres@127.0.0.1:5432/test``); the run makes its own database there
and drops it afterwards. Redis is a private ``redis-server`` on a free port.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench import seed as seeding
from bench.cluster import load, parts, setup

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
SETTLE_SECONDS = 240  # after the load: the outbox and the timers get this long to catch up,
SETTLE_PROGRESS_SECONDS = 30  # and while mail still goes out, this long after the last sent,
SETTLE_MOST_SECONDS = 600  # but never longer than this
STARTED = time.monotonic()


def progress(run_name: str, what: str) -> None:
    """One line of progress with the seconds since the start (where a CI run spends its time)."""
    print(f"[{time.monotonic() - STARTED:5.0f} s] {run_name}: {what}", flush=True)


@dataclass
class Fault:
    name: str
    started: float
    ended: float = 0.0
    note: str = ""
    # When the stopped part was started again: down for certain until then. ``ended`` is when
    # it was seen listening, which a busy machine can notice well after it came back.
    restarting: float = 0.0


@dataclass
class Run:
    name: str
    database: str
    folder: Path
    servers: list = field(default_factory=list)
    consumers: list = field(default_factory=list)
    sink: parts.Part | None = None
    redis: parts.Part | None = None
    proxy: parts.Part | None = None
    messages: Path | None = None
    faults: list[Fault] = field(default_factory=list)
    health: list[tuple[float, float, str, int | None, dict]] = field(default_factory=list)
    recorder: load.Recorder = field(default_factory=load.Recorder)
    started_at: datetime | None = None
    load_started: float = 0.0
    load_ended: float = 0.0
    timer_cases: list[int] = field(default_factory=list)
    results: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    admin_url: str = ""  # the PostgreSQL server's, for pg_terminate_backend
    base: str = ""  # the proxy's URL
    hosts: list[Path] = field(default_factory=list)  # the instance folders
    accounts: list[load.Account] = field(default_factory=list)
    plan: load.Plan | None = None

    def all_parts(self):
        return [self.proxy, *self.servers, *self.consumers, self.sink, self.redis]


def build(name: str, root: Path, database: str, redis: bool, hosts: int, args) -> Run:
    """Start the parts; if one fails to come up, stop those already running."""
    run = Run(name, database, root / name)
    try:
        return _start(run, redis, hosts, args)
    except BaseException:
        stop_all(run)
        raise


def stop_all(run: Run) -> None:
    for part in run.all_parts():
        if part and part.process:
            part.stop()


def _start(run: Run, redis: bool, hosts: int, args) -> Run:
    folder = run.folder
    files = folder / "files"
    files.mkdir(parents=True)
    secret = setup.new_secret()
    ports = [parts.free_port() for _ in range(hosts)]
    proxy_port, smtp_port = parts.free_port(), parts.free_port()
    redis_url = None
    if redis:
        redis_port = parts.free_port()
        run.redis = parts.redis(redis_port, folder / "redis.log").start()
        parts.wait_for_port(redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    hosts_folders = [
        setup.instance(
            folder / f"host{n + 1}",
            database=run.database,
            redis=redis_url,
            files=files,
            proxy=proxy_port,
            smtp=smtp_port,
            secret=secret,
        )
        for n in range(hosts)
    ]
    accounts, plan, run.timer_cases = setup.seed(hosts_folders[0], args.cases)
    progress(run.name, f"seeded {args.cases} cases")
    setup.migrate(hosts_folders[0])
    run.messages = folder / "messages.txt"
    run.sink = parts.sink(smtp_port, run.messages, folder / "sink.log").start()
    for n, host in enumerate(hosts_folders):
        server = parts.app_server(f"app{n + 1}", host, ports[n], folder / f"app{n + 1}.log")
        run.servers.append(server.start())
        consumer = parts.consumer(f"consumer{n + 1}", host, folder / f"consumer{n + 1}.log")
        run.consumers.append(consumer.start())
    run.proxy = parts.proxy(proxy_port, ports, folder / "proxy.log").start()
    parts.wait_for_port(smtp_port)
    for server in run.servers:
        parts.wait_healthy(server.port)
    parts.wait_for_port(proxy_port)
    base = f"http://127.0.0.1:{proxy_port}"
    progress(run.name, "all parts up")
    used = list({id(a): a for a in load.chosen(accounts, args.clients)}.values())
    for account in used:  # only those the clients use: each sign-in hashes a password
        load.sign_in(base, account, seeding.PASSWORD)
    progress(run.name, f"{len(used)} accounts signed in")
    run.accounts, run.plan, run.base, run.hosts = accounts, plan, base, hosts_folders
    return run


def poll_health(run: Run, server: parts.Part, stop: threading.Event) -> None:
    """Ask one app server (not the proxy) for ``/health`` twice a second; one thread per
    server, so that a server that is starting does not hold up the other's answers."""
    while not stop.is_set():
        status, body, started = None, {}, time.monotonic()
        try:
            url = f"http://127.0.0.1:{server.port}/health"
            with urllib.request.urlopen(url, timeout=5) as answer:
                status, body = answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            status, body = error.code, {"said": error.read()[:200].decode(errors="replace")}
        except (OSError, ValueError):
            pass
        run.health.append((started, time.monotonic(), server.name, status, body))
        stop.wait(0.5)


def kill_app_server(run: Run, args) -> None:
    server = run.servers[-1]
    fault = Fault("app server killed (SIGKILL) and restarted", time.monotonic())
    server.kill()
    time.sleep(2)
    server.start()
    parts.wait_healthy(server.port)
    fault.ended = time.monotonic()
    run.faults.append(fault)


def kill_consumer(run: Run, args) -> None:
    """SIGKILL the consumer that holds a connection to the sink: it is delivering mail."""
    fault = Fault("consumer SIGKILLed while delivering", time.monotonic())
    deadline = time.monotonic() + 15
    victim = None
    while victim is None and time.monotonic() < deadline:
        victim = next((c for c in run.consumers if parts.connected_to(c, run.sink.port)), None)
        time.sleep(0.01)
    fault.note = "mid-delivery" if victim else "no delivery seen: killed idle"
    victim = victim or run.consumers[0]
    victim.kill()
    time.sleep(2)
    victim.start()
    fault.ended = time.monotonic()
    run.faults.append(fault)


def stop_sink(run: Run, args) -> None:
    fault = Fault(f"SMTP sink stopped {args.sink_down} s", time.monotonic())
    run.sink.stop()
    time.sleep(args.sink_down)
    run.sink.start()
    parts.wait_for_port(run.sink.port)
    fault.ended = time.monotonic()
    run.faults.append(fault)


def restart_redis(run: Run, args) -> None:
    fault = Fault("Redis restarted", time.monotonic())
    run.redis.stop()
    time.sleep(args.redis_down)
    fault.restarting = time.monotonic()
    run.redis.start()
    parts.wait_for_port(run.redis.port)
    fault.ended = time.monotonic()
    run.faults.append(fault)


def terminate_connections(run: Run, args) -> None:
    import psycopg

    with psycopg.connect(run.admin_url, autocommit=True) as connection:
        name = run.database.rsplit("/", 1)[1]
        killed = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()[0]
    now = time.monotonic()
    run.faults.append(Fault("PostgreSQL connections terminated", now, now, f"{killed} backends"))


#: Each fault at its share of the load's duration, each in its own thread (a slow restart
#: of one part does not push the others past the load).
SCHEDULE = (
    (0.1, kill_app_server),
    (0.2, kill_consumer),
    (0.3, stop_sink),
    (0.5, restart_redis),
    (0.7, terminate_connections),
)


def inject_faults(run: Run, args) -> list[threading.Thread]:
    def at(share, fault):
        time.sleep(max(0.0, run.load_started + share * args.seconds - time.monotonic()))
        fault(run, args)

    threads = [
        threading.Thread(target=at, args=(share, fault), daemon=True) for share, fault in SCHEDULE
    ]
    for thread in threads:
        thread.start()
    return threads


def exercise(run: Run, args, faults: bool) -> None:
    setup.set_timers(run.hosts[0], run.timer_cases, 5, max(6, args.seconds * 0.8))
    run.started_at = datetime.utcnow()
    stop = threading.Event()
    pollers = [
        threading.Thread(target=poll_health, args=(run, server, stop), daemon=True)
        for server in run.servers
    ]
    for poller in pollers:
        poller.start()
    run.load_started = time.monotonic()
    injectors = inject_faults(run, args) if faults else []
    load.run(run.base, run.accounts, run.plan, args.clients, args.seconds, run.recorder)
    run.load_ended = time.monotonic()
    for injector in injectors:
        injector.join()
    progress(run.name, "load and faults over")
    settle(run)
    progress(run.name, "settled")
    stop.set()
    for poller in pollers:
        poller.join()


def settle(run: Run) -> None:
    """Until every mail written is sent and every due timer acted: at least SETTLE_SECONDS,
    longer while mail still goes out (a quick machine writes more mail under the load than
    the sink takes in that time: 5,900 mails in the SQLite run, two workers delivering 19 a
    second against the sink's 0.1 s a recipient), at most SETTLE_MOST_SECONDS."""
    started = time.monotonic()
    deadline, unsent = started + SETTLE_SECONDS, None
    while time.monotonic() < min(deadline, started + SETTLE_MOST_SECONDS):
        mails, timers = outbox_rows(run), timer_actions(run)
        waiting = sum(state != "sent" for _, state, _tries in mails)
        if not waiting and all(timers.values()):
            return
        if unsent is not None and waiting < unsent:  # going out: wait for the rest
            deadline = max(deadline, time.monotonic() + SETTLE_PROGRESS_SECONDS)
        unsent = waiting
        time.sleep(2)


def query(run: Run, sql: str) -> list:
    connection = setup.connect(run.database)
    try:
        return list(connection.execute(sql).fetchall())
    finally:
        connection.close()


def _since(run: Run) -> str:
    return run.started_at.strftime("%Y-%m-%d %H:%M:%S")


def outbox_rows(run: Run) -> list[tuple[str, str, int]]:
    return query(
        run,
        f"SELECT message_id, state, tries FROM outbox_message WHERE created_at >= '{_since(run)}'",
    )


def in_the_kill_window(run: Run, twice: list[str], tries: dict[str, int]) -> list[str]:
    """The mails of ``twice`` that a consumer killed mid-delivery explains: the sink had taken
    the message when the consumer died before it could mark its row sent, so the row's lease
    ran out and it went out again (``helpdesk/mail/outbox.py``, "the window that remains":
    SMTP cannot ask whether a server already has a message). Such a row has more than one try,
    and each killed consumer had at most one mail in hand per worker process."""
    kills = [f for f in run.faults if f.name.startswith("consumer SIGKILLed")]
    most = parts.CONSUMER_WORKERS * sum(1 for f in kills if f.note == "mid-delivery")
    return [m for m in twice if tries.get(m, 0) > 1][:most]


def timer_actions(run: Run) -> dict[int, int]:
    """Status changes since the start on each timer case (the timers' moves)."""
    ids = ",".join(map(str, run.timer_cases))
    rows = query(
        run,
        f"SELECT case_id, count(*) FROM event WHERE kind = 'status' AND case_id IN ({ids}) "
        f"AND created_at >= '{_since(run)}' GROUP BY case_id",
    )
    counts = dict.fromkeys(run.timer_cases, 0)
    counts.update({case_id: count for case_id, count in rows})
    return counts


def check(run: Run, faults: bool) -> None:
    samples = run.recorder.samples
    latencies = sorted(s.seconds * 1000 for s in samples if s.status is not None)
    server_errors = [s for s in samples if s.status and s.status >= 500]
    unanswered = [s for s in samples if s.status is None]
    hung = [s for s in unanswered if s.error in ("ReadTimeout", "ConnectTimeout", "Timeout")]

    def in_flight(sample, fault_name):
        """Whether ``sample`` ran when the fault struck (within the second its signal and
        the processes' end take)."""
        return any(
            sample.started <= f.started + 1 and f.started <= sample.started + sample.seconds + 0.5
            for f in run.faults
            if f.name.startswith(fault_name)
        )

    # A request in flight on the killed server breaks; one whose database connection was
    # ended under it is answered 503 "send again" (its transaction was rolled back). Every
    # other request must be answered, and never with a 5xx.
    unexplained = [s for s in unanswered if s not in hung and not in_flight(s, "app server")]
    cut_off = [s for s in server_errors if s.status == 503 and in_flight(s, "PostgreSQL")]
    server_errors = [s for s in server_errors if s not in cut_off]
    bodies = " ".join(
        row[0] or "" for row in query(run, "SELECT body FROM event WHERE body LIKE '%clustermark%'")
    )
    subjects = " ".join(
        row[0]
        for row in query(run, """SELECT subject FROM "case" WHERE subject LIKE '%clustermark%'""")
    )
    lost_replies = [m for m in run.recorder.replies if f"{m} " not in bodies]
    lost_cases = [m for m in run.recorder.cases if not (subjects + " ").count(f"{m} ")]
    mails = outbox_rows(run)
    written = {message_id for message_id, _state, _tries in mails}
    seen = run.messages.read_text().split() if run.messages.exists() else []
    ours = [m for m in seen if m in written]
    duplicated = len(ours) - len(set(ours))
    twice = sorted(m for m, n in Counter(ours).items() if n > 1)
    explained = in_the_kill_window(run, twice, {m: tries for m, _state, tries in mails})
    undelivered = written - set(ours)
    # 503: see above. 422: the portal said no and the person saw it (two replies at once on
    # a case waiting for the customer: the second is refused as "changed meanwhile").
    refused = [write for write in run.recorder.refused if write[2] not in (422, 503)]
    timers = timer_actions(run)
    problems = {
        "failed requests": [
            (s.action, round(s.started - run.load_started, 2), s.seconds, s.status, s.error)
            for s in samples
            if s.status is None or s.status >= 500
        ],
        "refused writes": run.recorder.refused,
        "slowest answered": [
            (s.action, round(s.started - run.load_started, 2), round(s.seconds, 2), s.status)
            for s in sorted(samples, key=lambda s: -s.seconds)
            if s.status is not None
        ][:10],
        "faults": [vars(fault) for fault in run.faults],
    }
    (run.folder / "problems.json").write_text(json.dumps(problems, indent=1, default=str))
    r = run.results
    r["requests"] = len(samples)
    r["5xx"] = len(server_errors)
    r["503 cut off by the database"] = len(cut_off)
    r["broken by the server kill"] = len(unanswered) - len(unexplained) - len(hung)
    r["unanswered otherwise"] = len(unexplained)
    r["hung"] = len(hung)
    r["writes refused (422)"] = len([w for w in run.recorder.refused if w[2] == 422])
    r["writes refused otherwise"] = len(refused)
    r["p50 ms"] = round(statistics.median(latencies), 1) if latencies else None
    r["p99 ms"] = round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None
    r["writes accepted"] = len(run.recorder.replies) + len(run.recorder.cases)
    r["writes lost"] = len(lost_replies) + len(lost_cases)
    r["mails written"] = len(written)
    r["mails delivered"] = len(set(ours))
    r["mails duplicated"] = duplicated
    r["of them in the kill's window"] = len(explained)
    r["timers due"] = len(timers)
    r["timers acted"] = sum(1 for n in timers.values() if n >= 1)
    r["timers acted twice"] = sum(1 for n in timers.values() if n > 1)
    f = run.failures
    if server_errors:
        kinds = sorted({(s.action, s.status) for s in server_errors})
        f.append(f"{len(server_errors)} answers 5xx: {kinds}")
    if hung:
        f.append(f"{len(hung)} requests hung past {load.TIMEOUT} s")
    if unexplained:
        f.append(f"{len(unexplained)} requests unanswered outside the server kill")
    if refused:
        f.append(f"{len(refused)} writes refused, first: {refused[0][:3]} {refused[0][3][:500]}")
    if r["writes lost"]:
        f.append(f"writes lost: {(lost_replies + lost_cases)[:5]}")
    if undelivered:
        states = sorted({state for _, state, _tries in mails if state != "sent"})
        f.append(f"{len(undelivered)} mails not delivered, states {states}")
    if duplicated > len(explained):
        f.append(f"{duplicated - len(explained)} mails delivered twice outside the kill's window")
    if r["timers acted"] != r["timers due"] or r["timers acted twice"]:
        f.append(f"timers: {r['timers due']} due, acted {sorted(timers.values())}")
    if not samples or r["writes accepted"] == 0:
        f.append("the load did nothing")
    check_health(run, faults)


def check_health(run: Run, faults: bool) -> None:
    """An answer asked and given while Redis was down (from a second after it stopped until it
    was started again) says 503; one asked and given clear of that time (and 3 s after it was
    seen listening) says 200: the database and a consumer are there all along. Answers that
    straddle a change are not judged."""
    down = [(f.started + 1, f.restarting) for f in run.faults if f.name.startswith("Redis")]
    near = [(f.started, f.ended + 3) for f in run.faults if f.name.startswith("Redis")]
    answered = [poll for poll in run.health if poll[3]]
    false_alarms, missed, during = [], [], 0
    for asked, answered_at, name, status, body in answered:
        moment = (round(asked - run.load_started, 1), name, status)
        if any(a <= asked and answered_at <= b for a, b in down):
            during += 1
            if status != 503:
                missed.append(moment)
        elif not any(asked <= b and a <= answered_at for a, b in near) and status != 200:
            false_alarms.append((*moment, body))
    run.results["health polls"] = len(answered)
    run.results["health wrong"] = len(false_alarms) + len(missed)
    if missed:
        run.failures.append(f"/health said all is well while Redis was down: {missed[:3]}")
    if faults and not during:
        run.failures.append("/health was not asked while Redis was down")
    if false_alarms:
        run.failures.append(f"/health raised false alarms: {false_alarms[:3]}")


def table(runs: list[Run]) -> str:
    keys = list(runs[0].results)
    width = max(map(len, keys)) + 2
    lines = [" " * width + "".join(f"{run.name:>22}" for run in runs)]
    for key in keys:
        lines.append(key.ljust(width) + "".join(f"{run.results.get(key)!s:>22}" for run in runs))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--sink-down", type=int, default=30, help="seconds the SMTP sink is down")
    parser.add_argument("--redis-down", type=int, default=5, help="seconds Redis is down")
    parser.add_argument("--cases", type=int, default=2000, help="cases seeded")
    parser.add_argument("--only", choices=("postgresql", "sqlite"), help="one of the two runs")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder and logs")
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL") or POSTGRES
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    root = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    runs, started = [], time.monotonic()
    try:
        if args.only != "sqlite":
            database_name = f"helpdesk_cluster_{os.getpid()}"
            url = setup.postgres_database(admin_url, database_name)
            try:
                label = "PostgreSQL+Redis, faults"
                runs.append(cluster_run(label, root, url, True, 2, args, admin_url=admin_url))
            finally:
                setup.drop_postgres_database(admin_url, database_name)
        if args.only != "postgresql":
            url = f"sqlite:///{root / 'sqlite' / 'host1' / 'helpdesk.db'}"
            runs.append(cluster_run("SQLite, no faults", root, url, False, 1, args, "sqlite"))
    finally:
        if not args.keep and all(not run.failures for run in runs):
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"\n{args.clients} clients, {args.seconds} s of load per run, "
        f"{time.monotonic() - started:.0f} s in all"
    )
    if runs:
        print(table(runs))
    for run in runs:
        for fault in run.faults:
            print(
                f"  {run.name}: {fault.name} at {fault.started - run.load_started:.1f} s "
                f"for {max(0, fault.ended - fault.started):.1f} s {fault.note}"
            )
    failures = [f"{run.name}: {failure}" for run in runs for failure in run.failures]
    for failure in failures:
        print("FAILED", failure)
    if failures:
        print(f"logs in {root}")
    return 1 if failures else 0


def cluster_run(label, root, url, faults, hosts, args, folder_name="postgresql", admin_url=""):
    run = None
    try:
        run = build(folder_name, root, url, faults, hosts, args)
        run.name, run.admin_url = label, admin_url
        exercise(run, args, faults)
        check(run, faults)
        return run
    finally:
        if run:
            stop_all(run)


if __name__ == "__main__":
    sys.exit(main())
