"""One template serves the full page and, for htmx, the partial (GUIDE: template fragments)."""

from jinja2 import nodes


def test_normal_request_gets_the_whole_page(customer_client):
    response = customer_client.get("/portal")
    assert response.data.lstrip().startswith(b"<!doctype html>")
    assert b"<h1>" in response.data
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_gets_only_the_content_block(customer_client):
    response = customer_client.get("/portal", headers={"HX-Request": "true"})
    assert b"<html" not in response.data
    assert b"<h1>" in response.data
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_navigation_gets_the_whole_page(customer_client):
    headers = {"HX-Request": "true", "HX-Boosted": "true"}
    response = customer_client.get("/portal", headers=headers)
    assert b"<html" in response.data


def test_pages_use_only_vendored_assets(client):
    page = client.get("/sign-in").data.decode()
    assert "/static/vendor/htmx.min.js" in page
    assert "http://" not in page and "https://" not in page
    assert client.get("/static/vendor/htmx.min.js").status_code == 200


def test_not_found_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not found" in response.data and b"<html" in response.data


def test_no_page_imports_macros_outside_its_blocks(app):
    """An htmx request renders one block alone (``render_block``), which never runs the
    template's top level: a macro imported there is undefined in the partial (a 500). Pages
    import inside the block that uses the macros."""
    env = app.jinja_env
    wrong = []
    for name in env.list_templates(extensions=["html"]):
        body = env.parse(env.loader.get_source(env, name)[0]).body
        if any(isinstance(node, nodes.Extends) for node in body):
            imports = [n for n in body if isinstance(n, nodes.Import | nodes.FromImport)]
            wrong += [f"{name}:{node.lineno}" for node in imports]
    assert not wrong, f"macros imported outside a block: {wrong}"


def test_htmx_request_to_a_plain_form_page_gets_its_content_block(client):
    response = client.get("/forgot-password", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.data
    assert b'name="email"' in response.data


def test_htmx_attributes_are_spelled_data_hx():
    """The HTML standard knows no ``hx-*`` attributes (the W3C checker reports each one);
    htmx reads ``data-hx-*`` just as well."""
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    bare = re.compile(r"(?<![\w-])hx-[a-z-]+\s*=")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("templates", "plugins", "examples")
        for path in sorted((root / folder).rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line)
    ]
    assert found == []


def test_templates_share_the_environments_globals_and_keep_their_own(app):
    """``web.PageEnvironment``: a page's templates read the environment's globals themselves
    (one added later included); a template given globals of its own keeps them to itself."""
    environment = app.jinja_env
    page = environment.from_string("{{ later }}")
    environment.globals["later"] = "added after loading"
    own = environment.from_string("{{ mine }}|{{ later }}", globals={"mine": "its own"})
    try:
        with app.test_request_context("/"):
            assert page.render() == "added after loading"
            assert own.render() == "its own|added after loading"
            assert environment.from_string("{{ mine }}").render() == ""
        assert "mine" not in environment.globals
        assert environment.get_template("base.html").globals is environment.globals
    finally:
        del environment.globals["later"]
