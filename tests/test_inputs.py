"""What a request carries is read at the boundary: ids and page numbers within what the
database holds (issue 12, item 10), text without NUL characters."""

import pytest

from helpdesk.cases import service
from helpdesk.cases.models import Event
from helpdesk.inputs import MAX_ID, page_number, parse_id
from helpdesk.products.models import Product

HUGE = "99999999999999999999"  # 10^20, beyond 64 bits


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/2026-00001/attachments/{HUGE}/x",
        f"/people/{HUGE}/picture/1.png",
        f"/admin/inbound/{HUGE}",
        f"/admin/agents/{HUGE}",
        f"/admin/inbound/{MAX_ID + 1}",
        "/admin/inbound/0",
        "/admin/agents/0",
    ],
)
def test_ids_beyond_the_database_are_not_found(admin_client, url):
    assert admin_client.get(url).status_code == 404


def test_the_largest_id_is_looked_up(admin_client):
    assert admin_client.get(f"/admin/inbound/{MAX_ID}").status_code == 404  # no such row


@pytest.mark.parametrize("path", ["/audit", "/admin/inbound", "/admin/outbox"])
def test_a_huge_page_is_an_empty_page(admin_client, path):
    response = admin_client.get(f"{path}?page={HUGE}")
    assert response.status_code == 200
    assert b'rel="next"' not in response.data


def test_ids_from_forms_and_query_strings():
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    for raw in (None, "", "0", "-1", "²", "٣", "4 2", str(MAX_ID + 1), HUGE, "9" * 5000):
        assert parse_id(raw) is None, raw


def test_page_numbers_are_clamped():
    assert page_number("3") == 3
    assert page_number("3", last=2) == 2
    assert page_number(HUGE) == page_number("9" * 5000) > 1
    for raw in (None, "", "0", "-4", "²", "x"):
        assert page_number(raw) == 1, raw


def test_a_nul_in_a_url_argument_names_nothing(customer_client):
    """PostgreSQL refuses NUL in any text: the lookup itself was a 500 there."""
    for url in ("/cases/%00", "/cases/2026-00001%00/follow-up", "/reset/a%00b"):
        assert customer_client.get(url).status_code == 404, url


def test_nul_characters_are_taken_out_of_form_values(app, demo_people, customer_client):
    mia = demo_people["mia.member"]
    with app.app_context():
        case = service.open_case(
            service.NewCase(
                requester=mia,
                product=Product.select().first(),
                subject="Printing fails",
                description="The invoice run stops.",
                case_type="fault",
                severity="normal",
            )
        )
    response = customer_client.post(
        f"/cases/{case.call_id}/messages?x=%00",
        data=b"body=Here%00 it is.&b%00ody=ignored",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        bodies = [e.body for e in Event.select().where(Event.case == case.id) if e.body]
    assert "Here it is." in bodies
