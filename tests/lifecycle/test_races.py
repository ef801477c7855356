"""Two people changing one case at once: the status moves from the status read, or not at all.

A request reads the case, checks its rules against what it read, then writes. When another
request moved the case in between, the later one must not write over it: it is told, in the
person's language, that the case was changed meanwhile, and its whole change is rolled back.
The survey a closing sends is inserted once whoever closes, even two transactions at once.
"""

import threading
import time

import pytest
from flask_babel import force_locale

from helpdesk.cases import closing, service
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Event, EventKind
from helpdesk.db import db
from helpdesk.sla.models import CaseClock
from helpdesk.survey.models import SurveyResponse
from helpdesk.survey.service import send_survey
from tests.lifecycle.conftest import mails_to, open_case, person
from tests.lifecycle.test_closing import solved

CHANGED = "The case was changed meanwhile"


def _surveys_mailed(smtp_server) -> int:
    return sum("satisfied" in mail["Subject"] for mail in mails_to(smtp_server, "mia.member@"))


def _status_events(case) -> list[str]:
    query = Event.select().where((Event.case == case.id) & (Event.kind == EventKind.STATUS))
    return [event.new_value for event in query.order_by(Event.id)]


def test_two_confirmations_at_once_close_the_case_once(app, smtp_server):
    with app.app_context():
        case = solved(open_case())
        # Both pages were loaded while the case was solved.
        mias_copy, martins_copy = Case.get_by_id(case.id), Case.get_by_id(case.id)
        closing.confirm_solution(mias_copy, person("mia.member"))
        with pytest.raises(CaseError, match=CHANGED):
            closing.confirm_solution(martins_copy, person("martin.main"))
        assert _status_events(case) == ["solved", "closed"]
        assert SurveyResponse.select().where(SurveyResponse.case == case.id).count() == 1
    assert _surveys_mailed(smtp_server) == 1


def test_a_move_from_a_status_that_is_gone_changes_nothing(app):
    with app.app_context():
        case = open_case()
        stale = Case.get_by_id(case.id)
        service.move_status(case, person("erik.first"), "solved")
        before = Event.select().where(Event.case == case.id).count()
        with pytest.raises(CaseError, match=CHANGED):
            service.move_status(stale, person("sara.second"), "waiting", "The log file")
        assert Case.get_by_id(case.id).status == "solved"
        assert Event.select().where(Event.case == case.id).count() == before


def test_the_loser_is_told_in_their_language(app):
    with app.app_context():
        case = open_case()
        stale = Case.get_by_id(case.id)
        service.move_status(case, person("erik.first"), "solved")
        with force_locale("de"), pytest.raises(CaseError) as refused:
            service.move_status(stale, person("sara.second"), "waiting", "Die Logdatei")
        assert "inzwischen geändert" in str(refused.value)


def test_two_surveys_inserted_at_once_make_one(app, smtp_server):
    """Two closings in transactions that overlap: the second insert waits for the first
    (PostgreSQL: the unique index; SQLite: the write lock) and then gives way, no error."""
    with app.app_context():
        case = open_case()
    first_inserted, outcomes = threading.Event(), {}

    def close(name, hold):
        try:
            with app.app_context(), db.atomic():
                outcomes[name] = send_survey(Case.get_by_id(case.id))
                if hold:
                    first_inserted.set()
                    time.sleep(0.5)  # the other one reaches its insert meanwhile
        except Exception as error:  # the outcome is what the test checks
            outcomes[name] = error
        finally:
            db.close()

    first = threading.Thread(target=close, args=("first", True))
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=close, args=("second", False))
    second.start()
    first.join(10)
    second.join(10)
    assert isinstance(outcomes["first"], SurveyResponse)
    assert outcomes["second"] is None
    with app.app_context():
        assert SurveyResponse.select().where(SurveyResponse.case == case.id).count() == 1
    assert _surveys_mailed(smtp_server) == 1


