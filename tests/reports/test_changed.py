"""The report hooks' shared read of the changed cases: one read per list of events."""

from helpdesk.cases.models import Case, Event
from helpdesk.reports import changed


def test_the_cases_are_read_once_per_list_of_events(world, open_case):
    case = open_case("mia.member", severity="high")
    events = list(Event.select().where(Event.case == case.id))
    first = changed.case_rows(events)
    assert first[case.id][6] == "high"
    Case.update(severity="low").where(Case.id == case.id).execute()
    assert changed.case_rows(events) is first  # the same change: the rows read before
    again = changed.case_rows(list(events))  # another change: read afresh
    assert again[case.id][6] == "low"
    assert changed.case_rows([]) == {}
