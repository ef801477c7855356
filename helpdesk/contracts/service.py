"""Contracts (DOC-1): what an organisation has bought, and which contract class a case gets.

The class of the contract covering a case's product decides the case's priority and response
targets (SLA-2): an active contract that names the product wins over one that covers every
product (names none), a later start over an earlier one. Without a covering contract the
organisation's own ``contract_class`` stands in (since migration 0020 only for organisations
an admin gave one after the upgrade). An expired contract gives no class; what it means for
a new case is the ``helpdesk_new_case_notices`` hook's decision.
"""

from datetime import date

from helpdesk import audit
from helpdesk.accounts.models import Organisation, User
from helpdesk.cases import files
from helpdesk.cases.errors import CaseError
from helpdesk.contracts.models import Agreement, Contract, ContractFile, ContractProduct
from helpdesk.contracts.policy import CaseNotice, ContractKind, Standing
from helpdesk.db import Prepared, db
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_agent
from helpdesk.policy import current_policy
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow


class ContractError(CaseError):
    """A contract or document the rules refuse; the message is in the user's language."""


def people_of(organisation_id: int, role: str) -> list[User]:
    """The organisation's active people of ``role`` (a ``CustomerRole``), who hear of its
    contracts and agreement."""
    return list(
        User.select()
        .where((User.organisation == organisation_id) & User.active & (User.customer_role == role))
        .order_by(User.id)
    )


def today() -> date:
    return utcnow().date()


def kinds() -> list[ContractKind]:
    """Every kind of contract: the core's four and those the plugins name, each key once."""
    found: dict[str, ContractKind] = {}
    for answer in reversed(plugin_manager().hook.helpdesk_contract_kinds()):
        for kind in answer or ():
            found.setdefault(kind.key, kind)
    return list(found.values())


def kind_label(key: str):
    return next((kind.label for kind in kinds() if kind.key == key), key)


def is_expired(contract: Contract, on: date | None = None) -> bool:
    return contract.ends_on is not None and contract.ends_on < (on or today())


