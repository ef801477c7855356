"""One test per hook: a plugin's answer reaches the portal, and the core answers otherwise.

Each such test is marked ``@pytest.mark.hook(name)``, here or beside the area it concerns;
the mark is checked to reach a plugin (``tests/conftest.py``), and every hook needs one.
"""

import ast
import inspect
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Blueprint

from helpdesk import demo
from helpdesk.accounts.models import Team, User
from helpdesk.cases.models import Event, EventKind
from helpdesk.hookspecs import hookimpl
from helpdesk.plugins import HOOKSPECS
from helpdesk.policy import (
    CaseType,
    CaseWord,
    Category,
    Choice,
    ContractClass,
    EscalationLevel,
    FormField,
    Label,
    NavLink,
    Priority,
    ProductSpec,
    Route,
    Severity,
    Status,
    SupportLevel,
)
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla.calendar import BusinessCalendar
from helpdesk.sla.policy import Action, ResponseTarget, Timer, Unit
from tests.conftest import ROOT

HOOKS = {
    name
    for specs in HOOKSPECS
    for name, _ in inspect.getmembers(specs, inspect.isfunction)
    if name.startswith("helpdesk_")
}


class Plugin:
    """Builds a plugin object from keyword arguments: ``Plugin(helpdesk_teams=lambda: ...)``."""

    def __init__(self, **hooks):
        for name, function in hooks.items():
            setattr(self, name, hookimpl(function))


def marked_hooks() -> set[str]:
    """The hooks some test in ``tests/`` is marked ``@pytest.mark.hook(...)`` for."""
    marked = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith(
                        "mark.hook"
                    ):
                        marked.update(ast.literal_eval(name) for name in decorator.args)
    return marked


def test_every_hook_has_a_test_of_its_own():
    marked = marked_hooks()
    untested, unknown = sorted(HOOKS - marked), sorted(marked - HOOKS)
    assert not untested, f"no test is marked @pytest.mark.hook for {untested}"
    assert not unknown, f"tests are marked for hooks that do not exist: {unknown}"


@pytest.mark.hook("helpdesk_init_app")
def test_init_app_lets_a_plugin_add_pages(make_app):
    def helpdesk_init_app(app):
        extra = Blueprint("extra", __name__)
        extra.add_url_rule("/extra", "page", lambda: "from a plugin")
        app.register_blueprint(extra)

    app = make_app(Plugin(helpdesk_init_app=helpdesk_init_app))
    assert app.test_client().get("/extra").data == b"from a plugin"


@pytest.mark.hook("helpdesk_case_types")
def test_case_types_first_answer_wins(make_app):
    core = make_app().extensions["policy"].case_types
    assert [t.key for t in core] == ["question", "fault", "request"]
    types = [CaseType("general", Label("Allgemeine Anfrage", "General request"))]
    policy = make_app(Plugin(helpdesk_case_types=lambda: types)).extensions["policy"]
    assert policy.case_types == types


@pytest.mark.hook("helpdesk_severities")
def test_severities_mark_impact_justification(make_app):
    severities = [
        Severity("critical", Label("Kritisch", "Critical"), needs_impact=True),
        Severity("minor", Label("Gering", "Minor")),
    ]
    policy = make_app(Plugin(helpdesk_severities=lambda: severities)).extensions["policy"]
    assert [s.key for s in policy.severities if s.needs_impact] == ["critical"]


@pytest.mark.hook("helpdesk_priorities", "helpdesk_priority_for")
def test_priorities_and_their_mapping(make_app):
    def helpdesk_priority_for(case_type, severity, contract_class):
        return "p1" if contract_class == "A" else "p2"

    app = make_app(
        Plugin(
            helpdesk_priorities=lambda: [
                Priority("p1", Label("Eins", "One")),
                Priority("p2", Label("Zwei", "Two")),
            ],
            helpdesk_priority_for=helpdesk_priority_for,
        )
    )
    policy = app.extensions["policy"]
    assert [p.key for p in policy.priorities] == ["p1", "p2"]
    assert policy.priority_for("fault", "critical", "A") == "p1"
    assert policy.priority_for("fault", "critical", None) == "p2"


