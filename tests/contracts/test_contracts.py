"""Contracts (DOC-1): the class of the contract covering a case's product decides priority and
targets; customers with the right see contracts and files; agents add them; the new-case
form says what the vendor's plugin decides about expired contracts."""

import io
from datetime import date, timedelta

import pytest

from helpdesk import hookimpl
from helpdesk.accounts.models import Organisation
from helpdesk.audit import AuditLog
from helpdesk.cases.errors import CaseError
from helpdesk.contracts import service
from helpdesk.contracts.models import Contract, ContractFile
from helpdesk.contracts.policy import CaseNotice, ContractKind
from helpdesk.policy import ContractClass, Label
from helpdesk.products.models import Product
from helpdesk.sla.models import CaseClock
from helpdesk.sla.policy import ResponseTarget, SlaPolicy
from tests.contracts.conftest import pdf

TODAY = date.today()


class ClassPriority:
    """Premium contracts make every case high."""

    @hookimpl
    def helpdesk_contract_classes(self):
        return [ContractClass(k, Label(k, k)) for k in ("premium", "basic")]

    @hookimpl
    def helpdesk_priority_for(self, case_type, severity, contract_class):
        return {"premium": "high", "basic": "low"}.get(contract_class, "normal")

    @hookimpl
    def helpdesk_sla_policy(self):
        """Targets by class only: a premium case is answered within 60 business minutes,
        a basic one within 480, a case of the organisation's old single class ("C") in 15."""
        severities = ("critical", "high", "normal", "low")
        minutes = {"premium": 60, "basic": 480, "C": 15}
        return SlaPolicy(
            by_class={(s, c): ResponseTarget(m) for s in severities for c, m in minutes.items()}
        )


@pytest.fixture
def app(make_app):
    return make_app(ClassPriority())


def _contract(organisation, agent, **values):
    values = {
        "kind": "maintenance",
        "title": "Wartung",
        "contract_class": "premium",
        "starts_on": TODAY - timedelta(days=30),
    } | values
    return service.add_contract(agent, organisation, **values)


def test_the_contract_covering_the_product_decides_the_priority(app, people, open_case):
    with app.app_context():
        muster = people["mia.member"].organisation
        agent = people["erik.first"]
        first = Product.select().order_by(Product.id).first()
        second = Product.create(key="other", name_de="Andere", name_en="Other")
        assert open_case("mia.member", product=first).priority == "normal"  # no contract
        _contract(muster, agent, contract_class="basic")  # every product
        _contract(muster, agent, title="Premium", product_ids=[second.id])
        assert open_case("mia.member", product=first).priority == "low"
        assert open_case("mia.member", product=second).priority == "high"
        assert service.covering(muster.id, second.id).title == "Premium"


def test_the_contract_covering_the_product_decides_the_response_target(app, people, open_case):
    # Two contracts of different classes cover different products; the organisation's old
    # single class says something else again and is not asked while a contract covers.
    with app.app_context():
        muster = people["mia.member"].organisation
        Organisation.update(contract_class="C").where(Organisation.id == muster.id).execute()
        agent = people["erik.first"]
        first = Product.select().order_by(Product.id).first()
        second = Product.create(key="other", name_de="Andere", name_en="Other")
        third = Product.create(key="third", name_de="Dritte", name_en="Third")
        _contract(muster, agent, title="Basic", contract_class="basic", product_ids=[first.id])
        _contract(muster, agent, title="Premium", product_ids=[second.id])
        cases = {p.key: open_case("mia.member", product=p) for p in (first, second, third)}
        targets = {
            key: CaseClock.get(CaseClock.case == case.id).response_target
            for key, case in cases.items()
        }
    assert targets == {first.key: 480, "other": 60, "third": 15}  # third: no contract covers


def test_an_expired_contract_gives_no_class_and_shows_as_expired(app, people, open_case):
    with app.app_context():
        muster = people["mia.member"].organisation
        _contract(
            muster,
            people["erik.first"],
            starts_on=TODAY - timedelta(days=400),
            ends_on=TODAY - timedelta(days=1),
        )
        case = open_case("mia.member")
    assert case.priority == "normal"
    page = app.test_client().sign_in_as(people["erik.first"]).get(f"/cases/{case.call_id}")
    assert "expired on" in page.text and "Wartung" in page.text


