"""The API's case list and case get beside the matching HTML pages (issue 18; target: at
least 80 % of the pages' requests/s).

Tokens are made through the service for the seeded customer and agent; the token rate limit
is raised on the benchmark's server (``allow_the_load``) but still counted on every call, as
in production.
"""

from datetime import timedelta

from limits import parse

from bench import seed as seeding

#: API operation -> the HTML page it mirrors (labels of ``bench.run``'s table).
MIRRORS = {
    "API customer case list": "customer case list",
    "API case get, 10 messages": "case detail, 10 messages (customer)",
    "API agent list, all open": "agent queue, all open",
}


def allow_the_load(app) -> None:
    app.extensions["rate_limits"].limits["api_token"] = parse("100000000 per minute")


def header(email: str) -> str:
    from helpdesk import create_app
    from helpdesk.accounts.models import User
    from helpdesk.api import tokens
    from helpdesk.timeutil import utcnow

    with create_app().app_context():
        user = User.get(User.email == email)
        secret, _token = tokens.create(
            user, "bench", utcnow().date() + timedelta(days=2), ["cases:read"]
        )
    return f"Authorization: Bearer {secret}"


def pages(facts: dict) -> list[tuple[str, str, str]]:
    customer, agent = header(seeding.CUSTOMER), header(seeding.AGENT)
    return [
        ("API customer case list", "/api/v1/cases", customer),
        ("API case get, 10 messages", f"/api/v1/cases/{facts['detail_call_id']}", customer),
        ("API agent list, all open", "/api/v1/cases?view=all", agent),
    ]


def shares(results) -> list[str]:
    """One line per API operation: its requests/s as a share of its page's."""
    rates = {label: r["rate"] for label, _path, r in results}
    return [
        f"{api}: {100 * rates[api] / rates[page]:.0f}% of the page ({page})"
        for api, page in MIRRORS.items()
        if api in rates and page in rates
    ]
