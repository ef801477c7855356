"""The case lists (CASE-4): which cases a list shows, filtered, sorted and paged.

Plain functions, no request: the views parse the query string into ``Filters`` with
``parse_filters`` (every value from an allow-list, anything else ignored) and ask for one
``Page``. A page is one query over the cases ``access.visible_cases`` allows, with only the
joined names the chosen columns show, and one row more than it shows to know whether a next
page exists (no COUNT over the whole table).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache, lru_cache
from weakref import WeakKeyDictionary

from peewee import JOIN, SQL, Alias
from peewee import Case as CaseWhen

from helpdesk import preferences
from helpdesk.accounts.models import Kind, Organisation, User
from helpdesk.bilingual import name_in
from helpdesk.cases import access, search
from helpdesk.cases.models import Case
from helpdesk.db import Prepared, db, is_postgres
from helpdesk.i18n import current_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import page_number, parse_id
from helpdesk.policy import Category
from helpdesk.preferences import Preference
from helpdesk.products.models import Product
from helpdesk.sla.models import CaseClock

OPEN_CATEGORIES = (
    Category.NEW,
    Category.OPEN,
    Category.WAITING,
    Category.HOLD,
    Category.DEVELOPMENT,
)
DONE_CATEGORIES = (Category.SOLVED, Category.CLOSED)
#: The status filter: the core categories it stands for (None: every case). The core category
#: "open" is called "in_progress" here, since "open" means every case not yet solved or closed.
STATUS_FILTERS = {
    "open": OPEN_CATEGORIES,
    "done": DONE_CATEGORIES,
    "all": None,
    "new": (Category.NEW,),
    "in_progress": (Category.OPEN,),
    "waiting": (Category.WAITING,),
    "hold": (Category.HOLD,),
    "development": (Category.DEVELOPMENT,),
    "solved": (Category.SOLVED,),
    "closed": (Category.CLOSED,),
}
QUEUE_VIEWS = ("new", "mine", "team", "all", "breaching")
SORTS = ("updated", "created", "call_id", "priority", "severity", "status", "due")
PAGE_SIZE = 25
MAX_PAGE = 400  # deeper offsets get slow; a filter or search finds old cases faster

#: Every column a list can show, in the order lists show them, with its heading.
COLUMNS = {
    "call_id": _l("Call ID"),
    "subject": _l("Subject"),
    "organisation": _l("Organisation"),
    "status": _l("Status"),
    "severity": _l("Severity"),
    "priority": _l("Priority"),
    "case_type": _l("Type"),
    "product": _l("Product"),
    "requester": _l("Requester"),
    "assignee": _l("Assignee"),
    "updated": _l("Updated"),
    "created": _l("Created"),
    "due": _l("Response due"),
}
#: Who handles a case inside the vendor, and which customer it is for, are the agents' business.
AGENT_ONLY_COLUMNS = ("organisation", "assignee", "due")
CUSTOMER_DEFAULT = ("call_id", "subject", "status", "severity", "requester", "updated")
AGENT_DEFAULT = (
    "call_id",
    "subject",
    "organisation",
    "status",
    "severity",
    "priority",
    "requester",
    "assignee",
    "due",
    "updated",
)
#: Columns whose heading sorts the list, and by which key.
SORT_OF_COLUMN = {
    "call_id": "call_id",
    "status": "status",
    "severity": "severity",
    "priority": "priority",
    "updated": "updated",
    "created": "created",
    "due": "due",
}
COLUMNS_PREFERENCE = "case_columns"


@dataclass(frozen=True)
class Filters:
    """What a list shows; the defaults are what a bare URL shows."""

    view: str = ""
    status: str = "open"
    severity: str = ""
    case_type: str = ""
    product: int | None = None
    requester: int | None = None
    assignee: int | str | None = None  # an agent's id, or "none": nobody
    q: str = ""
    sort: str = "updated"
    dir: str = "desc"
    page: int = 1

    def args(self, **changes) -> dict:
        """The query-string arguments for these filters with ``changes``, defaults left out."""
        values = {**vars(self), **changes}
        defaults = {**_DEFAULTS, "sort": default_sort(values["q"], values["view"])}
        return {k: v for k, v in values.items() if v not in (None, "") and v != defaults[k]}


#: Every filter at its default, for leaving defaults out of URLs (computed once).
_DEFAULTS = vars(Filters())
#: The query-string parameters of a list: the only ones passed on from one list to another.
PARAMETERS = tuple(_DEFAULTS)


def default_sort(q: str, view: str) -> str:
    """A search lists the newest matches first (the index reads them in that order, see
    ``search.newest_first``); "breaching soon" the most urgent; every other list the latest
    update."""
    if q:
        return "created"
    return "due" if view == "breaching" else "updated"


@dataclass(frozen=True)
class Choices:
    """The values a user may filter by: the allow-lists behind ``parse_filters``."""

    severities: tuple[str, ...]
    case_types: tuple[str, ...]
    products: dict[int, str]
    requesters: dict[int, str] = field(default_factory=dict)
    assignees: dict[int, str] = field(default_factory=dict)
    queue: bool = False
    whole_organisation: bool = False  # the user sees every case of the organisation (access)


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    number: int
    has_prev: bool
    has_next: bool


def choices_and_columns(user: User, policy, queue: bool = False):
    """What ``user`` may filter by (``Choices``) and the columns they chose, from one statement.

    Customers choose requesters of their own organisation only, and only when they see the
    whole organisation's cases; agents choose assignees. Products, people and the saved
    columns come in one round trip, compiled once (``db.Prepared``) for each of the three
    kinds of user.
    """
    whole_organisation = access.sees_whole_organisation(user)
    if user.is_agent:
        rows = _AGENT_LISTS(user.id)
    elif whole_organisation:
        rows = _ORGANISATION_LISTS(user.id, user.organisation_id)
    else:
        rows = _OWN_LISTS(user.id)
    products, people, saved = {}, {}, None
    english = current_language() != "de"
    for kind, key, text, text_en in rows:
        if kind == "product":
            products[key] = (text_en or text) if english else text
        elif kind == "person":
            people[key] = text
        else:
            saved = text
    choices = Choices(
        severities=tuple(s.key for s in policy.severities),
        case_types=tuple(t.key for t in policy.case_types),
        products=dict(sorted(products.items(), key=lambda item: item[1].casefold())),
        requesters={} if user.is_agent else people,
        assignees=people if user.is_agent else {},
        queue=queue,
        whole_organisation=whole_organisation,
    )
    return choices, _columns(user, preferences.decoded(saved))


def _lists(user_id, people=None):
    """The rows (kind, id, name, English name) of the active products (their German name
    first), of ``people`` (a condition on ``User``) and of the saved columns (kind "columns",
    the JSON as name), sorted by name."""
    products = Product.select(SQL("'product'"), Product.id, Product.name_de, Product.name_en)
    saved = Preference.select(SQL("'columns'"), SQL("NULL"), Preference.value, SQL("NULL")).where(
        preferences.saved_under(user_id, COLUMNS_PREFERENCE)
    )
    query = products.where(Product.active) + saved
    if people is not None:
        query += User.select(SQL("'person'"), User.id, User.name, SQL("NULL")).where(people)
    return query.order_by(SQL("1"), SQL("3")).tuples()


_OWN_LISTS = Prepared(_lists, -101)
_ORGANISATION_LISTS = Prepared(
    lambda user_id, organisation_id: _lists(
        user_id, (User.organisation == organisation_id) & User.active
    ),
    -101,
    -102,
)
_AGENT_LISTS = Prepared(lambda user_id: _lists(user_id, User.kind == Kind.AGENT), -101)


def parse_filters(args: Mapping[str, str], choices: Choices) -> Filters:
    """``Filters`` from a query string; a value outside its allow-list is ignored."""

    def pick(name, allowed, default=""):
        value = args.get(name, "")
        return value if value in allowed else default

    def pick_id(name, allowed):
        number = parse_id(args.get(name))
        return number if number in allowed else None

    assignee = "none" if choices.assignees and args.get("assignee") == "none" else None
    q = " ".join(args.get("q", "").split())[:200]
    view = pick("view", QUEUE_VIEWS, "new") if choices.queue else ""
    return Filters(
        view=view,
        status=pick("status", STATUS_FILTERS, "open"),
        severity=pick("severity", choices.severities),
        case_type=pick("case_type", choices.case_types),
        product=pick_id("product", choices.products),
        requester=pick_id("requester", choices.requesters),
        assignee=assignee or pick_id("assignee", choices.assignees),
        q=q,
        sort=pick("sort", SORTS, default_sort(q, view)),
        dir=pick("dir", ("asc", "desc"), "desc"),
        page=page_number(args.get("page"), last=MAX_PAGE),
    )


def _columns(user: User, chosen) -> tuple[str, ...]:
    """The columns ``user`` chose (or the default of their side), call id always first."""
    if not isinstance(chosen, list):
        chosen = AGENT_DEFAULT if user.is_agent else CUSTOMER_DEFAULT
    return clean_columns(chosen, available_columns(user))


def available_columns(user: User) -> tuple[str, ...]:
    return tuple(c for c in COLUMNS if user.is_agent or c not in AGENT_ONLY_COLUMNS)


def clean_columns(chosen, allowed) -> tuple[str, ...]:
    """``chosen`` in list order, limited to ``allowed``, with the call id always shown."""
    picked = set(chosen) & set(allowed)
    picked.add("call_id")
    return tuple(c for c in COLUMNS if c in picked)


def save_columns(user: User, chosen) -> tuple[str, ...]:
    """Keep the columns ``user`` chose; unknown or forbidden names are dropped."""
    columns = clean_columns(chosen, available_columns(user))
    preferences.put(user, COLUMNS_PREFERENCE, list(columns))
    return columns


_REQUESTER, _ASSIGNEE = User.alias("requester_user"), User.alias("assignee_user")
#: The names a column joins: (model, its name fields by alias, the case's field that points
#: at it, join type). Built once: each field of an aliased model is a class of its own that
#: peewee makes on every access. A product has a name in each language: both are selected
#: (``product_name_de``, ``product_name_en``), so the SQL is the same in every language, and
#: ``with_names`` picks.
_NAME_JOINS = {
    "requester": (_REQUESTER, {"requester_name": _REQUESTER.name}, Case.requester, JOIN.INNER),
    "assignee": (_ASSIGNEE, {"assignee_name": _ASSIGNEE.name}, Case.assignee, JOIN.LEFT_OUTER),
    "product": (
        Product,
        {"product_name_de": Product.name_de, "product_name_en": Product.name_en},
        Case.product,
        JOIN.INNER,
    ),
    "organisation": (
        Organisation,
        {"organisation_name": Organisation.name},
        Case.organisation,
        JOIN.INNER,
    ),
}
#: Columns whose name comes in both languages.
BILINGUAL_COLUMNS = ("product",)
#: The case fields a list shows.
_LISTED = (
    Case.id,
    Case.call_id,
    Case.subject,
    Case.status,
    Case.status_category,
    Case.severity,
    Case.priority,
    Case.case_type,
    Case.created_at,
    Case.updated_at,
    Case.waiting_for,  # the status cell's tooltip says it (seed 001: "via Mouseover")
)


def with_names(row: dict, language: str) -> dict:
    """``row`` with ``<column>_name`` set from the names in both languages, in ``language``."""
    for column in BILINGUAL_COLUMNS:
        if f"{column}_name_de" in row:
            row[f"{column}_name"] = name_in(row, f"{column}_name", language)
    return row


def cases_query(
    user: User, filters: Filters, policy, columns=COLUMNS, page=None, match=None, owing_only=False
):
    """The query for ``filters`` as ``user`` may see it: the case fields a list shows and the
    names behind ``columns``, sorted; ``page`` (limit, offset) limits it; ``match`` stands
    for the search index's match of ``filters.q`` when given. Rows come as dicts.

    ``owing_only``: of a page read in the "due" sort's two parts (``_owing_first``), only the
    first part, from its first row to the end of the page."""
    due_first = _owing_first(user, filters) and page is not None
    breaching = filters.view == "breaching"
    # The "due" sort's page reads the breaching cases from the clocks it joins (``_due_first``)
    narrowing = replace(filters, view="all") if due_first and breaching else filters
    query = _narrowed(access.visible_cases(user, Case.select(*_LISTED)), user, narrowing)
    messages = not filters.q or _messages_searched(user)
    if filters.q and filters.sort == "created":
        # Newest (or oldest) matches first: read in order from the search index.
        descending = filters.dir == "desc"
        match = match or search.index_match(filters.q, messages)
        if match and page is not None and is_postgres():
            listed = query.select_extend(*_pointers(columns))
            cases, tables = search.window_first(listed, match, descending, *page)
            return _names_of_page(cases, columns, descending).with_cte(*tables).dicts()
        if match:
            ordered = search.in_index_order(query, match, descending)
            return _paged(_joined(ordered, columns, filters.sort), page).dicts()
    if filters.q:
        query = search.narrow(query, filters.q, messages=messages)
    if due_first:
        due_by = _breaching_by() if breaching else None
        return _due_first(query, columns, filters.dir == "desc", due_by, *page, owing_only).dicts()
    query = _joined(query, columns, filters.sort).order_by(*_order(filters, policy))
    return _paged(query, page).dicts()


def _owing_first(user: User, filters: Filters) -> bool:
    """Whether a page of ``filters`` is read in the "due" sort's two parts (``_due_first``):
    when the filters may let through many of the cases owing a response, so that the page
    is best read in the clocks' order: an agent's list that is not one person's (their own,
    one requester's or assignee's). A customer's cases or one person's are few enough to
    sort, and may be too few among the clocks to walk them: an agent with no case walked
    all 225,000 clocks owing a response among 1,000,000 cases to find none (0.5 s on
    SQLite), and PostgreSQL walked 15,000 of them for a customer's page (200 instead of
    72 ms sorting the organisation's open cases)."""
    if filters.sort != "due" or not user.is_agent:
        return False
    return not (filters.view == "mine" or filters.assignee or filters.requester)


