"""Business time (SLA-1): every expected value below was worked out by hand.

Times in the comments are Vienna wall-clock time: CET is UTC+1, CEST (2026-03-29 to
2026-10-25) is UTC+2. The calendar methods take and return naive UTC, so each expectation is
written in UTC with the conversion shown.
"""

import json
import random
from datetime import date, datetime, timedelta

import pytest

from helpdesk.sla.calendar import (
    MAX_CLOSED_DAYS,
    BusinessCalendar,
    CalendarError,
    Span,
    default_calendar,
)
from helpdesk.sla.policy import Action, Timer, Unit

HOUR = timedelta(hours=1)

# The seed-000 vendor: Mon-Thu 08-17, Fri 08-14, Vienna, Austrian holidays, 24 and 31 Dec.
SEED = BusinessCalendar(
    name="seed 000",
    timezone="Europe/Vienna",
    hours={
        "mon": "08:00-17:00",
        "tue": "08:00-17:00",
        "wed": "08:00-17:00",
        "thu": "08:00-17:00",
        "fri": "08:00-14:00",
    },
    country="AT",
    subdivision="9",
    closed_yearly=["12-24", "12-31"],
)

LUNCH = BusinessCalendar(
    name="lunch break",
    timezone="Europe/Vienna",
    hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ("08:00-12:00", "13:00-17:00")),
)

# Open every night 01:00-04:00 local: both 2026 clock changes fall inside a span.
NIGHT = BusinessCalendar(name="night", timezone="Europe/Vienna", hours=["01:00-04:00"] * 7)

ALWAYS = BusinessCalendar(name="24/7", timezone="Europe/Vienna", hours=["00:00-24:00"] * 7)


def utc(*args) -> datetime:
    return datetime(*args)


# -- adding business time -------------------------------------------------------------------


def test_friday_afternoon_plus_four_hours_is_monday_morning():
    # Fri 2026-02-13 13:00 CET = 12:00 UTC. Fri 13-14 = 1h; Sat, Sun closed;
    # Mon 2026-02-16 08:00 + 3h = 11:00 CET = 10:00 UTC.
    assert date(2026, 2, 13).strftime("%a") == "Fri"
    assert SEED.add_business_time(utc(2026, 2, 13, 12), 4 * HOUR) == utc(2026, 2, 16, 10)


def test_friday_plus_four_hours_skips_a_holiday_monday():
    # Fri 2026-04-03 is Good Friday, a normal working day in Austria since 2019: open 08-14.
    # 13:00 CEST = 11:00 UTC. Fri 13-14 = 1h; Sat, Sun; Mon 04-06 Easter Monday closed;
    # Tue 2026-04-07 08:00 + 3h = 11:00 CEST = 09:00 UTC.
    assert SEED.is_business_day(date(2026, 4, 3))
    assert SEED.add_business_time(utc(2026, 4, 3, 11), 4 * HOUR) == utc(2026, 4, 7, 9)


def test_start_outside_hours_starts_at_the_next_opening():
    # Sat 2026-02-14 10:00 CET; counting starts Mon 02-16 08:00 CET (07:00 UTC); + 1h = 08:00 UTC.
    assert SEED.add_business_time(utc(2026, 2, 14, 9), HOUR) == utc(2026, 2, 16, 8)
    # Mon 06:00 CET (05:00 UTC), before opening: 08:00 + 30 min = 08:30 CET = 07:30 UTC.
    assert SEED.add_business_time(utc(2026, 2, 16, 5), HOUR / 2) == utc(2026, 2, 16, 7, 30)


def test_zero_duration_and_ending_at_closing_time():
    # Nothing to count: start itself, even on a Saturday.
    assert SEED.add_business_time(utc(2026, 2, 14, 9), timedelta(0)) == utc(2026, 2, 14, 9)
    # Fri 13:00 CET + 1h = 14:00 CET (13:00 UTC), the closing time, not Monday's opening.
    assert SEED.add_business_time(utc(2026, 2, 13, 12), HOUR) == utc(2026, 2, 13, 13)
    with pytest.raises(ValueError):
        SEED.add_business_time(utc(2026, 2, 13, 12), -HOUR)


