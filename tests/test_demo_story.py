"""The demo tells a story (issue 16): ``make run``'s first start opens a few dozen cases in
every kind of status, with messages, notes, files and survey answers, all through the case
service, so every case is a valid one the pages show."""

import pytest

from helpdesk import demo
from helpdesk.cases.models import Attachment, Case, Event, EventKind, Visibility
from helpdesk.survey.models import SurveyResponse
from tests.conftest import DEMO_PASSWORD


@pytest.mark.parametrize("plugin", ["erp_handbook"])
def test_the_demo_story_fills_every_status(make_app, plugin):
    app = make_app(plugin)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        assert demo.story() == len(demo.STORY)
        categories = {c.status_category for c in Case.select(Case.status_category)}
        assert {"new", "open", "waiting", "solved", "closed"} <= categories
        notes = Event.select().where(
            (Event.kind == EventKind.NOTE) | (Event.visibility == Visibility.INTERNAL)
        )
        assert notes.exists()
        assert Attachment.select().where(Attachment.case.is_null(False)).exists()
        assert SurveyResponse.select().where(SurveyResponse.rating.is_null(False)).exists()
        waiting = Case.get(Case.status_category == "waiting")
        agent_page = waiting.call_id
    from helpdesk.accounts.models import User

    with app.app_context():
        erik = User.get(User.email == "erik.first@vendor.example")
    client = app.test_client().sign_in_as(erik)
    page = client.get(f"/cases/{agent_page}").get_data(as_text=True)
    assert "Please send us a screenshot" in page
    assert client.get("/queue").status_code == 200


@pytest.mark.parametrize("plugin", ["erp_handbook"])
def test_the_demo_help_center_answers_a_case_of_the_story(make_app, plugin):
    """``make run``'s help center: published articles in German and English, and the one on
    the story's Excel case is suggested to a customer who starts writing that case."""
    from helpdesk.accounts.models import User

    app = make_app(plugin)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        assert demo.help_center() == len(demo.HELP_CENTER)
        mia = User.get(User.email == "mia.member@muster.example")
    customer = app.test_client().sign_in_as(mia)
    start = customer.get("/help").get_data(as_text=True)
    assert "Support and operations" in start and "Getting started" in start
    suggestions = customer.get(
        "/help/suggestions",
        query_string={"subject": "Export to Excel loses leading zeros", "description": ""},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Keep leading zeros when exporting to Excel" in suggestions
    visitor = app.test_client().get("/help").get_data(as_text=True)
    assert "Forgotten password" in visitor and "E-4711" not in visitor