def _due_first(query, columns, urgent_first: bool, due_by, limit, offset, owing_only=False):
    """A page of ``query`` in the order of the "due" sort (``_order``), read as two parts:
    the cases owing a response in the order of the clocks' ``response_due_at`` index
    (``_clock_first``), then the rest in the order of the lists' indexes (the latest
    changed first); each part at most as far as the page reaches, the two then put in order.
    Sorted as one, every case the filters let through was joined to its clock and sorted
    before the first page came: for the agents' open cases at 1,000,000 cases 1.6-2.5 s on
    SQLite, now 0.5 ms; 2.3 s on PostgreSQL, now 17 ms.

    ``owing_only``: the first part alone, from its first row to the end of the page (the
    rows up to ``limit + offset``): ``list_page`` reads it first and the whole only when it
    does not reach the end of the page, which it usually does.

    ``due_by``: only the cases whose response is due by then, read from the same index (the
    breaching view, whose own condition SQLite read as the list of every breaching case,
    then sorted them all: 65 ms at 1,000,000 cases, now 1.4 ms; PostgreSQL 270 -> 9 ms); the
    second part is then left out."""
    reach = SQL(str(int(limit) + int(offset)))
    due, latest = CaseClock.response_due_at, (Case.updated_at.desc(), Case.id.desc())
    owing = (
        _clock_first(query, columns)
        .where(due.is_null(False) if due_by is None else due <= due_by)
        .order_by(due.asc() if urgent_first else due.desc(), *latest)
        .limit(reach)
    )
    if owing_only:
        return owing
    names = [c.name if isinstance(c, Alias) else c.column_name for c in owing.selected_columns]
    both = Case.select(SQL("*"), SQL("0").alias("arm")).from_(owing.alias("arm0"))
    if due_by is None:
        rest = _joined(query, columns, "due").where(due.is_null())
        rest = rest.order_by(*latest).limit(reach)
        both = both.union_all(
            Case.select(SQL("*"), SQL("1").alias("arm")).from_(rest.alias("arm1"))
        )
    both = both.alias("due_first")
    order = [both.c.arm, both.c.due_at.asc() if urgent_first else both.c.due_at.desc()]
    ordered = Case.select(*(both.c[name] for name in names)).from_(both)
    ordered = ordered.order_by(*order, both.c.updated_at.desc(), both.c.id.desc())
    return _paged(ordered, (limit, offset))


