"""Document pages (DOC-5): plugins add pages to the organisation's area, each with its own
visibility rule; seed 001 explains the contracts and the AVV, seed 004 offers the remote
support tool to contract customers only, with the consent it needs."""

from datetime import date

import pytest

from helpdesk.contracts import service


@pytest.mark.hook("helpdesk_document_pages")
def test_seed_004_shows_remote_support_to_contract_customers(make_app, demo_people):
    app = make_app("small_vendor")
    muster = demo_people["mia.member"].organisation_id
    customer = app.test_client().sign_in_as(demo_people["paula.portal"])
    url = f"/organisations/{muster}/contracts"
    assert "remote-support.exe" not in customer.get(url).text  # no contract yet
    with app.app_context():
        service.add_contract(
            demo_people["erik.first"],
            demo_people["mia.member"].organisation,
            kind="maintenance",
            title="Wartung",
            starts_on=date(2026, 1, 1),
        )
    page = customer.get(url).text
    assert "remote-support.exe" in page and "<strong>We never connect" in page


def test_seed_001_explains_the_agreement(make_app, demo_people):
    app = make_app("erp_portal")
    customer = app.test_client().sign_in_as(demo_people["paula.portal"])
    page = customer.get(f"/organisations/{demo_people['paula.portal'].organisation_id}/contracts")
    assert "Your contracts and the AVV" in page.text
