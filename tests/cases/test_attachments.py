"""Files on case messages: uploaded with a message, refused without losing anything, and
served only to those who may see them, always as downloads unless a safe image."""

import io
import re
from urllib.parse import quote

import pytest

from helpdesk.accounts.models import User
from helpdesk.cases import files, service, uploads
from helpdesk.cases.models import Attachment, Case, Event, EventKind, Visibility

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTMX = {"HX-Request": "true"}


def url(case, tail=""):
    return f"/cases/{case.call_id}{tail}"


def file_url(case, attachment):
    return url(case, f"/attachments/{attachment.id}/{quote(attachment.filename)}")


def post_files(client, case, body, *uploads, headers=None, **extra):
    data = {"body": body, "files": [(io.BytesIO(data), name) for name, data in uploads]}
    data.update(extra)
    return client.post(
        url(case, "/messages"), data=data, content_type="multipart/form-data", headers=headers
    )


def attach(case, author, name, data, internal=False):
    """A file on a message of ``case`` through the domain, as every channel adds one."""
    pending = uploads.pending_upload(author, files.store(name, data))
    event = service.add_message(case, author, "see file", [pending], internal=internal)
    return Attachment.get(Attachment.event == event.id)


@pytest.fixture
def case(open_case):
    return open_case()


# -- Uploading with a message ---------------------------------------------------------------


def test_several_files_on_one_message(ctx, customer_client, case):
    response = post_files(
        customer_client,
        case,
        "Screens and log",
        ("screen.png", PNG),
        ("report.pdf", PDF),
        ("run.log", b"started\nfailed\n"),
        headers=HTMX,
    )
    assert response.status_code == 200
    [message] = Event.select().where((Event.case == case.id) & (Event.kind == EventKind.MESSAGE))
    stored = list(Attachment.select().where(Attachment.event == message.id).order_by(Attachment.id))
    assert [(a.filename, a.content_type) for a in stored] == [
        ("screen.png", "image/png"),
        ("report.pdf", "application/pdf"),
        ("run.log", "text/plain"),
    ]
    assert all(a.case_id == case.id and a.visibility == Visibility.PUBLIC for a in stored)
    page = response.get_data(as_text=True)
    assert all(a.filename in page for a in stored)


