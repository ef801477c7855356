"""First response and resolution per severity in business time (Mon-Fri 08:00-17:00 Vienna,
UTC+1 in March), paused time excluded, against the targets; compliance and breaches."""

import math
import random
import statistics

import pytest

from helpdesk import demo, hookimpl
from helpdesk.cases import service
from helpdesk.reports import service as reports
from helpdesk.reports import time_rollup
from helpdesk.reports.models import CaseTimes
from helpdesk.sla.policy import ResponseTarget, SlaPolicy, Unit
from helpdesk.testing.cases import person


class Targets:
    @hookimpl
    def helpdesk_sla_policy(self):
        return SlaPolicy(
            by_severity={
                "critical": ResponseTarget(2, unit=Unit.BUSINESS_HOURS),
                "high": ResponseTarget(4, unit=Unit.BUSINESS_HOURS),
            }
        )


@pytest.fixture
def vendor(make_app, clock):
    app = make_app(Targets())
    with app.app_context():
        demo.load(password="x" * 12)
        yield app


def test_response_and_resolution_times_against_targets(vendor, open_case, clock):
    erik = person("erik.first")

    def opened(at, severity):
        clock.at(at)
        return open_case("mia.member", severity=severity)

    def answer(case, at):
        clock.at(at)
        service.add_message(case, erik, "Here is the answer.")

    def move(case, status, at):
        clock.at(at)
        service.move_status(case, erik, status)

    # P: Monday 09:00-12:00 Vienna: 180 business minutes
    p = opened("2026-03-02T08:00:00", "high")
    answer(p, "2026-03-02T11:00:00")
    # Q: Friday 16:00 Vienna to Monday 10:00: 60 + 120 = 180
    q = opened("2026-03-06T15:00:00", "high")
    answer(q, "2026-03-09T09:00:00")
    # R: Tuesday 09:00-14:00 Vienna, waiting 10:00-13:00: 300 - 180 = 120; solved at 15:00:
    # 360 - 180 = 180
    r = opened("2026-03-03T08:00:00", "high")
    move(r, "waiting", "2026-03-03T09:00:00")
    move(r, "open", "2026-03-03T12:00:00")
    answer(r, "2026-03-03T13:00:00")
    move(r, "solved", "2026-03-03T14:00:00")
    # S: Wednesday 09:00 to Thursday 09:00 Vienna: 8 h + 1 h = 540, over its 2-hour target
    s = opened("2026-03-04T08:00:00", "critical")
    answer(s, "2026-03-05T08:00:00")
    # T: no answer yet
    opened("2026-03-05T10:00:00", "low")

    filters = reports.filters_for(erik, {"start": "2026-03-01", "end": "2026-03-10"})
    figures = {f.key: f for f in reports.response_figures(filters)}
    response = {row[0]: row[1:] for row in figures["response_times"].chart.rows}
    # median, 90th percentile, target (hours)
    assert response["High"] == [3.0, 3.0, 4.0]
    assert response["Critical"] == [9.0, 9.0, 2.0]
    assert response["Low"] == [0, 0, 0]
    resolution = {row[0]: row[1:] for row in figures["resolution_times"].chart.rows}
    assert resolution["High"] == [3.0, 3.0]
    compliance = {row[0]: row[1:] for row in figures["sla_compliance"].chart.rows}
    assert compliance["High"] == [100.0] and compliance["Critical"] == [0.0]
    assert [call_id for call_id, _text in figures["sla_compliance"].items] == [s.call_id]
    assert "9.0" in figures["sla_compliance"].items[0][1]


def test_the_databases_median_and_90th_percentile_equal_pythons(vendor, open_case, clock):
    """Median (the two middle values averaged for an even count) and nearest-rank 90th
    percentile per severity, from the database, against ``statistics`` on the same values."""
    chance = random.Random(17)
    clock.at("2026-03-02T08:00:00")
    expected = {}
    for severity, count in (("high", 11), ("critical", 12), ("low", 1)):
        for _ in range(count):
            case = open_case("mia.member", severity=severity)
            minutes = chance.choice([15.0, 30.0, 45.5, 60.0, 240.0, 600.0])
            CaseTimes.update(response_minutes=minutes).where(CaseTimes.case == case.id).execute()
            expected.setdefault(severity, []).append(minutes)
    # written around the change hook: the nightly recount puts the distribution right
    assert time_rollup.rebuild_recent_times.call_local()
    erik = person("erik.first")
    filters = reports.filters_for(erik, {"start": "2026-03-01", "end": "2026-03-03"})
    spread = reports.quantiles(filters, "response_minutes")
    for severity, values in expected.items():
        ordered = sorted(values)
        nearest_rank_90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
        assert spread[severity] == (statistics.median(values), nearest_rank_90), severity
    assert "normal" not in spread
