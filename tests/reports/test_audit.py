"""The audit log (REP-2): a row for every kind of change, the page's filters, the retention
prune, and append-only: nothing but the prune ever updates or deletes a row."""

import ast
import re
from urllib.parse import urlsplit

import pyotp
import pytest

from helpdesk import audit
from helpdesk.accounts import invitations, registration, two_factor
from helpdesk.audit import AuditLog
from helpdesk.reports import tasks
from helpdesk.sla import service as sla_service
from tests.accounts.conftest import pending_person
from tests.conftest import ROOT


@pytest.fixture
def mailing(make_app, smtp_server):
    app = make_app(**smtp_server.settings)
    from helpdesk import demo

    with app.app_context():
        demo.load(password="x" * 12)
    return app


def _actions(app) -> list[str]:
    with app.app_context():
        return [row.action for row in AuditLog.select().order_by(AuditLog.id)]


def _person(name):
    from helpdesk.testing.cases import person

    return person(name)


def test_every_kind_of_change_writes_its_row(mailing, smtp_server):
    app = mailing
    with app.app_context():
        paula, ada = _person("paula.portal"), _person("ada.admin")
        first = invitations.invite(paula, "Neo", "neo@muster.example", "member")
        invitations.revoke(paula, first)
        invitations.invite(paula, "Neo", "neo@muster.example", "member")
    [*_old, mail] = [m for m in smtp_server.messages if "neo@muster.example" in m["To"]]
    body = mail.get_body(("plain",)).get_content()
    secret = urlsplit(re.findall(r"http://localhost:5000/\S+", body)[0]).path.split("/")[-1]
    with app.app_context():
        state, neo = invitations.accept(secret, "Neo Kollege", "glimmering-otter-42")
        assert neo is not None, state
        registration.approve(ada, pending_person("new@elsewhere.example"), None, "Elsewhere")
        registration.reject(ada, pending_person("no@elsewhere.example"))
        secret = two_factor.new_secret()
        codes = two_factor.enable(ada, secret, pyotp.TOTP(secret).now())
        assert two_factor.verify(ada, codes[0])
        two_factor.disable(ada)
        sla_service.save_calendar(
            {"name": "short", "timezone": "Europe/Vienna", "hours": {"mon": ["08:00-12:00"]}}, ada
        )
        sla_service.reset_calendar(ada)
    assert _actions(app) == [
        "invitation.sent",
        "invitation.revoked",
        "invitation.sent",
        "invitation.accepted",
        "registration.approved",
        "registration.rejected",
        "two_factor.enabled",
        "two_factor.recovery_code_used",
        "two_factor.disabled",
        "calendar.changed",
        "calendar.reset",
    ]
    with app.app_context():
        sent = AuditLog.get(AuditLog.action == "invitation.accepted")
        assert sent.organisation_id == paula.organisation_id and sent.actor_id == neo.id
        assert AuditLog.get(AuditLog.action == "calendar.changed").after_values["calendar"]


def test_the_audit_page_filters_by_person_organisation_kind_and_period(mailing, clock):
    app = mailing
    with app.app_context():
        paula, ada, martin = _person("paula.portal"), _person("ada.admin"), _person("martin.main")
        clock.at("2026-02-10T10:00:00")
        audit.record(ada, "user.rights", martin, {"is_admin": False}, {"is_admin": True})
        clock.at("2026-03-10T10:00:00")
        audit.record(paula, "user.disabled", martin, None, None)
        audit.record(ada, "calendar.reset", ada, None, None)
        assert [r.action for r in audit.entries(actor_id=paula.id)] == ["user.disabled"]
        assert [r.action for r in audit.entries(kind="user")] == ["user.disabled", "user.rights"]
        assert [r.action for r in audit.entries(kind="calendar.reset")] == ["calendar.reset"]
        march = audit.entries(start=clock.at("2026-03-01T00:00:00"))
        assert [r.action for r in march] == ["calendar.reset", "user.disabled"]
        assert [r.action for r in audit.entries(organisation_id=martin.organisation_id)] == [
            "user.disabled",
            "user.rights",
        ]
    client = app.test_client().sign_in_as(ada)
    page = client.get(f"/audit?person={paula.id}&kind=user&start=2026-03-01&end=2026-03-31")
    rows = page.get_data(as_text=True).split("<tbody>")[1]
    assert "User disabled" in rows and "Rights changed" not in rows
    assert client.get("/audit?end=9999-12-31").status_code == 422
    bad = client.get("/audit?start=yesterday")
    assert bad.status_code == 422 and 'id="audit-problems"' in bad.get_data(as_text=True)
    # a portal admin's page stays their organisation's whatever the query says
    own = app.test_client().sign_in_as(paula).get("/audit?organisation=999").get_data(as_text=True)
    assert "User disabled" in own.split("<tbody>")[1]


