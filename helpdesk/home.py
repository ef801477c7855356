"""The start pages: one for customers, one for agents. The cases issue fills them."""

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from helpdesk.web import render

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    return redirect(url_for("home.agent" if current_user.is_agent else "home.customer"))


@bp.route("/portal")
@login_required
def customer():
    if not current_user.is_customer:
        abort(404)
    return render("home/customer.html", organisation=current_user.organisation)


@bp.route("/agent")
@login_required
def agent():
    if not current_user.is_agent:
        abort(404)
    return render("home/agent.html", team=current_user.team)