def test_two_changes_at_once_lose_no_clock_update(make_lifecycle_app):
    """An agent's answer stops the first-response clock while a colleague starts following
    the case: the follow's change must not write back the clock as it read it before the
    answer (PostgreSQL locks the clock row; SQLite's writers take turns)."""
    app = make_lifecycle_app("erp_handbook")  # a vendor with response targets
    with app.app_context():
        case = open_case()
        assert CaseClock.get(CaseClock.case == case.id).response_kind == "first"
    answered = threading.Event()
    failures = []

    def answer():
        try:
            with app.app_context(), db.atomic():
                service.add_message(Case.get_by_id(case.id), person("erik.first"), "Hier!")
                answered.set()
                time.sleep(0.5)  # the follow reads the clock meanwhile
        except Exception as error:  # the outcome is what the test checks
            failures.append(error)
        finally:
            db.close()

    def follow():
        try:
            with app.app_context():
                service.follow(Case.get_by_id(case.id), person("sara.second"))
        except Exception as error:
            failures.append(error)
        finally:
            db.close()

    first = threading.Thread(target=answer)
    first.start()
    assert answered.wait(10)
    second = threading.Thread(target=follow)
    second.start()
    first.join(10)
    second.join(10)
    assert failures == []
    with app.app_context():
        clock = CaseClock.get(CaseClock.case == case.id)
        assert clock.first_responded_at is not None
        assert clock.response_kind is None and clock.response_due_at is None


def _waiting_case():
    case = open_case()
    service.move_status(case, person("erik.first"), "waiting", "The log file")
    return Case.get_by_id(case.id)


def _messages(case) -> list[str]:
    query = Event.select().where((Event.case == case.id) & (Event.kind == EventKind.MESSAGE))
    return [event.body for event in query.order_by(Event.id)]


def test_two_replies_to_a_waiting_case_both_land_and_move_it_once(app):
    """Both pages were loaded while the case waited for the customer: the first reply hands
    the ball back to support, the second is added to the case, not refused."""
    with app.app_context():
        case = _waiting_case()
        mias_copy, martins_copy = Case.get_by_id(case.id), Case.get_by_id(case.id)
        service.add_message(mias_copy, person("mia.member"), "Here is the log")
        service.add_message(martins_copy, person("martin.main"), "And the screenshot")
        assert _status_events(case) == ["waiting", "open"]
        assert _messages(case) == ["Here is the log", "And the screenshot"]
        assert Case.get_by_id(case.id).status == "open"


def test_two_replies_in_transactions_that_overlap_move_the_case_once(app):
    """The second reply's transaction starts while the first, which moved the case, has not
    committed: it waits (PostgreSQL: the case's row; SQLite: the write lock) and then sees
    the case moved."""
    with app.app_context():
        case = _waiting_case()
    first_moved, failures = threading.Event(), []

    def reply(name, text, hold):
        try:
            with app.app_context(), db.atomic():
                service.add_message(Case.get_by_id(case.id), person(name), text)
                if hold:
                    first_moved.set()
                    time.sleep(0.5)  # the other reply reads the case meanwhile
        except Exception as error:  # the outcome is what the test checks
            failures.append(error)
        finally:
            db.close()

    first = threading.Thread(target=reply, args=("mia.member", "Here is the log", True))
    first.start()
    assert first_moved.wait(10)
    second = threading.Thread(target=reply, args=("martin.main", "And the screenshot", False))
    second.start()
    first.join(10)
    second.join(10)
    assert failures == []
    with app.app_context():
        assert _status_events(case) == ["waiting", "open"]
        assert _messages(case) == ["Here is the log", "And the screenshot"]


def test_a_reply_to_a_case_closed_meanwhile_is_refused(app):
    with app.app_context():
        case = solved(open_case())
        stale = Case.get_by_id(case.id)
        closing.confirm_solution(case, person("mia.member"))
        with pytest.raises(CaseError, match="This case is closed"):
            service.add_message(stale, person("martin.main"), "One more thing")
        assert _messages(case) == []
