"""The main navigation grouped by role (issue 16): folded ``<details>`` menus that open
without JavaScript, each role with exactly its groups, every admin page in one menu that no
customer ever sees."""

import re

import pytest

NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
PLACE = re.compile(
    r'<li>(?:<details class="menu menu-(\w+)">\s*<summary[^>]*>([^<]+)</summary>'
    r"|<a [^>]*>([^<]+)</a>)"
)


def header(client) -> str:
    page = client.get("/account/profile").get_data(as_text=True)
    return page[: page.index("</header>")]


def places(client) -> list[str]:
    """The bar as the person sees it: each menu's title, each single link's text."""
    [nav] = NAV.findall(header(client))
    nav = re.sub(r"</summary>.*?</details>", "</summary>", nav, flags=re.S)  # menus folded
    return [title or link for _key, title, link in PLACE.findall(nav)]


def menu_paths(client, key) -> set[str]:
    found = re.search(rf'<details class="menu menu-{key}">(.*?)</details>', header(client), re.S)
    return set(re.findall(r'<a href="([^"?]+)', found.group(1))) if found else set()


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("mia.member", ["Cases", "Help", "Documents", "Organisation"]),
        ("paula.portal", ["Cases", "Help", "Documents", "Organisation"]),
        ("erik.first", ["Queue", "Cases", "Knowledge", "Reports"]),
        ("ada.admin", ["Queue", "Cases", "Knowledge", "Reports", "Administration"]),
    ],
)
def test_each_role_sees_exactly_its_groups(app, demo_people, person, expected):
    client = app.test_client().sign_in_as(demo_people[person])
    assert places(client) == expected


def test_a_portal_admin_finds_the_organisation_pages_in_its_menu(
    portal_admin_client, customer_client
):
    assert {"/organisation/users", "/organisation/invitations"} <= menu_paths(
        portal_admin_client, "organisation"
    )
    assert "/organisation/users" not in menu_paths(customer_client, "organisation")


def test_the_menus_are_details_that_open_without_javascript(admin_client):
    top = header(admin_client)
    for key in ("cases", "reports", "admin"):
        assert f'<details class="menu menu-{key}">' in top
    # the person's own menu: profile, second factor, tokens and the sign-out form
    account = top[top.index('<details class="menu account">') :]
    assert 'href="/account/profile"' in account and 'action="/sign-out"' in account


def admin_pages(app, admin, agent) -> set[str]:
    """Every page of the URL map without arguments that the vendor admin may open and a
    first-level agent may not: the admin pages, found rather than listed."""
    pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        if rule.rule.endswith((".css", ".csv", ".xlsx", ".json")):
            continue
        if admin.get(rule.rule).status_code == 200 and agent.get(rule.rule).status_code in (
            403,
            404,
        ):
            pages.add(rule.rule)
    return pages


def test_the_administration_menu_holds_every_admin_page(app, demo_people, admin_client):
    agent = app.test_client().sign_in_as(demo_people["erik.first"])
    pages = admin_pages(app, admin_client, agent)
    assert {"/admin/agents", "/admin/outbox", "/admin/calendar"} <= pages  # the finder works
    assert pages <= menu_paths(admin_client, "admin")


@pytest.mark.parametrize("person", ["mia.member", "paula.portal", "martin.main", "alma.admin"])
def test_a_customer_never_sees_admin_links(app, demo_people, person):
    top = header(app.test_client().sign_in_as(demo_people[person]))
    assert "menu-admin" not in top and 'href="/admin/' not in top


def search_form(client) -> str:
    top = header(client)
    form = top[top.index('<form class="search"') :]
    return form[: form.index("</form>")]


def test_the_header_search_box_is_a_plain_get_form(customer_client, agent_client):
    form = search_form(customer_client)
    assert 'method="get" action="/cases"' in form and 'name="q"' in form
    assert 'formaction="/help/search"' in form  # the second button: the help articles
    assert 'action="/queue"' in search_form(agent_client)


def test_the_search_box_finds_the_cases_each_role_may_see(app, demo_people, open_case):
    ours = open_case("mia.member", subject="Printer jams on invoices")
    for person in ("erik.first", "mia.member"):
        client = app.test_client().sign_in_as(demo_people[person])
        form = search_form(client)
        action = re.search(r'action="([^"]+)"', form).group(1)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\w+)">', form))
        page = client.get(action, query_string={**fields, "q": "invoices"})
        assert ours.call_id in page.get_data(as_text=True)
        # the box keeps the words searched for
        assert re.search(
            r'name="q" maxlength="200"[^>]*value="invoices"', page.get_data(as_text=True)
        )


def test_the_search_box_searches_the_help_articles(customer_client):
    page = customer_client.get("/help/search?q=password").get_data(as_text=True)
    assert re.search(r'name="q" maxlength="200"[^>]*value="password"', page)


def marks(client, path: str) -> tuple[list[str], list[str]]:
    """The links marked as the page shown, and the menus whose summary is marked."""
    page = client.get(path).get_data(as_text=True)
    top = page[: page.index("</header>")]
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', top)
    menus = re.findall(r'<details class="menu menu-(\w+)">\s*<summary class="current">', top)
    return current, menus


def test_the_page_shown_is_marked_in_the_bar_and_in_its_menu(agent_client, customer_client):
    """A link is the page shown when the endpoint and every value of the link match (the
    queue's view among the query's values); its menu's summary is marked too."""
    assert marks(agent_client, "/queue?view=mine") == (["/queue", "/queue?view=mine"], ["cases"])
    assert marks(agent_client, "/queue?view=team&q=x") == (
        ["/queue", "/queue?view=team"],
        ["cases"],
    )
    assert marks(agent_client, "/queue") == (["/queue"], [])
    assert marks(agent_client, "/account/profile") == (["/account/profile"], [])
    assert marks(customer_client, "/cases") == (["/cases"], ["cases"])
    assert marks(customer_client, "/help") == (["/help"], [])
    assert marks(customer_client, "/account/tokens") == (["/account/tokens"], [])
