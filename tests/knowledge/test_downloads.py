"""Downloads and the learning center (KB-4): who sees which item, and how files are served."""

import io

import pytest

from helpdesk.audit import AuditLog
from helpdesk.knowledge.models import Download
from helpdesk.products.models import ProductVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def items(app, people, kb):
    """One item per audience (the product is Muster's), added through the page by Ada."""
    admin = app.test_client().sign_in_as(people["ada.admin"])
    with app.app_context():
        version = ProductVersion.get(ProductVersion.product == kb.product.id)
    added = {}
    for audience in ("public", "customers", "product", "agents"):
        response = admin.post(
            "/help/manage/downloads",
            data={
                "kind": "documentation",
                "product": kb.product.id,
                "version": version.id,
                "audience": audience,
                "title_de": f"Handbuch {audience}",
                "file": (io.BytesIO(PDF), f"handbuch-{audience}.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, response.get_data(True)
    response = admin.post(
        "/help/manage/downloads",
        data={
            "kind": "video",
            "product": kb.other_product.id,
            "audience": "product",
            "title_en": "Video other",
            "url": "https://videos.example/1",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        for item in Download.select():
            added[item.title_de or item.title_en] = item
        assert AuditLog.select().where(AuditLog.action == "download.created").count() == 5
    return added


SEES = {
    None: {"Handbuch public"},
    "mia.member": {"Handbuch public", "Handbuch customers", "Handbuch product"},
    "fritz": {"Handbuch public", "Handbuch customers"},
    "erik.first": {
        "Handbuch public",
        "Handbuch customers",
        "Handbuch product",
        "Handbuch agents",
        "Video other",
    },
}


@pytest.mark.parametrize("who", list(SEES))
def test_each_sees_and_downloads_only_the_items_for_them(app, people, items, who):
    client = app.test_client()
    if who:
        client.sign_in_as(people[who])
    page = client.get("/help/downloads").get_data(True)
    for title, item in items.items():
        assert (f'data-download="{item.id}"' in page) == (title in SEES[who]), (title, who)
        if item.stored_name:
            response = client.get(f"/help/downloads/{item.id}/{item.filename}")
            assert response.status_code == (200 if title in SEES[who] else 404), (title, who)
            if response.status_code == 200:
                assert response.data == PDF
                assert response.headers["Content-Disposition"].startswith("attachment")
                assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_bad_item_is_refused_and_the_form_keeps_what_was_typed(app, people, kb):
    admin = app.test_client().sign_in_as(people["ada.admin"])
    response = admin.post(
        "/help/manage/downloads",
        data={
            "kind": "video",
            "product": kb.product.id,
            "audience": "public",
            "title_de": "Mein Video",
            "url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 422
    assert 'value="Mein Video"' in response.get_data(True)
    script = admin.post(
        "/help/manage/downloads",
        data={
            "kind": "document",
            "product": kb.product.id,
            "audience": "public",
            "title_de": "Skript",
            "file": (io.BytesIO(b"<html><script>x</script>"), "a.html"),
        },
        content_type="multipart/form-data",
    )
    assert script.status_code == 303  # kept as text, as a case file would be
    with app.app_context():
        kept = Download.get(Download.title_de == "Skript")
        assert kept.content_type == "text/plain"
    served = admin.get(f"/help/downloads/{kept.id}/a.html")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.mimetype == "text/plain"
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert agent.post("/help/manage/downloads", data={"kind": "video"}).status_code == 404
