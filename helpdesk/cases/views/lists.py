"""The customer's case list, the agent queue (CASE-4) and the form that picks their columns.

Both lists are plain GET pages whose URL holds every filter, so a list can be bookmarked and
shared; htmx swaps only the table block (``table``) while filters change, and the same URL
without htmx answers the whole page.
"""

from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from helpdesk.cases import form_markup, listing
from helpdesk.cases.cells import Cells, escape_text, per_locale
from helpdesk.cases.views.blueprint import bp
from helpdesk.cases.views.detail import case_or_404
from helpdesk.i18n import gettext
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import require_agent
from helpdesk.policy import current_policy
from helpdesk.web import fixed_url, render, wants_partial

STATUS_LABELS = {
    "open": _l("Open cases"),
    "done": _l("Solved or closed"),
    "all": _l("All cases"),
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting for the customer"),
    "hold": _l("On hold"),
    "development": _l("In development"),
    "solved": _l("Solved"),
    "closed": _l("Closed"),
}
VIEW_LABELS = {
    "new": _l("New and unassigned"),
    "mine": _l("Mine"),
    "team": _l("My team"),
    "all": _l("All open"),
    "breaching": _l("Breaching soon"),
}
SORT_LABELS = {
    "updated": _l("Last update"),
    "created": _l("Opened"),
    "call_id": _l("Call ID"),
    "priority": _l("Priority"),
    "severity": _l("Severity"),
    "status": _l("Status"),
}


@bp.route("/cases")
@login_required
def index():
    if current_user.is_agent:
        # Only the list's own parameters: ``url_for`` reads others (``_external``,
        # ``_method``...) as orders of its own.
        args = {k: v for k, v in request.args.items() if k in listing.PARAMETERS}
        return redirect(url_for("cases.queue", **args))
    return _list_page("cases/list.html", "cases.index", queue=False)


@bp.route("/queue")
@require_agent
def queue():
    return _list_page("cases/queue.html", "cases.queue", queue=True)


@bp.route("/cases/<call_id>/next")
@require_agent
def next_case(call_id: str):
    """The next case of the agent's queue after this one (``listing.next_in_queue``): the
    case page's "Next case" link, a plain link so it works without JavaScript."""
    case = case_or_404(call_id)
    found = listing.next_in_queue(current_user, case.call_id, current_policy())
    if found is None:
        flash(gettext("There is no other open case assigned to you."), "info")
        return redirect(url_for("cases.queue", view="mine"))
    return redirect(url_for("cases.detail", call_id=found))


@bp.post("/cases/bulk")
@require_agent
def bulk_action():
    """The ticked cases of a list, one at a time through their service functions; then the
    list again, with what was done and what was refused (and why) above it."""
    from helpdesk.cases import bulk
    from helpdesk.cases.errors import CaseError
    from helpdesk.i18n import gettext as _

    try:
        outcome = bulk.apply(
            current_user,
            request.form.getlist("case"),
            request.form.get("action", ""),
            request.form.get("waiting_for", "").strip(),
        )
    except CaseError as error:
        flash(str(error), "error")
    else:
        if outcome.changed:
            flash(_("Changed: %(cases)s", cases=", ".join(outcome.changed)), "info")
        for call_id, reason in outcome.refused:
            flash(f"{call_id}: {reason}", "error")
        if not outcome.changed and not outcome.refused:
            flash(_("Please tick the cases to change."), "error")
    return redirect(_list_url(request.form.get("next")) or url_for("cases.queue"), 303)


@bp.route("/cases/columns", methods=["POST"])
@login_required
def columns():
    """Keep the columns the user ticked, then show the list they came from."""
    listing.save_columns(current_user, request.form.getlist("columns"))
    # htmx names the address bar's URL, which follows the filters; the form's field does not
    back = _list_url(request.headers.get("HX-Current-URL")) or _list_url(request.form.get("next"))
    return redirect(back or url_for("cases.queue" if current_user.is_agent else "cases.index"))