def _messages_searched(user: User) -> bool:
    """Whether a search of ``user``'s reads the text of messages: under the correspondence
    rule (PERM-3) the text of messages must not lead to a case."""
    return not access.under_correspondence_rule(user)


def _clock_first(query, columns):
    """``query`` joined as ``_joined`` joins it, to the cases' clocks by an inner join, the
    clocks read first on SQLite (``_clocks_then_cases``). PostgreSQL weighs the orders by its
    statistics."""
    if is_postgres():
        return _joined(query, columns, "due", JOIN.INNER)
    query = _clocks_then_cases(query).select_extend(CaseClock.response_due_at.alias("due_at"))
    return _joined(query, [name for name in columns if name != "due"], "")


def _clocks_then_cases(query):
    """``query`` (of cases) reading the cases' clocks first, each clock's case then: a CROSS
    JOIN (the pair's condition in the WHERE), which SQLite keeps in the order written.
    Without statistics SQLite would rather seek the cases by ``is_open`` and sort them all
    than read the clocks' ``response_due_at`` index in order and stop at the end of a page,
    or gather every clock a subquery of them names before the first case."""
    query = query.from_(CaseClock).join_from(CaseClock, Case, JOIN.CROSS)
    return query.where(CaseClock.case == Case.id)


def _joined(query, columns, sort: str, clock=JOIN.LEFT_OUTER):
    """``query`` with the names (and the response due) ``columns`` show joined to the case;
    ``clock``: how the case's clock is joined, when it is."""
    if "due" in columns or sort == "due":
        query = query.select_extend(CaseClock.response_due_at.alias("due_at")).join_from(
            Case, CaseClock, clock, on=(CaseClock.case == Case.id)
        )
    for name, (model, fields, pointer, kind) in _NAME_JOINS.items():
        if name in columns:
            targets = [field.alias(alias) for alias, field in fields.items()]
            query = query.select_extend(*targets).join_from(
                Case, model, kind, on=pointer == model.id
            )
    return query


