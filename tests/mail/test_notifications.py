"""Case notifications, received by a real SMTP server: who gets which mail, in which language,
threaded under its case."""

from helpdesk.cases import service
from helpdesk.db import db
from helpdesk.products.models import Product


def open_case(app, requester, subject="Export bricht ab"):
    with app.app_context():
        return service.open_case(
            service.NewCase(
                requester=requester,
                product=Product.select().first(),
                subject=subject,
                description="Seit dem Update",
                case_type="fault",
                severity="normal",
            )
        )


def test_a_new_case_is_acknowledged_with_its_call_id_in_the_requesters_language(
    app, demo_people, smtp_server
):
    mia = demo_people["mia.member"]
    with app.app_context(), db.atomic():
        type(mia).update(language="de").where(type(mia).id == mia.id).execute()
    mia.language = "de"
    case = open_case(app, mia)
    [mail] = smtp_server.messages
    assert mail["To"] == f"{mia.name} <{mia.email}>"
    assert mail["Subject"] == f"[#{case.call_id}] Wir haben Ihren Fall erhalten: Export bricht ab"
    assert mail["In-Reply-To"] == f"<case-{case.call_id}@portal.vendor.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_body(("plain",)).get_content()
    assert case.call_id in body
    assert f"http://localhost:5000/cases/{case.call_id}" in body


def test_a_case_that_fails_to_open_sends_nothing(app, demo_people, smtp_server):
    import pytest

    with pytest.raises(service.CaseError):
        open_case(app, demo_people["mia.member"], subject=" ")
    assert smtp_server.messages == []
