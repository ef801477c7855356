"""The demo's mail (issue 16): the catcher accepts what the outbox sends, and an admin reads
every sent mail on the outbox page with its links clickable, so a password reset can be
finished from there."""

import re
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

from helpdesk.mail.models import OutboxMessage

MIA = "mia.member@muster.example"


def test_an_admin_reads_a_sent_mail_and_follows_its_link(app, demo_people, client, smtp_server):
    client.post("/forgot-password", data={"email": MIA})
    admin = app.test_client().sign_in_as(demo_people["ada.admin"])
    with app.app_context():
        message = OutboxMessage.get(OutboxMessage.subject == "Choose a new password")
    listing = admin.get("/admin/outbox").get_data(as_text=True)
    assert f'href="/admin/outbox/{message.id}"' in listing
    page = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert MIA in page
    link = re.search(r'<a href="(http[^"]+/reset/[^"]+)"', page).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert "Choose a new password" in client.get("/" + path).get_data(as_text=True)


def test_the_html_part_is_served_alone_and_sandboxed(app, demo_people, smtp_server):
    admin = app.test_client().sign_in_as(demo_people["ada.admin"])
    raw = EmailMessage()
    raw["Subject"], raw["From"], raw["To"] = "Hello", "support@localhost", MIA
    raw.set_content("Plain https://example.org/a")
    raw.add_alternative(
        '<p>Hi <a href="https://example.org/a">link</a><script>x()</script></p>', subtype="html"
    )
    with app.app_context():
        message = OutboxMessage.create(
            message_id="<t@localhost>",
            sender="support@localhost",
            recipients=f'["{MIA}"]',
            subject="Hello",
            raw=raw.as_string(),
        )
    response = admin.get(f"/admin/outbox/{message.id}/html")
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "script-src" not in policy
    assert "default-src 'none'" in policy
    page = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert '<a href="https://example.org/a" rel="noopener noreferrer">' in page
    assert f'href="/admin/outbox/{message.id}/html"' in page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_mail_catcher_accepts_mail():
    port = _free_port()
    catcher = subprocess.Popen(
        [sys.executable, "-m", "helpdesk.mail.catcher", "127.0.0.1", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "mail catcher on" in catcher.stdout.readline()
        for _ in range(50):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    refused = smtp.sendmail("a@localhost", [MIA], "Subject: x\r\n\r\nHi\r\n")
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        assert refused == {}
    finally:
        catcher.terminate()
        assert catcher.wait(timeout=10) == 0


def test_a_mail_with_only_a_text_template_gets_its_html_part(client, demo_people, smtp_server):
    client.post("/forgot-password", data={"email": MIA})
    [mail] = [m for m in smtp_server.messages if MIA in m["To"]]
    html = mail.get_body(("html",)).get_content()
    assert '<a href="http://localhost:5000/reset/' in html
    assert "Support portal" in html and "<title>Choose a new password</title>" in html
