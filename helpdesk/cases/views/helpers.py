"""How an action on a case's page answers, for the ``cases`` actions and the later-life ones
(``lifecycle``): the panel for htmx, a redirect otherwise, 422 with the reason when refused.
"""

from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user

from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case
from helpdesk.cases.views.detail import Failure, case_or_404, find_case, show
from helpdesk.permissions import may_work_cases


def agents_case_or_404(call_id: str) -> Case:
    if not may_work_cases(current_user):
        abort(404)
    return case_or_404(call_id)


def partial_wanted() -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def done(case: Case, message: str):
    """The answer to an action that went through."""
    fresh = find_case(case.call_id)
    if fresh is None:
        # e.g. a member who stopped following a colleague's case no longer sees it
        flash(message, "info")
        target = url_for("home.index")
        if partial_wanted():
            return make_response("", 200, {"HX-Redirect": target})
        return redirect(target, 303)
    if partial_wanted():
        return show(fresh)
    flash(message, "info")
    return redirect(url_for("cases.detail", call_id=case.call_id), 303)


def refused(case: Case, form: str, messages, field=None, pending=()):
    """The panel again, with the reasons at ``form`` and what was typed still in it."""
    fresh = find_case(case.call_id) or case
    failure = Failure(form, [str(m) for m in messages], field, request.form, list(pending))
    return show(fresh, failure, status=422)


def attempt(case: Case, form: str, action, message: str):
    try:
        action()
    except CaseError as error:
        return refused(case, form, [error], error.field)
    return done(case, message)
