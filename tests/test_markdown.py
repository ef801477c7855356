"""The one Markdown renderer: what people write shows as text, never as active content."""

import lxml.html
import pytest

from helpdesk.markdown import plain, render


def test_markdown_becomes_html():
    html = render(
        "# Title\n\n**bold** and [a link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "<a href='javascript:alert(1)'>x</a>",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_active_content_never_survives(source):
    tree = lxml.html.fragment_fromstring(str(render(source)) or "<p></p>", create_parent="div")
    for element in tree.iter():
        assert element.tag not in {"script", "iframe", "object", "embed", "style"}
        for name, value in element.attrib.items():
            assert not name.startswith("on"), (name, value)
            if name in {"href", "src"}:
                assert value.split(":")[0].lower() in {"http", "https", "mailto"}, value


def test_images_only_from_own_files():
    assert '<img src="/files/7"' in render("![a](/files/7)", image_prefixes=("/files/",))
    assert "<img" not in render("![a](https://tracker.example/p.gif)", image_prefixes=("/files/",))
    assert "<img" not in render("![a](//tracker.example/p.gif)", image_prefixes=("/files/",))
    assert "<img" not in render("![a](/files/7)")


def test_plain_text_of_markdown():
    assert plain("# Title\n\n**bold** text\n\n```\ncode\n```") == "Title\n\nbold text\n\ncode"