def test_christmas_closure():
    # Wed 2026-12-23 16:00 CET = 15:00 UTC. Wed 16-17 = 1h; Thu 24 closed (yearly);
    # Fri 25 Christmas; Sat 26 St Stephen; Sun 27; Mon 28 08:00 + 1h = 09:00 CET = 08:00 UTC.
    assert [date(2026, 12, d).strftime("%a") for d in (23, 28)] == ["Wed", "Mon"]
    assert SEED.add_business_time(utc(2026, 12, 23, 15), 2 * HOUR) == utc(2026, 12, 28, 8)


def test_year_end_uses_next_years_holidays():
    # Wed 2026-12-30 16:00 CET = 15:00 UTC. Wed 16-17 = 1h; Thu 31 closed (yearly);
    # Fri 2027-01-01 New Year; Sat 2, Sun 3; Mon 2027-01-04 08:00 + 3h = 11:00 CET = 10:00 UTC.
    assert [date(2027, 1, d).strftime("%a") for d in (1, 4)] == ["Fri", "Mon"]
    assert SEED.add_business_time(utc(2026, 12, 30, 15), 4 * HOUR) == utc(2027, 1, 4, 10)
    # The default calendar keeps 31 Dec open: Thu 31 08:00 + 3h = 11:00 CET = 10:00 UTC.
    assert default_calendar().add_business_time(utc(2026, 12, 30, 15), 4 * HOUR) == utc(
        2026, 12, 31, 10
    )


def test_lunch_break():
    # Mon 2026-02-16 11:00 CET = 10:00 UTC. 11-12 = 1h; break; 13-14 = 1h -> 14:00 CET = 13:00 UTC.
    assert LUNCH.add_business_time(utc(2026, 2, 16, 10), 2 * HOUR) == utc(2026, 2, 16, 13)
    # 11:00 + 1h ends at the 12:00 CET (11:00 UTC) closing, before the break.
    assert LUNCH.add_business_time(utc(2026, 2, 16, 10), HOUR) == utc(2026, 2, 16, 11)
    # 12:30 CET (11:30 UTC) is in the break; the next opening is 13:00 CET = 12:00 UTC.
    assert not LUNCH.is_open(utc(2026, 2, 16, 11, 30))
    assert LUNCH.next_opening(utc(2026, 2, 16, 11, 30)) == utc(2026, 2, 16, 12)
    # 07:00-18:00 CET covers both spans: 4h + 4h = 8h.
    assert LUNCH.business_time_between(utc(2026, 2, 16, 6), utc(2026, 2, 16, 17)) == 8 * HOUR


# -- daylight saving time -------------------------------------------------------------------


def test_spring_forward_between_friday_and_monday():
    # Fri 2026-03-27 13:00 CET = 12:00 UTC. Fri 13-14 = 1h; clocks go forward Sun 03-29;
    # Mon 2026-03-30 08:00 CEST = 06:00 UTC, + 3h = 09:00 UTC (11:00 CEST).
    assert SEED.add_business_time(utc(2026, 3, 27, 12), 4 * HOUR) == utc(2026, 3, 30, 9)
    assert SEED.business_time_between(utc(2026, 3, 27, 12), utc(2026, 3, 30, 9)) == 4 * HOUR


def test_fall_back_between_friday_and_a_holiday_monday():
    # Fri 2026-10-23 13:00 CEST = 11:00 UTC. Fri 13-14 = 1h; clocks go back Sun 10-25;
    # Mon 10-26 National Day closed; Tue 10-27 08:00 CET = 07:00 UTC, + 3h = 10:00 UTC.
    assert SEED.add_business_time(utc(2026, 10, 23, 11), 4 * HOUR) == utc(2026, 10, 27, 10)
    assert SEED.business_time_between(utc(2026, 10, 23, 11), utc(2026, 10, 27, 10)) == 4 * HOUR