def test_priority_mapping_to_an_unknown_priority_stops_the_start(make_app):
    with pytest.raises(RuntimeError, match="no priority"):
        make_app(Plugin(helpdesk_priority_for=lambda case_type, severity, contract_class: "x"))


@pytest.mark.hook("helpdesk_contract_classes")
def test_contract_classes_are_offered_checked_and_shown_by_label(make_app):
    asked = set()

    def helpdesk_priority_for(case_type, severity, contract_class):
        asked.add(contract_class)
        return "high" if contract_class == "premium" else "normal"

    classes = [
        ContractClass("premium", Label("Premium-Vertrag", "Premium contract")),
        ContractClass("standard", Label("Standardvertrag", "Standard contract")),
    ]
    app = make_app(
        Plugin(
            helpdesk_contract_classes=lambda: classes,
            helpdesk_priority_for=helpdesk_priority_for,
        )
    )
    assert asked == {None, "premium", "standard"}  # the start-up check asks every class
    assert app.extensions["policy"].contract_classes == classes
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    # A contract carries the class (the organisation's single class is no longer offered).
    admin = app.test_client().sign_in_as(people["ada.admin"])
    url = f"/organisations/{people['mia.member'].organisation_id}/contracts"
    form = admin.get(url).get_data(as_text=True)
    assert '<option value="premium">Premium contract</option>' in form
    assert 'value="A"' not in form
    values = {"kind": "maintenance", "title": "Wartung", "starts_on": "2026-01-01"}
    refused = admin.post(url, data=values | {"contract_class": "A"})
    assert refused.status_code == 422
    saved = admin.post(url, data=values | {"contract_class": "premium"})
    assert saved.status_code == 303
    assert "Premium contract" in admin.get(url).get_data(as_text=True)
    audit = admin.get("/audit").get_data(as_text=True)
    assert "Premium contract" in audit and ": premium<" not in audit
    core = make_app().extensions["policy"]
    assert [(c.key, c.label.en) for c in core.contract_classes] == [
        ("A", "Class A"),
        ("B", "Class B"),
        ("C", "Class C"),
    ]


@pytest.mark.hook("helpdesk_statuses")
def test_statuses_map_to_core_categories(make_app):
    statuses = [
        Status("neu", Label("Neu", "New"), Category.NEW),
        Status(
            "info",
            Label("Warten auf Info", "Waiting for info"),
            Category.WAITING,
            waiting_for=Label("Logdatei", "the log file"),
        ),
        Status("zu", Label("Geschlossen", "Closed"), Category.CLOSED),
    ]
    policy = make_app(Plugin(helpdesk_statuses=lambda: statuses)).extensions["policy"]
    assert policy.initial_status().key == "neu"
    assert policy.status("info").waiting_for.en == "the log file"


def test_statuses_without_a_closed_category_stop_the_start(make_app):
    only_new = [Status("neu", Label("Neu", "New"), Category.NEW)]
    with pytest.raises(RuntimeError, match="closed"):
        make_app(Plugin(helpdesk_statuses=lambda: only_new))


@pytest.mark.hook("helpdesk_teams")
def test_teams_are_created_by_migrate_with_both_names(make_app):
    teams = [("support", "Support"), ("consulting", Label("Beratung", "Consulting"))]
    app = make_app(Plugin(helpdesk_teams=lambda: teams))
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "created team consulting" in result.output
    with app.app_context():
        consulting = Team.get(Team.key == "consulting")
        assert (consulting.name_de, consulting.name_en) == ("Beratung", "Consulting")
        assert Team.get(Team.key == "support").name_en == "Support"
        Team.update(name_de="Beratungsteam").where(Team.key == "consulting").execute()
    again = app.test_cli_runner().invoke(args=["migrate"])
    assert "created team" not in again.output  # an admin's names stay
    with app.app_context():
        assert Team.get(Team.key == "consulting").name_de == "Beratungsteam"
        demo.load(password="irrelevant-here")  # the demo finds them, and adds none twice
        assert sorted(t.key for t in Team.select()) == ["consulting", "support"]


