"""Each vendor plugin's whole life of a case, FLOW-4 to FLOW-7, with every mail checked at the
real SMTP server: opened at the top severity (the manager is told), escalated by the
customer, handed to the next support level, linked to development and released, solved and
confirmed (or closed by support where the vendor lets it), surveyed and rated."""

import re

import pytest

from helpdesk.cases import closing, service
from helpdesk.cases.models import Case
from helpdesk.development import service as development
from helpdesk.development.models import DevelopmentItem
from helpdesk.escalation import service as escalation
from helpdesk.mail.tasks import flush_after_commit
from helpdesk.policy import Category, current_policy
from helpdesk.survey.models import SurveyResponse
from tests.conftest import VENDOR_PLUGINS
from tests.lifecycle.conftest import mails_to, open_case, person, text_of


def first_status(category):
    return next((s.key for s in current_policy().statuses if s.category == category), None)


@pytest.mark.parametrize("plugin", VENDOR_PLUGINS)
def test_the_whole_life_of_a_case(make_lifecycle_app, smtp_server, plugin):
    app = make_lifecycle_app(plugin)
    with app.app_context():
        mia, erik, sara = person("mia.member"), person("erik.first"), person("sara.second")
        top = current_policy().severities[0].key
        case = open_case(severity=top)
        flush_after_commit()  # deliver now, as the end of a request would
        assert any("Critical case" in m["Subject"] for m in mails_to(smtp_server, "tom.third"))

        escalation.request_escalation(case, mia, "Der Betrieb steht")
        flush_after_commit()
        level_one = escalation.recipients(case, escalation.escalation_levels()[0])
        assert level_one
        for recipient in level_one:
            address = recipient if isinstance(recipient, str) else recipient.email
            assert any("Escalation level 1" in m["Subject"] for m in mails_to(smtp_server, address))

        if Case.get_by_id(case.id).assignee_id != erik.id:  # some routes assign at opening
            service.assign(Case.get_by_id(case.id), erik, erik)
        escalation.hand_to_next_level(Case.get_by_id(case.id), erik, "Bitte reproduzieren")
        case = Case.get_by_id(case.id)
        assert case.support_level == 2 and case.assignee_id is None
        service.assign(case, sara, sara)

        in_development = first_status(Category.DEVELOPMENT)
        if in_development is not None:  # seed 004 has no development status
            service.move_status(Case.get_by_id(case.id), sara, in_development)
        development.link(Case.get_by_id(case.id), sara, f"{plugin}-1", "Fix")
        development.publish(DevelopmentItem.get(DevelopmentItem.key == f"{plugin}-1"), sara, "9.1")
        flush_after_commit()
        assert any("9.1" in m["Subject"] for m in mails_to(smtp_server, "mia.member"))
        case = Case.get_by_id(case.id)

        solved = first_status(Category.SOLVED)
        if solved is None:  # seed 001 has no solved status: support closes the ticket
            service.move_status(case, sara, first_status(Category.CLOSED))
        else:
            if case.status != solved:
                service.move_status(case, sara, solved)
            closing.confirm_solution(Case.get_by_id(case.id), mia)
        case = Case.get_by_id(case.id)
        assert case.status_category == Category.CLOSED and not case.is_open

    [survey_mail] = [m for m in mails_to(smtp_server, "mia.member") if "satisf" in m["Subject"]]
    link = re.search(r"http://localhost:5000(/survey/[^?\s]+)", text_of(survey_mail)).group(1)
    client = app.test_client()
    client.get(link + "?rating=1")
    with app.app_context():
        assert SurveyResponse.get(SurveyResponse.case == case.id).answered_at is None
    client.post(link, data={"rating": "1", "comment": "Zu spät"})
    with app.app_context():
        assert SurveyResponse.get(SurveyResponse.case == case.id).rating == 1
    assert any("Low satisfaction" in m["Subject"] for m in mails_to(smtp_server, "tom.third"))
    assert all(f"[#{case.call_id}]" in m["Subject"] for m in smtp_server.messages)
