"""The outbox and the poller sign in with XOAUTH2 and tokens of the test provider."""

import imaplib
import smtplib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from helpdesk.identity import crypto, mailbox
from helpdesk.identity.models import MailboxToken
from helpdesk.mail import outbox, tasks, transport
from helpdesk.mail.inbound import imap
from helpdesk.mail.inbound import tasks as inbound_tasks
from helpdesk.mail.inbound.models import InboundMessage
from helpdesk.mail.models import OutboxMessage
from helpdesk.testing.oidc import XOAuth2SmtpServer
from helpdesk.timeutil import utcnow
from tests.mail.imap_server import USER, dovecot_server

# AUTH without TLS, on 127.0.0.1 in a test, on purpose (aiosmtpd warns of every connection).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

TEMPLATE = Path(__file__).resolve().parent / "dovecot-oauth2.conf.template"

MAILBOX = "support@vendor.example"


@pytest.fixture
def smtp_oauth(request, oidc_provider):
    """The SMTP server; parametrised indirectly with the mechanisms it advertises."""
    server = XOAuth2SmtpServer(
        oidc_provider, getattr(request, "param", XOAuth2SmtpServer.MECHANISMS)
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp_oauth):
    return make_app(**smtp_oauth.settings)


def set_up(purpose, provider, refresh_token=None, **values):
    settings = {
        "preset": "generic",
        "token_url": provider.issuer + "/token",
        "client_id": provider.client_id,
        "scope": "mail",
        "username": MAILBOX,
        **values,
    }
    return mailbox.save(purpose, settings, provider.client_secret, refresh_token)


@pytest.mark.parametrize(
    ("smtp_oauth", "used"),
    [
        (("XOAUTH2",), "XOAUTH2"),
        (("OAUTHBEARER",), "OAUTHBEARER"),
        (("XOAUTH2", "OAUTHBEARER"), "OAUTHBEARER"),  # the standard when both are offered
    ],
    indirect=["smtp_oauth"],
)
def test_the_outbox_delivers_with_the_mechanism_offered(app, smtp_oauth, oidc_provider, used):
    with app.app_context():
        set_up("smtp", oidc_provider)
        outbox.enqueue("mia.member@muster.example", "Hello", "Over OAuth2.")
    assert [m["Subject"] for m in smtp_oauth.messages] == ["Hello"]
    assert smtp_oauth.handler.logins == [MAILBOX]
    assert smtp_oauth.handler.mechanisms == [used]
    with app.app_context():
        row = MailboxToken.get()
        assert row.expires_at > utcnow() + timedelta(minutes=50)
        assert oidc_provider.client_secret not in row.client_secret
        assert crypto.decrypt(row.client_secret) == oidc_provider.client_secret


def test_a_dead_token_ends_the_oauthbearer_exchange_as_the_rfc_says(app, smtp_oauth, oidc_provider):
    with app.app_context():
        set_up("smtp", oidc_provider)
        assert mailbox.bearer("smtp") is not None
        oidc_provider.access_tokens.clear()  # the provider revoked it before it expired
        with pytest.raises(smtplib.SMTPAuthenticationError):
            transport.connect(app.config)
    assert smtp_oauth.handler.mechanisms == ["refused OAUTHBEARER, client replied b'\\x01'"]
    assert smtp_oauth.messages == []


def test_an_address_with_a_comma_is_escaped_in_oauthbearer():
    assert mailbox.oauthbearer("a,b=c@x.example", "tok", "smtp.x.example", 587) == (
        "n,a=a=2Cb=3Dc@x.example,\x01host=smtp.x.example\x01port=587\x01auth=Bearer tok\x01\x01"
    )


def test_without_a_token_nothing_is_sent_and_admins_are_told_once(
    app, smtp_oauth, oidc_provider, demo_people, client
):
    with app.app_context():
        set_up("smtp", oidc_provider, client_id="unknown-client")
        outbox.enqueue("mia.member@muster.example", "Hello", "Over OAuth2.")
        outbox.enqueue("mia.member@muster.example", "Again", "Over OAuth2.")
    with app.app_context():  # the mails went out (or not) as the context ended
        row = MailboxToken.get()
        assert "invalid_client" in row.last_error
        assert mailbox.problems() == {"smtp": row.last_error}
        # The job tells the admins once, whatever the number of failures.
        tasks.refresh_mail_tokens()
        tasks.refresh_mail_tokens()
        told = OutboxMessage.select().where(OutboxMessage.subject.contains("no OAuth2 token"))
        assert told.count() == 1
        assert "ada.admin@vendor.example" in told.get().recipients
    assert smtp_oauth.messages == []
    health = client.get("/health").get_json()
    assert health["mailboxes"]["ok"] is False
    assert "invalid_client" in health["mailboxes"]["problems"]["smtp"]