def test_the_retention_job_prunes_only_older_rows(make_app, clock):
    app = make_app(AUDIT_RETENTION_DAYS=30)
    with app.app_context():
        from helpdesk import demo

        demo.load(password="x" * 12)
        ada = _person("ada.admin")
        clock.at("2026-01-01T10:00:00")
        audit.record(ada, "calendar.reset", ada, None, None)
        clock.at("2026-02-15T10:00:00")
        audit.record(ada, "calendar.reset", ada, None, None)
        clock.at("2026-03-01T10:00:00")
        assert tasks.prune_audit_log.call_local() == 1
        assert [r.created_at.month for r in AuditLog.select()] == [2]
        app.config["AUDIT_RETENTION_DAYS"] = 0
        clock.advance(days=400)
        assert tasks.prune_audit_log.call_local() == 0
        assert AuditLog.select().count() == 1


def _writes_to_audit_rows(tree) -> list[str]:
    """Every ``AuditLog.update``/``.delete``/``delete_instance``/``save`` of a loaded row and
    every raw UPDATE or DELETE of ``audit_log`` in a module."""
    found = []
    writes = ("update", "delete", "replace", "insert_or_replace")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in writes
            and isinstance(node.value, ast.Name)
            and node.value.id == "AuditLog"
        ):
            found.append(f"AuditLog.{node.attr} at line {node.lineno}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.search(r"(update|delete\s+from)\s+\"?audit_log", node.value, re.I)
        ):
            found.append(f"raw SQL at line {node.lineno}")
    return found


def test_the_log_is_append_only():
    """No module but ``audit.prune`` (the retention) updates or deletes audit rows."""
    offenders = []
    for path in (ROOT / "helpdesk").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for finding in _writes_to_audit_rows(ast.parse(path.read_text())):
            offenders.append(f"{path.relative_to(ROOT)}: {finding}")
    assert offenders == [f"helpdesk/audit.py: AuditLog.delete at line {_prune_line()}"]


def _prune_line() -> int:
    source = (ROOT / "helpdesk" / "audit.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "delete":
            return node.lineno
    raise AssertionError("no prune")


def test_the_append_only_check_finds_a_write():
    tree = ast.parse(
        'AuditLog.update(action="x").execute()\ndb.execute_sql("DELETE FROM audit_log")'
    )
    assert len(_writes_to_audit_rows(tree)) == 2


def test_every_case_export_writes_its_row(app, demo_people, open_case):
    """Exports of data (REP-2): the case list as CSV or Excel, by an agent or a customer, is
    logged with its format and the list's filters, in the downloader's organisation."""
    with app.app_context():
        open_case("mia.member", severity="critical")
    erik, martin = demo_people["erik.first"], demo_people["martin.main"]
    agent = app.test_client().sign_in_as(erik)
    customer = app.test_client().sign_in_as(martin)
    assert agent.get("/queue").status_code == 200  # browsing the list logs nothing
    assert agent.get("/cases/export.csv?severity=critical&view=all").status_code == 200
    assert customer.get("/cases/export.xlsx").status_code == 200
    with app.app_context():
        rows = list(
            AuditLog.select().where(AuditLog.action == "cases.exported").order_by(AuditLog.id)
        )
    assert [(r.actor_id, r.after_values["format"]) for r in rows] == [
        (erik.id, "csv"),
        (martin.id, "xlsx"),
    ]
    assert rows[0].after_values["filters"] == "severity=critical&view=all"
    assert rows[0].organisation_id is None  # a vendor's agent
    assert rows[1].organisation_id == martin.organisation_id
    page = app.test_client().sign_in_as(demo_people["ada.admin"]).get("/audit?kind=cases")
    assert "Case list downloaded" in page.get_data(as_text=True).split("<tbody>")[1]
