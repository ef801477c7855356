"""Search over articles (KB-2): German words, ranking, snippets and filters."""

import re

import pytest
from markupsafe import escape

from helpdesk.knowledge.models import Audience


def found(client, query: str, **filters) -> list[str]:
    """The titles of the results, best first."""
    response = client.get(
        "/help/search", query_string={"q": query, **filters}, headers={"Accept-Language": "de"}
    )
    assert response.status_code == 200
    return re.findall(r'<a href="/help/articles/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture
def articles(kb):
    kb.write("Druckertreiber installieren", "Laden Sie den Treiber für Ihren Drucker.")
    kb.write("Straßennamen im Adressbuch", "Die Adresse mit Strasse und Hausnummer.")
    kb.write("Übergabe an die Buchhaltung", "Die Überweisung wird übergeben.")
    kb.write("Rechnungen drucken", "Mehrere Rechnungen auf einmal drucken.")
    kb.write("Lagerverwaltungssystem", "Bestände im Lager führen.", title_en="Warehouse system")
    return kb


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Drucker", "Druckertreiber installieren"),  # a compound by its first part
        ("Lager", "Lagerverwaltungssystem"),
        ("Strasse", "Straßennamen im Adressbuch"),  # ss finds ß
        ("Straße", "Straßennamen im Adressbuch"),  # and ß finds ss
        ("ubergabe", "Übergabe an die Buchhaltung"),  # an umlaut typed without dots
        ("Übergabe", "Übergabe an die Buchhaltung"),
        ("Rechnung", "Rechnungen drucken"),  # singular finds plural
        ("Druckern", "Druckertreiber installieren"),  # an inflected form finds its stem
        ("warehouse", "Lagerverwaltungssystem"),  # the English version is searched too
    ],
)
def test_german_words_are_found(app, people, articles, query, expected):
    assert expected in found(app.test_client(), query)


def test_every_word_must_match_and_the_title_ranks_first(app, people, kb):
    kb.write("Rechnung stornieren", "Eine Rechnung zurücknehmen.")
    kb.write("Mahnung", "Erst die Rechnung, dann die Mahnung, dann die Rechnung stornieren.")
    kb.write("Rechnung drucken", "Nur drucken.")
    client = app.test_client()
    assert found(client, "Rechnung stornieren") == ["Rechnung stornieren", "Mahnung"]
    assert found(client, "xyzzy") == []


def test_a_snippet_marks_the_words_and_escapes_the_text(app, people, kb):
    kb.write("Fehler", "Vorher <b>fett</b> und dann der Druckerfehler im Text.")
    html = app.test_client().get("/help/search?q=drucker").get_data(as_text=True)
    assert "<mark>Druckerfehler</mark>" in html
    assert "&lt;b&gt;" in html or "<b>" not in html


def test_filters_by_product_and_category(app, people, kb):
    kb.write("Anleitung Produkt", "Schritt", Audience.PUBLIC, product=kb.product)
    kb.write("Anleitung allgemein", "Schritt")
    kb.write("Anleitung Frage", "Schritt", category=kb.faq)
    client = app.test_client()
    assert found(client, "anleitung", product=kb.product.id) == ["Anleitung Produkt"]
    assert found(client, "anleitung", category=kb.faq.id) == ["Anleitung Frage"]
    assert len(found(client, "anleitung")) == 3


def test_a_search_of_only_stop_or_odd_characters_finds_nothing_and_answers(app, people, kb):
    kb.write("Etwas", "Text")
    client = app.test_client()
    for query in ["", "   ", "***", '"', "AND OR NOT", "der die das", "a" * 200, "\u0000"]:
        response = client.get("/help/search", query_string={"q": query})
        assert response.status_code == 200, query


def test_pages_count_every_match_and_a_page_past_the_end_keeps_the_count(app, kb, monkeypatch):
    """The count comes with the page (one query); a page past the last still says how many."""
    from helpdesk.knowledge import service

    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    for n in range(5):
        kb.write(f"Drucker {n}", "Der Drucker druckt.")
    kb.write("Passwort", "Anderes Thema.")
    client = app.test_client()
    for page, shown in ((1, 2), (3, 1), (9, 0)):
        response = client.get("/help/search", query_string={"q": "drucker", "page": page})
        html = response.get_data(as_text=True)
        assert 'data-count="5"' in html, page
        assert len(re.findall(r'<a href="/help/articles/\d+">', html)) == shown, page