def test_spans_containing_the_clock_change_are_real_time():
    # 2026-03-29: 01:00 CET = 00:00 UTC to 04:00 CEST = 02:00 UTC: only 2 real hours.
    assert NIGHT.business_time_between(utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)) == 2 * HOUR
    # 2026-10-25: 01:00 CEST = 24 Oct 23:00 UTC to 04:00 CET = 03:00 UTC: 4 real hours.
    assert NIGHT.business_time_between(utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)) == 4 * HOUR
    # 2026-03-29 00:00 UTC + 2.5h: 2h that night, then 2026-03-30 01:00 CEST = 03-29 23:00 UTC
    # + 30 min = 23:30 UTC.
    assert NIGHT.add_business_time(utc(2026, 3, 29), 2.5 * HOUR) == utc(2026, 3, 29, 23, 30)
    # The whole local day 2026-03-29: 28 Mar 23:00 UTC to 29 Mar 22:00 UTC = 23h.
    assert ALWAYS.business_time_between(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)) == 23 * HOUR
    # The whole local day 2026-10-25: 24 Oct 22:00 UTC to 25 Oct 23:00 UTC = 25h.
    assert ALWAYS.business_time_between(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)) == 25 * HOUR
    assert ALWAYS.is_open(utc(2026, 10, 25, 0, 30))


def test_calendar_days_keep_the_local_time_of_day_across_both_clock_changes():
    # Autumn: Tue 2026-10-20 10:00 CEST = 08:00 UTC; + 7 days = Tue 10-27 10:00 CET = 09:00 UTC.
    assert SEED.add_days(utc(2026, 10, 20, 8), 7) == utc(2026, 10, 27, 9)
    # Spring: Mon 2026-03-23 10:00 CET = 09:00 UTC; + 7 days = Mon 03-30 10:00 CEST = 08:00 UTC.
    assert SEED.add_days(utc(2026, 3, 23, 9), 7) == utc(2026, 3, 30, 8)
    # Opening hours and holidays do not count: Sat 2026-12-19 23:30 CET + 5 = Thu 12-24.
    assert SEED.add_days(utc(2026, 12, 19, 22, 30), 5) == utc(2026, 12, 24, 22, 30)
    assert SEED.add_days(utc(2026, 12, 19, 22, 30), 0) == utc(2026, 12, 19, 22, 30)
    with pytest.raises(ValueError):
        SEED.add_days(utc(2026, 12, 19, 22, 30), -1)


def test_calendar_days_onto_a_skipped_or_repeated_time_read_it_before_the_change():
    # Sat 2026-03-28 02:30 CET = 01:30 UTC; Sunday's 02:30 does not exist: read as CET, the
    # offset before the change, it is 01:30 UTC (03:30 CEST).
    assert SEED.add_days(utc(2026, 3, 28, 1, 30), 1) == utc(2026, 3, 29, 1, 30)
    # Sat 2026-10-24 02:30 CEST = 00:30 UTC; Sunday's 02:30 happens twice: the first, CEST.
    assert SEED.add_days(utc(2026, 10, 24, 0, 30), 1) == utc(2026, 10, 25, 0, 30)


# The default calendar: Mon-Fri 08-17 Vienna; Mon 2026-10-26 is Austria's National Day.
@pytest.mark.parametrize(
    "unit, after, start, due",
    [
        # Tue 10-20 10:00 CEST = 08:00 UTC -> Tue 10-27 10:00 CET = 09:00 UTC
        (Unit.DAYS, 7, utc(2026, 10, 20, 8), utc(2026, 10, 27, 9)),
        # Mon 03-23 10:00 CET = 09:00 UTC -> Mon 03-30 10:00 CEST = 08:00 UTC
        (Unit.DAYS, 7, utc(2026, 3, 23, 9), utc(2026, 3, 30, 8)),
        # Hours are elapsed time: 48 of them, whatever the clocks on the wall say.
        (Unit.HOURS, 48, utc(2026, 10, 24, 8), utc(2026, 10, 26, 8)),
        (Unit.HOURS, 48, utc(2026, 3, 28, 8), utc(2026, 3, 30, 8)),
        # Fri 10-23 10:00 CEST = 08:00 UTC; Mon a holiday -> Tue 10-27 10:00 CET = 09:00 UTC
        (Unit.BUSINESS_DAYS, 1, utc(2026, 10, 23, 8), utc(2026, 10, 27, 9)),
        # Fri 03-27 10:00 CET = 09:00 UTC -> Mon 03-30 10:00 CEST = 08:00 UTC
        (Unit.BUSINESS_DAYS, 1, utc(2026, 3, 27, 9), utc(2026, 3, 30, 8)),
        # Fri 10-23 16:00 CEST = 14:00 UTC: 1 h on Friday, Monday closed, the second hour
        # from Tue 08:00 CET = 07:00 UTC -> 08:00 UTC
        (Unit.BUSINESS_HOURS, 2, utc(2026, 10, 23, 14), utc(2026, 10, 27, 8)),
        # Fri 03-27 16:00 CET = 15:00 UTC: 1 h on Friday, then Mon 08:00 CEST = 06:00 UTC + 1 h
        (Unit.BUSINESS_HOURS, 2, utc(2026, 3, 27, 15), utc(2026, 3, 30, 7)),
    ],
)
def test_status_timers_across_both_clock_changes(unit, after, start, due):
    timer = Timer("waiting", after, unit, Action.REMIND)
    assert timer.due(default_calendar(), start) == due


