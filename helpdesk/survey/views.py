"""The survey page behind the mail's link, and the agents' results.

GET only shows the choice (a mail scanner's visit records nothing); the form's POST records
it. No sign-in is needed: the signed token is the permission, and it names one case only.
"""

from flask import Blueprint, abort, request

from helpdesk.permissions import require_agent
from helpdesk.survey import service
from helpdesk.web import render

bp = Blueprint("survey", __name__)


@bp.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str):
    survey = service.survey_for_token(token)
    if survey is None:
        abort(404)
    problem = None
    chosen = request.values.get("rating", "")
    if request.method == "POST" and survey.answered_at is None:
        try:
            survey = service.answer(survey, chosen, request.form.get("comment", ""))
        except service.SurveyError as error:
            problem = str(error)
    return render(
        "survey/answer.html",
        status=422 if problem else 200,
        survey=survey,
        token=token,
        chosen=chosen,
        comment=request.form.get("comment", ""),
        problem=problem,
        ratings=service.RATINGS,
    )


@bp.get("/reports/survey")
@require_agent
def report():
    return render("survey/report.html", results=service.results())
