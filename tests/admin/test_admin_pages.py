"""The vendor admin's pages (ACC-7): agents, teams, products, organisations and domains."""

import pytest

from helpdesk.accounts.models import Organisation, OrganisationDomain, Team, User
from helpdesk.audit import AuditLog
from helpdesk.products.models import Component, Product, ProductVersion

PAGES = ["/admin/agents", "/admin/teams", "/admin/products", "/admin/organisations"]


def actions(app):
    with app.app_context():
        return [row.action for row in AuditLog.select().order_by(AuditLog.id)]


@pytest.mark.parametrize("url", PAGES)
def test_admins_see_the_pages(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["erik.first", "tom.third", "paula.portal", "mia.member"])
def test_everyone_else_gets_a_404(app, demo_people, who):
    client = app.test_client().sign_in_as(demo_people[who])
    for url in PAGES:
        assert client.get(url).status_code == 404
    assert client.post("/admin/teams", data={"key": "x", "name": "X"}).status_code == 404


def test_the_navigation_shows_the_admin_pages_to_admins_only(admin_client, agent_client):
    assert 'href="/admin/agents"' in admin_client.get("/admin/teams").get_data(as_text=True)
    assert 'href="/admin/agents"' not in agent_client.get("/cases/queue").get_data(as_text=True)


