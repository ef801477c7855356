"""The data-processing agreement (DOC-2): each state change, who may make it, the PDF made out
to the right organisation, the audit rows and the mails (through a real SMTP server)."""

import io

import pytest

from helpdesk.accounts.models import Organisation
from helpdesk.audit import AuditLog
from helpdesk.contracts import agreement
from helpdesk.contracts.models import Agreement, AgreementFile
from tests.contracts.conftest import pdf, text_of


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.settings)


@pytest.fixture
def muster(app, people):
    """Muster GmbH with its addresses, and the vendor's template uploaded."""
    with app.app_context():
        Organisation.update(
            correspondence_address="Musterstraße 1\n1010 Wien",
            billing_address="Rechnungsweg 2\n1020 Wien",
        ).where(Organisation.id == people["mia.member"].organisation_id).execute()
        agreement.upload_template(people["ada.admin"], "avv.pdf", pdf("AVV Vertragstext"))
        return Organisation.get_by_id(people["mia.member"].organisation_id)


def _upload(client, url, name="signed.pdf", data=None):
    data = data if data is not None else pdf("Unterschrieben")
    return client.post(
        url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _state(app, organisation) -> str:
    with app.app_context():
        found = Agreement.get_or_none(Agreement.organisation == organisation.id)
        return found.state if found else "none"


def test_round_trip_by_the_portal_admin_and_the_vendor(app, people, muster, smtp_server):
    base = f"/organisations/{muster.id}"
    admin = app.test_client().sign_in_as(people["paula.portal"])
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert admin.post(base + "/agreement/issue").status_code == 303
    assert _state(app, muster) == "issued"
    with app.app_context():
        blank = AgreementFile.get(AgreementFile.kind == "blank")
    downloaded = admin.get(f"{base}/agreement/files/{blank.id}")
    assert downloaded.status_code == 200
    text = text_of(downloaded.data)
    assert "Muster GmbH" in text and "Musterstraße 1" in text and "Rechnungsweg 2" in text
    assert "AVV Vertragstext" in text  # the template's page follows the cover
    # Countersigning before the signed copy is refused.
    assert _upload(agent, base + "/agreement/countersigned").status_code == 422
    assert _upload(admin, base + "/agreement/signed").status_code == 303
    assert _state(app, muster) == "signed"
    countersigned = _upload(agent, base + "/agreement/countersigned", "gegengezeichnet.pdf")
    assert countersigned.status_code == 303
    assert _state(app, muster) == "countersigned"
    page = admin.get(base + "/contracts")
    assert "The countersigned agreement" in page.text
    assert "The blank agreement to sign" not in page.text  # replaced in the customer's view
    with app.app_context():
        steps = [row.action for row in AuditLog.select().order_by(AuditLog.id)]
        agreement_row = Agreement.get_by_id(muster.id)
        assert agreement_row.issued_at <= agreement_row.signed_at <= agreement_row.countersigned_at
    assert steps == [
        "agreement.template",
        "agreement.issued",
        "agreement.signed",
        "agreement.countersigned",
    ]
    to_paula = [m["Subject"] for m in smtp_server.messages_to(people["paula.portal"].email)]
    assert any("ready" in s or "bereit" in s for s in to_paula)
    assert any("countersigned" in s or "gegengezeichnet" in s for s in to_paula)
    assert smtp_server.messages_to(people["ada.admin"].email)  # the vendor hears of the signature


def test_who_may_make_each_step(app, people, muster, foreigner):
    base = f"/organisations/{muster.id}"
    member = app.test_client().sign_in_as(people["mia.member"])
    stranger = app.test_client().sign_in_as(foreigner)
    admin = app.test_client().sign_in_as(people["paula.portal"])
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert member.post(base + "/agreement/issue").status_code == 404
    assert stranger.post(base + "/agreement/issue").status_code == 404
    assert _state(app, muster) == "none"
    assert agent.post(base + "/agreement/issue").status_code == 303  # an agent issues too
    assert _upload(member, base + "/agreement/signed").status_code == 404
    assert _upload(stranger, base + "/agreement/signed").status_code == 404
    assert _state(app, muster) == "issued"
    assert _upload(agent, base + "/agreement/signed").status_code == 303  # came by mail
    assert _upload(admin, base + "/agreement/countersigned").status_code == 404
    assert _state(app, muster) == "signed"
    with app.app_context():
        files = list(AgreementFile.select().where(AgreementFile.organisation == muster.id))
    for document in files:
        assert stranger.get(f"{base}/agreement/files/{document.id}").status_code == 404
        assert (
            stranger.get(
                f"/organisations/{foreigner.organisation_id}/agreement/files/{document.id}"
            ).status_code
            == 404
        )


def test_only_a_pdf_is_accepted_and_nothing_changes_otherwise(app, people, muster):
    base = f"/organisations/{muster.id}"
    admin = app.test_client().sign_in_as(people["paula.portal"])
    admin.post(base + "/agreement/issue")
    refused = _upload(admin, base + "/agreement/signed", "signed.txt", b"just text")
    assert refused.status_code == 422 and "as a PDF file" in refused.text
    assert _state(app, muster) == "issued"


def test_without_a_template_nothing_is_issued(make_app, demo_people):
    app = make_app()
    admin = app.test_client().sign_in_as(demo_people["paula.portal"])
    page = admin.get(f"/organisations/{demo_people['paula.portal'].organisation_id}/contracts")
    assert "has not provided an agreement template" in page.text
    refused = admin.post(
        f"/organisations/{demo_people['paula.portal'].organisation_id}/agreement/issue"
    )
    assert refused.status_code == 422


def test_the_vendor_admin_uploads_the_template(app, people):
    admin = app.test_client().sign_in_as(people["ada.admin"])
    assert _upload(admin, "/admin/agreement-template", "avv.pdf").status_code == 303
    assert "avv.pdf" in admin.get("/admin/agreement-template").text
    refused = _upload(admin, "/admin/agreement-template", "avv.pdf", b"%PDF-1.4 broken")
    assert refused.status_code == 422
    agent = app.test_client().sign_in_as(people["erik.first"])
    assert agent.get("/admin/agreement-template").status_code == 404
