"""``helpdesk.testing``, the pytest plugin a plugin author's tests use (PLUG-4): installed by
entry point, cheap to import, outside the app's imports, and each helper does what it says."""

import ast
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

import helpdesk.testing
from helpdesk.cases.models import Case
from helpdesk.hookspecs import hookimpl
from helpdesk.policy import CaseType, Label
from tests.conftest import ROOT


def test_the_plugin_is_loaded_by_its_entry_point(pytestconfig):
    assert pytestconfig.pluginmanager.get_plugin("helpdesk") is helpdesk.testing


def test_importing_the_plugin_loads_neither_flask_nor_the_database():
    """pytest imports it in every run in the environment, whatever is tested."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, helpdesk.testing; print(' '.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = [m for m in loaded if m.split(".")[0] in ("flask", "peewee", "psycopg", "aiosmtpd")]
    assert not heavy
    assert [m for m in loaded if m.startswith("helpdesk")] == [
        "helpdesk",
        "helpdesk.hookspecs",
        "helpdesk.testing",
    ]


def test_the_app_never_imports_the_test_helpers():
    importers = []
    for path in (ROOT / "helpdesk").rglob("*.py"):
        if "testing" in path.relative_to(ROOT / "helpdesk").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            if any(name.startswith("helpdesk.testing") for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert not importers


def test_open_case_opens_through_the_service_as_the_person(open_case, demo_people):
    case = open_case("mia.member", subject="Drucker druckt nicht")
    assert case.requester_id == demo_people["mia.member"].id
    assert case.subject == "Drucker druckt nicht"
    assert case.call_id and case.status == "new"  # numbered and routed as every channel does


def test_open_case_follows_an_app_of_the_test(make_app, open_case):
    """Inside the app context of a plugin's app, the case is that vendor's."""
    from helpdesk import demo

    class Types:
        @hookimpl
        def helpdesk_case_types(self):
            return [CaseType("outage", Label("Ausfall", "Outage"))]

    app = make_app(Types())
    with app.app_context():
        demo.load(password="irrelevant-here")
        case = open_case("mia.member")
        assert Case.get_by_id(case.id).case_type == "outage"


def test_open_case_without_products_says_what_is_missing(app, open_case):
    from helpdesk.accounts.models import Organisation, User

    with app.app_context():
        organisation = Organisation.create(name="Ohne Produkte AG")
        user = User.create(email="o@ohne.example", name="O", organisation=organisation)
        with pytest.raises(LookupError, match="demo data"):
            open_case(user)


def test_the_mail_catcher_receives_what_the_portal_sends(make_app, smtp_server, open_case):
    from helpdesk import demo

    app = make_app(**smtp_server.settings)
    with app.app_context():
        demo.load(password="irrelevant-here")
        case = open_case("mia.member")
        assert smtp_server.messages == []  # handed over when the app context ends
    [mail] = smtp_server.messages_to("mia.member@muster.example")
    assert case.call_id in mail["Subject"]


def test_the_clock_stands_where_it_is_put_and_moves_on(clock):
    assert clock.at("2026-11-30T09:00:00") == datetime(2026, 11, 30, 9, 0)
    assert clock.now() == datetime(2026, 11, 30, 9, 0)  # stopped, not ticking
    assert clock.advance(hours=2) == datetime(2026, 11, 30, 11, 0)
    assert clock.advance(timedelta(days=1)) == datetime(2026, 12, 1, 11, 0)
    clock.stop()
    assert clock.now().year >= 2026 and clock.now() != datetime(2026, 12, 1, 11, 0)
