"""The customer's case list, the agent queue (CASE-4) and the form that picks their columns.

Both lists are plain GET pages whose URL holds every filter, so a list can be bookmarked and
shared; htmx swaps only the table block (``table``) while filters change, and the same URL
without htmx answers the whole page.
"""

from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from helpdesk.cases import access, listing
from helpdesk.cases.cells import Cells
from helpdesk.cases.views import bp
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.policy import current_policy
from helpdesk.web import render

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
        return redirect(url_for("cases.queue", **request.args.to_dict()))
    return _list_page("cases/list.html", "cases.index", queue=False)


@bp.route("/queue")
@login_required
def queue():
    if not current_user.is_agent:
        abort(404)
    return _list_page("cases/queue.html", "cases.queue", queue=True)


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
    """Everything a list template needs, from the request's query string."""
    policy = current_policy()
    user = current_user._get_current_object()  # read often below; the proxy costs each time
    choices = listing.choices_for(user, policy, queue=queue)
    filters = listing.parse_filters(request.args, choices)
    columns = listing.columns_for(user)
    return {
        "endpoint": endpoint,
        "filters": filters,
        "columns": columns,
        "page": listing.list_page(user, filters, policy, columns),
        "selects": _selects(choices, policy),
        "sort_labels": SORT_LABELS,
        "column_labels": listing.COLUMNS,
        "available_columns": listing.available_columns(user),
        "sort_of_column": listing.SORT_OF_COLUMN,
        "cells": Cells(policy),
        "view_labels": VIEW_LABELS,
        "export_cap": listing.EXPORT_CAP,
        "whole_organisation": access.sees_whole_organisation(user),
    }


def _list_page(template: str, endpoint: str, queue: bool):
    return render(template, block="table", **list_context(endpoint, queue))


def _selects(choices: listing.Choices, policy) -> list[tuple[str, str, list]]:
    """The filter drop-downs: (parameter, label, [(value, text)]); an empty value is "any"."""
    any_ = ("", _l("Any"))
    selects = [
        ("status", _l("Status"), list(STATUS_LABELS.items())),
        ("severity", _l("Severity"), [any_, *((s.key, s.label) for s in policy.severities)]),
        ("case_type", _l("Type"), [any_, *((t.key, t.label) for t in policy.case_types)]),
        ("product", _l("Product"), [any_, *choices.products.items()]),
    ]
    if choices.requesters:
        selects.append(("requester", _l("Requester"), [any_, *choices.requesters.items()]))
    if choices.assignees:
        assignees = [any_, ("none", _l("Nobody")), *choices.assignees.items()]
        selects.append(("assignee", _l("Assignee"), assignees))
    return selects