def test_routing_to_an_undeclared_team_stops_the_start(make_app):
    def helpdesk_route_case(case_type, product, version, component):
        return Route(team="consulting" if case_type == "request" else "support")

    with pytest.raises(RuntimeError, match="request/no product names the team 'consulting'"):
        make_app(Plugin(helpdesk_route_case=helpdesk_route_case))
    declared = [("support", "Support"), ("consulting", "Consulting")]
    make_app(Plugin(helpdesk_route_case=helpdesk_route_case, helpdesk_teams=lambda: declared))


def test_routing_by_component_is_checked_with_the_demo_products(make_app):
    spec = ProductSpec("erp", "ERP", versions=("1.0",), components=(("hr", "Personal"),))

    def helpdesk_route_case(case_type, product, version, component):
        return Route(team="payroll" if getattr(component, "key", None) == "hr" else "support")

    plugin = Plugin(helpdesk_route_case=helpdesk_route_case, helpdesk_demo_products=lambda: [spec])
    with pytest.raises(RuntimeError, match="question/erp/hr names the team 'payroll'"):
        make_app(plugin)


@pytest.mark.parametrize(
    "plugin",
    [
        Plugin(helpdesk_route_case=lambda case_type: Route(team="support", status="opne")),
        Plugin(helpdesk_support_levels=lambda: [SupportLevel(Label("2nd", "2nd"), team="lvl2")]),
        Plugin(
            helpdesk_escalation_levels=lambda: [
                EscalationLevel(Label("Boss", "Boss"), notify=("team:bosses",))
            ]
        ),
        Plugin(
            helpdesk_status_timers=lambda: [Timer("waiting", 5, Unit.DAYS, Action.MOVE, "gone")]
        ),
    ],
    ids=["route status", "support level team", "escalation team", "timer status"],
)
def test_a_team_or_status_named_but_not_declared_stops_the_start(make_app, plugin):
    with pytest.raises(RuntimeError, match="which the plugins do not declare"):
        make_app(plugin)


def test_a_route_to_a_team_missing_from_the_database_raises_not_silently(make_app):
    """Declared but never created (``flask migrate`` not run): opening fails loudly."""
    teams = [("support", "Support"), ("consulting", "Consulting")]
    app = make_app(
        Plugin(
            helpdesk_teams=lambda: teams,
            helpdesk_route_case=lambda case_type: Route(team="consulting"),
        )
    )
    with app.app_context():
        demo.load(password="irrelevant-here")
        Team.delete().where(Team.key == "consulting").execute()
    people = _people(app)
    with pytest.raises(RuntimeError, match="flask migrate"):
        _case_ready(app, people)


def test_route_to_an_agent_or_the_least_busy_one_with_its_start_status(make_app):
    def helpdesk_route_case(case_type, requester, extra):
        if case_type == "question":
            return Route(team="support", agent_email="sara.second@vendor.example")
        if case_type == "request":
            return Route(team="support", agent_email="gone@vendor.example")
        return Route(team="support", assign_in_team=True, status="open")

    app = make_app(Plugin(helpdesk_route_case=helpdesk_route_case))
    with app.app_context():
        demo.load(password="irrelevant-here")
    people = _people(app)
    question = _case_ready(app, people, case_type="question")
    faults = [_case_ready(app, people) for _ in range(3)]
    lost = _case_ready(app, people, case_type="request")
    with app.app_context():
        assert question.assignee.email == "sara.second@vendor.example"
        assert question.status == "new"  # the first new status unless the route says
        assert [case.status for case in faults] == ["open"] * 3
        # each to the agent with the fewest open cases: Sara has one already
        assert len({case.assignee_id for case in faults}) == 3
        assert people["sara.second"].id not in {case.assignee_id for case in faults}
        assert lost.assignee is None
        note = Event.get((Event.case == lost.id) & (Event.kind == EventKind.NOTE))
        assert "gone@vendor.example" in note.body and note.visibility == "internal"


@pytest.mark.hook("helpdesk_route_case")
def test_route_case_falls_through_none_to_the_core(make_app):
    def helpdesk_route_case(case_type, product, component):
        if case_type == "consulting":
            return Route(team="consulting")
        return None

    policy = make_app(Plugin(helpdesk_route_case=helpdesk_route_case)).extensions["policy"]
    assert policy.route("consulting", product=None, version=None, component=None) == Route(
        team="consulting"
    )
    assert policy.route("general", product=None, version=None, component=None) == Route(
        team="support"
    )


