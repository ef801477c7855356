"""FLOW-5: on close a mail with signed links; a GET (a mail scanner) records nothing, the POST
records once; a low rating mails the team's manager; the agents' results."""

import re

import pytest

from helpdesk.cases import service
from helpdesk.survey.models import SurveyResponse
from tests.lifecycle.conftest import mails_to, open_case, person, text_of


def close_case(app):
    with app.app_context():
        case = open_case()
        service.move_status(case, person("erik.first"), "closed")
        return case


def survey_links(smtp_server, case):
    [mail] = [m for m in mails_to(smtp_server, "mia.member") if "satisfied" in m["Subject"]]
    assert mail["Subject"].startswith(f"[#{case.call_id}]")
    links = re.findall(r"http://localhost:5000(/survey/\S+)", text_of(mail))
    assert len(links) == 5
    return links


def test_closing_mails_a_survey_whose_get_records_nothing(app, smtp_server):
    case = close_case(app)
    links = survey_links(smtp_server, case)
    client = app.test_client()
    page = client.get(links[3])  # ?rating=4, as a scanner would open it
    assert page.status_code == 200
    assert 'value="4" checked' in page.get_data(as_text=True)
    with app.app_context():
        assert SurveyResponse.get(SurveyResponse.case == case.id).answered_at is None


def test_the_post_records_once(app, smtp_server):
    case = close_case(app)
    link = survey_links(smtp_server, case)[4].split("?")[0]
    client = app.test_client()
    assert client.post(link, data={"rating": "5", "comment": "Schnell"}).status_code == 200
    again = client.post(link, data={"rating": "1"})
    assert "5 of 5" in again.get_data(as_text=True)
    with app.app_context():
        survey = SurveyResponse.get(SurveyResponse.case == case.id)
        assert (survey.rating, survey.comment) == (5, "Schnell")
    assert not mails_to(smtp_server, "tom.third")  # a good rating bothers nobody


def test_a_post_without_csrf_or_with_a_forged_token_records_nothing(app, smtp_server):
    case = close_case(app)
    link = survey_links(smtp_server, case)[0].split("?")[0]
    client = app.test_client()
    assert client.post(link, data={"rating": "1"}, csrf=False).status_code == 400
    assert client.post(link[:-3] + "abc", data={"rating": "1"}).status_code == 404
    with app.app_context():
        assert SurveyResponse.get(SurveyResponse.case == case.id).answered_at is None


def test_a_low_rating_mails_the_teams_manager(app, smtp_server):
    case = close_case(app)
    link = survey_links(smtp_server, case)[0].split("?")[0]
    app.test_client().post(link, data={"rating": "2", "comment": "Zu langsam"})
    [mail] = mails_to(smtp_server, "tom.third")
    assert "2 of 5" in mail["Subject"]
    assert "Zu langsam" in text_of(mail)


def test_a_case_closed_twice_is_surveyed_once(app, smtp_server):
    case = close_case(app)
    with app.app_context():
        service.reopen(case, person("erik.first"), "Nochmal")
        service.move_status(case, person("erik.first"), "closed")
    assert len([m for m in smtp_server.messages if "satisfied" in m["Subject"]]) == 1


def test_agents_see_the_results_and_customers_do_not(app, smtp_server):
    case = close_case(app)
    link = survey_links(smtp_server, case)[0].split("?")[0]
    app.test_client().post(link, data={"rating": "3"})
    with app.app_context():
        agent, customer = person("erik.first"), person("mia.member")
    report = app.test_client().sign_in_as(agent).get("/reports/survey")
    assert "Answers: 1. Average rating: 3.0 of 5." in report.get_data(as_text=True)
    assert case.call_id in report.get_data(as_text=True)
    assert app.test_client().sign_in_as(customer).get("/reports/survey").status_code == 404


def test_the_service_records_one_answer_whoever_calls_it(app, smtp_server):
    """Two answers that both passed the page's look at the survey (two tabs, a double
    click): the service's conditional UPDATE lets only the first count."""
    from helpdesk.survey import service as survey

    case = close_case(app)
    with app.app_context():
        row = SurveyResponse.get(SurveyResponse.case == case.id)
        survey.answer(row, 5, "Schnell")
        with pytest.raises(survey.SurveyError):
            survey.answer(row, 1, "Doch nicht")
        stored = SurveyResponse.get_by_id(row.id)
        assert (stored.rating, stored.comment) == (5, "Schnell")
    assert not mails_to(smtp_server, "tom.third")  # the second, low rating never counted