def test_creating_and_editing_an_agent(app, admin_client, demo_people):
    with app.app_context():
        team = Team.select().first()
    response = admin_client.post(
        "/admin/agents",
        data={
            "name": "Nina New",
            "email": "Nina.New@vendor.example",
            "password": "a-long-initial-password",
            "team": team.id,
            "support_level": 2,
            "is_manager": "y",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        nina = User.get(User.email == "nina.new@vendor.example")
    assert nina.is_agent and nina.support_level == 2 and nina.is_manager and not nina.is_admin
    assert nina.team_id == team.id
    ninas_browser = app.test_client().sign_in_as(nina)
    assert ninas_browser.get("/agent").status_code == 200
    response = admin_client.post(
        f"/admin/agents/{nina.id}", data={"name": "Nina New", "team": 0, "support_level": 3}
    )
    assert response.status_code == 302
    with app.app_context():
        nina = User.get_by_id(nina.id)
    assert nina.support_level == 3 and not nina.active and nina.team_id is None
    assert ninas_browser.get("/agent").status_code == 302  # disabled: signed out everywhere
    assert actions(app) == ["agent.created", "agent.updated"]


def test_an_agent_needs_a_password_and_a_fresh_address(app, admin_client):
    data = {"name": "X", "email": "erik.first@vendor.example", "support_level": 1, "team": 0}
    assert admin_client.post("/admin/agents", data=data).status_code == 422
    data["password"] = "a-long-initial-password"
    response = admin_client.post("/admin/agents", data=data)
    assert response.status_code == 422
    assert "already" in response.get_data(as_text=True)


def test_an_admin_cannot_lock_themselves_out(app, admin_client, demo_people):
    ada = demo_people["ada.admin"]
    response = admin_client.post(
        f"/admin/agents/{ada.id}",
        data={"name": "Ada", "team": 0, "support_level": 3, "active": "y"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert User.get_by_id(ada.id).is_admin


def test_teams(app, admin_client):
    consulting = {"key": "consulting", "name_de": "Beratung", "name_en": "Consulting"}
    assert admin_client.post("/admin/teams", data=consulting).status_code == 302
    again = {**consulting, "name_en": "Again"}
    assert admin_client.post("/admin/teams", data=again).status_code == 422
    half = {"key": "sales", "name_de": "Vertrieb"}
    assert admin_client.post("/admin/teams", data=half).status_code == 422
    with app.app_context():
        team = Team.get(Team.key == "consulting")
        assert (team.name_de, team.name_en) == ("Beratung", "Consulting")
    admin_client.post(
        f"/admin/teams/{team.id}", data={"name_de": "Beratungsteam", "name_en": "Consultants"}
    )
    with app.app_context():
        team = Team.get_by_id(team.id)
        assert (team.name_de, team.name_en) == ("Beratungsteam", "Consultants")
    page = admin_client.get("/admin/teams", headers={"Accept-Language": "en"}).get_data(True)
    assert 'value="Beratungsteam"' in page and 'value="Consultants"' in page
    assert actions(app) == ["team.created", "team.renamed"]


def test_products_versions_and_components(app, admin_client):
    response = admin_client.post(
        "/admin/products", data={"key": "crm", "name_de": "CRM", "name_en": "CRM"}
    )
    assert response.status_code == 302
    with app.app_context():
        product = Product.get(Product.key == "crm")
    for name in ("1.0", "2.0", "3.0"):
        admin_client.post(
            f"/admin/products/{product.id}/versions", data={"name": name, "supported": "y"}
        )
    assert (
        admin_client.post(
            f"/admin/products/{product.id}/versions", data={"name": "1.0"}
        ).status_code
        == 422
    )

    def order():
        with app.app_context():
            rows = ProductVersion.select().where(ProductVersion.product == product.id)
            return [(v.name, v.supported) for v in rows.order_by(ProductVersion.position)]

    assert order() == [("1.0", True), ("2.0", True), ("3.0", True)]
    with app.app_context():
        first = ProductVersion.get(
            ProductVersion.name == "1.0", ProductVersion.product == product.id
        )
    admin_client.post(f"/admin/versions/{first.id}", data={"name": "1.0 LTS"})
    admin_client.post(f"/admin/versions/{first.id}/down")
    assert order() == [("2.0", True), ("1.0 LTS", False), ("3.0", True)]
    admin_client.post(
        f"/admin/products/{product.id}/components",
        data={"key": "Sales", "name_de": "Vertrieb", "name_en": "Sales"},
    )
    with app.app_context():
        component = Component.get(Component.product == product.id)
    assert component.key == "sales"
    admin_client.post(
        f"/admin/components/{component.id}", data={"name_de": "Verkauf", "name_en": "Sales"}
    )
    admin_client.post(
        f"/admin/products/{product.id}", data={"name_de": "CRM-Paket", "name_en": "CRM Suite"}
    )
    with app.app_context():
        component = Component.get_by_id(component.id)
        assert (component.name_de, component.name_en) == ("Verkauf", "Sales")
        product = Product.get_by_id(product.id)
    assert (product.name_de, product.name_en) == ("CRM-Paket", "CRM Suite")
    assert not product.active
    page = admin_client.get(f"/admin/products/{product.id}", headers={"Accept-Language": "de"})
    assert "<h1>CRM-Paket" in page.get_data(True) and 'value="Sales"' in page.get_data(True)
    page = admin_client.get(f"/admin/products/{product.id}").get_data(as_text=True)
    assert "Verkauf" in page and "1.0 LTS" in page
    assert "version.moved" in actions(app) and "component.renamed" in actions(app)


def test_organisations_and_their_domains(app, admin_client):
    response = admin_client.post(
        "/admin/organisations",
        data={
            "name": "Neu AG",
            "contract_class": "A",  # no longer a field: ignored
            "case_visibility": "everyone",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        organisation = Organisation.get(Organisation.name == "Neu AG")
    assert organisation.contract_class is None and organisation.case_visibility == "everyone"
    url = f"/admin/organisations/{organisation.id}/domains"
    assert admin_client.post(url, data={"domain": "@Neu-AG.example"}).status_code == 302
    refused = admin_client.post(url, data={"domain": "gmx.at"})
    assert refused.status_code == 422 and "free-mail" in refused.get_data(as_text=True)
    assert admin_client.post(url, data={"domain": "neu-ag.example"}).status_code == 422
    assert admin_client.post(url, data={"domain": "not a domain"}).status_code == 422
    with app.app_context():
        [domain] = OrganisationDomain.select().where(
            OrganisationDomain.organisation == organisation.id
        )
    assert domain.domain == "neu-ag.example"
    admin_client.post(
        f"/admin/organisations/{organisation.id}",
        data={"name": "Neu AG", "case_visibility": "main_contacts"},
    )
    with app.app_context():
        organisation = Organisation.get_by_id(organisation.id)
    assert not organisation.is_active
    admin_client.post(f"/admin/domains/{domain.id}/remove")
    with app.app_context():
        assert not OrganisationDomain.select().where(OrganisationDomain.id == domain.id).exists()
    assert actions(app) == [
        "organisation.created",
        "domain.added",
        "organisation.updated",
        "domain.removed",
    ]


def test_unknown_ids_are_404(admin_client):
    for url in ("/admin/agents/9999", "/admin/products/9999", "/admin/organisations/9999"):
        assert admin_client.get(url).status_code == 404
    assert admin_client.post("/admin/versions/9999/up").status_code == 404


def test_a_customer_is_no_agent_to_edit(admin_client, demo_people):
    assert admin_client.get(f"/admin/agents/{demo_people['mia.member'].id}").status_code == 404


def test_an_organisation_names_the_team_and_manager_who_look_after_it(app, admin_client):
    with app.app_context():
        organisation = Organisation.get(Organisation.name == "Muster GmbH")
        team = Team.get(Team.key == "support")
        tom = User.get(User.email == "tom.third@vendor.example")
    url = f"/admin/organisations/{organisation.id}"
    assert '<option selected value="0">' in admin_client.get(url).get_data(True)
    data = {"name": "Muster GmbH", "case_visibility": "main_contacts"}
    chosen = {"account_team_id": team.id, "account_manager_id": tom.id}
    assert admin_client.post(url, data={**data, **chosen, "is_active": "y"}).status_code == 302
    with app.app_context():
        organisation = Organisation.get_by_id(organisation.id)
        assert (organisation.account_team_id, organisation.account_manager_id) == (team.id, tom.id)
        assert organisation.contract_class == "B"  # the demo's old class: saving keeps it
    page = admin_client.get(url).get_data(True)
    # A contract's class replaced the organisation's: neither page offers it any more.
    assert 'name="contract_class"' not in page
    assert 'name="contract_class"' not in admin_client.get("/admin/organisations").text
    assert f'<option selected value="{tom.id}">' in page
    nobody = {**chosen, "account_manager_id": 0, "is_active": "y"}
    assert admin_client.post(url, data={**data, **nobody}).status_code == 302
    with app.app_context():
        assert Organisation.get_by_id(organisation.id).account_manager_id is None
