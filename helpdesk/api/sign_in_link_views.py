"""``/sign-in-link/<secret>``: the page a sign-in link of the vendor's software opens.

The GET shows a button (and presses it at once where JavaScript runs): a GET changes nothing,
so a mail scanner or a link preview cannot use a link up. The POST signs the link's person
in (ending whoever was signed in in this browser) and opens the page the link names."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_user

from helpdesk.accounts import sessions
from helpdesk.accounts.tokens import State
from helpdesk.accounts.views import safe_next
from helpdesk.api import sign_in_links
from helpdesk.web import render

bp = Blueprint("sign_in_link", __name__)


def _invalid(state: State):
    return render("accounts/link_invalid.html", state=state, purpose="sign_in_link", status=410)


@bp.route("/sign-in-link/<secret>", methods=["GET", "POST"])
def open_link(secret: str):
    target = safe_next(request.args.get("next")) or url_for("cases.index")
    if request.method == "GET":
        state = sign_in_links.check(secret)
        if state != State.VALID:
            return _invalid(state)
        return render("api/sign_in_link.html", secret=secret, target=target)
    state, person = sign_in_links.use(secret)
    if state != State.VALID:
        return _invalid(state)
    if current_user.is_authenticated:
        sessions.end(current_user)
    login_user(sessions.start(person))
    return redirect(target, 303)