def _names_of_page(cases, columns, descending: bool):
    """The names (and the response due) for a page of ``cases`` (a limited query of
    ``_LISTED`` and the ``_pointers`` to the names: PostgreSQL's ``search.window_first``),
    looked up for that page alone, kept in its order.

    For PostgreSQL: a search read from the index in order (``search.newest_first``) joined to
    every name took 3 ms to plan and 0.2 ms to run (the planner weighs each name's join with
    the index's, at every run: the match decides the plan); the page picked in a subquery of
    its own first, then joined, 0.4 ms to plan and 0.5 ms to run (``bench`` data, 100,000
    cases). Each name a scalar subquery on that page's rows instead of a join leaves the
    planner less to weigh: planning 0.43-0.45 to 0.25-0.27 ms, running 0.27 to 0.26 ms (EXPLAIN
    ANALYZE of the agents' search for "drucker", ``bench`` data, 20,001 cases, 2026-12-05).
    SQLite plans the flat join in microseconds and runs it a little faster.
    """
    page = cases.alias("page")
    query = Case.select(*(page.c[field.column_name] for field in _LISTED)).from_(page)
    query = query.select_extend(*_looked_up(columns, page))
    return query.order_by(page.c.id.desc() if descending else page.c.id.asc())


def _pointers(columns) -> list:
    """The case's fields that point to the names ``columns`` show."""
    return [pointer for name, (_m, _f, pointer, _k) in _NAME_JOINS.items() if name in columns]