def _list_url(target: str | None) -> str | None:
    """``target``'s path and query when the path is one of the lists, else None: the
    redirect can only ever lead to a list of this site."""
    if not target:
        return None
    parts = urlsplit(target)
    lists = {url_for("cases.index"), url_for("cases.queue"), url_for("home.customer")}
    if parts.path not in lists:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def list_context(endpoint: str, queue: bool) -> dict:
    """Everything a list template needs, from the request's query string; the filter form,
    the column form and the queue's views only for a whole page (htmx swaps the table)."""
    policy = current_policy()
    user = current_user._get_current_object()  # read often below; the proxy costs each time
    choices, columns = listing.choices_and_columns(user, policy, queue=queue)
    filters = listing.parse_filters(request.args, choices)
    cells = Cells(policy)
    links = ListLinks(endpoint, filters)
    words = _words(policy)
    context = {
        "filters": filters,
        "columns": columns,
        "page": listing.list_page(user, filters, policy, columns),
        "cells": cells,
        "headings": cells.heading_row(columns, links.sort),
        "links": links,
    }
    if wants_partial():
        return context
    return context | {
        "selects": _selects(choices, filters, words),
        "available_columns": listing.available_columns(user),
        "views": [(links.view(view), label, view == filters.view) for view, label in words.views],
        "whole_organisation": choices.whole_organisation,
    }


def _list_page(template: str, endpoint: str, queue: bool):
    return render(template, block="table", **list_context(endpoint, queue))


#: The parameters a list's own links change (sort headings, pager, exports): the last fields
#: of ``Filters``, so a link is the rest of the query, quoted once a page, and these. Their
#: values come from allow-lists, or are a page number: none needs quoting.
CHANGED = ("sort", "dir", "page")


class ListLinks:
    """A list's links for its filters with changes, as ``url_for`` would write them: the
    paths built once (``fixed_url``), the unchanged parameters quoted once a request. The
    queue's 17 links cost 31-40 µs instead of 76-86 µs with each link's parameters looked up
    and joined on their own (a search and a bare list, 2026-12-05): 1 to 2 % of the page."""

    def __init__(self, endpoint: str, filters: listing.Filters):
        self.filters = filters
        self.path = fixed_url(endpoint)
        self.exports = {fmt: fixed_url("cases.export", fmt=fmt) for fmt in ("csv", "xlsx")}
        kept = [item for item in filters.args().items() if item[0] not in CHANGED]
        self._kept = [f"{quote_plus(k, URL_SAFE)}={quote_plus(str(v), URL_SAFE)}" for k, v in kept]
        bare = listing.Filters()
        self._defaults = {name: getattr(bare, name) for name in CHANGED}
        self._defaults["sort"] = listing.default_sort(filters.q, filters.view)

    def to(self, **changes) -> str:
        """This list with ``changes`` to its ``CHANGED`` parameters (sort, dir, page)."""
        if not changes.keys() <= set(CHANGED):
            raise TypeError(f"a list's links change only {CHANGED}, not {[*changes]}")
        return self._with_query(self.path, changes)

    def export(self, fmt: str) -> str:
        return self._with_query(self.exports[fmt], {"page": 1})

    def view(self, view: str) -> str:
        """A view of the queue (one of ``listing.QUEUE_VIEWS``) with every filter at its
        default."""
        return f"{self.path}?view={view}"

    def reset(self) -> str:
        """This list (this view of the queue) with every filter at its default."""
        view = self.filters.view
        return self.view(view) if view else self.path

    def sort(self, column: str) -> tuple[str, str] | None:
        """For a sortable column's heading: the link that sorts by it (the other way round
        when the list is sorted by it) and its ``aria-sort``; None for other columns."""
        key = listing.SORT_OF_COLUMN.get(column)
        if key is None:
            return None
        filters = self.filters
        if filters.sort != key:
            return self.to(sort=key, dir="desc", page=1), ""
        if filters.dir == "desc":
            return self.to(sort=key, dir="asc", page=1), "descending"
        return self.to(sort=key, dir="desc", page=1), "ascending"

    def _with_query(self, path: str, changes: dict) -> str:
        """``path`` with the query of these filters with ``changes`` to ``CHANGED``, defaults
        left out, encoded as ``url_for`` (Werkzeug) and ``urllib.parse.urlencode`` encode it."""
        filters, parts = self.filters, [*self._kept]
        for name in CHANGED:
            value = changes.get(name, getattr(filters, name))
            if value != self._defaults[name]:
                parts.append(f"{name}={value}")
        return path + "?" + "&".join(parts) if parts else path


