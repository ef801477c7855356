"""The vocabulary a vendor plugin speaks: case types, severities, priorities, statuses, routes,
form fields and navigation links, and the ``Policy`` the app reads them through.

Hooks return these plain, frozen objects; the ``Policy`` asks the plugins once at start-up
and checks that the answers fit together, so a broken plugin fails loudly before serving.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app

from helpdesk.i18n import current_language


@dataclass(frozen=True)
class Label:
    """A text in German and English; ``str()`` gives the current user's language."""

    de: str
    en: str

    def __str__(self) -> str:
        return self.de if current_language() == "de" else self.en

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


class Category(StrEnum):
    """The core meaning of a status, whatever the vendor calls it (FLOW-1)."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # waiting on the customer: the ball is in their court
    HOLD = "hold"
    DEVELOPMENT = "development"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Whether a case in this category still needs work (not solved, not closed)."""
        return self not in (Category.SOLVED, Category.CLOSED)


@dataclass(frozen=True)
class CaseWord:
    """The vendor's word for a case, singular and plural (seed 000 says "Fall", seeds 001-003
    "Ticket", seed 004 "Call"); the English words in lower case, as inside a sentence.

    Templates read it as ``case_word`` in the reader's language: ``case_word.case`` and
    ``case_word.cases`` inside a sentence, ``case_word.Case`` and ``case_word.Cases`` at its
    start (German nouns keep their capital either way).
    """

    singular: Label = Label("Fall", "case")
    plural: Label = Label("Fälle", "cases")

    @property
    def case(self) -> str:
        return str(self.singular)

    @property
    def cases(self) -> str:
        return str(self.plural)

    @property
    def Case(self) -> str:
        return _capitalised(self.case)

    @property
    def Cases(self) -> str:
        return _capitalised(self.cases)


def _capitalised(word: str) -> str:
    """``word`` with a capital first letter and the rest as it is ("CID" stays "CID")."""
    return word[:1].upper() + word[1:]


@dataclass(frozen=True)
class CaseType:
    """A kind of case; ``preselected`` marks the one a fresh case form starts with."""

    key: str
    label: Label
    description: Label | None = None
    preselected: bool = False


@dataclass(frozen=True)
class Severity:
    """How badly the customer is hit; ``needs_impact`` asks for an impact justification."""

    key: str
    label: Label
    description: Label | None = None
    needs_impact: bool = False


@dataclass(frozen=True)
class Priority:
    """How urgently the vendor works a case; listed from the most urgent down."""

    key: str
    label: Label


@dataclass(frozen=True)
class ContractClass:
    """A class of the vendor's support contracts an organisation may have (seed 004: A, B, C
    by the maintenance contract); ``key`` is stored on the organisation."""

    key: str
    label: Label


@dataclass(frozen=True)
class Status:
    """A vendor status in one core category; ``waiting_for`` says what support waits for."""

    key: str
    label: Label
    category: Category
    waiting_for: Label | None = None
    customer_may_set: bool = False


@dataclass(frozen=True)
class Route:
    """Where a new case goes: a team key and optionally one agent's e-mail address, or
    ``assign_in_team``: the team's active agent with the fewest open cases takes it. ``status``
    is the status it starts in (None: the first status in the category new)."""

    team: str | None = None
    agent_email: str | None = None
    assign_in_team: bool = False
    status: str | None = None


@dataclass(frozen=True)
class Choice:
    key: str
    label: Label


@dataclass(frozen=True)
class FormField:
    """An extra field on the case form for a product and case type."""

    key: str
    label: Label
    kind: str = "text"  # text, textarea, select or checkbox
    required: bool = False
    choices: tuple[Choice, ...] = ()
    help: Label | None = None

    KINDS = ("text", "textarea", "select", "checkbox")