def test_snippets_come_from_the_text_the_markdown_shows_also_after_a_change(app, people, kb):
    """The plain text is kept with the article (``plain_de``): no markup in a snippet, and a
    changed text is searched and shown as changed."""
    article = kb.write(
        "Einrichtung", "Den **Drucker** im [Handbuch](https://example.com/h) *suchen*."
    )
    html = app.test_client().get("/help/search?q=drucker").get_data(as_text=True)
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html).group(1)
    assert snippet == "Den <mark>Drucker</mark> im Handbuch suchen."
    with app.app_context():
        from helpdesk.accounts.models import User
        from helpdesk.knowledge import service

        admin = User.get(User.email == "ada.admin@vendor.example")
        values = {
            "category": kb.category.id,
            "audience": Audience.PUBLIC,
            "title_de": "Einrichtung",
            "body_de": "Den `Laserdrucker` einrichten.",
        }
        service.update_article(admin, service.article_for(admin, article.id), values)
    html = app.test_client().get("/help/search?q=laser").get_data(as_text=True)
    assert '<p class="snippet">Den <mark>Laserdrucker</mark> einrichten.</p>' in html


@pytest.mark.parametrize(
    "text, searched, marked",
    [
        ("Die Straße und die STRASSE", "strasse", ["Straße", "STRASSE"]),
        ("GROẞE Maße, Maßband", "masse", ["Maße,", "Maßband"]),  # "masse" searches "mass"
        (
            "Übergabe; ÜBERGABE-Protokoll, vorübergehend",
            "ubergabe",
            ["Übergabe;", "ÜBERGABE-Protokoll,"],
        ),
        ("Druck_treiber und Drucker_neu", "treiber", ["Druck_treiber"]),
        ("Kon\u00adtakt über Kontakt", "takt", ["Kon\u00adtakt"]),  # a soft hyphen splits
        ("Café und cafe\u0301 und CAFÉ", "cafe", ["Café", "cafe\u0301", "CAFÉ"]),  # combining
        ("ﬁnden und Finden", "finden", ["ﬁnden", "Finden"]),  # a ligature, outside the table
        ("Ǆemal ǅemal", "dzemal", ["Ǆemal", "ǅemal"]),
        ("Σίσυφος und σισυφος", "σισυφος", ["Σίσυφος", "σισυφος"]),
        ("„Drucker“ – (Drucker) …Drucker", "drucker", ["„Drucker“", "(Drucker)", "…Drucker"]),
    ],
)
def test_a_snippet_marks_the_words_the_index_finds_whatever_the_characters(text, searched, marked):
    """A folded text is searched at once where a table folds it as ``words`` does, token by
    token elsewhere: both mark exactly the tokens holding a word that begins with a searched
    word."""
    from helpdesk.cases.search import words
    from helpdesk.knowledge import search

    html = str(search.snippet(text, searched))
    assert re.findall(r"<mark>(.*?)</mark>", html) == [str(escape(t)) for t in marked]
    wanted = tuple(search.search_words(searched))
    exact = [t for t in text.split() if any(w.startswith(wanted) for w in words(t))]
    assert exact == marked


def test_compiled_searches_answer_each_reader_with_their_own_articles(app, people, kb):
    """The search and suggestion queries are compiled once per kind of reader and filter; the
    organisation, product and category are values: readers taking turns each get their own."""
    kb.write("Wartung alle", "Wartung", Audience.CUSTOMERS)
    kb.write("Wartung Produkt", "Wartung", Audience.PRODUCT, product=kb.product)
    kb.write("Wartung anderes", "Wartung", Audience.PRODUCT, product=kb.other_product)
    kb.write("Wartung intern", "Wartung", Audience.AGENTS)
    kb.write("Wartung offen", "Wartung", Audience.PUBLIC, category=kb.faq)
    readers = {
        "mia.member": {"Wartung alle", "Wartung Produkt", "Wartung offen"},
        "fritz": {"Wartung alle", "Wartung offen"},
        None: {"Wartung offen"},
        "erik.first": {
            "Wartung alle",
            "Wartung Produkt",
            "Wartung anderes",
            "Wartung intern",
            "Wartung offen",
        },
    }
    clients = {}
    for who in readers:
        clients[who] = app.test_client()
        if who:
            clients[who].sign_in_as(people[who])
    for _round in range(2):
        for who, expected in readers.items():
            client = clients[who]
            assert set(found(client, "wartung")) == expected, who
            by_product = {"Wartung Produkt"} & expected
            assert set(found(client, "wartung", product=kb.product.id)) == by_product, who
            assert set(found(client, "wartung", category=kb.faq.id)) == {"Wartung offen"}, who
            if who:
                suggested = client.get(
                    "/help/suggestions?subject=Wartung", headers={"HX-Request": "true"}
                ).get_data(as_text=True)
                assert set(re.findall(r">(Wartung [A-Za-z]+)</button>", suggested)) == expected
