"""Products, components and teams in the reader's language, and no cache answering one
language with another's words. (That the product column costs no query per row is
``test_lists.py::test_queries_do_not_grow_with_the_rows``, which shows every column.)"""

from helpdesk.accounts.models import Team
from helpdesk.cases import service
from helpdesk.products.models import Component, Product

GERMAN, ENGLISH = {"Accept-Language": "de"}, {"Accept-Language": "en"}


def _name_everything(ctx):
    Product.update(name_de="Unternehmenspaket", name_en="Business Suite").execute()
    Component.update(name_de="Buchhaltung", name_en="Accounting").where(
        Component.key == "finance"
    ).execute()
    Team.update(name_de="Kundendienst", name_en="Customer care").execute()


def test_names_follow_the_readers_language_on_list_case_page_and_form(ctx, open_case, app):
    _name_everything(ctx)
    finance = Component.get(Component.key == "finance")
    case = open_case(component=finance)
    agent = app.test_client().sign_in_as(ctx["erik.first"])
    agent.post("/cases/columns", data={"columns": ["subject", "product"]})
    # Alternating languages on one app: the per-language vocabulary and the compiled list
    # pages must never answer one language with the other's words.
    for headers, product, component, team in (
        (GERMAN, "Unternehmenspaket", "Buchhaltung", "Kundendienst"),
        (ENGLISH, "Business Suite", "Accounting", "Customer care"),
        (GERMAN, "Unternehmenspaket", "Buchhaltung", "Kundendienst"),
    ):
        listed = agent.get("/queue?view=all", headers=headers).get_data(as_text=True)
        assert f">{product}</td>" in listed
        page = agent.get(f"/cases/{case.call_id}", headers=headers).get_data(as_text=True)
        assert product in page and component in page and team in page
        form = agent.get("/cases/new/phone", headers=headers).get_data(as_text=True)
        assert f">{product}</option>" in form
    assert "Business Suite" not in listed and "Customer care" not in page


def test_timeline_names_a_changed_product_in_the_readers_language(ctx, open_case, app):
    other = Product.create(key="hr", name_de="Lohn", name_en="Payroll")
    case = open_case()
    service.change_field(case, ctx["erik.first"], "product", other)
    agent = app.test_client().sign_in_as(ctx["erik.first"])
    assert "Payroll" in agent.get(f"/cases/{case.call_id}", headers=ENGLISH).get_data(True)
    assert "Lohn" in agent.get(f"/cases/{case.call_id}", headers=GERMAN).get_data(True)
