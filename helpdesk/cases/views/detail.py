"""A case's page: the facts, the "waiting for you" banner, the timeline and the action forms.

The whole panel is the ``case`` block of ``cases/detail.html``: a page load renders it inside
the layout, every htmx action (``actions``) renders it alone after the change, so one
template shows a case however it was reached. The timeline costs the same few queries
however long it is: authors come joined with the events, the attachments of all entries in
one query, and the names that field changes refer to in one query per kind of name.
"""

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass

from flask import abort
from flask_babel import format_decimal
from flask_login import current_user, login_required
from markupsafe import escape
from peewee import SQL
from werkzeug.datastructures import MultiDict

from helpdesk.accounts.models import Kind, Team, User
from helpdesk.bilingual import name_in
from helpdesk.cases import access, closing, files, form_markup
from helpdesk.cases.cells import per_locale, vocabulary
from helpdesk.cases.models import Attachment, Case, Event, EventKind, Visibility
from helpdesk.cases.times import Times
from helpdesk.cases.views.blueprint import bp
from helpdesk.contracts import billing, units
from helpdesk.contracts import service as contracts
from helpdesk.contracts.billing_models import RunningTimer, Settlement, TimeRecord
from helpdesk.contracts.models import Contract
from helpdesk.db import Prepared
from helpdesk.development import service as development
from helpdesk.development.models import DevelopmentLink
from helpdesk.escalation import service as escalation
from helpdesk.i18n import current_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.knowledge import service as knowledge
from helpdesk.knowledge.models import ArticleRead
from helpdesk.mail.inbound.models import InboundMessage
from helpdesk.mail.inbound.views import original_mails
from helpdesk.permissions import may_work_cases
from helpdesk.policy import Category, current_policy
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.sla import service as sla
from helpdesk.web import render

#: How the page names each field of a case; the timeline uses the same names for changes.
FIELD_LABELS = {
    "case_type": _l("Type"),
    "severity": _l("Severity"),
    "priority": _l("Priority"),
    "product": _l("Product"),
    "version": _l("Version"),
    "component": _l("Component"),
    "category": _l("Category"),
    "topic": _l("Topic"),
    "status": _l("Status"),
    "assignee": _l("Assigned to"),
    "team": _l("Team"),
}

#: ``{language: {field: label as markup}}``: ``FIELD_LABELS`` as a page shows them (a lazy
#: label is translated each time it is shown; a case page shows a dozen and more). The
#: catalogs never change while a process runs.
_shown_field_labels: dict = {}


def field_labels() -> dict:
    """``FIELD_LABELS`` in the current language, each as Jinja would show the lazy label."""
    language = current_language()
    labels = _shown_field_labels.get(language)
    if labels is None:
        labels = _shown_field_labels[language] = {
            name: escape(label) for name, label in FIELD_LABELS.items()
        }
    return labels


#: The report checklist (seed 003), in the order the case form asks for it.
CHECKLIST_LABELS = {
    "symptom": _l("Symptom"),
    "affected": _l("Who is affected"),
    "expected": _l("Expected behaviour"),
    "steps": _l("Steps to reproduce"),
    "recent_changes": _l("Recent changes"),
    "error_text": _l("Exact error text"),
}

CHANNEL_LABELS = {"web": _l("portal"), "mail": _l("e-mail"), "phone": _l("phone")}

#: Fields whose timeline values are row ids, and the model that names them.
REFERENCED = {
    "product": Product,
    "version": ProductVersion,
    "component": Component,
    "assignee": User,
    "team": Team,
}

#: Fields whose timeline values are keys of the vendor's policy.
POLICY_KEYS = ("case_type", "severity", "priority", "status")

#: The fields an agent changes on the page, each with its own small form.
AGENT_FIELDS = ("team", "case_type", "severity", "priority", "product", "version", "component")

CLOSING = (Category.SOLVED, Category.CLOSED)


@dataclass
class Failure:
    """A refused action: which form, which field, why, and what was typed (to show again)."""

    form: str
    messages: list[str]
    field: str | None = None
    values: MultiDict = dataclasses.field(default_factory=MultiDict)
    pending: list[Attachment] = dataclasses.field(default_factory=list)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


@dataclass
class Entry:
    """One timeline entry as the page shows it."""

    event: Event
    author: User | None
    attachments: list[Attachment]
    old: str | None = None
    new: str | None = None

    @property
    def internal(self) -> bool:
        return self.event.visibility == Visibility.INTERNAL

    @property
    def hidden(self) -> bool:
        """A message the correspondence rule withholds: shown as a placeholder only."""
        return bool(self.event.hidden)


@bp.route("/cases/<call_id>")
@login_required
def detail(call_id: str):
    return show(case_or_404(call_id))