def test_the_job_renews_a_token_before_it_expires(app, oidc_provider):
    with app.app_context():
        row = set_up("smtp", oidc_provider)
        assert mailbox.refresh_due() == 1
        first = MailboxToken.get().access_token
        assert mailbox.refresh_due() == 0  # an hour left: nothing to do
        MailboxToken.update(expires_at=utcnow() + timedelta(minutes=5)).execute()
        assert mailbox.refresh_due() == 1
        assert MailboxToken.get().access_token != first
        assert row.last_error is None


def test_a_consents_refresh_token_is_used_and_rotated(app, oidc_provider):
    grant = oidc_provider.access_token({"sub": "mailbox", "email": MAILBOX}, "mail")
    with app.app_context():
        mailbox.save(
            "imap",
            {
                "preset": "generic",
                "token_url": oidc_provider.issuer + "/token",
                "client_id": oidc_provider.client_id,
                "scope": "mail",
                "username": MAILBOX,
            },
            oidc_provider.client_secret,
            grant["refresh_token"],
        )
        username, token = mailbox.bearer("imap")
        assert username == MAILBOX and oidc_provider.token_info(token)["email"] == MAILBOX
        stored = crypto.decrypt(MailboxToken.get().refresh_token)
        assert stored != grant["refresh_token"]  # the provider rotated it


DOVECOT_OAUTH2 = """introspection_mode = post
introspection_url = {url}
username_attribute = email
active_attribute = active
active_value = true
"""


@pytest.fixture
def dovecot_oauth2(request, tmp_path, oidc_provider):
    """Dovecot whose oauth2 password database asks the test provider about tokens;
    parametrised indirectly with the token mechanisms it offers (both by default)."""
    base = tmp_path / "dovecot"
    base.mkdir()
    url = oidc_provider.issuer + "/introspect"
    (base / "dovecot-oauth2.conf.ext").write_text(DOVECOT_OAUTH2.format(url=url))
    offered = getattr(request, "param", "xoauth2 oauthbearer")
    with dovecot_server(base, TEMPLATE, oauth_mechanisms=offered) as server:
        yield server


def consented_imap(provider, **values):
    """The IMAP connection with a consent's refresh token for the mailbox Dovecot knows as
    "portal"."""
    grant = provider.access_token({"sub": "mailbox", "email": USER}, "mail")
    set_up("imap", provider, grant["refresh_token"], username=USER, **values)


@pytest.mark.parametrize(
    ("dovecot_oauth2", "used"),
    [
        ("xoauth2", "XOAUTH2"),
        ("oauthbearer", "OAUTHBEARER"),
        ("xoauth2 oauthbearer", "OAUTHBEARER"),
    ],
    indirect=["dovecot_oauth2"],
)
def test_the_poller_fetches_with_the_mechanism_offered(
    app, oidc_provider, dovecot_oauth2, demo_people, tmp_path, used
):
    mail = (
        b"From: mia.member@muster.example\r\nTo: support@vendor.example\r\n"
        b"Subject: Over XOAUTH2\r\nMessage-ID: <xoauth2@muster.example>\r\n\r\nHello.\r\n"
    )
    dovecot_oauth2.append(mail)
    with app.app_context():
        consented_imap(oidc_provider)
        settings = {**app.config, **dovecot_oauth2.settings(IMAP_PASSWORD="not-the-password")}
        outcomes = imap.poll(settings)
    assert sum(outcomes.values()) == 1
    assert dovecot_oauth2.folder("INBOX") == []
    with app.app_context():
        assert InboundMessage.get().message_id == "<xoauth2@muster.example>"
    # The fixture's own logins (to put the mail there and to look) use a password.
    logins = [line for line in dovecot_log(tmp_path) if "Login: user=<portal>" in line]
    by_token = [line for line in logins if "method=PLAIN," not in line]
    assert len(by_token) == 1 and f"method={used}," in by_token[0], logins


