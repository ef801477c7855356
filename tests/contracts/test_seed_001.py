"""Seed 001's plugin: without an AVV the new-ticket form warns and says why ("ohne AVV [ist]
auch kein Online-Support mehr rechtens"); once the signed copy is in, it says nothing."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.contracts import agreement
from tests.contracts.conftest import pdf


@pytest.fixture
def app(make_app):
    return make_app("erp_portal")


@pytest.mark.hook("helpdesk_new_case_notices")
def test_the_form_warns_until_the_agreement_is_signed(app, demo_people, open_case):
    customer = app.test_client().sign_in_as(demo_people["mia.member"])
    form = customer.get("/cases/new")
    assert "online support is not lawful" in form.text
    with app.app_context():
        User.update(language="de").where(User.id == demo_people["mia.member"].id).execute()
    assert "Online-Support ist ohne AVV nicht rechtens" in customer.get("/cases/new").text
    with app.app_context():
        open_case("mia.member")  # a warning, not a refusal
        organisation = demo_people["mia.member"].organisation
        agreement.upload_template(demo_people["ada.admin"], "avv.pdf", pdf("AVV"))
        agreement.issue(demo_people["paula.portal"], organisation)
        agreement.upload_signed(demo_people["paula.portal"], organisation, "s.pdf", pdf("S"))
    assert "AVV" not in customer.get("/cases/new").text
