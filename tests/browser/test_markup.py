"""The checks every browser test runs (``tests/browser/markup.py``) find what is wrong: a page
with a picture without text, no language and an attribute HTML does not know."""

import pytest

from tests.browser.markup import Document, Markup, validating

pytestmark = pytest.mark.browser

BAD = (
    "<!doctype html><html><head><title>Bad</title></head><body><main>"
    '<img src="data:,"><p hx-get="/x">text</p></main></body></html>'
)


def test_axe_and_the_nu_checker_report_a_bad_page(browser):
    checks = Markup(browser)
    try:
        checks.pending.append(Document("http://127.0.0.1:9/bad", 200, BAD, 390, "bad page"))
        violations = checks.check()
        assert any(v.startswith("bad page: image-alt (critical)") for v in violations)
        assert any(v.startswith("bad page: html-has-lang") for v in violations)
        if not validating():
            pytest.skip("VALIDATE_HTML=0: the Nu checker runs in another run of the suite")
        if Markup.missing_validator():
            pytest.skip(Markup.missing_validator())
        errors = checks.validate()
        assert any("“hx-get” not allowed" in e for e in errors), errors
        assert any("alt" in e for e in errors), errors
    finally:
        checks.close()