def _looked_up(columns, page) -> list:
    """The names (and the response due) ``columns`` show, each a scalar subquery on a case
    of ``page`` (a subquery of ``_LISTED`` and the pointers to the names), in the order and
    under the names ``_joined`` gives them."""
    found = []
    if "due" in columns:
        due = CaseClock.select(CaseClock.response_due_at).where(CaseClock.case == page.c.id)
        found.append(due.alias("due_at"))
    for name, (model, fields, pointer, _kind) in _NAME_JOINS.items():
        if name in columns:
            named = model.id == page.c[pointer.column_name]
            found += [model.select(f).where(named).alias(alias) for alias, f in fields.items()]
    return found


def _narrowed(query, user: User, filters: Filters):
    conditions = [
        _view_condition(user, filters.view),
        _status_condition(filters.status, filters.view),
    ]
    for column, value in (
        (Case.severity, filters.severity),
        (Case.case_type, filters.case_type),
        (Case.product, filters.product),
        (Case.requester, filters.requester),
    ):
        if value:
            conditions.append(column == value)
    if filters.assignee == "none":
        conditions.append(Case.assignee.is_null())
    elif filters.assignee:
        conditions.append(Case.assignee == filters.assignee)
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


def _view_condition(user: User, view: str):
    """The agent queue's views (CASE-4): whose cases, before the status filter."""
    if view == "new":
        return (Case.status_category == Category.NEW) | Case.assignee.is_null()
    if view == "mine":
        return Case.assignee == user.id
    if view == "team":
        return Case.team == user.team_id if user.team_id else Case.id.in_([])
    if view == "breaching":
        return _breaching_soon()
    return None