# -- measuring and checking -----------------------------------------------------------------


def test_business_time_between_over_a_weekend_and_holidays():
    # Fri 2026-05-22 12:00 CEST (10:00 UTC) to Tue 05-26 09:00 CEST (07:00 UTC):
    # Fri 12-14 = 2h; Sat, Sun; Mon 05-25 Whit Monday; Tue 08-09 = 1h: 3h.
    assert SEED.business_time_between(utc(2026, 5, 22, 10), utc(2026, 5, 26, 7)) == 3 * HOUR
    # Wed 2026-05-13 16:00 CEST (14:00 UTC) to Fri 05-15 10:00 CEST (08:00 UTC):
    # Wed 16-17 = 1h; Thu 05-14 Ascension; Fri 08-10 = 2h: 3h.
    assert SEED.business_time_between(utc(2026, 5, 13, 14), utc(2026, 5, 15, 8)) == 3 * HOUR
    # Backwards or empty: zero.
    assert SEED.business_time_between(utc(2026, 5, 15, 8), utc(2026, 5, 13, 14)) == timedelta(0)
    assert SEED.business_time_between(utc(2026, 5, 15, 8), utc(2026, 5, 15, 8)) == timedelta(0)


def test_is_open_at_the_edges():
    # Mon 2026-02-16: 08:00 CET = 07:00 UTC opens, 17:00 CET = 16:00 UTC closes.
    assert not SEED.is_open(utc(2026, 2, 16, 6, 59, 59))
    assert SEED.is_open(utc(2026, 2, 16, 7))
    assert SEED.is_open(utc(2026, 2, 16, 15, 59))
    assert not SEED.is_open(utc(2026, 2, 16, 16))
    # Fri 2026-02-13 closes at 14:00 CET = 13:00 UTC.
    assert SEED.is_open(utc(2026, 2, 13, 12, 59))
    assert not SEED.is_open(utc(2026, 2, 13, 13))
    # Tue 2026-01-06 Epiphany, 10:00 CET.
    assert not SEED.is_open(utc(2026, 1, 6, 9))


def test_next_opening():
    # Open: the instant itself. Mon 2026-02-16 10:00 CET = 09:00 UTC.
    assert SEED.next_opening(utc(2026, 2, 16, 9)) == utc(2026, 2, 16, 9)
    # At Mon's 17:00 CET closing: Tue 08:00 CET = 07:00 UTC.
    assert SEED.next_opening(utc(2026, 2, 16, 16)) == utc(2026, 2, 17, 7)
    # Thu 2026-12-31 (closed), Fri 01-01 (New Year), weekend: Mon 2027-01-04 07:00 UTC.
    assert SEED.next_opening(utc(2026, 12, 31, 9)) == utc(2027, 1, 4, 7)


# Austrian public holidays on the package's list, checked against a printed calendar:
# Easter Sunday 2026 is 5 April, 2027 28 March; Ascension +39, Whit Monday +50, Corpus
# Christi +60 days. Good Friday has not been a public holiday since 2019.
AT_2026 = {
    date(2026, 1, 1): "Thu",  # New Year
    date(2026, 1, 6): "Tue",  # Epiphany
    date(2026, 4, 6): "Mon",  # Easter Monday
    date(2026, 5, 1): "Fri",  # Labour Day
    date(2026, 5, 14): "Thu",  # Ascension: 5 Apr + 39 = 14 May
    date(2026, 5, 25): "Mon",  # Whit Monday: 5 Apr + 50
    date(2026, 6, 4): "Thu",  # Corpus Christi: 5 Apr + 60
    date(2026, 8, 15): "Sat",  # Assumption
    date(2026, 10, 26): "Mon",  # National Day
    date(2026, 11, 1): "Sun",  # All Saints
    date(2026, 12, 8): "Tue",  # Immaculate Conception
    date(2026, 12, 25): "Fri",  # Christmas
    date(2026, 12, 26): "Sat",  # St Stephen
}
AT_2027 = {
    date(2027, 1, 1): "Fri",
    date(2027, 1, 6): "Wed",
    date(2027, 3, 29): "Mon",  # Easter Monday: Easter Sunday 28 Mar + 1
    date(2027, 5, 1): "Sat",
    date(2027, 5, 6): "Thu",  # Ascension: 28 Mar + 39 = 6 May
    date(2027, 5, 17): "Mon",  # Whit Monday: 28 Mar + 50 = 17 May
    date(2027, 5, 27): "Thu",  # Corpus Christi: 28 Mar + 60 = 27 May
    date(2027, 8, 15): "Sun",
    date(2027, 10, 26): "Tue",
    date(2027, 11, 1): "Mon",
    date(2027, 12, 8): "Wed",
    date(2027, 12, 25): "Sat",
    date(2027, 12, 26): "Sun",
}


