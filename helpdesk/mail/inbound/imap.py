"""The IMAP poller (MAIL-4): takes every mail in ``IMAP_FOLDER`` and moves it away.

Each mail goes through ``intake.receive`` and then to ``IMAP_DONE_FOLDER`` (or is flagged
seen and deleted when that is empty); a mail that failed goes to ``IMAP_FAILED_FOLDER``, with
its reason recorded on the inbound message the admin page lists. When the database does not
answer, the mail stays where it is and the poll stops: the next one, a minute later, tries
again. Two pollers at once are harmless: the Message-ID keeps the second copy out.

The connection is IMAPS, or plain upgraded with STARTTLS, and checks the server's
certificate against the system's trust store (or ``IMAP_CA_FILE``).
"""

import imaplib
import logging
import ssl
from collections import Counter

from helpdesk.identity import mailbox
from helpdesk.mail.inbound import intake
from helpdesk.mail.inbound.models import InboundState

log = logging.getLogger(__name__)


def connect(config) -> imaplib.IMAP4:
    host, port, security = mailbox.server("imap", config)
    timeout = config["IMAP_TIMEOUT"]
    context = ssl.create_default_context(cafile=config["IMAP_CA_FILE"] or None)
    if security == "ssl":
        connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
    else:
        connection = imaplib.IMAP4(host, port, timeout=timeout)
    try:
        if security == "starttls":
            connection.starttls(ssl_context=context)
        try:
            oauth = mailbox.bearer("imap")  # OAuth2 when an admin set it up (issue 20)
        except mailbox.TokenError as error:
            raise imaplib.IMAP4.error(f"no OAuth2 token: {error}") from error
        if oauth is not None:
            offered = [c[5:] for c in connection.capabilities if c.startswith("AUTH=")]
            chosen = mailbox.mechanism(offered)
            connection.authenticate(chosen, mailbox.responder(chosen, *oauth, host, port))
        else:
            connection.login(config["IMAP_USERNAME"] or "", config["IMAP_PASSWORD"] or "")
    except BaseException:
        connection.shutdown()
        raise
    return connection


def poll(config) -> Counter:
    """Take up to ``IMAP_BATCH`` mails from the mailbox; returns how many ended how."""
    outcomes = Counter()
    connection = connect(config)
    try:
        for folder in (config["IMAP_DONE_FOLDER"], config["IMAP_FAILED_FOLDER"]):
            if folder:
                connection.create(_quoted(folder))  # answers NO when it exists: fine
        _check(connection.select(_quoted(config["IMAP_FOLDER"])))
        uids = _check(connection.uid("SEARCH", None, "UNDELETED"))[0].split()
        can_move = b"MOVE" in _check(connection.capability())[0].upper().split()
        for uid in uids[: config["IMAP_BATCH"]]:
            raw = _fetch(connection, uid)
            if raw is None:
                continue
            try:
                outcome = intake.receive(raw, "imap")
            except intake.TEMPORARY:
                log.warning("imap: the database does not answer; trying again next poll")
                outcomes["deferred"] += 1
                break
            failed = outcome.state == InboundState.FAILED
            folder = config["IMAP_FAILED_FOLDER" if failed else "IMAP_DONE_FOLDER"]
            _file(connection, uid, folder, can_move)
            outcomes["duplicate" if outcome.duplicate else outcome.state.value] += 1
        connection.expunge()
        connection.close()
    finally:
        connection.logout()
    return outcomes


def _fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"))
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None  # expunged by someone else meanwhile


def _file(connection: imaplib.IMAP4, uid: bytes, folder: str | None, can_move: bool) -> None:
    """Move the mail to ``folder``; without one, flag it seen and deleted."""
    if folder:
        if can_move:
            _check(connection.uid("MOVE", uid, _quoted(folder)))
            return
        _check(connection.uid("COPY", uid, _quoted(folder)))
    _check(connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)"))


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(answer):
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{status}: {data!r}")
    return data