def test_the_poller_job_runs_for_a_connection_with_its_own_server(
    app, oidc_provider, dovecot_oauth2, demo_people
):
    server = dovecot_oauth2.settings()
    app.config.update(IMAP_HOST="", IMAP_CA_FILE=server["IMAP_CA_FILE"])  # none configured
    dovecot_oauth2.append(
        b"From: mia.member@muster.example\r\nTo: support@vendor.example\r\n"
        b"Subject: Own server\r\nMessage-ID: <own-server@muster.example>\r\n\r\nHello.\r\n"
    )
    with app.app_context():
        consented_imap(
            oidc_provider, host=server["IMAP_HOST"], port=server["IMAP_PORT"], security="ssl"
        )
        inbound_tasks.poll_imap()  # the periodic job, run inline
    assert dovecot_oauth2.folder("INBOX") == []
    with app.app_context():
        assert InboundMessage.get().message_id == "<own-server@muster.example>"


def dovecot_log(tmp_path) -> list[str]:
    return (tmp_path / "dovecot" / "dovecot.log").read_text().splitlines()


def test_a_dead_token_is_refused_by_dovecot(app, oidc_provider, dovecot_oauth2):
    with app.app_context():
        set_up("imap", oidc_provider, username=USER)  # client credentials: no mailbox claim
        settings = {**app.config, **dovecot_oauth2.settings()}
        with pytest.raises(imaplib.IMAP4.error):
            imap.poll(settings)


def test_the_admin_page_sets_up_and_tests_a_connection(
    app, admin_client, oidc_provider, smtp_oauth
):
    form = {
        "smtp-preset": "generic",
        "smtp-token_url": oidc_provider.issuer + "/token",
        "smtp-client_id": oidc_provider.client_id,
        "smtp-client_secret": oidc_provider.client_secret,
        "smtp-scope": "mail",
        "smtp-username": MAILBOX,
    }
    assert admin_client.post("/admin/mailboxes/smtp", data=form).status_code == 302
    page = admin_client.post("/admin/mailboxes/smtp/test").get_data(as_text=True)
    assert "Test passed: a token came and the mail server took it." in page
    assert oidc_provider.client_secret not in admin_client.get("/admin/mailboxes").get_data(
        as_text=True
    )
    oidc_provider.client_secret = "rotated-at-the-provider"
    page = admin_client.post("/admin/mailboxes/smtp/test").get_data(as_text=True)
    assert "Test failed: The provider refused a token: invalid_client" in page
    assert "The last renewal failed:" in admin_client.get("/admin/mailboxes").get_data(as_text=True)


def test_presets_fill_the_token_address_and_scopes(app, admin_client):
    form = {
        "imap-preset": "microsoft365",
        "imap-tenant": "contoso-tenant",
        "imap-client_id": "app-id",
        "imap-client_secret": "app-secret",
        "imap-username": "support@contoso.example",
    }
    assert admin_client.post("/admin/mailboxes/imap", data=form).status_code == 302
    with app.app_context():
        row = MailboxToken.get(MailboxToken.purpose == "imap")
        assert row.token_url == (
            "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token"
        )
        assert row.scope == "https://outlook.office365.com/.default"
    missing = admin_client.post("/admin/mailboxes/smtp", data={"smtp-preset": "microsoft365"})
    assert missing.status_code == 422
    assert "Please give the client secret." in missing.get_data(as_text=True)


def test_presets_fill_the_mail_server_and_the_admin_may_change_it(app, admin_client):
    def save(purpose, preset, **fields):
        form = {
            f"{purpose}-preset": preset,
            f"{purpose}-token_url": "https://login.example/token",
            f"{purpose}-client_id": "app-id",
            f"{purpose}-client_secret": "app-secret",
            f"{purpose}-username": "support@contoso.example",
            **{f"{purpose}-{name}": value for name, value in fields.items()},
        }
        return admin_client.post(f"/admin/mailboxes/{purpose}", data=form)

    def server(purpose):
        with app.app_context():
            row = MailboxToken.get(MailboxToken.purpose == purpose)
            return row.host, row.port, row.security

    assert save("imap", "microsoft365").status_code == 302
    assert server("imap") == ("outlook.office365.com", 993, "ssl")
    assert save("smtp", "microsoft365").status_code == 302
    assert server("smtp") == ("smtp.office365.com", 587, "starttls")
    page = admin_client.get("/admin/mailboxes").get_data(as_text=True)
    assert 'value="smtp.office365.com"' in page and 'value="587"' in page  # in the form
    assert "imap.gmail.com:993 SSL/TLS" in page and "smtp.gmail.com:587 STARTTLS" in page
    # The admin's own values win over the preset's, part by part.
    assert save("smtp", "google", host="").status_code == 302
    assert server("smtp") == ("smtp.gmail.com", 587, "starttls")
    assert save("smtp", "google", port="465", security="ssl").status_code == 302
    assert server("smtp") == ("smtp.gmail.com", 465, "ssl")
    assert save("imap", "google", host="imap.relay.example").status_code == 302
    assert server("imap") == ("imap.relay.example", 993, "ssl")
    # Without a preset a server needs its port and security; none at all: the configuration's.
    refused = save("imap", "generic", host="imap.relay.example")
    assert refused.status_code == 422
    assert "Please give the port and the security" in refused.get_data(as_text=True)
    assert save("imap", "generic").status_code == 302
    assert server("imap") == ("", None, "")
    with app.app_context():
        assert mailbox.server("imap", app.config)[0] == app.config["IMAP_HOST"]