def add_contract(actor: User, organisation: Organisation, **values) -> Contract:
    """A new contract of ``organisation``: ``kind``, ``title``, ``contract_class``,
    ``starts_on``, ``ends_on``, ``notice_period``, ``product_ids``. Agents only; audited."""
    ensure_agent(actor, _l("Only agents add contracts."))
    kind, title = values.get("kind") or "", (values.get("title") or "").strip()
    if kind not in {k.key for k in kinds()}:
        raise ContractError(_l("Please choose the kind of contract."), "kind")
    if not title:
        raise ContractError(_l("Please give the contract a title."), "title")
    contract_class = values.get("contract_class") or None
    if contract_class and contract_class not in {c.key for c in current_policy().contract_classes}:
        raise ContractError(_l("Please choose a contract class."), "contract_class")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is None:
        raise ContractError(_l("Please give the day the contract starts."), "starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ContractError(_l("A contract cannot end before it starts."), "ends_on")
    units_bought = values.get("units_bought")
    if kind == "units" and not (isinstance(units_bought, int) and 0 < units_bought < 100_000):
        raise ContractError(_l("Please give the number of units bought."), "units_bought")
    product_ids = sorted(set(values.get("product_ids") or ()))
    known = {p.id for p in Product.select(Product.id).where(Product.id.in_(product_ids))}
    if len(known) != len(product_ids):
        raise ContractError(_l("Please choose products from the list."), "products")
    with db.atomic():
        contract = Contract.create(
            organisation=organisation,
            kind=kind,
            contract_class=contract_class,
            title=title[:200],
            starts_on=starts_on,
            ends_on=ends_on,
            notice_period=(values.get("notice_period") or "").strip()[:100] or None,
            units_bought=units_bought if kind == "units" else None,
        )
        for product_id in product_ids:
            ContractProduct.create(contract=contract, product=product_id)
        audit.record(
            actor,
            "contract.created",
            contract,
            None,
            {
                "title": contract.title,
                "kind": kind,
                "contract_class": contract_class,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "products": product_ids,
            },
        )
    return contract


def attach_file(actor: User, contract: Contract, filename: str, data: bytes) -> ContractFile:
    """Keep a file of ``contract`` (checked like every upload). Agents only; audited."""
    ensure_agent(actor, _l("Only agents add contract files."))
    try:
        stored = files.store(filename, data)
    except files.UploadError as error:
        raise ContractError(str(error), "file") from error
    with db.atomic():
        kept = ContractFile.create(contract=contract, uploaded_by=actor, **vars(stored))
        audit.record(actor, "contract.file", contract, None, {"file": kept.filename})
    return kept


def contracts_of(organisation_id: int) -> list[Contract]:
    """The organisation's contracts, newest start first, with their products and files (three
    queries, whatever their number)."""
    contracts = list(
        Contract.select()
        .where(Contract.organisation == organisation_id)
        .order_by(Contract.starts_on.desc(), Contract.id.desc())
    )
    ids = [c.id for c in contracts]
    products: dict[int, list] = {i: [] for i in ids}
    documents: dict[int, list] = {i: [] for i in ids}
    if ids:
        rows = (
            ContractProduct.select(ContractProduct, Product)
            .join(Product)
            .where(ContractProduct.contract.in_(ids))
            .order_by(Product.id)
        )
        for row in rows:
            products[row.contract_id].append(row.product)
        for row in (
            ContractFile.select().where(ContractFile.contract.in_(ids)).order_by(ContractFile.id)
        ):
            documents[row.contract_id].append(row)
    now = today()
    for contract in contracts:
        contract.covered = products[contract.id]
        contract.documents = documents[contract.id]
        contract.expired = is_expired(contract, now)
    return contracts


#: The contracts with a class an organisation has begun, latest first: asked on every view of
#: a case by an agent, so compiled once (``Prepared``).
_STARTED = Prepared(
    lambda organisation_id, on: (
        Contract.select()
        .where(
            (Contract.organisation == organisation_id)
            & Contract.contract_class.is_null(False)
            & (Contract.starts_on <= on)
        )
        .order_by(Contract.starts_on.desc(), Contract.id.desc())
    ),
    -7_000_021,
    date(1901, 6, 7),
)


def covering(organisation_id: int, product_id: int | None, on=None, expired: bool = False):
    """The contract with a class that covers ``product_id`` for the organisation, or None
    (see the module's docstring for which one wins). ``expired`` lets an expired contract
    answer when no active one covers the product (the case page shows it as expired)."""
    on = on or today()
    started = [c for c in _STARTED(organisation_id, on) if expired or not is_expired(c, on)]
    if not started:
        return None
    covers: dict[int, set] = {c.id: set() for c in started}
    for row in ContractProduct.select().where(ContractProduct.contract.in_(list(covers))):
        covers[row.contract_id].add(row.product_id)
    fitting = [c for c in started if not covers[c.id] or product_id in covers[c.id]]
    # Active before expired, a contract naming the product before one covering all; the
    # sort is stable, so a later start wins among equals.
    fitting.sort(key=lambda c: (is_expired(c, on), product_id not in covers[c.id]))
    for contract in fitting:
        contract.expired = is_expired(contract, on)
    return fitting[0] if fitting else None


def class_for(organisation: Organisation, product_id: int | None) -> str | None:
    """The contract class that decides a case's priority and targets (see the docstring)."""
    contract = covering(organisation.id, product_id)
    return contract.contract_class if contract is not None else organisation.contract_class


def class_of_case(case) -> str | None:
    return class_for(case.organisation, case.product_id)


def standing(organisation: Organisation) -> Standing:
    """The organisation's contracts today and its AVV's state."""
    agreement = Agreement.get_or_none(Agreement.organisation == organisation.id)
    now = today()
    contracts = list(Contract.select().where(Contract.organisation == organisation.id))
    return Standing(
        organisation=organisation,
        agreement=agreement.state if agreement is not None else "none",
        active=[c for c in contracts if c.starts_on <= now and not is_expired(c, now)],
        expired=[c for c in contracts if is_expired(c, now)],
    )


def notices(organisation: Organisation | None) -> list[CaseNotice]:
    """What the new-case form tells a customer of ``organisation`` before they write."""
    if organisation is None:
        return []
    answer = plugin_manager().hook.helpdesk_new_case_notices(standing=standing(organisation))
    return list(answer or [])


def document_pages(user: User, organisation: Organisation) -> list:
    """The plugins' document pages of ``organisation`` that ``user`` may see."""
    answers = plugin_manager().hook.helpdesk_document_pages(organisation=organisation)
    return [
        page
        for answer in reversed(answers)
        for page in answer or ()
        if page.visible_to is None or page.visible_to(user, organisation)
    ]


def ensure_may_open_case(opener: User, organisation: Organisation) -> None:
    """Refuse a customer's new case when a notice blocks it (an agent opening one by phone
    is told on the case page, not refused)."""
    if opener.is_agent:
        return
    blocking = [n for n in notices(organisation) if n.blocks]
    if blocking:
        raise ContractError(str(blocking[0].message))