@pytest.mark.hook("helpdesk_case_form_fields")
def test_case_form_fields_of_every_plugin_are_joined(make_app):
    def first(product, case_type):
        return [FormField("object", Label("Objekt", "Property"))] if case_type == "fault" else []

    def second(product, case_type):
        return [
            FormField(
                "channel",
                Label("Kanal", "Channel"),
                kind="select",
                choices=(Choice("web", Label("Web", "Web")),),
            )
        ]

    policy = make_app(
        Plugin(helpdesk_case_form_fields=first), Plugin(helpdesk_case_form_fields=second)
    ).extensions["policy"]
    assert [f.key for f in policy.form_fields(None, "fault")] == ["object", "channel"]
    assert [f.key for f in policy.form_fields(None, "question")] == ["channel"]


@pytest.mark.hook("helpdesk_navigation")
def test_navigation_links_reach_the_page_by_audience(make_app, demo_people):
    def helpdesk_navigation(user):
        return [
            NavLink("health.health", Label("Zustand", "Health"), audience="agent", order=5),
            NavLink("home.index", Label("Kundenlink", "Customer link"), audience="customer"),
        ]

    app = make_app(Plugin(helpdesk_navigation=helpdesk_navigation))
    agent_page = app.test_client().sign_in_as(demo_people["erik.first"]).get("/agent").data
    customer_page = app.test_client().sign_in_as(demo_people["mia.member"]).get("/portal").data
    assert b">Health<" in agent_page and b"Customer link" not in agent_page
    assert b"Customer link" in customer_page and b">Health<" not in customer_page
    assert agent_page.index(b">Health<") < agent_page.index(b">Queue<")  # order 5 before 10


@pytest.mark.hook("helpdesk_demo_products")
def test_demo_products_come_from_the_plugin(make_app):
    spec = ProductSpec(
        "hv",
        "Hausverwaltung",
        versions=("7.1", "7.2"),
        components=(("buchhaltung", "Buchhaltung"),),
    )
    app = make_app(Plugin(helpdesk_demo_products=lambda: [spec]))
    with app.app_context():
        demo.load(password="irrelevant-here")
        product = Product.get(Product.key == "hv")
        assert [v.name for v in product.versions.order_by(ProductVersion.position)] == [
            "7.1",
            "7.2",
        ]
        assert Component.get(Component.product == product).key == "buchhaltung"


@pytest.mark.hook("helpdesk_demo_data")
def test_demo_data_hook_adds_to_the_demo(make_app):
    def helpdesk_demo_data(teams):
        Team.create(key="extra", name=f"Beside {', '.join(sorted(teams))}")

    app = make_app(Plugin(helpdesk_demo_data=helpdesk_demo_data))
    with app.app_context():
        demo.load(password="irrelevant-here")
        assert Team.get(Team.key == "extra").name == "Beside support"


def _case_ready(app, people, case_type="fault", severity="normal"):
    """A case of the demo customer, opened through the domain."""
    from helpdesk.cases import service

    with app.app_context():
        case = service.open_case(
            service.NewCase(
                requester=people["mia.member"],
                product=Product.select().first(),
                subject="Hook test",
                description="d",
                case_type=case_type,
                severity=severity,
            )
        )
        case.assignee  # noqa: B018  (read while the app context lasts)
        return case


def _people(app) -> dict:
    with app.app_context():
        return {user.email.split("@")[0]: user for user in User.select()}


@pytest.mark.hook("helpdesk_may_set_status")
def test_may_set_status_decides_who_moves_a_case(make_app):
    from helpdesk.cases import service

    def helpdesk_may_set_status(user, case, status):
        return False if status.key == "closed" and user.is_agent else None

    app = make_app(Plugin(helpdesk_may_set_status=helpdesk_may_set_status))
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    case = _case_ready(app, people)
    with app.app_context():
        with pytest.raises(service.CaseError):
            service.move_status(case, people["erik.first"], "closed")  # the plugin says no
        service.move_status(case, people["erik.first"], "solved")  # the core says yes
        with pytest.raises(service.CaseError):
            service.move_status(case, people["mia.member"], "open")  # core: not for customers


