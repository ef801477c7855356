"""The start pages: a customer's open cases, an agent's queue at a glance."""

from flask import Blueprint, abort, make_response, redirect, url_for
from flask_login import current_user

from helpdesk.admin import settings
from helpdesk.cases import listing
from helpdesk.cases.cells import Cells
from helpdesk.cases.views.lists import VIEW_LABELS
from helpdesk.contracts import units
from helpdesk.knowledge import announcements
from helpdesk.permissions import require_agent, require_customer
from helpdesk.policy import current_policy
from helpdesk.web import render

bp = Blueprint("home", __name__)

HOME_COLUMNS = ("call_id", "subject", "status", "updated")
HOME_SIZE = 10


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    return redirect(url_for("home.agent" if current_user.is_agent else "home.customer"))


@bp.route("/portal")
@require_customer
def customer():
    filters = listing.Filters(status="open", sort="updated", dir="desc")
    page = listing.list_page(current_user, filters, current_policy(), HOME_COLUMNS, HOME_SIZE)
    return render(
        "home/customer.html",
        organisation=current_user.organisation,
        page=page,
        columns=HOME_COLUMNS,
        cells=Cells(current_policy()),
        balances=units.balances(current_user.organisation_id),
        **announcements.start_page(current_user),
    )


@bp.route("/agent")
@require_agent
def agent():
    return render(
        "home/agent.html",
        team=current_user.team,
        counts=listing.queue_counts(current_user),
        count_cap=listing.COUNT_CAP,
        view_labels=VIEW_LABELS,
    )


@bp.get("/brand.css")
def brand_css():
    """The vendor's colour as the design system's accent (a style sheet: the pages allow no
    inline styles)."""
    # checked as #rrggbb: the plugin's at start-up, the admin's when saved
    colour = settings.branding(current_policy().branding).colour
    response = make_response(f":root {{ --accent: {colour}; }}\n")
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/brand/<kind>")
def brand_image(kind: str):
    """The logo or favicon the admin uploaded: a PNG the portal encoded itself, which the
    browser is told not to sniff and may not run as a document."""
    png = settings.image(kind)
    if png is None:
        abort(404)
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"  # the address has a version
    return response