def _breaching_soon():
    """Cases whose response is overdue or due within ``SLA_BREACHING_SOON_HOURS`` (SLA-2),
    read from the clocks' ``response_due_at`` index."""
    soon = _breaching_by()
    return Case.id.in_(CaseClock.select(CaseClock.case).where(CaseClock.response_due_at <= soon))


def _breaching_by():
    """The time by which a response due counts as breaching (SLA-2): now and the next
    ``SLA_BREACHING_SOON_HOURS``."""
    from flask import current_app

    from helpdesk.timeutil import utcnow

    return utcnow() + timedelta(hours=current_app.config["SLA_BREACHING_SOON_HOURS"])


def _status_condition(status: str, view: str):
    categories = STATUS_FILTERS[status]
    if categories is None:
        return None
    if categories == OPEN_CATEGORIES:
        return _open(view)
    if categories == DONE_CATEGORIES:
        return Case.is_open == False  # noqa: E712 (SQL)
    if len(categories) == 1:
        return Case.status_category == categories[0]
    return Case.status_category.in_(categories)


def _order(filters: Filters, policy) -> list:
    """ORDER BY for the sort. Priority, severity and status follow the vendor's own order:
    descending puts the most urgent, the worst, the furthest along first. The id keeps pages
    stable when values tie."""
    if filters.sort == "due":
        # Descending puts the most urgent first, as for priority; cases owing no answer last,
        # the latest changed first as in the lists' default order, whose indexes serve it.
        due = CaseClock.response_due_at
        first = due.asc(nulls="LAST") if filters.dir == "desc" else due.desc(nulls="LAST")
        return [first, Case.updated_at.desc(), Case.id.desc()]
    if filters.sort in ("priority", "severity", "status"):
        column = {"priority": Case.priority, "severity": Case.severity, "status": Case.status}
        items = {
            "priority": policy.priorities,
            "severity": policy.severities,
            "status": policy.statuses,
        }[filters.sort]
        keys = [item.key for item in items]
        if filters.sort != "status":
            keys.reverse()  # priorities and severities are listed from the most urgent down
        expression = CaseWhen(column[filters.sort], [(k, i) for i, k in enumerate(keys)], -1)
    else:
        expression = {
            "updated": Case.updated_at,
            "created": Case.id,  # ids are given out in order of creation
            "call_id": Case.call_id,
        }[filters.sort]
    if filters.dir == "asc":
        return [expression.asc(), Case.id.asc()]
    return [expression.desc(), Case.id.desc()]


