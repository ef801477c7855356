"""One template serves the full page and, for htmx, the partial (GUIDE: template fragments)."""


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
