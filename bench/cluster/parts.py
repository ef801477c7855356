"""The processes of the cluster: app servers, job consumers, Redis, the SMTP sink, the proxy.

Each part runs in its own process group, so that killing it (SIGKILL, as a host dies) takes
its children along; ``restart`` starts the same command again on the same port.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: Worker processes per job consumer (as ``flask --app wsgi serve`` starts it).
CONSUMER_WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


class Part:
    """One restartable process; its output goes to ``log``."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict | None = None):
        self.name, self.command, self.log, self.env = name, command, log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> "Part":
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                self.command,
                env=dict(os.environ, **(self.env or {})),
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group, as if the host had died."""
        self._signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, seconds: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def pids(self) -> list[int]:
        """The group's processes (the consumer's threads share its pid)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.process.pid:
                        found.append(int(entry.name))
                except ProcessLookupError:
                    continue
        return found


def app_server(name: str, folder: Path, port: int, log: Path) -> Part:
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--log-level",
        "warning",
        "--no-control-socket",
        "wsgi:app",
    ]
    part = Part(name, command, log, {"HELPDESK_INSTANCE": str(folder)})
    part.port = port
    return part


def consumer(name: str, folder: Path, log: Path) -> Part:
    """The job consumer as ``flask --app wsgi serve`` (``make run``) starts it."""
    command = [str(BIN / "huey_consumer"), "helpdesk.worker.huey"]
    command += ["--workers", str(CONSUMER_WORKERS)]
    command += ["--worker-type", "process"]
    return Part(name, command, log, {"HELPDESK_INSTANCE": str(folder)})


def redis(port: int, log: Path) -> Part:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--daemonize", "no"]
    part = Part("redis", command, log)
    part.port = port
    return part


def sink(port: int, messages: Path, log: Path) -> Part:
    part = Part("smtp sink", [sys.executable, "-m", "bench.cluster.sink", str(port)], log)
    part.command.append(str(messages))
    part.port = port
    return part


def proxy(port: int, backends: list[int], log: Path) -> Part:
    command = [sys.executable, "-m", "bench.cluster.proxy", str(port), *map(str, backends)]
    part = Part("proxy", command, log)
    part.port = port
    return part


def wait_healthy(port: int, seconds: float = 90) -> None:
    """Until the server's ``/health`` answers at all (200 or 503: it runs)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app server on port {port} did not start")


def connected_to(part: Part, port: int) -> bool:
    """Whether one of ``part``'s processes holds a TCP connection to ``port`` (the sink's)."""
    inodes = set()
    for pid in part.pids():
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and fields[3] == "01" and fields[9] in inodes:
            return True
    return False
