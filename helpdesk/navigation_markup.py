"""The main navigation as HTML: the bar's places (single links and folded ``<details>``
menus) and the links of the person's own menu, written in Python.

Every signed-in page shows them. As template macros (a macro call, a URL and a "current"
test per link, the test again per menu for its summary's mark) they cost 0.38 ms of a
customer's and 0.55 ms of an agent's page, a quarter of the signed-in floor (1.7 ms,
``bench.inprocess``, 2026-12-07); here the request's arguments are read once and each link
is a string format. The HTML is what the macros wrote.
"""

from markupsafe import Markup, escape

from helpdesk.policy import NavGroup, NavLink
from helpdesk.web import fixed_url


def link(item: NavLink, current: bool) -> str:
    """One link of the bar or a menu, marked as the page shown when it is."""
    mark = ' aria-current="page"' if current else ""
    url = fixed_url(item.endpoint, **item.values)
    return f'<a href="{escape(url)}"{mark}>{escape(item.label)}</a>'


def menu(group: NavGroup, title, currents: list[bool]) -> str:
    """A folded menu, its summary marked when one of its links is the page shown."""
    mark = ' class="current"' if any(currents) else ""
    items = "".join(
        f"\n    <li>{link(item, now)}</li>" for item, now in zip(group.links, currents, strict=True)
    )
    return (
        f'<details class="menu menu-{escape(group.menu)}">\n'
        f"  <summary{mark}>{escape(title)}</summary>\n"
        f"  <ul>{items}\n  </ul>\n</details>"
    )


def bar_and_account(
    bar: list[NavGroup], account: list[NavLink], titles: dict, endpoint, arguments: dict
) -> tuple[Markup, Markup]:
    """The ``<li>`` items of the bar (``titles``: each menu's title) and of the person's own
    menu, for the page at ``endpoint`` with ``arguments`` (its path and query values)."""
    places = []
    for group in bar:
        currents = [item.is_current(endpoint, arguments) for item in group.links]
        if group.menu:
            place = menu(group, titles[group.menu], currents)
        else:
            place = link(group.links[0], currents[0])
        places.append(f"<li>{place}</li>")
    own = [f"<li>{link(item, item.is_current(endpoint, arguments))}</li>" for item in account]
    return Markup("\n".join(places)), Markup("\n".join(own))
