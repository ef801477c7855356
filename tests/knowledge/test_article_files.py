"""Files and inline images of articles (KB-1): uploaded in the editor, checked and stored like
case files, served only to those who may read the article, never as active content."""

import io
import re

import pytest
from PIL import Image

from helpdesk.audit import AuditLog
from helpdesk.knowledge.article_files import image_allowed
from helpdesk.knowledge.models import ArticleFile, Audience, State
from helpdesk.markdown import render

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, format="PNG")
    return out.getvalue()


def editor_values(kb, **overrides):
    values = {
        "category": kb.category.id,
        "audience": Audience.PUBLIC,
        "product": "",
        "title_de": "Mit Bild",
        "title_en": "",
        "body_de": "Siehe unten.",
        "body_en": "",
    }
    return {**values, **overrides}


def upload(client, kb, article, *named_files, **values):
    """The editor's save of ``article`` with ``named_files`` (``(name, bytes)``) chosen."""
    data = editor_values(kb, **values)
    data["files"] = [(io.BytesIO(content), name) for name, content in named_files]
    return client.post(f"/help/manage/{article.id}", data=data, content_type="multipart/form-data")


@pytest.fixture
def admin(app, people):
    return app.test_client().sign_in_as(people["ada.admin"])


def stored(app, article) -> list[ArticleFile]:
    with app.app_context():
        return list(ArticleFile.select().where(ArticleFile.article == article.id))


def address(found: ArticleFile) -> str:
    return f"/help/files/{found.id}/{found.filename}"


def test_an_image_uploaded_in_the_editor_shows_in_the_article(app, people, kb, admin):
    article = kb.write("Mit Bild", "Siehe unten.")
    response = upload(admin, kb, article, ("screen.png", png()))
    assert response.status_code == 303, response.get_data(True)
    (image,) = stored(app, article)
    assert image.content_type == "image/png" and image.filename == "screen.png"
    editor = admin.get(f"/help/manage/{article.id}").get_data(as_text=True)
    assert f"![screen.png]({address(image)})" in editor  # the line to put in the text
    upload(admin, kb, article, body_de=f"Siehe:\n\n![Bildschirm]({address(image)})")
    page = app.test_client().get(f"/help/articles/{article.id}").get_data(as_text=True)
    assert f'<img src="{address(image)}" alt="Bildschirm">' in page
    served = app.test_client().get(address(image))
    assert served.status_code == 200 and served.data == png()
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    with app.app_context():
        logged = AuditLog.select().where(AuditLog.action == "article.file_added")
        assert logged.count() == 1  # the second save added no file


@pytest.mark.parametrize(
    ("name", "content"),
    [("bild.svg", SVG), ("seite.html", HTML), ("seite.htm", HTML), ("bild.png.svg", SVG)],
)
def test_svg_and_html_are_never_shown_inline(app, people, kb, admin, name, content):
    article = kb.write("Aktiv")
    assert upload(admin, kb, article, (name, content)).status_code == 303
    (found,) = stored(app, article)
    served = app.test_client().get(address(found))
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("text/plain")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "sent", ["../../etc/passwd.png", "C:\\temp\\x.png", "a\x00b<script>.png", "\x07bell\x1b.png"]
)
def test_hostile_file_names_are_cleaned(app, people, kb, admin, sent):
    article = kb.write("Namen")
    assert upload(admin, kb, article, (sent, png())).status_code == 303
    (found,) = stored(app, article)
    assert found.filename.endswith("png") and found.filename.isprintable()
    assert not set("/\\<>:\x00") & set(found.filename) and ".." not in found.filename
    assert "/" not in found.stored_name and found.stored_name != found.filename
    assert app.test_client().get(address(found)).status_code == 200


def test_a_refused_file_saves_nothing_and_says_why(app, people, kb, admin):
    article = kb.write("Alt")
    response = upload(
        admin,
        kb,
        article,
        ("ok.png", png()),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64),
        title_de="Neu",
    )
    assert response.status_code == 422
    assert "tool.exe" in response.get_data(as_text=True)
    assert stored(app, article) == []
    with app.app_context():
        assert type(article).get_by_id(article.id).title_de == "Alt"


def test_a_file_too_large_is_refused(app, people, kb, admin):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    article = kb.write("Gross")
    response = upload(admin, kb, article, ("big.txt", b"x" * 2048))
    assert response.status_code == 422
    assert stored(app, article) == []


#: who -> which audiences' files they may open (the product is Muster's, not Fremd's)
OPENS = {
    None: {"public"},
    "mia.member": {"public", "customers", "product"},
    "fritz": {"public", "customers"},
    "erik.first": {"public", "customers", "product", "agents", "draft"},
}


@pytest.mark.parametrize("who", list(OPENS))
def test_files_are_served_only_to_those_who_read_the_article(app, people, kb, admin, who):
    articles = {
        audience: kb.write(audience, audience=audience, product=kb.product)
        for audience in ("public", "customers", "product", "agents")
    }
    articles["draft"] = kb.write("draft", publish=False)
    urls = {}
    for key, article in articles.items():
        audience = "public" if key == "draft" else key
        response = upload(
            admin,
            kb,
            article,
            (f"{key}.png", png()),
            audience=audience,
            product=kb.product.id,
        )
        assert response.status_code == 303
        with app.app_context():
            assert type(article).get_by_id(article.id).state == (
                State.DRAFT if key == "draft" else State.PUBLISHED
            )
        urls[key] = address(stored(app, article)[0])
    client = app.test_client()
    if who:
        client.sign_in_as(people[who])
    opened = {key for key, url in urls.items() if client.get(url).status_code == 200}
    assert opened == OPENS[who]
    for key in set(urls) - opened:
        assert client.get(urls[key]).status_code == 404


def test_a_file_under_another_articles_id_or_name_is_the_same_file(app, people, kb, admin):
    """The name in the address only names the download; the id decides, and an unknown
    id is a 404 like a file the reader may not see."""
    article = kb.write("Eins")
    upload(admin, kb, article, ("eins.png", png()))
    (found,) = stored(app, article)
    client = app.test_client()
    assert client.get(f"/help/files/{found.id}/other-name.png").data == png()
    assert client.get(f"/help/files/{found.id + 1000}/eins.png").status_code == 404


@pytest.mark.parametrize(
    "source",
    [
        "/static/img/logo.png",
        "/help/files/1/../../../cases/new",
        "/help/files/1/..",
        "/help/files/1/%2e%2e",
        "/help/files/1/.%2E",
        "/help/files/1/a/b.png",
        "/help/files/x/a.png",
        "/help/files/0/a.png",
        "/help/files/1/a.png?x=1",
        "/help/files/1/a.png#x",
        "/help/files/1/",
        "//evil.example/help/files/1/a.png",
        "https://evil.example/help/files/1/a.png",
        "data:image/png;base64,AAAA",
        "/help/files/1/a.png/..",
    ],
)
def test_article_images_only_from_the_articles_files(app, source):
    html = render(f"![x]({source})", image_allowed=image_allowed)
    assert "<img" not in html, html


def test_an_article_file_address_is_an_image(app):
    html = render("![Plan](/help/files/12/plan%20neu.png)", image_allowed=image_allowed)
    assert re.search(r'<img src="/help/files/12/plan%20neu.png" alt="Plan">', html)