@pytest.mark.parametrize("year, expected", [(2026, AT_2026), (2027, AT_2027)])
def test_austrian_holidays(year, expected):
    extra = {date(year, 12, 24), date(year, 12, 31)}
    assert SEED.holidays_in(year) == set(expected) | extra
    assert default_calendar().holidays_in(year) == set(expected)
    for day, weekday in expected.items():
        assert day.strftime("%a") == weekday
        assert not SEED.is_business_day(day)
    assert SEED.is_business_day(date(2026, 4, 3))  # Good Friday
    assert SEED.is_business_day(date(2026, 11, 16))  # Monday after St Leopold: not a holiday


# -- business days --------------------------------------------------------------------------


def test_add_business_days_across_holidays():
    # Wed 2026-05-13 10:00 CEST = 08:00 UTC. +1: Thu 14 Ascension, so Fri 15 10:00 = 08:00 UTC;
    # +2: Sat, Sun skipped, Mon 18 10:00 CEST = 08:00 UTC.
    assert SEED.add_business_days(utc(2026, 5, 13, 8), 1) == utc(2026, 5, 15, 8)
    assert SEED.add_business_days(utc(2026, 5, 13, 8), 2) == utc(2026, 5, 18, 8)
    # Tue 2026-12-22 10:00 CET = 09:00 UTC. +1 Wed 23; Thu 24 closed, Fri 25, Sat 26, Sun 27;
    # +2 Mon 28 10:00 CET = 09:00 UTC.
    assert SEED.add_business_days(utc(2026, 12, 22, 9), 2) == utc(2026, 12, 28, 9)


def test_add_business_days_clamps_to_opening_hours():
    # Thu 2026-02-12 16:00 CET + 1: Fri 13 closes at 14:00 CET = 13:00 UTC.
    assert SEED.add_business_days(utc(2026, 2, 12, 15), 1) == utc(2026, 2, 13, 13)
    # Thu 07:00 CET + 1: Fri opens 08:00 CET = 07:00 UTC.
    assert SEED.add_business_days(utc(2026, 2, 12, 6), 1) == utc(2026, 2, 13, 7)
    # Sat 2026-02-14 10:00 CET + 1: Mon 16 10:00 CET = 09:00 UTC (counting starts Sunday).
    assert SEED.add_business_days(utc(2026, 2, 14, 9), 1) == utc(2026, 2, 16, 9)
    # In a lunch break the time stays: Mon 12:30 CET + 1 = Tue 12:30 CET = 11:30 UTC.
    assert LUNCH.add_business_days(utc(2026, 2, 16, 11, 30), 1) == utc(2026, 2, 17, 11, 30)
    assert SEED.add_business_days(utc(2026, 2, 14, 9), 0) == utc(2026, 2, 14, 9)
    with pytest.raises(ValueError):
        SEED.add_business_days(utc(2026, 2, 14, 9), -1)


def test_add_business_days_keeps_local_time_across_dst():
    # FLOW-3's "reminder after 5 working days": Mon 2026-03-23 10:00 CET = 09:00 UTC;
    # Tue..Fri are 1-4, Mon 03-30 is 5: 10:00 CEST = 08:00 UTC.
    assert default_calendar().add_business_days(utc(2026, 3, 23, 9), 5) == utc(2026, 3, 30, 8)
    # And back: Tue 2026-10-20 10:00 CEST = 08:00 UTC; Wed..Fri are 1-3, Mon 10-26 a
    # holiday, Tue 10-27 is 4, Wed 10-28 is 5: 10:00 CET = 09:00 UTC.
    assert default_calendar().add_business_days(utc(2026, 10, 20, 8), 5) == utc(2026, 10, 28, 9)


