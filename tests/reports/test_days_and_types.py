"""The dashboard's days are the portal's (Vienna), not UTC days; and the vendor's case types
narrow every figure."""

from helpdesk.cases import service
from helpdesk.reports import service as reports


def _table(figure):
    return {row[0]: row[1:] for row in figure.chart.rows}


def _figures(user, start, end, **values):
    filters = reports.filters_for(user, {"start": start, "end": end, **values})
    return {f.key: f for f in reports.dashboard(user, filters)}


def test_a_case_opened_after_midnight_vienna_counts_for_the_next_day(world, open_case, clock):
    erik = world["erik.first"]
    clock.at("2026-03-02T22:59:00")  # 23:59 in Vienna (UTC+1): still 2 March
    before = open_case("mia.member", channel="web")
    clock.at("2026-03-02T23:30:00")  # 00:30 in Vienna: 3 March, though still 2 March in UTC
    after = open_case("mia.member", channel="web")
    clock.at("2026-07-01T22:30:00")  # 00:30 summer time (UTC+2): 2 July
    open_case("mia.member", channel="phone")
    clock.at("2026-07-02T08:00:00")
    service.move_status(after, erik, "solved")

    volume = _table(_figures(erik, "2026-03-01", "2026-03-04")["volume"])
    assert volume["02.03."] == [1, 0, 0]
    assert volume["03.03."] == [1, 0, 0]
    # a period starting on 3 March holds the case of 00:30 and not the one of 23:59
    third = _table(_figures(erik, "2026-03-03", "2026-03-03")["volume"])
    assert third == {"03.03.": [1, 0, 0]}
    summer = _table(_figures(erik, "2026-07-01", "2026-07-02")["volume"])
    assert summer == {"01.07.": [0, 0, 0], "02.07.": [1, 1, 0]}
    assert before.id != after.id


def test_the_case_type_filter_narrows_every_figure(app, world, open_case, clock):
    erik = world["erik.first"]
    clock.at("2026-03-02T09:00:00")
    open_case("mia.member", case_type="question", severity="high")
    open_case("mia.member", case_type="fault", severity="high")
    open_case("mia.member", case_type="fault", severity="low")

    faults = _figures(erik, "2026-03-01", "2026-03-03", case_type="fault")
    assert sum(v[0] for v in _table(faults["open_by_status"]).values()) == 2
    assert _table(faults["open_by_severity"])["High"] == [1]
    assert _table(faults["volume"])["02.03."] == [2, 0, 0]
    questions = _figures(erik, "2026-03-01", "2026-03-03", case_type="question")
    assert sum(v[0] for v in _table(questions["open_by_status"]).values()) == 1
    assert _table(questions["volume"])["02.03."] == [1, 0, 0]

    client = app.test_client().sign_in_as(erik)
    page = client.get("/reports/?start=2026-03-01&end=2026-03-03&case_type=fault")
    assert page.status_code == 200
    assert '<option value="fault" selected>' in page.get_data(as_text=True)
    assert client.get("/reports/?case_type=nonsense").status_code == 422
