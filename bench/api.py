"""The API's case list and case get beside the matching HTML pages (issue 18; target: at
least 80 % of the pages' requests/s).

Tokens are made through the service for the seeded customer and agent; the token rate limit
(and the sign-in limits) are raised on the benchmark's server (``allow_the_load``) but still
counted on every call, as in production.
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


#: The limits the benchmark's load would use up: the token's calls, and the sign-ins of runs
#: one after another (each run signs its people in; the account's limit, ten in ten minutes,
#: turned later runs away with a redirect to the sign-in page).
RAISED = ("api_token", "sign_in_address", "sign_in_account")


def allow_the_load(app) -> None:
    for name in RAISED:
        app.extensions["rate_limits"].limits[name] = parse("100000000 per minute")


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