def test_a_refused_file_posts_nothing_and_keeps_text_and_good_files(ctx, customer_client, case):
    response = post_files(
        customer_client,
        case,
        "My long explanation\nof the problem",
        ("report.pdf", PDF),
        ("tool.exe", EXE),
        headers=HTMX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in page
    assert "tool.exe is not a file type we accept" in page
    assert "My long explanation\nof the problem</textarea>" in page
    assert not Event.select().where(Event.kind == EventKind.MESSAGE).exists()
    [kept] = Attachment.select().where(Attachment.case.is_null())
    assert kept.filename == "report.pdf"
    assert f'name="pending" value="{kept.id}" checked' in page

    # The next try sends the kept file along without choosing it again.
    response = customer_client.post(
        url(case, "/messages"), data={"body": "My long explanation", "pending": str(kept.id)}
    )
    assert response.status_code == 303
    kept = Attachment.get_by_id(kept.id)
    assert kept.case_id == case.id and kept.event.body == "My long explanation"


def test_a_refused_file_without_javascript_shows_the_whole_page(customer_client, case):
    response = post_files(customer_client, case, "Text I typed", ("empty.txt", b""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert "empty.txt is empty." in page and "Text I typed</textarea>" in page


def test_too_large_files_are_refused(app, customer_client, case):
    app.config["MAX_UPLOAD_BYTES"] = 1024 * 1024
    response = post_files(customer_client, case, "Big", ("big.log", b"x" * (1024 * 1024 + 1)))
    assert response.status_code == 422
    assert "big.log is larger than 1 MB." in response.get_data(as_text=True)
    assert not Attachment.select().exists()


def test_someone_elses_pending_file_cannot_be_attached(ctx, customer_client, case):
    theirs = uploads.pending_upload(ctx["alma.admin"], files.store("secret.pdf", PDF))
    response = customer_client.post(
        url(case, "/messages"), data={"body": "hello", "pending": str(theirs.id)}
    )
    assert response.status_code == 303
    assert Attachment.get_by_id(theirs.id).case_id is None  # still only Alma's


def test_agent_files_on_a_note_are_internal(ctx, agent_client, case):
    post_files(agent_client, case, "analysis", ("trace.log", b"trace\n"), visibility="internal")
    assert Attachment.get(Attachment.filename == "trace.log").visibility == Visibility.INTERNAL


# -- Serving ----------------------------------------------------------------------------


def test_pdf_is_a_download_with_safe_headers(ctx, customer_client, case):
    pdf = attach(case, ctx["mia.member"], "report.pdf", PDF)
    response = customer_client.get(file_url(case, pdf))
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_text_is_a_download_never_shown_as_a_page(ctx, customer_client, case):
    text = attach(case, ctx["mia.member"], "page.html", b"<script>alert(1)</script>\n")
    response = customer_client.get(file_url(case, text))
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_safe_images_are_shown_inline(ctx, customer_client, case):
    png = attach(case, ctx["mia.member"], "screen.png", PNG)
    response = customer_client.get(file_url(case, png))
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"] == "inline; filename=screen.png"


def test_names_with_umlauts_and_quotes_follow_rfc_6266(ctx, customer_client, case):
    pdf = attach(case, ctx["mia.member"], "Prüfbericht „Q3“ für Müller.pdf", PDF)
    response = customer_client.get(file_url(case, pdf))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert (
        "filename*=UTF-8''Pr%C3%BCfbericht%20%E2%80%9EQ3%E2%80%9C%20f%C3%BCr%20M%C3%BCller.pdf"
        in (disposition)
    )
    assert 'filename="Prufbericht Q3 fur Muller.pdf"' in disposition  # the ASCII fallback


def test_straight_quotes_in_a_name_are_escaped_in_header_and_page(ctx, customer_client, case):
    # Uploads lose straight quotes (files.clean_filename), but other channels may keep them.
    pdf = attach(case, ctx["mia.member"], "report.pdf", PDF)
    Attachment.update(filename='Bericht "final" <b>Ä</b>.pdf').where(
        Attachment.id == pdf.id
    ).execute()
    pdf = Attachment.get_by_id(pdf.id)
    response = customer_client.get(file_url(case, pdf))
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''Bericht%20%22final%22%20%3Cb%3E%C3%84%3C%2Fb%3E.pdf" in disposition
    assert 'filename="Bericht \\"final\\" <b>A</b>.pdf"' in disposition
    page = customer_client.get(url(case)).get_data(as_text=True)
    assert "Bericht &#34;final&#34; &lt;b&gt;Ä&lt;/b&gt;.pdf</a>" in page
    assert "<b>Ä</b>" not in page


def test_page_links_to_files_unboosted_and_downloads(ctx, customer_client, case):
    pdf = attach(case, ctx["mia.member"], "report.pdf", PDF)
    page = customer_client.get(url(case)).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)"\s*download>report.pdf</a>', page)
    assert link is not None
    assert customer_client.get(link.group(1)).data == PDF
    assert 'class="files" data-hx-boost="false"' in page
    assert pdf.id


# -- Who may fetch a file ---------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("mia.member", 404), ("erik.first", 200)])
def test_internal_files_are_for_agents_only(app, ctx, case, who, status):
    note_file = attach(case, ctx["erik.first"], "analysis.log", b"internal\n", internal=True)
    client = app.test_client().sign_in_as(ctx[who])
    assert client.get(file_url(case, note_file)).status_code == status


def test_file_of_another_case_under_a_visible_call_id_is_not_found(
    ctx, customer_client, case, open_case
):
    other = open_case(requester="alma.admin")
    theirs = attach(other, ctx["alma.admin"], "other.pdf", PDF)
    mine = attach(case, ctx["mia.member"], "mine.pdf", PDF)
    assert customer_client.get(file_url(case, mine)).status_code == 200
    # The visible case's call id with the other case's file id
    assert customer_client.get(url(case, f"/attachments/{theirs.id}/other.pdf")).status_code == 404
    # and the other case itself is not visible to a member
    assert customer_client.get(file_url(other, theirs)).status_code == 404


def test_file_of_another_organisation_is_not_found(ctx, portal_admin_client, foreign):
    theirs = attach(foreign["case"], foreign["admin"], "fremd.pdf", PDF)
    assert portal_admin_client.get(file_url(foreign["case"], theirs)).status_code == 404
    own = attach(
        service.open_case(
            service.NewCase(
                requester=ctx["paula.portal"],
                product=foreign["case"].product,
                subject="Own",
                description="Own case",
                case_type="fault",
                severity="normal",
            )
        ),
        ctx["paula.portal"],
        "own.pdf",
        PDF,
    )
    own_case = Case.get_by_id(own.case_id)
    assert portal_admin_client.get(file_url(own_case, own)).status_code == 200
    response = portal_admin_client.get(url(own_case, f"/attachments/{theirs.id}/fremd.pdf"))
    assert response.status_code == 404


def test_pending_uploads_are_never_served(ctx, customer_client, case):
    pending = uploads.pending_upload(ctx["mia.member"], files.store("draft.pdf", PDF))
    assert customer_client.get(url(case, f"/attachments/{pending.id}/draft.pdf")).status_code == 404


def test_missing_file_on_disk_is_not_found(ctx, customer_client, case):
    pdf = attach(case, ctx["mia.member"], "report.pdf", PDF)
    files.path_of(pdf.stored_name).unlink()
    assert customer_client.get(file_url(case, pdf)).status_code == 404


def test_files_need_a_signed_in_user(app, ctx, case):
    pdf = attach(case, ctx["mia.member"], "report.pdf", PDF)
    response = app.test_client().get(file_url(case, pdf))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_member_cannot_fetch_files_of_a_colleagues_case(ctx, customer_client, open_case):
    colleagues = open_case(requester="alma.admin")
    theirs = attach(colleagues, ctx["alma.admin"], "alma.pdf", PDF)
    assert customer_client.get(file_url(colleagues, theirs)).status_code == 404
    service.follow(colleagues, User.get_by_id(ctx["mia.member"].id), added_by=ctx["alma.admin"])
    assert customer_client.get(file_url(colleagues, theirs)).status_code == 200