# -- the calendar's definition ----------------------------------------------------------------


def test_default_calendar():
    calendar = default_calendar()
    # Fri 2026-02-13 16:30 CET = 15:30 UTC: open until 17:00 on Fridays.
    assert calendar.is_open(utc(2026, 2, 13, 15, 30))
    assert not calendar.is_open(utc(2026, 2, 14, 9))  # Saturday
    assert not calendar.is_business_day(date(2026, 1, 6))  # Epiphany
    assert calendar.is_business_day(date(2026, 12, 24))  # Thursday, no extra closure


def test_a_calendar_with_no_open_weekday_is_refused():
    with pytest.raises(CalendarError, match="open on no weekday"):
        BusinessCalendar(name="never", timezone="Europe/Vienna", hours={})


def test_a_calendar_that_never_opens_stops_with_an_error():
    # Open Mondays only, and every Monday from 2026-01-05 for four years closed.
    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(4 * 53)]
    calendar = BusinessCalendar(
        name="closed",
        timezone="Europe/Vienna",
        hours={"mon": "08:00-17:00"},
        closed_dates=mondays,
    )
    assert (mondays[-1] - mondays[0]).days > MAX_CLOSED_DAYS
    with pytest.raises(CalendarError, match="no opening"):
        calendar.add_business_time(utc(2026, 1, 1), HOUR)
    with pytest.raises(CalendarError, match="no opening"):
        calendar.next_opening(utc(2026, 1, 1))


def test_dict_round_trip():
    data = SEED.to_dict()
    assert data["hours"]["fri"] == ["08:00-14:00"]
    assert data["hours"]["sat"] == []
    assert data["closed_yearly"] == ["12-24", "12-31"]
    assert BusinessCalendar.from_dict(json.loads(json.dumps(data))) == SEED
    night = ALWAYS.to_dict()
    assert night["hours"]["sun"] == ["00:00-24:00"]
    assert BusinessCalendar.from_dict(night) == ALWAYS
    assert LUNCH.hours[0] == (Span.parse("08:00-12:00"), Span.parse("13:00-17:00"))


def test_from_dict_accepts_dates_and_aliases():
    calendar = BusinessCalendar.from_dict(
        {
            "name": "x",
            "timezone": "Europe/Vienna",
            "hours": {"mon": ["13:00-17:00", "08:00-12:00"]},  # sorted on the way in
            "country": "AT",
            "subdivision": "W",  # the package's alias for "9", Vienna
            "closed_dates": ["2026-02-16"],
        }
    )
    assert calendar.hours[0][0] == Span.parse("08:00-12:00")
    assert not calendar.is_business_day(date(2026, 2, 16))
    assert calendar.is_business_day(date(2026, 2, 23))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"timezone": "Europe/Wien"}, "time zone"),
        ({"country": "XX"}, "XX"),
        ({"subdivision": "Vienna"}, "subdivision"),
        ({"country": None}, "needs a country"),
        ({"hours": {"mon": ["08:00-12:00", "11:00-17:00"]}}, "overlap"),
        ({"hours": {"mon": "17:00-08:00"}}, "does not end after"),
        ({"hours": {"mon": "8 to 5"}}, "not a span"),
        ({"hours": {"mon": "08:00-25:00"}}, "not a span"),
        ({"hours": {"monday": "08:00-17:00"}}, "unknown weekdays"),
        ({"closed_yearly": ["02-30"]}, "month-day"),
        ({"closed_dates": ["24.12.2026"]}, "not a date"),
        ({"open_dates": []}, "unknown keys"),
    ],
)
def test_bad_definitions_are_refused(change, message):
    data = SEED.to_dict() | change
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar.from_dict(data)


def test_missing_keys_are_refused():
    with pytest.raises(CalendarError, match="missing keys"):
        BusinessCalendar.from_dict({"name": "x", "timezone": "UTC"})


