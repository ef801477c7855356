"""The vendor plugins: every plugin there is (``plugins/`` and those installed by entry point)
loads and is consistent; each shipped plugin speaks its seed document."""

from types import SimpleNamespace

import pytest

from helpdesk import demo
from helpdesk.accounts.models import Kind, Team, User
from helpdesk.hooks import plugin_manager
from helpdesk.policy import Category, FormField
from helpdesk.products.models import Component, Product, ProductVersion
from tests.conftest import VENDOR_PLUGINS, vendor_plugins

SHIPPED = ["crm_integrator", "erp_handbook", "erp_portal", "property_software", "small_vendor"]


def policy_of(make_app, name):
    app = make_app(name)
    with app.app_context():
        return app.extensions["policy"]


#: A customer of an organisation with no team or manager of its own, for the routing hook.
REQUESTER = SimpleNamespace(organisation=SimpleNamespace(account_team=None, account_manager=None))


def products_of(hook):
    """The plugin's demo products as stand-ins with ``key``, and their components."""
    return [
        (SimpleNamespace(key=spec.key), [SimpleNamespace(key=k) for k, _ in spec.components])
        for spec in hook.helpdesk_demo_products()
    ]


# -- every plugin there is ------------------------------------------------------------------


def test_the_shipped_plugins_are_among_those_tested():
    assert set(SHIPPED) <= set(VENDOR_PLUGINS)