def list_page(user: User, filters: Filters, policy, columns=COLUMNS, size=PAGE_SIZE) -> Page:
    """The page of cases ``filters`` ask for, as ``user`` may see them: ``size`` rows, fetched
    with one more to see if a next page exists."""
    limit, offset = size + 1, (filters.page - 1) * size
    match = None
    if filters.q and filters.sort == "created":
        match = search.index_match(filters.q, _messages_searched(user))
    if filters.view == "breaching" or (filters.q and match is None):
        # Written anew: the breaching view's condition holds the time of the request, and a
        # search by call id or in another order holds what it searches in its SQL.
        rows = _rows(*cases_query(user, filters, policy, columns, (limit, offset)).sql())
    elif match is not None:
        # The SQL of any search in the index's order, with the match of this one: it names
        # the indexed words its words begin at the moment (``search.expand``).
        searching = replace(filters, q=_MATCH)
        rows = _rows(*_compiled_page(user, searching, policy, columns, limit, offset, match))
    elif _owing_first(user, filters):
        # The cases owing a response first: when they reach the end of the page (they
        # usually do), the page is theirs and the rest is never read. Both databases read
        # the rest in the one statement of both parts (``bench`` data, 100,000 cases: on
        # SQLite 0.19-0.31 ms, the first part alone 0.08-0.14 ms); PostgreSQL skipped it
        # only by a condition that SQLite checks at each open case (1.8 ms).
        owing = _compiled_page(user, filters, policy, columns, limit, offset, owing_only=True)
        rows = _rows(*owing)
        if len(rows) == limit + offset:
            rows = rows[offset:]
        else:
            rows = _rows(*_compiled_page(user, filters, policy, columns, limit, offset))
    else:
        rows = _rows(*_compiled_page(user, filters, policy, columns, limit, offset))
    language = current_language()
    rows = [with_names(row, language) for row in rows]
    number = filters.page
    return Page(rows=rows[:size], number=number, has_prev=number > 1, has_next=len(rows) > size)


def _paged(query, page: tuple[int, int] | None):
    """``query`` limited to ``page`` (limit, offset; None: every row), both written into the
    SQL as numbers. PostgreSQL keeps one plan for a prepared statement (a generic plan) only
    if that plan is no dearer than planning each run anew; with ``LIMIT $1`` it must assume
    many rows are wanted, and so planned the queue's join again at every run (1 ms of the
    1.6 ms it spent on the queue's page, ``bench`` data). There are at most ``MAX_PAGE``
    offsets, so as many statements."""
    if page is None:
        return query
    limit, offset = page
    return query.limit(SQL(str(int(limit)))).offset(SQL(str(int(offset))))


#: The times among the columns ``cases_query`` selects, which a database may hand over as
#: text (SQLite): every other column comes as Python wants it. The latest cases' times come
#: back page after page, so the conversions are kept.
_TIMES = {
    "created_at": lru_cache(4096)(Case.created_at.python_value),
    "updated_at": lru_cache(4096)(Case.updated_at.python_value),
    "due_at": lru_cache(4096)(CaseClock.response_due_at.python_value),
}


def _rows(sql: str, params: list) -> list[dict]:
    """The rows of a page's SQL as dicts, as peewee's ``dicts()`` gives them, read straight
    from the cursor (peewee would convert every value of every row)."""
    cursor = db.execute_sql(sql, params)
    names = [column[0] for column in cursor.description]
    times = [name for name in names if name in _TIMES]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        for name in times:
            row[name] = _TIMES[name](row[name])
    return rows


#: The page queries compiled lately, per policy (so per app): asked again with the same
#: inputs, a page runs the SQL peewee wrote the first time. Compiling a list's query costs
#: more than running it, and the same list is asked for again and again (after each case
#: looked at, after each change made).
_compiled_pages: WeakKeyDictionary = WeakKeyDictionary()
COMPILED_PAGES_KEPT = 500


#: Stands for a search's match while its SQL is compiled (``_compiled_page``).
_MATCH = "\x00match"