def test_aware_datetimes_are_converted_to_utc_and_answers_are_naive_utc():
    # Mon 2026-02-16 10:00 CET is 09:00 UTC; in New York the same instant is 04:00 EST.
    vienna = datetime.fromisoformat("2026-02-16T10:00:00+01:00")
    new_york = datetime.fromisoformat("2026-02-16T04:00:00-05:00")
    naive = utc(2026, 2, 16, 9)
    for moment in (vienna, new_york, naive):
        assert SEED.is_open(moment)
        assert SEED.next_opening(moment) == naive
        # 10:00 CET + 2 h = 12:00 CET = 11:00 UTC, returned naive
        assert SEED.add_business_time(moment, 2 * HOUR) == utc(2026, 2, 16, 11)
        assert SEED.add_business_time(moment, timedelta(0)) == naive
        assert SEED.add_business_days(moment, 0) == naive
        # Tue 10:00 CET = 09:00 UTC
        assert SEED.add_business_days(moment, 1) == utc(2026, 2, 17, 9)
    # aware and naive mixed: 10:00 to 17:00 CET
    assert SEED.business_time_between(vienna, utc(2026, 2, 16, 16)) == 7 * HOUR
    # Sat 2026-02-14 10:00 in Vienna is closed, however it is written
    assert not SEED.is_open(datetime.fromisoformat("2026-02-14T09:00:00+00:00"))


def test_business_day_is_the_longest_weekday():
    assert SEED.business_day == 9 * HOUR  # Mon-Thu 08-17; Friday's 6 h is shorter
    assert LUNCH.business_day == 8 * HOUR  # 08-12 and 13-17
    assert ALWAYS.business_day == 24 * HOUR  # 00:00-24:00
    assert NIGHT.business_day == 3 * HOUR  # 01-04, whatever the clock change does to it


def test_subdivision_adds_regional_holidays():
    # Epiphany, Wed 2027-01-06, is a public holiday in Bavaria ("BY"), not in all of Germany.
    germany = BusinessCalendar(name="DE", timezone="Europe/Berlin", hours=SEED.hours, country="DE")
    bavaria = BusinessCalendar(
        name="BY", timezone="Europe/Berlin", hours=SEED.hours, country="DE", subdivision="BY"
    )
    assert germany.is_business_day(date(2027, 1, 6))
    assert not bavaria.is_business_day(date(2027, 1, 6))


# -- properties -----------------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [SEED, LUNCH, NIGHT], ids=lambda c: c.name)
def test_adding_then_measuring_gives_the_duration_back(calendar):
    rng = random.Random(20260329)
    first, seconds = utc(2026, 1, 1), 2 * 366 * 24 * 3600
    for _ in range(200):
        start = first + timedelta(seconds=rng.randrange(seconds))
        duration = timedelta(seconds=rng.choice([0, rng.randrange(1, 80 * 3600)]))
        end = calendar.add_business_time(start, duration)
        assert end >= start
        assert calendar.business_time_between(start, end) == duration, (start, duration)
        if duration:
            assert calendar.is_open(end - timedelta(microseconds=1)), (start, duration)
            assert calendar.add_business_time(calendar.next_opening(start), duration) == end


@pytest.mark.parametrize("calendar", [SEED, LUNCH, NIGHT, ALWAYS], ids=lambda c: c.name)
def test_business_time_over_months_is_the_sum_of_its_days(calendar):
    """A span of days to years (whose days between the first and the last count from the
    year tables) measures what its pieces of at most half a day add up to (each
    counted from its one or two days' spans): across both clock changes, holidays and New Year."""
    rng = random.Random(20261206)
    first, seconds = utc(2025, 12, 1), 2 * 366 * 24 * 3600
    for _ in range(40):
        start = first + timedelta(seconds=rng.randrange(seconds))
        end = start + timedelta(seconds=rng.randrange(2 * 24 * 3600, 500 * 24 * 3600))
        pieces, at = timedelta(0), start
        while at < end:
            step = min(end, at + timedelta(hours=12))
            pieces += calendar.business_time_between(at, step)
            at = step
        assert calendar.business_time_between(start, end) == pieces, (start, end)
    assert calendar.business_time_between(utc(2026, 1, 1), utc(2027, 1, 1)) == sum(
        (
            calendar.business_time_between(
                utc(2026, month, 1), utc(2026 + month // 12, month % 12 + 1, 1)
            )
            for month in range(1, 13)
        ),
        timedelta(0),
    )
