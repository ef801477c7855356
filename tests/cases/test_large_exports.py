"""Large case exports, prepared by a job (CASE-8, issue 19 item 4): routed by their size,
the same rows as an immediate export, fetched only by the person who asked, mailed, expired."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from helpdesk.audit import AuditLog
from helpdesk.cases import exporting, files, service
from helpdesk.cases.models import CaseExport, ExportState
from helpdesk.timeutil import utcnow
from tests.cases.test_lists import Browser

PAGE = re.compile(r"/cases/exports/([\w-]+)$")


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(EXPORT_IMMEDIATE_ROWS=2, **smtp_server.settings)


@pytest.fixture
def browse(app, ctx):
    return lambda who: Browser(app, ctx[who] if isinstance(who, str) else who)


@pytest.fixture
def cases(ctx, open_case):
    made = [open_case(subject=f"Case {i}") for i in range(3)]
    open_case(requester="paula.portal", subject="Paula's own")
    service.assign(made[0], ctx["erik.first"], ctx["sara.second"])
    service.add_message(made[0], ctx["erik.first"], "Geheime Notiz Zebrafisch", internal=True)
    return made


def asked(browser, path) -> CaseExport:
    """Ask for a large export at ``path``: the person is sent to its page."""
    response = browser.get(path)
    assert response.status_code == 303, response.status_code
    key = PAGE.search(response.location).group(1)
    return CaseExport.get(CaseExport.key == key)


def exports_mailed(smtp_server, who: str) -> list:
    return [
        m
        for m in smtp_server.messages
        if who in str(m["To"]) and "/cases/exports/" in m.get_body(("plain",)).get_content()
    ]


def rows_of(fmt: str, data: bytes) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_small_exports_answer_at_once_and_larger_ones_go_to_a_job(ctx, browse, open_case):
    paula = browse("paula.portal")
    open_case(subject="One")
    open_case(subject="Two")
    response = paula.get("/cases/export.csv")
    assert response.status_code == 200 and len(rows_of("csv", response.data)) == 1 + 2
    assert CaseExport.select().count() == 0
    open_case(subject="Three")
    export = asked(paula, "/cases/export.csv")
    assert export.rows == 3 and export.user_id == ctx["paula.portal"].id
    assert export.state == ExportState.READY  # the job ran (immediate mode)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("paula.portal", "status=all&sort=call_id&dir=asc"),
        ("mia.member", "severity=normal"),
        ("erik.first", "view=all&status=all&sort=subject"),
        ("erik.first", f"view=all&assignee={'{sara}'}"),
        ("paula.portal", "q=Case&status=all"),
    ],
)
def test_the_job_writes_the_rows_of_the_immediate_export(app, ctx, browse, cases, who, query, fmt):
    query = query.replace("{sara}", str(ctx["sara.second"].id))
    browser = browse(who)
    path = f"/cases/export.{fmt}?{query}"
    app.config["EXPORT_IMMEDIATE_ROWS"] = 1000
    immediate = browser.get(path)
    assert immediate.status_code == 200
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    export = asked(browser, path)
    download = browser.get(f"/cases/exports/{export.key}/file")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(exporting.spreadsheet.MIMETYPES[fmt][:20])
    assert "attachment" in download.headers["Content-Disposition"]
    assert rows_of(fmt, download.data) == rows_of(fmt, immediate.data)
    assert export.rows == len(rows_of(fmt, immediate.data)) - 1 > 0


def test_a_customers_prepared_export_holds_no_internal_data(app, browse, cases):
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    paula = browse("paula.portal")
    export = asked(paula, "/cases/export.csv?status=all")
    data = paula.get(f"/cases/exports/{export.key}/file").get_data(as_text=True)
    assert "Case 0" in data
    assert "Zebrafisch" not in data and "Sara Second" not in data and "Assignee" not in data


def test_the_page_refreshes_while_the_file_is_prepared(make_app, smtp_server, ctx, cases):
    queued = make_app(EXPORT_IMMEDIATE_ROWS=2, HUEY_IMMEDIATE=False, **smtp_server.settings)
    paula = Browser(queued, ctx["paula.portal"])
    export = asked(paula, "/cases/export.xlsx?status=all")
    page = paula.html(f"/cases/exports/{export.key}")
    assert "The export of 4 cases is being prepared." in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert 'data-hx-trigger="every 3s"' in page and "/file" not in page
    partial = paula.get(f"/cases/exports/{export.key}", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert paula.get(f"/cases/exports/{export.key}/file").status_code == 404  # not yet

    with queued.app_context():
        exporting.prepare(export.id)
    page = paula.html(f"/cases/exports/{export.key}")
    assert "Your export of 4 cases is ready." in page
    assert "refresh" not in page and "data-hx-trigger" not in page
    assert f'href="/cases/exports/{export.key}/file"' in page
    with queued.app_context():
        assert exporting.prepare(export.id) is None  # done once


def test_an_export_the_job_cannot_write_says_so_and_mails_nothing(
    make_app, smtp_server, ctx, cases, tmp_path
):
    """The file store unusable (its folder is a file): the export fails once, visibly, with
    no half-written file and no mail; a second try of the job does nothing more."""
    blocked = tmp_path / "uploads"
    blocked.write_text("not a folder")
    queued = make_app(
        EXPORT_IMMEDIATE_ROWS=2, HUEY_IMMEDIATE=False, UPLOAD_FOLDER=blocked, **smtp_server.settings
    )
    paula = Browser(queued, ctx["paula.portal"])
    export = asked(paula, "/cases/export.csv?status=all")
    with queued.app_context(), pytest.raises(OSError):
        exporting.prepare(export.id)
    assert CaseExport.get_by_id(export.id).state == ExportState.FAILED
    page = paula.html(f"/cases/exports/{export.key}")
    assert "The export could not be prepared." in page
    assert "data-hx-trigger" not in page and "refresh" not in page
    assert paula.get(f"/cases/exports/{export.key}/file").status_code == 404
    with queued.app_context():
        assert exporting.prepare(export.id) is None  # a retry of the job leaves it failed
    assert exports_mailed(smtp_server, "paula.portal") == []
    assert blocked.read_text() == "not a folder"


def test_only_the_person_who_asked_may_fetch_it(app, ctx, browse, cases, foreign):
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    export = asked(browse("paula.portal"), "/cases/export.csv?status=all")
    urls = [f"/cases/exports/{export.key}", f"/cases/exports/{export.key}/file"]
    for url in urls:
        assert browse("paula.portal").get(url).status_code == 200
        for other in ("mia.member", "erik.first", "ada.admin", foreign["admin"]):
            assert browse(other).get(url).status_code == 404, (other, url)
        anonymous = app.test_client().get(url)
        assert anonymous.status_code == 302 and "/sign-in" in anonymous.location
    for key in ("no-such-key", "nul%00" + export.key[6:], export.key[:-1] + "\u00e4"):
        assert browse("paula.portal").get(f"/cases/exports/{key}").status_code == 404


def test_every_request_is_audited(app, ctx, browse, cases):
    paula = browse("paula.portal")
    paula.get("/cases/export.csv?severity=normal")
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    export = asked(paula, "/cases/export.xlsx?status=all")
    logged = list(
        AuditLog.select().where(AuditLog.action == "cases.exported").order_by(AuditLog.id)
    )
    assert [entry.actor_id for entry in logged] == [ctx["paula.portal"].id] * 2
    assert '"format": "csv"' in logged[0].after and "severity=normal" in logged[0].after
    assert f'"export": {export.id}' in logged[1].after and "status=all" in logged[1].after


def test_the_link_is_mailed_in_the_persons_language(app, ctx, browse, cases, smtp_server):
    from helpdesk.accounts.models import User

    User.update(language="de").where(User.id == ctx["paula.portal"].id).execute()
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    export = asked(browse("paula.portal"), "/cases/export.csv?status=all")
    [mail] = exports_mailed(smtp_server, "paula.portal")
    assert mail["Subject"] == "Ihr Export von 4 Fällen ist fertig"
    link = f"/cases/exports/{export.key}/file"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert link in text and f'href="http://localhost:5000{link}"' in html
    assert "Guten Tag Paula Portal," in text and "Zebrafisch" not in text + html


def test_an_english_mail(app, ctx, browse, cases, smtp_server):
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    asked(browse("erik.first"), "/cases/export.xlsx?view=all")
    [mail] = exports_mailed(smtp_server, "erik.first")
    assert mail["Subject"] == "Your export of 4 cases is ready"
    assert "(XLSX)" in mail.get_body(("plain",)).get_content()


def test_expired_exports_are_deleted_file_and_row(app, ctx, browse, cases):
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    paula = browse("paula.portal")
    old = asked(paula, "/cases/export.csv?status=all")
    new = asked(paula, "/cases/export.xlsx?status=all")
    CaseExport.update(expires_at=utcnow() - timedelta(minutes=1)).where(
        CaseExport.id == old.id
    ).execute()
    assert paula.get(f"/cases/exports/{old.key}/file").status_code == 404  # past its day
    assert files.path_of(old.stored_name).exists()

    assert exporting.remove_expired() == 1
    assert not files.path_of(old.stored_name).exists()
    assert CaseExport.get_or_none(CaseExport.id == old.id) is None
    assert files.path_of(new.stored_name).exists()
    assert paula.get(f"/cases/exports/{new.key}/file").status_code == 200
    assert exporting.remove_expired(utcnow() + timedelta(hours=24, minutes=1)) == 1
    assert CaseExport.select().count() == 0 and not files.path_of(new.stored_name).exists()


def test_an_export_of_one_case_says_case(app, ctx, browse, cases, smtp_server):
    """With the threshold at 0 (a setting) one case goes through the job: singular words."""
    from helpdesk.accounts.models import User

    User.update(language="de").where(User.id == ctx["paula.portal"].id).execute()
    app.config["EXPORT_IMMEDIATE_ROWS"] = 0
    paula = browse("paula.portal")
    export = asked(paula, "/cases/export.csv?status=all&q=Paula")
    assert export.rows == 1
    assert "Ihr Export von 1 Fall ist fertig." in paula.html(f"/cases/exports/{export.key}")
    [mail] = exports_mailed(smtp_server, "paula.portal")
    assert mail["Subject"] == "Ihr Export von 1 Fall ist fertig"
    assert "Export von 1 Fall ist fertig" in mail.get_body(("plain",)).get_content()
