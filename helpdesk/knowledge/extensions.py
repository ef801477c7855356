"""What vendor plugins add to the knowledge base through ``helpdesk_knowledge``: categories
(created when an agent first files an article there), article templates (the editor's
starting text) and announcement kinds."""

from dataclasses import dataclass, field

from flask import current_app


@dataclass(frozen=True)
class KnowledgeCategory:
    """A category a plugin wants: created once with these names, then the admins' own."""

    key: str
    name_de: str
    name_en: str
    is_faq: bool = False


@dataclass(frozen=True)
class ArticleTemplate:
    """A starting text for a new article (both languages' Markdown)."""

    key: str
    label: object
    body_de: str = ""
    body_en: str = ""


@dataclass
class KnowledgeContributions:
    categories: list = field(default_factory=list)
    templates: list = field(default_factory=list)
    announcement_kinds: list = field(default_factory=list)


def contributions() -> KnowledgeContributions:
    """Every plugin's answer to ``helpdesk_knowledge``, gathered once per app."""
    cached = current_app.extensions.get("knowledge")
    if cached is not None:
        return cached
    gathered = KnowledgeContributions()
    for answer in current_app.extensions["plugins"].hook.helpdesk_knowledge():
        if not answer:
            continue
        gathered.categories += list(answer.get("categories", ()))
        gathered.templates += list(answer.get("templates", ()))
        gathered.announcement_kinds += list(answer.get("announcement_kinds", ()))
    current_app.extensions["knowledge"] = gathered
    return gathered