def test_a_further_plugin_is_tested_without_a_change_here(tmp_path, monkeypatch):
    """A sixth module in the folder and a package installed by entry point join the list."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "sixth_vendor.py").write_text("")
    dist = tmp_path / "seventh_vendor-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: seventh-vendor\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[helpdesk]\nseventh_vendor = seventh_vendor\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"sixth_vendor", "seventh_vendor"} <= set(vendor_plugins(folder))


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_plugin_loads_with_labels_in_both_languages(make_app, name):
    policy = policy_of(make_app, name)
    for items in (policy.case_types, policy.severities, policy.priorities, policy.statuses):
        assert items
        for item in items:
            assert item.label.de.strip() and item.label.en.strip(), item.key
            assert item.key.isascii() and item.key == item.key.lower(), item.key
        for language in ("de", "en"):
            labels = [getattr(item.label, language) for item in items]
            assert len(labels) == len(set(labels)), (language, labels)


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_plugin_overrides_the_core_vocabulary(make_app, name):
    core = make_app().extensions["policy"]
    policy = policy_of(make_app, name)
    assert [t.key for t in policy.case_types] != [t.key for t in core.case_types]
    assert [s.key for s in policy.statuses] != [s.key for s in core.statuses]


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_every_route_names_a_team_of_the_plugin(make_app, name):
    app = make_app(name)
    with app.app_context():
        policy = app.extensions["policy"]
        hook = plugin_manager().hook
        teams = {key for key, _ in hook.helpdesk_teams()}
        assert "support" in teams
        for product, components in products_of(hook):
            for component in [None, *components]:
                for case_type in policy.case_types:
                    route = policy.route(case_type.key, product, None, component, REQUESTER)
                    assert route.team in teams, (case_type.key, product.key, component)


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_form_fields_are_well_formed(make_app, name):
    app = make_app(name)
    with app.app_context():
        policy = app.extensions["policy"]
        for product, _ in [*products_of(plugin_manager().hook), (None, [])]:
            for case_type in policy.case_types:
                fields = policy.form_fields(product, case_type.key)
                assert len({f.key for f in fields}) == len(fields)
                for field in fields:
                    assert field.kind in FormField.KINDS
                    assert field.label.de and field.label.en
                    assert bool(field.choices) == (field.kind == "select")


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_waiting_statuses_say_what_support_waits_for(make_app, name):
    policy = policy_of(make_app, name)
    for status in policy.statuses:
        if status.category == Category.WAITING:
            assert status.waiting_for and status.waiting_for.de and status.waiting_for.en


@pytest.mark.parametrize("name", VENDOR_PLUGINS)
def test_demo_data_loads_the_plugins_products_and_teams(make_app, name):
    app = make_app(name)
    with app.app_context():
        hook = plugin_manager().hook
        demo.load(password="x")
        teams = {key: (label.de, label.en) for key, label in hook.helpdesk_teams()}
        assert {t.key: (t.name_de, t.name_en) for t in Team.select()} == teams
        for spec in hook.helpdesk_demo_products():
            product = Product.get(Product.key == spec.key)
            assert product.name == spec.name
            versions = ProductVersion.select().where(ProductVersion.product == product)
            assert [v.name for v in versions.order_by(ProductVersion.position)] == list(
                spec.versions
            )
            components = Component.select().where(Component.product == product)
            assert {c.key for c in components} == {k for k, _ in spec.components}
        assert Product.select().count() == len(hook.helpdesk_demo_products())
        assert Product.get_or_none(Product.key == "suite") is None  # not the core's


# -- erp_handbook (seed 000) ----------------------------------------------------------------


def test_erp_handbook_has_the_23_case_types_general_request_first(make_app):
    policy = policy_of(make_app, "erp_handbook")
    types = policy.case_types
    assert len(types) == 23
    assert types[0].key == "general_request"
    assert types[0].label.de == "Allgemeine Anfrage"
    assert types[0].label.en == "General request"
    german = {t.label.de for t in types}
    for label in ("Consultinganfrage/Anpassung", "Cloud Ausfall", "Sicherheitsrisiko"):
        assert label in german
    assert {"Knowledgebase Vorschlag", "Vertriebsanfrage", "Services/Dienstleistungen"} <= german
    assert all(t.description for t in types)
    assert types[2].label.de == "Support Center"  # the portal type, without a trade name


def test_erp_handbook_routes_consulting_requests_to_consulting(make_app):
    app = make_app("erp_handbook")
    with app.app_context():
        policy = app.extensions["policy"]
        assert [key for key, _ in plugin_manager().hook.helpdesk_teams()] == [
            "support",
            "consulting",
        ]
        product = SimpleNamespace(key="erp")

        def team(case_type):
            return policy.route(case_type, product, None, None, REQUESTER).team

        assert team("general_request") == "support"
        assert team("consulting_request") == "consulting"
        assert team("product_problem") == "support"


def test_erp_handbook_severities_top_two_need_impact(make_app):
    policy = policy_of(make_app, "erp_handbook")
    assert [s.label.de for s in policy.severities] == ["Kritisch", "Dringend", "Standard", "Gering"]
    assert [s.needs_impact for s in policy.severities] == [True, True, False, False]
    assert "System ausgefallen" in policy.severities[0].description.de


def test_erp_handbook_priorities_follow_severity(make_app):
    policy = policy_of(make_app, "erp_handbook")
    assert policy.priority_for("general_request", "critical", None) == "high"
    assert policy.priority_for("general_request", "urgent", "C") == "high"
    assert policy.priority_for("general_request", "standard", "A") == "medium"
    assert policy.priority_for("general_request", "minor", None) == "low"
    assert policy.priority_for("cloud_outage", "minor", None) == "high"


def test_erp_handbook_has_pending_closure_as_solved(make_app):
    policy = policy_of(make_app, "erp_handbook")
    pending = policy.status("pending_closure")
    assert pending.label.de == "Schließung ausstehend"
    assert pending.category == Category.SOLVED
    assert policy.initial_status().key == "new"
    assert policy.status("closed").customer_may_set


def test_erp_handbook_asks_for_troubleshooting_on_technical_types_only(make_app):
    policy = policy_of(make_app, "erp_handbook")
    product = SimpleNamespace(key="erp")
    keys = [f.key for f in policy.form_fields(product, "product_problem")]
    assert keys == ["troubleshooting_done", "third_party_products"]
    assert policy.form_fields(product, "sales_request") == []


def test_erp_handbook_demo_has_a_consultant(make_app):
    app = make_app("erp_handbook")
    with app.app_context():
        demo.load(password="x")
        consultant = User.get(User.email == "clara.consulting@vendor.example")
        assert consultant.kind == Kind.AGENT
        assert consultant.team.key == "consulting"


# -- erp_portal (seed 001) ------------------------------------------------------------------


def test_erp_portal_waiting_status_says_what_support_waits_for(make_app):
    policy = policy_of(make_app, "erp_portal")
    waiting = policy.status("waiting_for_customer_info")
    assert waiting.label.de == "Warten auf Kundeninfo"
    assert waiting.category == Category.WAITING
    assert "Support" in waiting.waiting_for.de
    assert "support" in waiting.waiting_for.en


def test_erp_portal_routes_by_module_area(make_app):
    policy = policy_of(make_app, "erp_portal")
    product = SimpleNamespace(key="business")

    def team(component):
        return policy.route("error", product, None, SimpleNamespace(key=component)).team

    assert team("finance") == "finance"
    assert team("payroll") == "finance"
    assert team("merchandise") == "merchandise"
    assert team("crm") == "crm"
    assert team("unknown") == "support"
    assert policy.route("error", product, None, None).team == "support"


def test_erp_portal_customer_may_reopen(make_app):
    policy = policy_of(make_app, "erp_portal")
    reopen = [s for s in policy.statuses if s.customer_may_set]
    assert [s.category for s in reopen] == [Category.OPEN]


def test_erp_portal_demo_staffs_every_module_team(make_app):
    app = make_app("erp_portal")
    with app.app_context():
        demo.load(password="x")
        for key in ("merchandise", "finance", "crm"):
            assert User.select().where(User.team == Team.get(Team.key == key)).exists(), key


# -- property_software (seed 002) -----------------------------------------------------------


def test_property_software_request_type_decides_priority(make_app):
    policy = policy_of(make_app, "property_software")
    assert [t.label.de for t in policy.case_types] == [
        "Anwenderhilfe",
        "Fehler/Störung",
        "Produktanforderung",
        "Dringlichkeit",
    ]
    expected = {"user_help": "low", "fault": "normal", "product_requirement": "normal"}
    expected["urgency"] = "high"
    for case_type, priority in expected.items():
        for severity in policy.severities:
            for contract_class in (None, "A", "B", "C"):
                assert policy.priority_for(case_type, severity.key, contract_class) == priority


def test_property_software_statuses(make_app):
    policy = policy_of(make_app, "property_software")
    assert [(s.label.de, s.category) for s in policy.statuses] == [
        ("Neu", Category.NEW),
        ("Offen", Category.OPEN),
        ("Wartend", Category.WAITING),
        ("Offen (in Entwicklung)", Category.DEVELOPMENT),
        ("Gelöst", Category.SOLVED),
        ("Geschlossen", Category.CLOSED),
    ]


def test_property_software_has_special_forms_per_product_and_type(make_app):
    policy = policy_of(make_app, "property_software")
    erp = SimpleNamespace(key="property_erp")
    portal = SimpleNamespace(key="tenant_portal")
    assert [f.key for f in policy.form_fields(erp, "fault")] == [
        "client_number",
        "property_number",
        "installation",
    ]
    assert [f.key for f in policy.form_fields(portal, "fault")] == ["installation"]
    assert [f.key for f in policy.form_fields(portal, "user_help")] == []
    (reason,) = policy.form_fields(portal, "urgency")
    assert reason.key == "urgency_reason" and reason.required
    assert [f.key for f in policy.form_fields(erp, "product_requirement")] == ["business_case"]


def test_property_software_routes_technical_and_requirements(make_app):
    policy = policy_of(make_app, "property_software")
    erp = SimpleNamespace(key="property_erp")
    technical = SimpleNamespace(key="technical")
    assert policy.route("fault", erp, None, technical).team == "technical"
    assert policy.route("fault", erp, None, SimpleNamespace(key="tenancy")).team == "support"
    assert policy.route("product_requirement", erp, None, technical).team == "product_management"


# -- crm_integrator (seed 003) --------------------------------------------------------------


def test_crm_integrator_priorities_itil(make_app):
    policy = policy_of(make_app, "crm_integrator")
    assert [p.key for p in policy.priorities] == ["p1", "p2", "p3", "p4"]
    assert policy.priority_for("incident", "standstill", None) == "p1"
    assert policy.priority_for("incident", "minor", None) == "p4"
    assert policy.priority_for("question", "standstill", "A") == "p2"
    assert policy.priority_for("change_request", "minor", None) == "p4"
    assert [s.needs_impact for s in policy.severities] == [True, True, False, False]


def test_crm_integrator_waiting_asks_for_the_report_details(make_app):
    policy = policy_of(make_app, "crm_integrator")
    (waiting,) = [s for s in policy.statuses if s.category == Category.WAITING]
    for detail in ("Symptom", "Betroffene", "erwartetes Verhalten", "Änderungen"):
        assert detail in waiting.waiting_for.de
    assert policy.status("code_fix").category == Category.DEVELOPMENT


def test_crm_integrator_change_requests_go_to_projects(make_app):
    policy = policy_of(make_app, "crm_integrator")
    crm = SimpleNamespace(key="crm")
    assert policy.route("change_request", crm, None, None).team == "projects"
    assert policy.route("incident", crm, None, None).team == "support"


# -- small_vendor (seed 004) ----------------------------------------------------------------


def test_small_vendor_five_statuses_with_hold(make_app):
    policy = policy_of(make_app, "small_vendor")
    assert [(s.key, s.label.en, s.category) for s in policy.statuses] == [
        ("open", "Open", Category.NEW),
        ("working", "Working", Category.OPEN),
        ("hold", "Hold", Category.HOLD),
        ("delivered", "Delivered", Category.SOLVED),
        ("closed", "Closed", Category.CLOSED),
    ]
    assert [s.key for s in policy.statuses if s.customer_may_set] == ["closed"]


def test_small_vendor_request_kinds(make_app):
    policy = policy_of(make_app, "small_vendor")
    assert [t.label.de for t in policy.case_types] == [
        "Fehler",
        "Erweiterung",
        "Verbesserungsvorschlag",
        "Hilfestellung",
    ]


@pytest.mark.parametrize(
    ("case_type", "severity", "contract_class", "priority"),
    [
        ("error", "a", "A", "a"),
        ("error", "b", "A", "b"),
        ("error", "c", "A", "c"),
        ("error", "a", "B", "b"),
        ("error", "b", "B", "b"),
        ("error", "a", "C", "c"),
        ("error", "a", None, "c"),
        ("help", "a", "A", "c"),
        ("extension", "a", "A", "c"),
    ],
)
def test_small_vendor_priority_follows_the_contract_class(
    make_app, case_type, severity, contract_class, priority
):
    policy = policy_of(make_app, "small_vendor")
    assert [p.key for p in policy.priorities] == ["a", "b", "c"]
    assert policy.priority_for(case_type, severity, contract_class) == priority


def test_small_vendor_asks_for_remote_consent(make_app):
    policy = policy_of(make_app, "small_vendor")
    (consent,) = policy.form_fields(None, "error")
    assert consent.key == "remote_consent" and consent.kind == "checkbox"
    assert policy.form_fields(None, "extension") == []