def test_agents_add_contracts_and_files_audited(app, people):
    agent = app.test_client().sign_in_as(people["erik.first"])
    organisation_id = people["mia.member"].organisation_id
    url = f"/organisations/{organisation_id}/contracts"
    refused = agent.post(url, data={"kind": "maintenance", "title": "Kept title"})
    assert refused.status_code == 422
    assert "Please give the day the contract starts." in refused.text
    assert 'value="Kept title"' in refused.text  # a half-filled form keeps what was typed
    done = agent.post(
        url,
        data={
            "kind": "maintenance",
            "title": "Wartung",
            "contract_class": "premium",
            "starts_on": "2026-01-01",
            "notice_period": "3 Monate",
        },
    )
    assert done.status_code == 303
    with app.app_context():
        contract = Contract.get()
        assert contract.contract_class == "premium" and contract.notice_period == "3 Monate"
    uploaded = agent.post(
        f"{url}/{contract.id}/files",
        data={"file": (io.BytesIO(pdf("Vertrag")), "vertrag.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    with app.app_context():
        assert [a.action for a in AuditLog.select().order_by(AuditLog.id)] == [
            "contract.created",
            "contract.file",
        ]
        assert ContractFile.get().filename == "vertrag.pdf"


def test_customers_with_the_right_see_contracts_and_files_others_never(app, people, foreigner):
    with app.app_context():
        muster = people["mia.member"].organisation
        contract = _contract(muster, people["erik.first"], title="Wartungsvertrag 2026")
        kept = service.attach_file(people["erik.first"], contract, "v.pdf", pdf("Inhalt"))
    url = f"/organisations/{muster.id}/contracts"
    member = app.test_client().sign_in_as(people["mia.member"])
    page = member.get(url)
    assert page.status_code == 200 and "Wartungsvertrag 2026" in page.text
    download = member.get(f"{url}/files/{kept.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert member.get("/contracts").headers["Location"].endswith(url)
    stranger = app.test_client().sign_in_as(foreigner)
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}/files/{kept.id}").status_code == 404
    # Another organisation's URL with this file's id: 404 too.
    assert (
        stranger.get(
            f"/organisations/{foreigner.organisation_id}/contracts/files/{kept.id}"
        ).status_code
        == 404
    )


@pytest.mark.hook("helpdesk_contract_kinds")
def test_a_plugin_names_more_kinds_of_contract(make_app, demo_people):
    class Kinds:
        @hookimpl
        def helpdesk_contract_kinds(self):
            return [ContractKind("training", Label("Schulung", "Training"))]

    app = make_app(Kinds())
    with app.app_context():
        keys = [kind.key for kind in service.kinds()]
        assert keys[:4] == ["maintenance", "units", "hosting", "data_processing"]
        assert keys[4:] == ["training"]
    page = (
        app.test_client()
        .sign_in_as(demo_people["erik.first"])
        .get(f"/organisations/{demo_people['mia.member'].organisation_id}/contracts")
    )
    assert 'value="training"' in page.text


@pytest.mark.hook("helpdesk_new_case_notices")
def test_a_plugin_warns_or_blocks_new_cases(make_app, demo_people, open_case):
    decision = {"blocks": False}

    class Notices:
        @hookimpl
        def helpdesk_new_case_notices(self, standing):
            words = f"Agreement: {standing.agreement}"
            return [CaseNotice(Label(words, words), blocks=decision["blocks"])]

    app = make_app(Notices())
    customer = app.test_client().sign_in_as(demo_people["mia.member"])
    form = customer.get("/cases/new")
    assert "Agreement: none" in form.text and "flash-info" in form.text
    with app.app_context():
        open_case("mia.member")  # a warning refuses nothing
        decision["blocks"] = True
        with pytest.raises(CaseError, match="Agreement: none"):
            open_case("mia.member")
        # An agent opening a case by phone is not refused.
        open_case("mia.member", opened_by=demo_people["erik.first"])
    assert "flash-error" in customer.get("/cases/new").text


def test_the_core_warns_about_an_expired_contract(app, people):
    with app.app_context():
        _contract(
            people["mia.member"].organisation,
            people["erik.first"],
            starts_on=TODAY - timedelta(days=400),
            ends_on=TODAY - timedelta(days=1),
        )
    form = app.test_client().sign_in_as(people["mia.member"]).get("/cases/new")
    assert "Your contract has expired." in form.text