def _one(model, *conditions):
    """A select of ``model``'s rows that meet ``conditions`` (for ``fn.EXISTS``)."""
    return model.select(SQL("1")).where(*conditions)


#: Whether the case's organisation has any contract, read with the case for everyone: the
#: page asks for the contract covering the case and the support units left only then.
CONTRACT_FLAG = {"has_contracts": _one(Contract, Contract.organisation == Case.organisation)}
#: Whether an agent's case has rows in the lists of the page's side panels: read with the
#: case (``access.case_page_queries``), so that the page asks for a list only when it has
#: rows. Most cases have none of them: each asked for costs a statement, on PostgreSQL a
#: round trip and about 75 µs of CPU of the web worker and the database together (``bench``
#: data, 100,000 cases: the agent's case page 3.9 -> 3.35 ms of the web worker's CPU and
#: 0.75 -> 0.55 ms of the database's with the flags). The timer's flag is any agent's
#: timer on the case (the list is the agent's own), the readings' any reading by the
#: requester before the opening (the list is the day before it).
AGENT_FLAGS = {
    **CONTRACT_FLAG,
    "has_time_records": _one(TimeRecord, TimeRecord.case == Case.id),
    "has_timer": _one(RunningTimer, RunningTimer.case == Case.id),
    "has_settlement": _one(Settlement, Settlement.case == Case.id),
    "has_development": _one(DevelopmentLink, DevelopmentLink.case == Case.id),
    "has_mails": _one(
        InboundMessage, InboundMessage.case == Case.id, InboundMessage.event.is_null(False)
    ),
    "requester_read": _one(
        ArticleRead, ArticleRead.user == Case.requester, ArticleRead.read_at <= Case.created_at
    ),
}
_PAGE_QUERIES = access.case_page_queries(
    {
        access.Sight.ALL: AGENT_FLAGS,
        access.Sight.ORGANISATION: CONTRACT_FLAG,
        access.Sight.OWN: CONTRACT_FLAG,
    }
)


def find_case(call_id: str) -> Case | None:
    """The case if the current user may see it (``access.case_by_call_id``), for its page:
    an agent's with ``AGENT_FLAGS``, a customer's with ``CONTRACT_FLAG``."""
    return access.case_by_call_id(current_user, call_id, _PAGE_QUERIES)


def case_or_404(call_id: str) -> Case:
    """The case if the current user may see it; a 404 otherwise, never saying whether the
    call id exists (PERM-1)."""
    case = find_case(call_id)
    if case is None:
        abort(404)
    return case


def show(case: Case, failure: Failure | None = None, status: int = 200):
    """The case panel (the whole page, or the ``case`` block for htmx) for the current user."""
    opening, entries = timeline(current_user, case)
    agent = may_work_cases(current_user)
    context = {
        "case": case,
        "opening": opening,
        "entries": entries,
        "failure": failure,
        "facts": facts(case),
        "checklist": [
            (label, getattr(case, name))
            for name, label in CHECKLIST_LABELS.items()
            if getattr(case, name)
        ],
        "extras": extras(case),
        "waiting": waiting(case),
        "following": bool(case.following),
        "parent": _visible_parent(case),
        "children": _visible_children(case) if case.has_children else [],
        "closing": case.status_category in CLOSING,
        "may_reopen": case.status_category in CLOSING
        and current_policy().may_reopen(current_user, case),
        "agent": agent_context(case) if agent else None,
        "life": lifecycle_panel(case, agent),
        "mails": original_mails(case) if agent and case.has_mails else {},
        "clock": sla.case_clock(case, detailed=agent),
        "timer_steps": sla.preview(case) if agent else [],
        "field_labels": field_labels(),
        "channel_labels": CHANNEL_LABELS,
        "inline_safe": files.INLINE_SAFE,
        "size_of": size_label,
        "times": Times(),
        "contract": contracts.covering(case.organisation_id, case.product_id, expired=True)
        if agent and case.has_contracts
        else None,
        "billing": billing.panel(
            case,
            current_user,
            records=case.has_time_records,
            timer=case.has_timer,
            settlement=case.has_settlement,
            balances=case.has_contracts,
        )
        if agent
        else None,
        "balances": units.for_customer_of(current_user, case.organisation_id)
        if case.has_contracts and not agent
        else [],
    }
    return render("cases/detail.html", block="case", status=status, **context)


