"""Markdown written by people (articles, messages, notes) as safe HTML.

One renderer for the whole portal: markdown-it-py in CommonMark mode with tables and
strikethrough, raw HTML in the source shown as text (``html=False``), and the output cleaned
again by nh3 with a short allow-list, so a gap in one layer is closed by the other. Links may
only point to http(s) and mailto; images only to the portal's own files (a path beginning
with one of ``image_prefixes``), never to other hosts (tracking pixels) or ``data:`` URIs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"style"},
    "th": {"style"},
    "ol": {"start"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
# An image whose source was refused goes entirely (nh3's output is normalised, so this is exact).
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


@cache
def _parser(breaks: bool = False) -> MarkdownIt:
    options = {"html": False, "linkify": False, "typographer": False, "breaks": breaks}
    parser = MarkdownIt("commonmark", options)
    return parser.enable(["table", "strikethrough"])


def _allowed_link(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme in LINK_SCHEMES or (not scheme and not url.strip().startswith("//"))


def render(
    text: str,
    image_prefixes: tuple[str, ...] = (),
    breaks: bool = False,
    image_allowed: Callable[[str], bool] | None = None,
) -> Markup:
    """``text`` (Markdown) as sanitised HTML; images only below ``image_prefixes``, or only
    those ``image_allowed`` admits when it is given (an exact rule for one area's files).
    ``breaks``: a line break in the text stays one (messages and notes, often from mail)."""
    html = _parser(breaks).render(text or "")

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return value if _allowed_link(value) else None
        if tag == "img" and attribute == "src":
            if image_allowed is not None:
                return value if image_allowed(value) else None
            local = value.startswith("/") and not value.startswith("//")
            return value if local and value.startswith(image_prefixes or ("\0",)) else None
        if attribute == "style":
            return value if value in {"text-align:left", "text-align:right",
                                      "text-align:center"} else None  # fmt: skip
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        attribute_filter=keep,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(_IMAGE_WITHOUT_SOURCE.sub("", clean))


def plain(text: str) -> str:
    """The text a Markdown source shows, without markup (for mail text parts and snippets)."""
    tokens = _parser().parse(text or "")
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children is not None:
            parts.append("".join(child.content for child in token.children if child.content))
        elif token.type in {"code_block", "fence"}:
            parts.append(token.content.rstrip("\n"))
    return "\n\n".join(part for part in parts if part)
