"""The satisfaction survey (FLOW-5, seed 000: "when we close a case we send a survey").

When a case is closed its requester gets one mail with a signed link per rating. The link
works without signing in, and opening it only shows the choice: mail scanners open every link
in a mail, so the rating is recorded by the POST of the page's form, once per case. A rating
at or below ``SURVEY_LOW_RATING`` mails the managers of the case's team, who follow up.
"""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from peewee import fn

from helpdesk.api import webhooks
from helpdesk.cases.models import Case
from helpdesk.db import db
from helpdesk.escalation.service import managers_of
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.mail import notify
from helpdesk.survey.models import RATINGS, SurveyResponse
from helpdesk.timeutil import utcnow

SALT = "helpdesk-survey"


class SurveyError(ValueError):
    """An answer the survey does not take; the message says why, for the person."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def token_for(case: Case) -> str:
    return _serializer().dumps(case.id)


def survey_for_token(token: str) -> SurveyResponse | None:
    """The survey a link's token names, or None for a forged, foreign or expired one."""
    max_age = current_app.config["SURVEY_LINK_DAYS"] * 86400
    try:
        case_id = _serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(case_id, int):
        return None
    return SurveyResponse.get_or_none(SurveyResponse.case == case_id)


def send_survey(case: Case) -> SurveyResponse | None:
    """Mail the survey for the closed ``case``; a case reopened and closed again is asked
    only once. The insert gives way to a row already there (the unique index on the case
    decides), so two closings at once send one survey and neither fails."""
    inserted = (
        SurveyResponse.insert(case=case.id, sent_at=utcnow())
        .on_conflict_ignore()
        .as_rowcount()
        .execute()
    )
    if not inserted:
        return None
    notify.send("survey", case.requester, case=case, token=token_for(case), ratings=RATINGS)
    return SurveyResponse.get(SurveyResponse.case == case.id)


def answer(survey: SurveyResponse, rating, comment: str = "") -> SurveyResponse:
    """Record the rating (1 to 5) and comment, unless the survey was answered already."""
    rating = parse_id(rating)
    if rating not in RATINGS:
        raise SurveyError(_l("Please choose a rating from 1 to 5."))
    now = utcnow()
    comment = comment.strip()[:5000] or None
    with db.atomic():
        # Conditional, so two answers at once cannot both count.
        recorded = (
            SurveyResponse.update(rating=rating, comment=comment, answered_at=now)
            .where((SurveyResponse.id == survey.id) & SurveyResponse.answered_at.is_null())
            .execute()
        )
        if not recorded:
            raise SurveyError(_l("This survey has already been answered. Thank you!"))
        survey = SurveyResponse.get_by_id(survey.id)
        webhooks.survey_answered(survey)
        if rating <= current_app.config["SURVEY_LOW_RATING"]:
            for manager in managers_of(survey.case):
                notify.send("survey_low_rating", manager, case=survey.case, survey=survey)
    return survey


@dataclass
class Results:
    count: int
    average: float | None
    newest: list[SurveyResponse]
    by_rating: dict[int, int]


def results(limit: int = 20) -> Results:
    """What reporting reads: how many answered, the average, the spread and the newest."""
    answered = SurveyResponse.select().where(SurveyResponse.answered_at.is_null(False))
    spread = dict.fromkeys(RATINGS, 0)
    for rating, count in (
        answered.select(SurveyResponse.rating, fn.COUNT(SurveyResponse.id))
        .group_by(SurveyResponse.rating)
        .tuples()
    ):
        spread[rating] = count
    count = sum(spread.values())
    average = sum(r * n for r, n in spread.items()) / count if count else None
    newest = list(
        answered.select(SurveyResponse, Case)
        .join(Case)
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())
        .limit(limit)
    )
    return Results(count, average, newest, spread)
