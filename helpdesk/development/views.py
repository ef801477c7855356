"""The agents' list of development items, where a release is published (FLOW-7)."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, fn

from helpdesk.cases.errors import CaseError
from helpdesk.development import service
from helpdesk.development.models import DevelopmentItem, DevelopmentLink
from helpdesk.permissions import require_agent
from helpdesk.web import render

bp = Blueprint("development", __name__)


@bp.before_request
@require_agent
def _agents_only():
    """Every page here is for agents."""


@bp.get("/development")
def index():
    return _page()


@bp.post("/development/<int:item_id>/publish")
def publish(item_id: int):
    item = _item_or_404(item_id)
    try:
        cases = service.publish(item, current_user, request.form.get("release", ""))
    except CaseError as error:
        return _page(failure=(item.id, str(error)), status=422)
    flash(_("The release was published to %(count)s cases.", count=len(cases)), "info")
    return redirect(url_for("development.index"), 303)


@bp.post("/development/<int:item_id>/plan")
def plan(item_id: int):
    item = _item_or_404(item_id)
    try:
        service.plan(item, current_user, request.form.get("planned_release", ""))
    except CaseError as error:
        return _page(failure=(item.id, str(error)), status=422)
    flash(_("The planned release was saved."), "info")
    return redirect(url_for("development.index"), 303)


def _item_or_404(item_id: int) -> DevelopmentItem:
    item = DevelopmentItem.get_or_none(DevelopmentItem.id == item_id)
    if item is None:
        abort(404)
    return item


def _page(failure=None, status=200):
    items = (
        DevelopmentItem.select(DevelopmentItem, fn.COUNT(DevelopmentLink.case).alias("cases"))
        .join(DevelopmentLink, JOIN.LEFT_OUTER, on=(DevelopmentLink.item == DevelopmentItem.id))
        .group_by(DevelopmentItem.id)
        .order_by(DevelopmentItem.released_at.is_null(False), DevelopmentItem.id.desc())
        .limit(200)
    )
    return render("development/index.html", status=status, items=list(items), failure=failure)