#: The characters Werkzeug leaves unquoted in query strings (the WHATWG URL standard's).
URL_SAFE = "!$'()*,/:;?@"


#: The filter form's drop-downs, in order, with their labels.
FIELD_LABELS = {
    "status": _l("Status"),
    "severity": _l("Severity"),
    "case_type": _l("Type"),
    "product": _l("Product"),
    "requester": _l("Requester"),
    "assignee": _l("Assignee"),
    "sort": _l("Sort by"),
    "dir": _l("Order"),
}


@dataclass(frozen=True)
class Words:
    """The list's fixed texts in one language, escaped: the filter form's labels and the
    options of its fixed drop-downs (``(value, text)`` pairs, and rendered as chosen), the
    queue's views."""

    labels: dict[str, Markup]
    options: dict[str, list[tuple[str, str]]]
    views: list[tuple[str, Markup]]
    rendered: dict[tuple[str, str], Markup] = field(default_factory=dict)

    def fixed_options(self, name: str, current: str) -> Markup:
        """The ``<option>`` elements of the fixed drop-down ``name``, ``current`` selected
        (an allowed value, so there are few of them to keep)."""
        found = self.rendered.get((name, current))
        if found is None:
            found = self.rendered[name, current] = form_markup.options(self.options[name], current)
        return found


def _fixed_words(policy, locale) -> Words:
    any_ = ("", _l("Any"))
    options = {
        "status": STATUS_LABELS.items(),
        "severity": [any_, *((s.key, s.label) for s in policy.severities)],
        "case_type": [any_, *((t.key, t.label) for t in policy.case_types)],
        "any": [any_],
        "nobody": [("none", _l("Nobody"))],
        "sort": SORT_LABELS.items(),
        "dir": [("desc", _l("Descending")), ("asc", _l("Ascending"))],
    }
    return Words(
        labels={name: escape(label) for name, label in FIELD_LABELS.items()},
        options={name: form_markup.escaped(pairs) for name, pairs in options.items()},
        views=[(view, escape(label)) for view, label in VIEW_LABELS.items()],
    )


_words = per_locale(_fixed_words)


def _selects(choices: listing.Choices, filters: listing.Filters, words: Words) -> list:
    """The filter form's drop-downs: (parameter, label, ``<option>`` elements); an empty
    value is "any"."""
    options = {
        name: words.fixed_options(name, getattr(filters, name))
        for name in ("status", "severity", "case_type", "sort", "dir")
    }
    options["product"] = _any_of(choices.products, filters.product, words)
    if choices.requesters:
        options["requester"] = _any_of(choices.requesters, filters.requester, words)
    if choices.assignees:
        nobody = words.options["nobody"]
        options["assignee"] = _any_of(choices.assignees, filters.assignee, words, nobody)
    return [(name, words.labels[name], options[name]) for name in FIELD_LABELS if name in options]


def _any_of(names: dict[int, str], current, words: Words, more=()) -> Markup:
    """The options "any", ``more`` and ``names`` (an id's name from the database; an id
    needs no escaping)."""
    named = [(str(key), escape_text(name)) for key, name in names.items()]
    return form_markup.options([*words.options["any"], *more, *named], current)
