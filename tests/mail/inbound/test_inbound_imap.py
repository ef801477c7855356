"""The IMAP poller against a real Dovecot: mail appended over IMAP is taken, moved to the
done folder, and what failed lands in the failed folder with its reason recorded."""

import pytest

from helpdesk.cases.models import Event, EventKind
from helpdesk.mail.inbound import imap, tasks
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.products.models import Product
from tests.mail.imap_server import dovecot_server
from tests.mail.inbound.helpers import simple_mail


@pytest.fixture
def imap_server(tmp_path):
    with dovecot_server(tmp_path / "dovecot") as server:
        yield server


def test_the_poller_takes_mail_and_files_it_by_outcome(app, world, imap_server):
    reply = simple_mail(
        "mia.member@muster.example",
        f"AW: [#{world.case.call_id}] Drucker",
        "Über IMAP: läuft wieder.",
        message_id="<imap-reply@muster.example>",
    )
    robot = simple_mail(
        "mia.member@muster.example",
        "Abwesend",
        message_id="<imap-oof@muster.example>",
        headers="Auto-Submitted: auto-replied\n",
    )
    doomed = simple_mail(
        "paula.portal@muster.example", "Neue Frage", message_id="<imap-new@muster.example>"
    )
    for raw in (reply, robot, doomed):
        imap_server.append(raw)
    with app.app_context():
        Product.update(active=False).execute()  # a new case cannot be opened: it fails
        outcomes = imap.poll({**app.config, **imap_server.settings()})
        assert outcomes == {"taken": 1, "ignored": 1, "failed": 1}
        [message] = Event.select().where(
            (Event.case == world.case) & (Event.kind == EventKind.MESSAGE)
        )
        assert message.body == "Über IMAP: läuft wieder."
        failed = InboundMessage.get(InboundMessage.message_id == "<imap-new@muster.example>")
        assert failed.state == InboundState.FAILED and "no active product" in failed.reason

    assert imap_server.folder("INBOX") == []
    done = [raw for _flags, raw in imap_server.folder("Processed")]
    assert sorted(b"imap-reply" in raw or b"imap-oof" in raw for raw in done) == [True, True]
    [(_flags, kept)] = imap_server.folder("Failed")
    assert b"<imap-new@muster.example>" in kept


def test_starttls_and_no_done_folder_deletes_handled_mail(
    make_app, smtp_server, world, imap_server
):
    settings = imap_server.settings(
        IMAP_PORT=imap_server.imap_port,
        IMAP_USE_SSL=False,
        IMAP_USE_STARTTLS=True,
        IMAP_DONE_FOLDER=None,
    )
    app = make_app(**smtp_server.settings, **settings)
    imap_server.append(simple_mail("mia.member@muster.example", f"[#{world.case.call_id}] x"))
    tasks.poll_imap()  # the periodic job, run inline
    assert imap_server.folder("INBOX") == []
    with app.app_context():
        assert InboundMessage.get().state == InboundState.TAKEN


def test_the_server_certificate_is_checked(app, imap_server):
    settings = imap_server.settings(IMAP_CA_FILE=None)  # the system's store: self-signed fails
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        imap.poll({**app.config, **settings})
