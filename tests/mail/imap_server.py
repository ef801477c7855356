"""A real IMAP server for the poller's tests: Debian's Dovecot as a child process.

``dovecot_server(tmp_path)`` writes ``dovecot.conf.template`` (beside this file) into a fresh
folder with a self-signed certificate for 127.0.0.1 (openssl), a passwd-file user and free
ports, starts ``dovecot -F`` and waits until it accepts connections. Dovecot refuses to hand
a mailbox to root, so when the tests run as root the mail belongs to the ``dovecot`` user,
in a folder of its own that user can enter. Without Dovecot the tests are skipped, or fail
when ``CI=true`` (``.ci/run`` installs ``dovecot-imapd``).
"""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pytest

from helpdesk.testing.mail import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
TEMPLATE = Path(__file__).resolve().parent / "dovecot.conf.template"
USER, PASSWORD = "portal", "imap-secret"
START_SECONDS = 30


@dataclass
class ImapServer:
    imap_port: int
    imaps_port: int
    ca_file: str

    def settings(self, **overrides) -> dict:
        """The portal's IMAP_* settings for this server (IMAPS unless overridden)."""
        settings = {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": self.imaps_port,
            "IMAP_USE_SSL": True,
            "IMAP_USE_STARTTLS": False,
            "IMAP_CA_FILE": self.ca_file,
            "IMAP_USERNAME": USER,
            "IMAP_PASSWORD": PASSWORD,
            "IMAP_TIMEOUT": 10,
        }
        settings.update(overrides)
        return settings

    def connect(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=self.ca_file)
        connection = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context)
        connection.login(USER, PASSWORD)
        return connection

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            status, _ = connection.append(folder, None, None, raw)
            assert status == "OK"
        finally:
            connection.logout()

    def folder(self, name: str) -> list[tuple[bytes, bytes]]:
        """``(flags, message)`` of every mail in folder ``name``."""
        connection = self.connect()
        try:
            status, _ = connection.select(f'"{name}"', readonly=True)
            if status != "OK":
                return []
            _, data = connection.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = connection.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                found.append((parts[0][0], parts[0][1]))
            return found
        finally:
            connection.logout()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _users() -> dict:
    """Who Dovecot's processes and the mailbox run as."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        login = "dovenull" if _exists("dovenull") else "dovecot"
        return {
            "internal_user": "root",
            "internal_group": "root",
            "login_user": login,
            "mail_uid": mail.pw_uid,
            "mail_gid": mail.pw_gid,
        }
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid()).gr_name
    return {
        "internal_user": me.pw_name,
        "internal_group": group,
        "login_user": me.pw_name,
        "mail_uid": me.pw_uid,
        "mail_gid": os.getegid(),
    }


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


@contextmanager
def dovecot_server(base: Path, template: Path = TEMPLATE, **values):
    """Dovecot by ``template``; ``values`` fill its placeholders beyond the usual ones."""
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DOVECOT} is missing: install dovecot-imapd (see .ci/run)")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    base.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem"),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    users = _users()
    mail_home = Path(tempfile.mkdtemp(prefix="helpdesk-imap-"))
    try:
        os.chown(mail_home, users["mail_uid"], users["mail_gid"])
        with _running(base, mail_home, users, template, values) as server:
            yield server
    finally:
        shutil.rmtree(mail_home, ignore_errors=True)


@contextmanager
def _running(base: Path, mail_home: Path, users: dict, template: Path, values: dict):
    server = ImapServer(free_port(), free_port(), str(base / "cert.pem"))
    config = base / "dovecot.conf"
    config.write_text(
        Template(template.read_text()).substitute(
            base=base,
            mail_home=mail_home,
            imap_port=server.imap_port,
            imaps_port=server.imaps_port,
            **users,
            **values,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (_accepts(server.imap_port) and _accepts(server.imaps_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                pytest.fail(f"dovecot did not start: {process.stdout.read().decode()}{log}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