@pytest.mark.hook("helpdesk_may_reopen")
def test_may_reopen_decides_between_reopen_and_follow_up(make_app):
    from helpdesk.cases import service
    from helpdesk.cases.models import Case

    app = make_app(Plugin(helpdesk_may_reopen=lambda user, case: False))
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    case = _case_ready(app, people)
    with app.app_context():
        service.move_status(case, people["erik.first"], "solved")
        with pytest.raises(service.CaseError, match="follow-up"):
            service.reopen(Case.get_by_id(case.id), people["mia.member"], "Still broken")
    core = make_app()
    with core.app_context():
        service.reopen(Case.get_by_id(case.id), people["mia.member"], "Still broken")
        assert Case.get_by_id(case.id).status_category == "open"


@pytest.mark.hook("helpdesk_case_changed")
def test_case_changed_sees_each_change_once_inside_its_transaction(make_app):
    from helpdesk.cases import service
    from helpdesk.cases.models import Case

    seen = []

    def helpdesk_case_changed(events):
        seen.append([(e.case.call_id, e.kind) for e in events])
        if any(e.kind == "note" for e in events):
            raise RuntimeError("a plugin that fails undoes the change")

    app = make_app(Plugin(helpdesk_case_changed=helpdesk_case_changed))
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    case = _case_ready(app, people)
    with app.app_context():
        service.move_status(case, people["erik.first"], "solved")
        follow_up = service.open_follow_up(
            Case.get_by_id(case.id), people["mia.member"], "Again", "It broke again"
        )
        with pytest.raises(RuntimeError):
            service.add_message(case, people["erik.first"], "Internal", internal=True)
    assert seen[-3] == [(case.call_id, "status")]
    # The follow-up and the link on the original case are announced as one change.
    assert seen[-2] == [(follow_up.call_id, "opened"), (case.call_id, "follow_up")]
    assert seen[-1] == [(case.call_id, "note")]
    with app.app_context():
        from helpdesk.cases.models import Event

        assert not Event.select().where((Event.case == case.id) & (Event.kind == "note")).exists()


def _demo_people():
    from helpdesk.accounts.models import User

    demo.load(password="irrelevant-here")
    return list(User.select())


@pytest.mark.hook("helpdesk_response_target")
def test_response_target_follows_the_priority_in_business_time_and_on_its_calendar(make_app):
    from helpdesk.cases import service
    from helpdesk.sla.models import CaseClock

    always = BusinessCalendar(name="24/7", timezone="Europe/Vienna", hours=["00:00-24:00"] * 7)

    def helpdesk_response_target(case):
        return {
            "high": ResponseTarget(30, calendar=always),
            "normal": ResponseTarget(2, 4, Unit.BUSINESS_HOURS),
            "low": ResponseTarget(3, unit=Unit.BUSINESS_DAYS),
        }[case.priority]

    app = make_app(Plugin(helpdesk_response_target=helpdesk_response_target))
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    # Friday 2026-12-04 17:00 Vienna (16:00 UTC): the core's calendar (Mon-Fri 08-17 Vienna,
    # Austrian holidays) has just closed.
    with time_machine.travel(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), tick=False):
        case = _case_ready(app, people, severity="low")
        with app.app_context():

            def due():
                return CaseClock.get(CaseClock.case == case.id).response_due_at

            # low, 3 business days of 9 h from Monday 08:00: Mon 7th, (Tue 8th a holiday),
            # Wed 9th, Thu 10th -> Thursday 17:00 Vienna
            assert due() == datetime(2026, 12, 10, 16, 0)
            agent = people["erik.first"]
            service.change_field(case, agent, "priority", "high")
            assert due() == datetime(2026, 12, 4, 16, 30)  # 30 minutes, on the 24/7 calendar
            service.change_field(case, agent, "priority", "normal")
            assert due() == datetime(2026, 12, 7, 9, 0)  # 2 business hours: Monday 10:00
    core = make_app()  # the core answers with SlaPolicy's targets: none by default
    opened = _case_ready(core, people)
    with core.app_context():
        assert CaseClock.get(CaseClock.case == opened.id).response_due_at is None


