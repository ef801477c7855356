"""The admin's settings (issue 16): two-factor sign-in required for agents, and the vendor's
name, colour, logo and favicon in pages and mails; uploads re-encoded and served as
images only; every change audited."""

import io
import json

from PIL import Image

from helpdesk.accounts import two_factor
from helpdesk.accounts.models import User
from helpdesk.audit import AuditLog
from tests.accounts.test_two_factor import enable, sign_in


def picture(format="PNG", size=(600, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format=format)
    return out.getvalue()


def save(admin_client, **fields):
    data = {"name": "", "colour": "#1f5fbf", **fields}
    return admin_client.post("/admin/settings", data=data, content_type="multipart/form-data")


def test_the_page_is_for_admins_and_lists_every_setting(admin_client, agent_client):
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    for name in ("two_factor_for_agents", "name", "colour", "logo", "favicon"):
        assert f'name="{name}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert agent_client.get("/admin/settings").status_code == 404


def test_two_factor_required_sends_an_agent_without_it_to_set_it_up(app, admin_client, demo_people):
    assert save(admin_client, two_factor_for_agents="y").status_code == 302
    client = app.test_client()
    assert sign_in(client).headers["Location"] == "/"
    blocked = client.get("/queue")
    assert blocked.status_code == 303 and blocked.location == "/account/two-factor"
    assert client.post("/cases/columns", data={}).location == "/account/two-factor"
    assert client.get("/account/two-factor").status_code == 200
    # a customer is not asked
    customer = app.test_client().sign_in_as(demo_people["mia.member"])
    assert customer.get("/cases").status_code == 200
    # set up, the agent works; and cannot turn it off while it is required
    enable(client)
    assert client.get("/queue").status_code == 200
    client.post("/account/two-factor/disable", data={"password": "demo-password-for-tests"})
    with app.app_context():
        assert two_factor.enabled(User.get_by_id(demo_people["erik.first"].id))


def test_branding_shows_in_pages_and_mails_and_is_audited(app, admin_client, smtp_server):
    answer = save(
        admin_client,
        name="Muster Support",
        colour="#a83200",
        logo=(io.BytesIO(picture("JPEG")), "logo.jpg"),
        favicon=(io.BytesIO(picture(size=(300, 300))), "icon.png"),
    )
    assert answer.status_code == 302
    page = app.test_client().get("/sign-in").get_data(as_text=True)
    assert "Muster Support</a>" in page and "· Muster Support</title>" in page
    logo = page.split('<img src="')[1].split('"')[0].replace("&amp;", "&")
    assert logo.startswith("/brand/logo?v=")
    served = app.test_client().get(logo)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert Image.open(io.BytesIO(served.data)).size == (384, 128)  # re-encoded, made smaller
    assert '<link rel="icon" href="/brand/favicon?v=' in page
    css = app.test_client().get("/brand.css?v=a83200").get_data(as_text=True)
    assert css == ":root { --accent: #a83200; }\n"
    with app.app_context():
        [entry] = AuditLog.select().where(AuditLog.action == "settings.changed")
        assert json.loads(entry.after)["brand_name"] == "Muster Support"
        assert entry.actor.email == "ada.admin@vendor.example"


def test_branding_reaches_the_mail_layout(make_app, demo_people, smtp_server):
    app = make_app(**smtp_server.settings)
    admin = app.test_client().sign_in_as(demo_people["ada.admin"])
    save(admin, name="Muster Support", colour="#a83200")
    app.test_client().post("/forgot-password", data={"email": "mia.member@muster.example"})
    [mail] = smtp_server.messages
    html = mail.get_body(("html",)).get_content()
    assert "background:#a83200" in html and "Muster Support" in html


def test_a_refused_upload_or_colour_changes_nothing(app, admin_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    answer = save(admin_client, logo=(io.BytesIO(svg), "logo.svg"))
    assert answer.status_code == 422 and "not a PNG, JPEG, GIF or WebP" in answer.get_data(
        as_text=True
    )
    assert save(admin_client, colour="red; }").status_code == 422
    assert app.test_client().get("/brand/logo").status_code == 404
    assert app.test_client().get("/brand/script").status_code == 404
    with app.app_context():
        assert not AuditLog.select().where(AuditLog.action == "settings.changed").exists()


def test_removing_the_logo(app, admin_client):
    save(admin_client, logo=(io.BytesIO(picture()), "logo.png"))
    assert app.test_client().get("/brand/logo").status_code == 200
    save(admin_client, remove_logo="y")
    assert app.test_client().get("/brand/logo").status_code == 404