@dataclass(frozen=True)
class NavLink:
    """A link in the main navigation; ``audience`` is customer, agent, admin or all.

    ``menu`` is the folded menu the link sits in: ``""`` (the bar itself), ``cases`` (the
    case lists and forms), ``reports`` (an agent's figures), ``admin`` (the Administration
    menu: the default of an ``admin`` link), ``organisation`` (a customer's organisation
    pages) or ``account`` (under the person's name). ``values`` are the endpoint's arguments
    (``view="mine"``)."""

    endpoint: str
    label: Label
    audience: str = "all"
    order: int = 100
    values: dict = field(default_factory=dict, hash=False, compare=False)
    menu: str = ""

    MENUS = ("", "cases", "reports", "organisation", "admin", "account")

    @property
    def place(self) -> str:
        """The menu the link shows in: its own, else Administration for an admin link."""
        if self.menu in self.MENUS:
            return self.menu or ("admin" if self.audience == "admin" else "")
        return ""

    def is_current(self, endpoint: str | None, arguments: dict) -> bool:
        """Whether the page at ``endpoint`` with ``arguments`` (the URL's path and query
        values) is this link's: the same endpoint and every value of the link."""
        return endpoint == self.endpoint and all(
            str(arguments.get(name)) == str(value) for name, value in self.values.items()
        )


@dataclass(frozen=True)
class NavGroup:
    """One place in the bar: a single link (``menu`` empty) or a folded menu of links."""

    menu: str
    links: list[NavLink]


def navigation_bar(links: list[NavLink]) -> tuple[list[NavGroup], list[NavLink]]:
    """``links`` (sorted by order) as the bar's places, each menu where its first link
    falls, and the links of the person's own menu apart."""
    bar: list[NavGroup] = []
    menus: dict[str, NavGroup] = {}
    account: list[NavLink] = []
    for link in links:
        place = link.place
        if place == "account":
            account.append(link)
        elif not place:
            bar.append(NavGroup("", [link]))
        elif place in menus:
            menus[place].links.append(link)
        else:
            menus[place] = NavGroup(place, [link])
            bar.append(menus[place])
    return bar, account


@dataclass(frozen=True)
class Branding:
    """The vendor's face in pages and mails: ``name`` (a ``Label`` or one text; None: "Support
    portal"), ``colour`` (``#rrggbb``, buttons, links and the mail header), ``logo`` and
    ``favicon`` (a path on this site, such as a plugin's static file, or a ``data:`` URI)."""

    name: Label | str | None = None
    colour: str = "#1f5fbf"
    logo: str | None = None
    favicon: str | None = None

    def check(self) -> None:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.colour or ""):
            raise PolicyError(f"branding colour {self.colour!r} is not #rrggbb")
        for address in (self.logo, self.favicon):
            if address and not (
                (address.startswith("/") and not address.startswith("//"))
                or address.startswith("data:image/")
            ):
                raise PolicyError(f"branding image {address!r}: a path on this site or data:")


class PolicyError(RuntimeError):
    """A plugin's answers do not fit together."""