@pytest.mark.hook("helpdesk_sla_policy")
def test_sla_policy_is_the_core_targets_by_severity_and_contract_class(make_app):
    from helpdesk.sla.models import CaseClock
    from helpdesk.sla.policy import SlaPolicy

    policy = SlaPolicy(
        by_severity={"normal": ResponseTarget(120)},
        by_class={("normal", "B"): ResponseTarget(60)},  # the demo organisation has class B
        default=ResponseTarget(480),
    )
    app = make_app(Plugin(helpdesk_sla_policy=lambda: policy))
    with app.app_context():
        people = {u.email.split("@")[0]: u for u in _demo_people()}
    # Monday 2026-11-30 09:00 Vienna: the core's calendar is open
    with time_machine.travel(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), tick=False):
        normal, low = _case_ready(app, people), _case_ready(app, people, severity="low")
    with app.app_context():
        clocks = {c.case_id: c.response_due_at for c in CaseClock.select()}
    assert clocks[normal.id] == datetime(2026, 11, 30, 9, 0)  # by class: 60 minutes
    assert clocks[low.id] == datetime(2026, 11, 30, 16, 0)  # default: 480 minutes


@pytest.mark.hook("helpdesk_case_word")
def test_case_word_names_cases_on_pages_and_in_mails(make_app, smtp_server):
    word = CaseWord(Label("Ticket", "ticket"), Label("Tickets", "tickets"))
    app = make_app(Plugin(helpdesk_case_word=lambda: word), **smtp_server.settings)
    with app.app_context():
        demo.load(password="irrelevant-here")
    people = _people(app)
    mia = app.test_client().sign_in_as(people["mia.member"])
    english = {"Accept-Language": "en"}
    cases_page = mia.get("/cases", headers=english).get_data(True)
    assert "<h1>Tickets</h1>" in cases_page and ">My tickets<" in cases_page
    assert ">New ticket<" in mia.get("/cases/new", headers=english).get_data(True)
    case = _case_ready(app, people)
    [acknowledgement] = smtp_server.messages
    assert acknowledgement["Subject"] == f"[#{case.call_id}] Your ticket is in: Hook test"
    german = {"Accept-Language": "de"}
    page = mia.get(f"/cases/{case.call_id}", headers=german).get_data(True)
    assert f"<title>Ticket {case.call_id}" in page
    assert "Meine Tickets" in page and "Ticket erstellen" in page
    assert '<p class="call-id">Ticket <strong>' in page
    with app.app_context():
        User.update(language="de").where(User.id == people["mia.member"].id).execute()
    smtp_server.handler.envelopes.clear()
    second = _case_ready(app, people)
    [mail] = smtp_server.messages
    assert mail["Subject"] == f"[#{second.call_id}] Ihr Ticket ist eingegangen: Hook test"
    assert "Ihr Ticket ist bei uns eingegangen" in mail.get_body(("plain",)).get_content()


@pytest.mark.hook("helpdesk_mail_opens_cases")
def test_mail_opens_cases_off_answers_with_the_portal_and_opens_nothing(make_app, smtp_server):
    from helpdesk.cases.models import Case
    from helpdesk.mail.inbound import intake
    from tests.mail.inbound.helpers import simple_mail

    app = make_app(Plugin(helpdesk_mail_opens_cases=lambda: False), **smtp_server.settings)
    with app.app_context():
        demo.load(password="irrelevant-here")
        User.update(language="de").where(User.email == "mia.member@muster.example").execute()
        outcome = intake.receive(simple_mail("mia.member@muster.example", "Drucker"), "pipe")
        assert outcome.state == "refused" and not Case.select().exists()
    [answer] = smtp_server.messages
    assert answer["To"] == "Mia Member <mia.member@muster.example>"
    assert answer["Subject"].startswith("Bitte senden Sie uns Ihre Anfrage über das Portal")
    assert "http://localhost:5000/cases/new" in answer.get_body(("plain",)).get_content()
    core = make_app(**smtp_server.settings)
    with core.app_context():
        mail = simple_mail("mia.member@muster.example", "Drucker", message_id="<two@m.example>")
        assert intake.receive(mail, "pipe").state == "taken"  # the core takes mail