def lifecycle_panel(case: Case, agent: bool) -> dict:
    """What the page shows and offers about closing, escalation, support level and
    development, for the signed-in user (``agent``: one who works cases)."""
    escalation_levels = escalation.escalation_levels()
    support_levels = escalation.support_levels()
    return {
        "may_confirm": closing.may_confirm(current_user, case),
        "escalation_label": escalation.level_label(escalation_levels, case.escalation_level),
        "next_escalation": escalation.level_label(escalation_levels, case.escalation_level + 1)
        if escalation.may_escalate(current_user, case)
        else None,
        "support_label": escalation.level_label(support_levels, case.support_level),
        "next_support": escalation.level_label(support_levels, case.support_level + 1)
        if agent and case.is_open
        else None,
        "development": development.item_of(case) if agent and case.has_development else None,
        "support_labels": [level.label for level in support_levels],
    }


def timeline(user: User, case: Case) -> tuple[Entry | None, list[Entry]]:
    """The opening entry (which the page shows with the description) and the others."""
    events = list(access.visible_events(user, case))
    attachments = _attachments_by_event(user, case) if case.has_attachments else defaultdict(list)
    names = _referenced_names(events)
    entries = []
    for event in events:
        entry = Entry(event, event.author if event.author_id else None, attachments[event.id])
        entry.old, entry.new = (_shown(event, names, v) for v in (event.old_value, event.new_value))
        entries.append(entry)
    opening = next((e for e in entries if e.event.kind == EventKind.OPENED), None)
    return opening, [e for e in entries if e is not opening]


def _attachments_by_event(user: User, case: Case) -> dict:
    """The files of ``case`` that ``user`` may open, by timeline entry (the page shows those
    of the entries ``user`` sees)."""
    grouped = defaultdict(list)
    for attachment in access.case_files(user, case):
        grouped[attachment.event_id].append(attachment)
    return grouped


def _value_kind(event: Event) -> str | None:
    if event.kind == EventKind.FOLLOWED:
        return "assignee"  # the follower: a user id like an assignee's
    return event.field


def _referenced_names(events: list[Event]) -> dict:
    """``{(field, id as text): name}`` for every row the events refer to, one query a model."""
    wanted = defaultdict(set)
    for event in events:
        kind = _value_kind(event)
        if kind in REFERENCED:
            for value in (event.old_value, event.new_value):
                if value and value.isdigit():
                    wanted[kind].add(int(value))
    names = {}
    for kind, ids in wanted.items():
        model = REFERENCED[kind]
        bilingual = kind in ("product", "component", "team")
        columns = [model.name_de, model.name_en] if bilingual else [model.name]
        for row in model.select(model.id, *columns).where(model.id.in_(sorted(ids))):
            names[(kind, str(row.id))] = row.name
    return names


def _shown(event: Event, names: dict, value: str | None):
    """A timeline value as people read it: a label or a name instead of a key or an id."""
    if value is None:
        return None
    kind = _value_kind(event)
    if kind in POLICY_KEYS:
        return current_policy().label(kind, value)
    if kind in REFERENCED:
        return names.get((kind, value), _l("(deleted)"))
    return value


def facts(case: Case) -> list[tuple[str, object]]:
    """The case's fields as (label, value) pairs, labels and names in the user's language."""
    policy = current_policy()
    labels = field_labels()
    rows = [
        (labels["status"], policy.label("status", case.status)),
        (labels["case_type"], policy.label("case_type", case.case_type)),
        (labels["severity"], policy.label("severity", case.severity)),
        (labels["priority"], policy.label("priority", case.priority)),
        (labels["product"], case.product.name),
        (labels["version"], case.version.name if case.version_id else None),
        (labels["component"], case.component.name if case.component_id else None),
        (labels["category"], case.category),
        (labels["topic"], case.topic),
        (_l("Requester"), case.requester.name),
        (_l("Team"), case.team.name if case.team_id else None),
        (labels["assignee"], case.assignee.name if case.assignee_id else None),
    ]
    return [(label, value) for label, value in rows if value]


def extras(case: Case) -> list[tuple[object, str]]:
    """The plugin's extra form fields of the case, labelled as the plugin labels them."""
    try:
        values = json.loads(case.extra or "{}")
    except ValueError:
        return []
    if not isinstance(values, dict) or not values:
        return []
    labels = {f.key: f.label for f in current_policy().form_fields(case.product, case.case_type)}
    return [
        (labels.get(key, key), value if isinstance(value, str) else json.dumps(value))
        for key, value in values.items()
        if value not in (None, "", False)
    ]


def waiting(case: Case) -> dict | None:
    """What support waits for while the ball is in the customer's court (FLOW-2)."""
    if case.status_category != Category.WAITING:
        return None
    status = current_policy().status(case.status)
    return {
        "what": status.waiting_for if status is not None else None,
        "details": case.waiting_for,
    }


def _visible_parent(case: Case) -> Case | None:
    if case.parent_id is None:
        return None
    return access.case_for(current_user, case.parent_id)