def _compiled_page(
    user: User,
    filters: Filters,
    policy,
    columns,
    limit: int,
    offset: int,
    match=None,
    owing_only=False,
):
    """``(sql, params)`` of a page of ``cases_query``, compiled once per input; ``match``:
    the search index's match for a search (``filters.q`` is then ``_MATCH``); ``owing_only``:
    as ``cases_query``'s.

    The key holds every input of ``cases_query`` whole, so two requests share SQL only if
    peewee would have written the same SQL for both: the database, the filters and columns,
    the user's and their organisation's rows (all of them, whatever ``access.visible_cases``
    and the queue views read) and the plugins' answers about the user (``access``). Only a
    search's match is put in afterwards, as the value in the place compiling gave it (the
    SQL is the same for every search): a user never runs a query written for another, and
    a change to the user or their organisation writes a new one.
    """
    organisation = user.organisation if user.organisation_id is not None else None
    key = (
        type(db.obj),
        filters,
        tuple(columns),
        limit,
        offset,
        owing_only,
        _row(user),
        _row(organisation) if organisation is not None else None,
        access.sees_whole_organisation(user),
        access.under_correspondence_rule(user),
    )
    compiled = _compiled_pages.get(policy)
    if compiled is None:
        compiled = _compiled_pages[policy] = {}
    found = compiled.get(key)
    if found is None:
        stand_in = None if match is None else _MATCH
        page = (limit, offset)
        sql, params = cases_query(user, filters, policy, columns, page, stand_in, owing_only).sql()
        found = sql, params, [i for i, value in enumerate(params) if value == _MATCH]
        if len(compiled) >= COMPILED_PAGES_KEPT:
            compiled.clear()  # start afresh: simpler than an LRU, and safe between threads
        compiled[key] = found
    sql, params, slots = found
    if slots:
        params = [*params]
        for slot in slots:
            params[slot] = match
    return sql, params


#: Fields that stay out of the keys of ``_compiled_pages``: no secret is kept longer than a
#: request (none decides what a list shows).
_SECRETS = ("password_hash", "totp_secret")


def _row(model) -> tuple:
    """A model's loaded values, but secrets, in the order of its fields."""
    return tuple(map(model.__data__.get, _public_fields(model._meta)))


@cache
def _public_fields(meta) -> tuple[str, ...]:
    return tuple(name for name in meta.fields if name not in _SECRETS)


#: Counts on the start page stop here ("1,000+"): counting further would read every open case.
COUNT_CAP = 1000


def queue_counts(user: User) -> dict[str, int]:
    """How many open cases each queue view holds, up to ``COUNT_CAP``: one small query per
    view, each reading at most ``COUNT_CAP`` index entries."""
    return {view: queue_count_query(user, view).count() for view in QUEUE_VIEWS}


def queue_count_query(user: User, view: str):
    """The open cases of ``view``, at most ``COUNT_CAP``, read by an index (``_open``); the
    breaching ones from the clocks' index up to the cap (as the condition of the view, the
    list of every breaching clock was gathered first: 13 ms at 1,000,000 cases with about
    30,000 of them breaching, now 8 ms)."""
    query = access.visible_cases(user, Case.select(Case.id).where(_open(view)))
    if view == "breaching":
        breaching = CaseClock.response_due_at <= _breaching_by()
        return _clocks_then_cases(query).where(breaching).limit(COUNT_CAP)
    condition = _view_condition(user, view)
    if condition is not None:
        query = query.where(condition)
    return query.limit(COUNT_CAP)


def _open(view: str):
    """The open cases of ``view`` as a condition SQLite reads by the right index.

    ``is_open`` is compared, not tested for its truth: SQLite seeks an index only by a
    comparison, and walked every closed case before the open ones otherwise (the agent's
    start page took 125 ms at 1,000,000 cases). Except in the breaching view, whose few
    cases the clocks' index finds: there the truth test keeps SQLite reading them from it,
    each case then checked (compared, it read every open case to find them: 62 ms)."""
    return Case.is_open if view == "breaching" else Case.is_open == True  # noqa: E712


#: How far ``next_in_queue`` reads the agent's queue: past that, the next case is the first.
NEXT_WINDOW = 500


def next_in_queue(user: User, call_id: str, policy) -> str | None:
    """The call id of the case after ``call_id`` in ``user``'s queue: the open cases assigned
    to them, most urgent response first (the order of the queue's "due" sort), coming round to
    the first at the end; the first when ``call_id`` is not among them; None when the queue
    holds no other case. Urgency keeps the order stable while the agent works: a case answered
    owes no response and goes to the end."""
    filters = Filters(view="mine", sort="due")
    query = cases_query(user, filters, policy, columns=("due",)).limit(NEXT_WINDOW)
    queue = [row["call_id"] for row in query]
    if call_id in queue:
        at = queue.index(call_id)
        queue = queue[at + 1 :] + queue[:at]
    return queue[0] if queue else None
