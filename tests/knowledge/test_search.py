"""Search over articles (KB-2): German words, ranking, snippets and filters."""

import re

import pytest

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