def test_the_outbox_uses_the_connections_own_server(app, smtp_oauth, oidc_provider):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    with app.app_context():
        set_up("smtp", oidc_provider, host="127.0.0.1", port=smtp_oauth.port, security="none")
        outbox.enqueue("mia.member@muster.example", "Hello", "To the connection's server.")
    assert [m["Subject"] for m in smtp_oauth.messages] == ["Hello"]


def test_the_admins_consent_brings_a_refresh_token(app, admin_client, oidc_provider):
    with app.app_context():
        set_up("imap", oidc_provider, username=USER, authorize_url=oidc_provider.issuer + "/auth")
    response = admin_client.post("/admin/mailboxes/imap/consent")
    assert response.location.startswith(oidc_provider.issuer + "/auth?")
    oidc_provider.sign_in_as(USER, sub="mailbox")  # the mailbox's user consents
    back = requests.get(response.location, allow_redirects=False, timeout=5)
    answer = urlsplit(back.headers["Location"])
    assert answer.path == "/admin/mailboxes/consent"
    done = admin_client.get(f"{answer.path}?{answer.query}")
    assert done.status_code == 302
    page = admin_client.get("/admin/mailboxes").get_data(as_text=True)
    assert "Consent stored" in page
    with app.app_context():
        row = MailboxToken.get()
        assert row.refresh_token and row.last_error is None
        _username, token = mailbox.bearer("imap")
        assert oidc_provider.token_info(token)["email"] == USER
    # The same answer once more finds no consent under way.
    again = admin_client.get(f"{answer.path}?{answer.query}")
    assert "Please start again" in admin_client.get(again.location).get_data(as_text=True)


def test_the_page_lets_its_consent_form_go_to_the_provider(app, admin_client, oidc_provider):
    with app.app_context():
        set_up("imap", oidc_provider, username=USER)
    policy = admin_client.get("/admin/mailboxes").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_provider.issuer};" in policy


def test_the_consent_goes_where_the_provider_metadata_says(
    app, admin_client, oidc_provider, sso_provider
):
    oidc_provider.authorization_path = "/auth"  # not the token address's /token -> /authorize
    with app.app_context():
        set_up("imap", oidc_provider, username=USER)
    # Without metadata and without an address given: a clear error, no consent under way.
    refused = admin_client.post("/admin/mailboxes/imap/consent")
    assert refused.location == "/admin/mailboxes"
    page = admin_client.get(refused.location).get_data(as_text=True)
    assert "Please give the authorize address" in page
    # A sign-in provider with this issuer: its metadata names the address.
    sso_provider()
    response = admin_client.post("/admin/mailboxes/imap/consent")
    assert response.location.startswith(oidc_provider.issuer + "/auth?")
    with app.app_context():
        assert mailbox.authorize_url(MailboxToken.get()) == oidc_provider.issuer + "/auth"


def test_the_admin_gives_the_authorize_address(app, admin_client, oidc_provider):
    form = {
        "imap-preset": "generic",
        "imap-token_url": oidc_provider.issuer + "/token",
        "imap-authorize_url": "http://elsewhere.example/authorize",
        "imap-client_id": oidc_provider.client_id,
        "imap-client_secret": oidc_provider.client_secret,
        "imap-username": MAILBOX,
    }
    refused = admin_client.post("/admin/mailboxes/imap", data=form)
    assert refused.status_code == 422  # https only, and what was typed stays
    assert "http://elsewhere.example/authorize" in refused.get_data(as_text=True)
    form["imap-authorize_url"] = oidc_provider.issuer + "/auth"  # the test provider: loopback
    assert admin_client.post("/admin/mailboxes/imap", data=form).status_code == 302
    response = admin_client.post("/admin/mailboxes/imap/consent")
    assert response.location.startswith(oidc_provider.issuer + "/auth?")
