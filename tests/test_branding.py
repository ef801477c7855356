"""Branding (issue 16): the vendor's name, colour, logo and favicon in pages and mails, from
the plugin (``helpdesk_branding``) or the settings."""

import pytest

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Branding, Label, PolicyError


class Plugin:
    def __init__(self, branding):
        self.branding = branding

    @hookimpl
    def helpdesk_branding(self):
        return self.branding


BRAND = Branding(
    name=Label("Muster Software Kundendienst", "Muster Software Support"),
    colour="#a83200",
    logo="/static/css/logo.svg",
    favicon="data:image/png;base64,iVBORw0KGgo=",
)


@pytest.mark.hook("helpdesk_branding")
def test_the_plugins_branding_shows_in_pages_and_mails(make_app, demo_people, smtp_server):
    app = make_app(Plugin(BRAND), **smtp_server.settings)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Muster Software Support</a>" in page and '<img src="/static/css/logo.svg"' in page
    assert '<link rel="icon" href="data:image/png;base64,iVBORw0KGgo=">' in page
    assert "· Muster Software Support</title>" in page
    css = client.get("/brand.css")
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.get_data(as_text=True) == ":root { --accent: #a83200; }\n"
    client.post("/forgot-password", data={"email": "mia.member@muster.example"})
    [mail] = smtp_server.messages
    html = mail.get_body(("html",)).get_content()
    assert "background:#a83200" in html and "Muster Software Support" in html


def test_the_settings_brand_a_portal_without_a_plugin_answer(make_app):
    app = make_app(BRAND_NAME="Hausverwaltung Hilfe", BRAND_COLOUR="#006644")
    page = app.test_client().get("/sign-in").get_data(as_text=True)
    assert "Hausverwaltung Hilfe</a>" in page
    assert app.test_client().get("/brand.css").get_data(as_text=True) == (
        ":root { --accent: #006644; }\n"
    )


@pytest.mark.parametrize(
    "branding",
    [
        Branding(colour="red; } body { display: none"),
        Branding(logo="https://tracker.example/logo.png"),
        Branding(favicon="//elsewhere.example/x.ico"),
    ],
)
def test_a_branding_that_could_inject_or_track_is_refused(make_app, branding):
    with pytest.raises(PolicyError):
        make_app(Plugin(branding))