class Policy:
    """The vendor's answers to the static policy hooks, asked once and checked."""

    def __init__(self, hook):
        self.hook = hook
        self.case_types: list[CaseType] = list(hook.helpdesk_case_types())
        self.severities: list[Severity] = list(hook.helpdesk_severities())
        self.priorities: list[Priority] = list(hook.helpdesk_priorities())
        self.statuses: list[Status] = list(hook.helpdesk_statuses())
        self.contract_classes: list[ContractClass] = list(hook.helpdesk_contract_classes())
        #: The declared teams: key -> label in both languages (``flask migrate`` creates them).
        self.teams: dict[str, Label] = {
            key: name if isinstance(name, Label) else Label(name, name)
            for key, name in hook.helpdesk_teams()
        }
        self.case_word: CaseWord = hook.helpdesk_case_word()
        self.branding: Branding = hook.helpdesk_branding() or Branding()
        self.branding.check()
        self._check()

    def _check(self) -> None:
        for name in ("case_types", "severities", "priorities", "statuses", "contract_classes"):
            items = getattr(self, name)
            if not items and name != "contract_classes":  # a vendor may have no contracts
                raise PolicyError(f"the plugins define no {name.replace('_', ' ')}")
            keys = [item.key for item in items]
            if len(keys) != len(set(keys)):
                raise PolicyError(f"duplicate keys among {name}: {keys}")
        too_long = [c.key for c in self.contract_classes if not 0 < len(c.key) <= 50]
        if too_long:
            raise PolicyError(f"contract class keys need 1 to 50 characters: {too_long}")
        for status in self.statuses:
            if not isinstance(status.category, Category):
                raise PolicyError(
                    f"status {status.key!r} needs a Category, not {status.category!r}"
                )
        categories = {status.category for status in self.statuses}
        for needed in (Category.NEW, Category.CLOSED):
            if needed not in categories:
                raise PolicyError(f"no status in the core category {needed.value!r}")
        priorities = {p.key for p in self.priorities}
        for case_type in self.case_types:
            for severity in self.severities:
                for contract_class in (None, *(c.key for c in self.contract_classes)):
                    answer = self.priority_for(case_type.key, severity.key, contract_class)
                    if answer not in priorities:
                        raise PolicyError(
                            f"priority mapping gives {answer!r} for {case_type.key}/"
                            f"{severity.key}/{contract_class}, which is no priority"
                        )

    def priority_for(self, case_type: str, severity: str, contract_class: str | None) -> str:
        return self.hook.helpdesk_priority_for(
            case_type=case_type, severity=severity, contract_class=contract_class
        )

    def status(self, key: str) -> Status | None:
        return next((s for s in self.statuses if s.key == key), None)

    def label(self, kind: str, key: str | None):
        """The label of a case type, severity, priority, status or contract class key; the key
        itself when the vendor no longer defines it (old cases keep their values)."""
        items = {
            "case_type": self.case_types,
            "severity": self.severities,
            "priority": self.priorities,
            "status": self.statuses,
            "contract_class": self.contract_classes,
        }[kind]
        found = next((item for item in items if item.key == key), None)
        return found.label if found is not None else (key or "")

    def initial_status(self) -> Status:
        return next(s for s in self.statuses if s.category == Category.NEW)

    def route(
        self, case_type: str, product, version, component, requester=None, extra=None
    ) -> Route:
        answer = self.hook.helpdesk_route_case(
            case_type=case_type,
            product=product,
            version=version,
            component=component,
            requester=requester,
            extra=extra or {},
        )
        return answer or Route()

    def may_set_status(self, user, case, status: Status) -> bool:
        return bool(self.hook.helpdesk_may_set_status(user=user, case=case, status=status))

    def may_reopen(self, user, case) -> bool:
        return bool(self.hook.helpdesk_may_reopen(user=user, case=case))

    def may_close(self, user, case) -> bool:
        return bool(self.hook.helpdesk_may_close(user=user, case=case))

    def form_fields(self, product, case_type: str) -> list[FormField]:
        # pluggy answers last-registered first; the form shows plugins in registration order
        answers = self.hook.helpdesk_case_form_fields(product=product, case_type=case_type)
        return [field for fields in reversed(answers) for field in fields]

    def navigation(self, user, audiences: set[str]) -> list[NavLink]:
        """The links for ``user`` of the ``audiences`` the caller grants (``all``, ``agent``
        or ``customer``, ``admin``: decided by ``helpdesk.permissions``, a floor above)."""
        # pluggy answers last-registered first; ties in ``order`` keep registration order
        answers = self.hook.helpdesk_navigation(user=user)
        links = [link for links in reversed(answers) for link in links]
        return sorted(
            (link for link in links if link.audience in audiences),
            key=lambda link: link.order,
        )


def current_policy() -> Policy:
    return current_app.extensions["policy"]


@dataclass(frozen=True)
class ProductSpec:
    """A product the demo data creates, with its versions and ``(key, name)`` components; a
    name is a ``Label`` or one text for both languages."""

    key: str
    name: Label | str
    versions: tuple[str, ...] = ()
    components: tuple[tuple[str, Label | str], ...] = ()


# -- Case life cycle (FLOW-4 to FLOW-7) ---------------------------------------------------


@dataclass(frozen=True)
class EscalationLevel:
    """A step of the vendor's escalation path (FLOW-6) and whom it notifies.

    Each entry of ``notify`` is ``"manager"`` (the managers of the case's team), ``"team:KEY"``
    (every active member of that team) or an e-mail address.
    """

    label: Label
    notify: tuple[str, ...] = ("manager",)


@dataclass(frozen=True)
class SupportLevel:
    """A support level a case is handed to (FLOW-6, seed 003); ``team`` takes it over, or the
    case stays with its team when None."""

    label: Label
    team: str | None = None


@dataclass(frozen=True)
class MailCase:
    """What a case opened by mail is: type, severity and, optionally, a product key (MAIL-3)."""

    case_type: str
    severity: str
    product: str | None = None
