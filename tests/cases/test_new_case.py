"""Opening a case through the web form (CASE-2, CASE-3) and by phone (CASE-7), with real
requests as browsers send them: plain posts with files, htmx requests for the fields that
depend on product and case type.
"""

import io
import json
import re
from pathlib import Path

import pytest

from helpdesk import demo
from helpdesk.accounts.models import User
from helpdesk.cases import files, uploads
from helpdesk.cases.models import Attachment, Case, Channel, Event, EventKind
from helpdesk.products.models import Component, Product, ProductVersion

HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120


def suite():
    return Product.get(Product.key == "suite")


def version(name, product=None):
    product = product or suite()
    return ProductVersion.get((ProductVersion.product == product) & (ProductVersion.name == name))


def form(**fields):
    """A complete, valid post of the customer's form; ``fields`` change or add to it."""
    product = suite()
    values = {
        "product": str(product.id),
        "version": str(version("2025.2").id),
        "component": str(Component.get(Component.key == "finance").id),
        "case_type": "fault",
        "severity": "normal",
        "subject": "Invoice run stops",
        "description": "The monthly invoice run stops after 50 invoices.",
        "category": "Billing",
        "topic": "Invoice run",
        "symptom": "Progress bar freezes",
        "steps": "1. Open invoicing\n2. Start the run",
        "error_text": "E4711 lock timeout",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def upload(content=PNG, name="screen.png"):
    return (io.BytesIO(content), name)


def text(response) -> str:
    return response.get_data(as_text=True)


def opened_case(response) -> Case:
    """The case a successful post opened, found through the URL it redirects to."""
    assert response.status_code == 303, text(response)
    match = re.fullmatch(r"/cases/(\d{4}-\d{5,})", response.headers["Location"])
    assert match, response.headers["Location"]
    return Case.get(Case.call_id == match.group(1))


def pending_ids(page: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="pending" value="(\d+)">', page)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def no_case_opened():
    return not Case.select().exists()


# -- The page ---------------------------------------------------------------------------


def test_customer_gets_the_form_with_the_vendors_choices(customer_client):
    response = customer_client.get("/cases/new")
    page = text(response)
    assert response.status_code == 200
    assert 'href="/cases/new"' in page  # the navigation link
    for label in ("Product", "Version", "Component", "Subject", "Description", "Severity"):
        assert label in page
    assert "Change request" in page and "Critical" in page
    assert "Needs an impact justification." in page
    assert "Required for the severities Critical, High" in page
    assert "Steps to reproduce" in page and "Exact error text" in page
    assert 'type="file"' in page and " multiple " in page
    assert 'enctype="multipart/form-data"' in page
    assert "Send a copy to me" in page
    # The only product is chosen; a calm severity too.
    assert f'<option selected value="{suite().id}">Business Suite</option>' in page
    assert re.search(r'<input checked id="severity-\d" name="severity"[^>]*value="normal"', page)


def test_page_keeps_to_the_content_security_policy(customer_client):
    page = text(customer_client.get("/cases/new"))
    assert ' style="' not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/vendor/htmx.min.js" defer>']
    assert "/static/css/cases-form.css" in page


def test_without_a_chosen_product_versions_are_grouped_by_product(customer_client, ctx):
    other = Product.create(key="portal", name="Tenant Portal")
    ProductVersion.create(product=other, name="9.9")
    page = text(customer_client.get("/cases/new"))
    assert '<optgroup label="Business Suite">' in page
    assert '<optgroup label="Tenant Portal">' in page


def test_agents_are_sent_to_the_phone_form_and_strangers_to_sign_in(agent_client, client):
    assert agent_client.get("/cases/new").headers["Location"] == "/cases/new/phone"
    assert client.get("/cases/new").headers["Location"].startswith("/sign-in")


def test_german_user_sees_the_plugins_labels_in_german(app, ctx):
    mia = ctx["mia.member"]
    User.update(language="de").where(User.id == mia.id).execute()
    page = text(app.test_client().sign_in_as(mia).get("/cases/new"))
    assert '<html lang="de">' in page
    assert "Fehler" in page and "Änderungswunsch" in page and "Kritisch" in page
    assert "Change request" not in page


# -- Opening a case ---------------------------------------------------------------------


def test_happy_path_opens_the_case_with_its_files(app, customer_client, ctx):
    data = form(copy_to_requester="y", files=[upload(), upload(b"log line\n", "app.log")])
    case = opened_case(customer_client.post("/cases/new", data=data))

    assert re.fullmatch(r"\d{4}-\d{5}", case.call_id)
    assert case.requester_id == ctx["mia.member"].id
    assert case.organisation_id == ctx["mia.member"].organisation_id
    assert case.channel == Channel.WEB and case.opened_by_id == ctx["mia.member"].id
    assert case.version.name == "2025.2" and case.component.key == "finance"
    assert (case.category, case.topic) == ("Billing", "Invoice run")
    assert case.priority == "normal"  # the core mapping: normal severity, normal priority
    assert case.symptom == "Progress bar freezes" and case.error_text == "E4711 lock timeout"
    assert case.expected is None and case.copy_to_requester is True
    opened = Event.get((Event.case == case.id) & (Event.kind == EventKind.OPENED))
    assert opened.new_value == Channel.WEB

    attachments = list(Attachment.select().where(Attachment.case == case.id))
    assert sorted(a.filename for a in attachments) == ["app.log", "screen.png"]
    assert {a.event_id for a in attachments} == {opened.id}
    uploads = Path(app.instance_path) / "uploads"
    for attachment in attachments:
        with app.app_context():
            path = files.path_of(attachment.stored_name)
        assert path.is_file() and uploads in path.parents
        assert "static" not in path.parts
    assert f"Your case {case.call_id} has been opened." in flashes(customer_client)


@pytest.mark.parametrize(("severity", "priority"), [("critical", "high"), ("low", "low")])
def test_priority_follows_the_mapping(customer_client, ctx, severity, priority):
    data = form(severity=severity, impact="All invoicing stopped for 200 customers.")
    assert opened_case(customer_client.post("/cases/new", data=data)).priority == priority


def test_optional_fields_may_stay_empty(customer_client, ctx):
    data = form(version="", component="", category="", topic="", symptom="", steps="")
    case = opened_case(customer_client.post("/cases/new", data=data))
    assert case.version is None and case.component is None and case.category is None


# -- A form that comes back -------------------------------------------------------------


def test_invalid_form_keeps_what_was_typed_and_the_files(customer_client, ctx):
    data = form(subject="", files=[upload(name="first.png")])
    response = customer_client.post("/cases/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "Please give the case a subject." in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="subject-hint subject-error"' in page
    assert "The monthly invoice run stops after 50 invoices." in page
    assert 'value="Billing"' in page and "E4711 lock timeout" in page
    assert re.search(r'<option selected value="\d+">2025.2</option>', page)
    assert "first.png" in page
    kept = pending_ids(page)
    assert len(kept) == 1 and no_case_opened()

    again = form(subject="Invoice run stops", pending=kept)
    case = opened_case(customer_client.post("/cases/new", data=again))
    assert [a.filename for a in case.attachments] == ["first.png"]


def test_a_kept_file_can_be_removed(customer_client, ctx):
    page = text(customer_client.post("/cases/new", data=form(subject="", files=[upload()])))
    kept = pending_ids(page)
    data = form(pending=kept, drop_upload=kept)
    case = opened_case(customer_client.post("/cases/new", data=data))
    assert list(case.attachments) == []


def test_refused_file_is_an_error_on_the_files_field(customer_client, ctx):
    data = form(files=[upload(EXECUTABLE, "screenshot.png"), upload(name="fine.png")])
    response = customer_client.post("/cases/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "screenshot.png is not a file type we accept" in page
    assert 'id="files-error"' in page
    assert "Invoice run stops" in page and "fine.png" in page
    assert no_case_opened()


def test_version_of_another_product_is_refused(customer_client, ctx):
    other = Product.create(key="portal", name="Tenant Portal")
    foreign_version = ProductVersion.create(product=other, name="9.9")
    foreign_component = Component.create(product=other, key="app", name="App")
    data = form(version=str(foreign_version.id), component=str(foreign_component.id))
    response = customer_client.post("/cases/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "This version does not belong to the product." in page
    assert "This component does not belong to the product." in page
    assert no_case_opened()


def test_inactive_product_is_not_offered(customer_client, ctx):
    old = Product.create(key="old", name="Old Suite", active=False)
    assert "Old Suite" not in text(customer_client.get("/cases/new"))
    response = customer_client.post("/cases/new", data=form(product=str(old.id), version=""))
    assert response.status_code == 422
    assert "Please choose one of the offered values." in text(response)


@pytest.mark.parametrize("severity", ["critical", "high"])
def test_impact_is_required_for_the_top_severities(customer_client, ctx, severity):
    response = customer_client.post("/cases/new", data=form(severity=severity, impact="  "))
    assert response.status_code == 422
    assert "For this severity, please describe the impact and why it is so urgent." in text(
        response
    )
    assert no_case_opened()


def test_required_choices_are_asked_for(customer_client, ctx):
    data = form(product="", case_type="", severity=None, description="")
    page = text(customer_client.post("/cases/new", data=data))
    for message in (
        "Please choose a product.",
        "Please choose a case type.",
        "Please choose a severity.",
        "Please describe the problem.",
    ):
        assert message in page
    assert "Please choose one of the offered values." not in page


def test_without_javascript_the_form_shows_the_fields_of_the_chosen_product(customer_client, ctx):
    other = Product.create(key="portal", name="Tenant Portal")
    ProductVersion.create(product=other, name="9.9")
    data = form(product=str(other.id), version="", files=[upload()])
    response = customer_client.post("/cases/new", data={**data, "refresh": "1"})
    page = text(response)
    assert response.status_code == 200 and no_case_opened()
    assert "9.9" in page and "2025.2" not in page
    assert "Invoice run stops" in page and len(pending_ids(page)) == 1
    assert 'class="error"' not in page


# -- The fields that depend on product and type (htmx) ----------------------------------


def test_htmx_gets_only_the_fields_of_the_product(customer_client, ctx):
    other = Product.create(key="portal", name="Tenant Portal")
    ProductVersion.create(product=other, name="9.9")
    response = customer_client.get(f"/cases/new/fields?product={other.id}", headers=HTMX)
    page = text(response)
    assert response.status_code == 200
    assert "<html" not in page and page.strip().startswith('<div id="case-fields"')
    assert "9.9" in page and "2025.2" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_fields_without_htmx_lead_to_the_whole_form(customer_client, ctx):
    response = customer_client.get(f"/cases/new/fields?product={suite().id}&case_type=fault")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/new?product={suite().id}&case_type=fault"


# -- The vendor plugin's fields ---------------------------------------------------------


@pytest.fixture
def property_app(make_app):
    app = make_app("property_software")
    with app.app_context():
        demo.load(password="irrelevant-here")
    return app


def property_client(app):
    return app.test_client().sign_in_as(User.get(User.email == "mia.member@muster.example"))


def test_plugin_fields_follow_product_and_type(property_app):
    client = property_client(property_app)
    erp = Product.get(Product.key == "property_erp")
    page = text(client.get(f"/cases/new/fields?product={erp.id}&case_type=fault", headers=HTMX))
    assert "Client company" in page and "Property / economic unit" in page
    assert "Kind of installation" in page and "Network (client/server)" in page
    page = text(client.get(f"/cases/new/fields?product={erp.id}&case_type=urgency", headers=HTMX))
    assert "Reason for the urgency" in page and "Kind of installation" not in page


def test_required_plugin_fields_are_enforced(property_app):
    client = property_client(property_app)
    erp = Product.get(Product.key == "property_erp")
    data = {
        "product": str(erp.id),
        "case_type": "product_requirement",
        "severity": "standard",
        "subject": "Export for owners",
        "description": "We need an export of owner statements.",
    }
    response = client.post("/cases/new", data=data)
    assert response.status_code == 422
    assert "Benefit and business case" in text(response)
    assert "This field is required." in text(response)
    assert no_case_opened()

    case = opened_case(
        client.post("/cases/new", data={**data, "extra_business_case": "Saves a day"})
    )
    assert json.loads(case.extra) == {"business_case": "Saves a day"}
    assert case.priority == "normal"  # the plugin's mapping by request type


def test_plugin_select_values_are_kept(property_app):
    client = property_client(property_app)
    erp = Product.get(Product.key == "property_erp")
    data = {
        "product": str(erp.id),
        "case_type": "urgency",
        "severity": "standard",
        "subject": "Statement due tomorrow",
        "description": "The owners' statement cannot be printed.",
        "extra_client_number": "12",
        "extra_urgency_reason": "Owners' meeting tomorrow",
    }
    case = opened_case(client.post("/cases/new", data=data))
    assert json.loads(case.extra) == {
        "client_number": "12",
        "urgency_reason": "Owners' meeting tomorrow",
    }
    assert case.priority == "high"


def test_german_user_sees_the_plugins_case_types(property_app):
    User.update(language="de").where(User.email == "mia.member@muster.example").execute()
    page = text(property_client(property_app).get("/cases/new"))
    assert "Anwenderhilfe" in page and "Fehler/Störung" in page
    assert "User help" not in page


# -- Who may open cases for whom ---------------------------------------------------------


def test_customer_cannot_open_a_case_for_another_organisation(customer_client, foreign, ctx):
    forged = form(requester=str(foreign["admin"].id), organisation=str(foreign["organisation"].id))
    case = opened_case(customer_client.post("/cases/new", data=forged))
    assert case.requester_id == ctx["mia.member"].id
    assert case.organisation_id == ctx["mia.member"].organisation_id


def test_customer_cannot_take_someone_elses_pending_upload(app, customer_client, foreign, ctx):
    with app.app_context():
        stored = files.store("secret.png", PNG)
    theirs = uploads.pending_upload(foreign["admin"], stored)
    case = opened_case(customer_client.post("/cases/new", data=form(pending=[str(theirs.id)])))
    assert list(case.attachments) == []
    assert Attachment.get_by_id(theirs.id).case_id is None


def test_customers_get_404_on_the_phone_form(customer_client, ctx):
    assert customer_client.get("/cases/new/phone").status_code == 404
    data = form(requester=str(ctx["paula.portal"].id))
    assert customer_client.post("/cases/new/phone", data=data).status_code == 404
    assert no_case_opened()


def test_customer_without_support_authorisation_is_told_so(app, ctx):
    mia = ctx["mia.member"]
    User.update(support_authorised=False).where(User.id == mia.id).execute()
    client = app.test_client().sign_in_as(mia)
    response = client.get("/cases/new")
    assert response.status_code == 403
    assert "You may not open cases" in text(response) and "Paula Portal" in text(response)
    assert client.post("/cases/new", data=form()).status_code == 403
    assert no_case_opened()


# -- The phone channel ------------------------------------------------------------------


def test_phone_form_offers_authorised_customers_by_organisation(agent_client, foreign, ctx):
    User.update(support_authorised=False).where(User.id == ctx["alma.admin"].id).execute()
    page = text(agent_client.get("/cases/new/phone"))
    assert '<optgroup label="Muster GmbH">' in page and '<optgroup label="Fremd AG">' in page
    assert "Mia Member" in page and "Frida Fremd" in page
    assert "Alma Admin" not in page and "erik.first@" not in page
    assert "Send the customer a copy" in page


def test_agent_opens_a_case_by_phone(agent_client, ctx):
    mia, erik = ctx["mia.member"], ctx["erik.first"]
    data = form(requester=str(mia.id), files=[upload()])
    case = opened_case(agent_client.post("/cases/new/phone", data=data))
    assert case.channel == Channel.PHONE
    assert case.requester_id == mia.id and case.organisation_id == mia.organisation_id
    assert case.opened_by_id == erik.id
    opened = Event.get((Event.case == case.id) & (Event.kind == EventKind.OPENED))
    assert opened.author_id == erik.id and opened.new_value == Channel.PHONE
    assert [a.uploaded_by_id for a in case.attachments] == [erik.id]
    assert f"Case {case.call_id} has been opened for Mia Member." in flashes(agent_client)


@pytest.mark.parametrize("who", ["erik.first", "alma.admin", "nobody"])
def test_phone_form_refuses_a_requester_it_does_not_offer(agent_client, ctx, who):
    User.update(support_authorised=False).where(User.id == ctx["alma.admin"].id).execute()
    requester = str(ctx[who].id) if who in ctx else "999999"
    response = agent_client.post("/cases/new/phone", data=form(requester=requester))
    assert response.status_code == 422
    assert "Please choose one of the offered values." in text(response)
    assert no_case_opened()


def test_phone_form_offers_whom_the_plugin_lets_open_cases(make_app, demo_people):
    """Seed 002: every customer user may open cases, support-authorised or not."""
    app = make_app("property_software")
    with app.app_context():
        User.update(support_authorised=False).where(
            User.id == demo_people["alma.admin"].id
        ).execute()
    client = app.test_client().sign_in_as(demo_people["erik.first"])
    assert "Alma Admin" in text(client.get("/cases/new/phone"))
    core = make_app().test_client().sign_in_as(demo_people["erik.first"])
    assert "Alma Admin" not in text(core.get("/cases/new/phone"))
