"""The OpenAPI description against the running API (schemathesis): every operation, as an
agent and as a customer with a token of every scope they may have; no 5xx, every status
documented, every answer in the documented shape. Bounded examples keep it near a minute."""

import re
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from helpdesk.testing.cases import open_case
from helpdesk.timeutil import utcnow

#: Examples per operation and role: enough to reach each refusal and the happy path.
EXAMPLES = 12


@pytest.fixture
def world(app, demo_people):
    """A case of the demo organisation, a published article, and a token of an agent and of
    a customer."""
    from helpdesk.api import tokens
    from helpdesk.knowledge import service
    from helpdesk.knowledge.models import State

    with app.app_context():
        open_case("mia.member")
        admin = demo_people["ada.admin"]
        category = service.ensure_category("howto", "Anleitungen", "How-tos")
        article = service.create_article(
            admin, {"category": category.id, "audience": "public", "title_en": "Printing"}
        )
        service.set_state(admin, article, State.PUBLISHED)
        secrets = {}
        for name in ("ada.admin", "mia.member"):
            user = demo_people[name]
            scopes = [key for key, _label in tokens.available_scopes(user)]
            secrets[name], _token = tokens.create(
                user, "schemathesis", utcnow().date() + timedelta(days=2), scopes
            )
    return secrets


#: A body of the documented shape may still be refused by the rules (a product id that does
#: not exist, a status move the vendor forbids): a 422 with the form's reasons is right then.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def check_every_operation(app, secret: str) -> list[str]:
    """Every operation of the description, called with generated input under ``secret``.

    Driven through hypothesis directly: schemathesis' own pytest plugin does not yet run on
    this pytest (it reads a removed attribute of test items)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {secret}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        try:
            run()
        except Exception as error:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {error}")
    return failures


def test_the_api_keeps_its_description_for_an_agent(app, world):
    failures = check_every_operation(app, world["ada.admin"])
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_its_description_for_a_customer(app, world):
    failures = check_every_operation(app, world["mia.member"])
    assert not failures, "\n\n".join(failures)


def test_the_description_lists_every_operation(app, client):
    described = client.get("/api/v1/openapi.json").get_json()
    assert described["openapi"] == "3.1.0"
    operations = {
        operation["operationId"]
        for methods in described["paths"].values()
        for operation in methods.values()
    }
    routes = sum(
        len(rule.methods - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    )
    assert len(operations) == routes
    page = client.get("/api/v1/docs")
    assert page.status_code == 200


def test_the_docs_page_follows_the_readers_language_and_lists_operations_without_js(app, people):
    from helpdesk.accounts.models import User

    with app.app_context():
        User.update(language="de").where(User.id == people["mia.member"].id).execute()
    german = app.test_client().sign_in_as(people["mia.member"]).get("/api/v1/docs")
    page = german.get_data(as_text=True)
    assert '<html lang="de">' in page and "<title>Die API des Portals ·" in page
    described = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, methods in described["paths"].items():
        for method, operation in methods.items():
            heading = re.search(f'<h3 id="{operation["operationId"]}">(.*?)</h3>', page).group(1)
            assert f">{method.upper()}</span> <code>{path}</code>" in heading
    assert "Anfragekörper" in page and "Beispiel mit curl" in page
    english = app.test_client().get("/api/v1/docs", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "<h1>The portal" in english.get_data(as_text=True)
    assert "Request body" in english.get_data(as_text=True)
    # The cookie gave the page its language only: it still authorises no call.
    assert app.test_client().sign_in_as(people["mia.member"]).get("/api/v1/me").status_code == 401
