"""German and English: the language chosen per request, the switch, and complete catalogues."""

import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from helpdesk.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "helpdesk" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
GERMAN = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"


def _catalog(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def _msgids(catalog) -> set:
    return {(message.id, message.context) for message in catalog if message.id}


# -- Choosing the language ---------------------------------------------------------------


def test_sign_in_page_in_german_for_a_german_browser(client):
    page = client.get("/sign-in", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Anmelden" in html
    assert "E-Mail-Adresse" in html
    assert "Sign in" not in html


@pytest.mark.parametrize("header", [{"Accept-Language": "en-GB,en;q=0.8"}, {}])
def test_sign_in_page_in_english_otherwise(client, header):
    html = client.get("/sign-in", headers=header).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "Anmelden" not in html


def test_form_errors_in_german(client):
    headers = {"Accept-Language": "de"}
    empty = client.post("/sign-in", data={"email": "", "password": ""}, headers=headers)
    assert "Dieses Feld wird benötigt." in empty.get_data(as_text=True)

    malformed = client.post("/sign-in", data={"email": "nobody", "password": "x"}, headers=headers)
    assert "Ungültige E-Mail-Adresse." in malformed.get_data(as_text=True)


def test_form_errors_in_english(client):
    page = client.post("/sign-in", data={"email": "", "password": ""})
    assert "This field is required." in page.get_data(as_text=True)


def test_switching_language_is_kept_in_the_session(client):
    english = {"Accept-Language": "en"}
    page = client.post("/language", data={"language": "de"}, headers=english, follow_redirects=True)
    assert page.request.path == "/sign-in"
    assert '<html lang="de">' in page.get_data(as_text=True)
    assert "Anmelden" in client.get("/sign-in", headers=english).get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["language"] == "de"


def test_switching_returns_to_the_page_it_came_from(client):
    page = client.post("/language", data={"language": "de", "next": "/sign-in?next=/portal"})
    assert page.status_code == 302
    assert page.location == "/sign-in?next=/portal"


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"language": "fr"}).status_code == 400


def test_signed_in_user_keeps_the_language_on_their_account(app, customer_client, demo_people):
    mia = demo_people["mia.member"]
    page = customer_client.post("/language", data={"language": "de"}, follow_redirects=True)
    assert "Meine Fälle" in page.get_data(as_text=True)
    with app.app_context():
        assert User.get_by_id(mia.id).language == "de"

    # A new session on another device, with an English browser, still speaks German.
    elsewhere = app.test_client().sign_in_as(mia)
    page = elsewhere.get("/portal", headers={"Accept-Language": "en"})
    assert "Meine Fälle" in page.get_data(as_text=True)


# -- The catalogues ----------------------------------------------------------------------


def test_german_catalogue_is_complete():
    catalog = _catalog(GERMAN)
    untranslated = [m.id for m in catalog if m.id and not all(_strings(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {GERMAN.name}: {untranslated}"
    assert not fuzzy, f"fuzzy (needs review) in {GERMAN.name}: {fuzzy}"


def test_german_catalogue_keeps_the_placeholders():
    problems = [
        f"{message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in _catalog(GERMAN).check()
    ]
    assert not problems


def test_german_catalogue_matches_the_template():
    """``make extract-messages`` updates the catalogue after extracting; both must have run."""
    assert _msgids(_catalog(GERMAN)) == _msgids(_catalog(TEMPLATE))


def test_template_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(_extract_command(output=fresh))
    added = _msgids(_catalog(fresh)) - _msgids(_catalog(TEMPLATE))
    removed = _msgids(_catalog(TEMPLATE)) - _msgids(_catalog(fresh))
    assert not (added or removed), (
        f"run `make extract-messages` and translate: new {sorted(map(str, added))}, "
        f"gone {sorted(map(str, removed))}"
    )


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _extract_command(output: Path) -> list[str]:
    """The Makefile's own ``pybabel extract`` line, writing to ``output``, so they never drift."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    args = shlex.split(line)
    args = args[args.index("extract") :]
    args[args.index("-o") + 1] = str(output)
    args[args.index("-F") + 1] = str(ROOT / args[args.index("-F") + 1])
    args[-1] = str(ROOT)
    return ["pybabel", "--quiet", *args]


def test_labels_follow_a_forced_language(app):
    from helpdesk.i18n import current_language, speaking
    from helpdesk.policy import Label

    label = Label("Fehler", "Fault")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(label) == "Fault" and current_language() == "en"
        with speaking("de"):
            assert str(label) == "Fehler"
        assert str(label) == "Fault"