def _visible_children(case: Case) -> list[Case]:
    query = Case.select().where(Case.parent == case.id).order_by(Case.id).limit(50)
    return list(access.visible_cases(current_user, query))


_ZERO, _EMPTY = SQL("0"), SQL("''")


def _choices_query(product_id, version_product_id, component_product_id):
    """The agent's choices on every case page they open, in one query (five before, a round
    trip each): the products (active ones and the case's), the versions and components of the
    case's product, the teams and the active agents. Each row says which list it is of
    (``part``); products, components and teams have a name in each language: both are read
    (the SQL is the same in every language) and ``_by_name`` sorts them in the user's.
    Versions come in their position's order, components in their id's, agents in their
    name's (``number``, ``text``). The product is a value three times (``Prepared`` finds a
    value by its stand-in)."""

    def part(model, name, names, number=_ZERO, text=_EMPTY):
        return model.select(
            SQL(f"'{name}'").alias("part"),
            model.id,
            names[0].alias("name_de"),
            names[-1].alias("name_en"),
            number.alias("number"),
            text.alias("text"),
        )

    bilingual = {m: (m.name_de, m.name_en) for m in (Product, Component, Team)}
    return (
        part(Product, "product", bilingual[Product]).where(
            Product.active | (Product.id == product_id)
        )
        + part(ProductVersion, "version", (ProductVersion.name,), ProductVersion.position).where(
            ProductVersion.product == version_product_id
        )
        + part(Component, "component", bilingual[Component], Component.id).where(
            Component.product == component_product_id
        )
        + part(Team, "team", bilingual[Team])
        + part(User, "agent", (User.name,), text=User.name).where(
            (User.kind == Kind.AGENT) & User.active
        )
    ).order_by(SQL("1"), SQL("5"), SQL("6"))


#: ``_choices_query`` compiled once.
_CHOICES = Prepared(
    lambda *product_ids: _choices_query(*product_ids).dicts(), -9_000_301, -9_000_302, -9_000_303
)


def _choice_rows(product_id: int) -> dict[str, list[tuple[int, str]]]:
    """``{part: [(id, name in the user's language)]}`` of ``_choices_query``."""
    language = current_language()
    parts = defaultdict(list)
    for row in _CHOICES(product_id, product_id, product_id):
        parts[row["part"]].append((row["id"], name_in(row, "name", language)))
    return parts


def _by_name(pairs) -> list[tuple[str, str]]:
    """``(id, name)`` choices, by their name, escaped."""
    return form_markup.escaped(sorted(pairs, key=lambda c: c[1].casefold()))


def _fixed_choices(policy, locale) -> dict[str, list[tuple[str, str]]]:
    """The vendor's case types, severities and priorities as escaped choices."""
    labels = vocabulary(policy).labels
    return {kind: list(labels[kind].items()) for kind in ("case_type", "severity", "priority")}


_choices_per_locale = per_locale(_fixed_choices)


def agent_context(case: Case) -> dict:
    """Choices for the agent's forms (escaped ``(value, text)`` pairs for
    ``form_markup.options``): values of every field, settable statuses, agents."""
    policy = current_policy()
    none = [("", str(escape(_l("(none)"))))]
    statuses = [
        s
        for s in policy.statuses
        if s.key != case.status
        and policy.may_set_status(current_user, case, s)
        and (s.category != Category.CLOSED or policy.may_close(current_user, case))
    ]
    status_labels = vocabulary(policy).labels["status"]
    rows = _choice_rows(case.product_id)
    return {
        "fields": AGENT_FIELDS,
        "choices": {
            **_choices_per_locale(policy),
            "product": _by_name(rows["product"]),
            "version": none + form_markup.escaped(rows["version"]),
            "component": none + _by_name(rows["component"]),
            "team": none + _by_name(rows["team"]),
        },
        "current": {
            "case_type": case.case_type,
            "severity": case.severity,
            "priority": case.priority,
            "product": str(case.product_id),
            "version": str(case.version_id or ""),
            "component": str(case.component_id or ""),
            "team": str(case.team_id or ""),
        },
        "statuses": [(s.key, status_labels[s.key]) for s in statuses],
        "agents": form_markup.escaped(rows["agent"]),
        "read_articles": knowledge.read_before(case.requester_id, case.created_at)
        if case.requester_read
        else [],
    }


def size_label(size: int) -> str:
    """A file size for people: bytes, KB or MB, with the user's decimal separator."""
    if size < 1024:
        return _l("%(size)s bytes", size=size)
    if size < 1024 * 1024:
        return _l("%(size)s KB", size=format_decimal(round(size / 1024, 1)))
    return _l("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))
