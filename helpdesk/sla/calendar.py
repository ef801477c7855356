"""Business time: opening hours, holidays and arithmetic on them (SLA-1).

Pure functions, no database and no Flask. Every method takes either naive datetimes, read as
UTC (the form the tables store, see ``helpdesk.timeutil``), or aware datetimes in any zone,
which it converts to UTC first; it always returns naive UTC. The calendar's own time zone is
used inside only.

The rules:

- Opening hours are wall-clock spans per weekday in the calendar's time zone, so their UTC
  offset follows daylight saving time. A span is half-open: open from its opening time, closed
  at its closing time. Spans never cross midnight; an end of ``24:00`` closes at midnight.
- Business time is real elapsed time inside the spans: a span that contains a clock change is
  an hour shorter or longer that day. A wall-clock time the change skips or repeats is read
  with ``fold=0``, i.e. with the UTC offset in force before the change.
- A day is closed when its weekday has no spans, when the ``holidays`` package lists it as a
  public holiday of ``country`` (and ``subdivision``), or when it is one of ``closed_dates`` or
  a ``closed_yearly`` month-day (e.g. 24 and 31 December). Holiday sets are cached per year.
- Calendar days (``add_days``) keep the local time of day: a 7-day timer started at 10:00
  summer time falls due at 10:00 winter time, 7 x 24 hours plus one. Opening hours and
  holidays do not count for them.
- Walking forward stops with a ``CalendarError`` after ``MAX_CLOSED_DAYS`` days in a row
  without an opening, so a calendar that never opens fails loudly instead of looping.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice, pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CLOSED_DAYS = 3 * 366
_MIDNIGHT = time(0)
_SPAN = re.compile(r"(\d\d?):(\d\d)\s*-\s*(\d\d?):(\d\d)")
_ONE_DAY = timedelta(days=1)


class CalendarError(ValueError):
    """A calendar is badly defined, or never opens."""


@dataclass(frozen=True)
class Span:
    """Opening hours within one day, local wall-clock time, whole minutes.

    ``end`` of 00:00 means midnight at the end of the day (written ``24:00``).
    """

    start: time
    end: time

    def __post_init__(self):
        for moment in (self.start, self.end):
            if moment.tzinfo is not None or moment.second or moment.microsecond:
                raise CalendarError(f"span times are naive whole minutes, not {moment!r}")
        if self.end != _MIDNIGHT and self.end <= self.start:
            raise CalendarError(f"span {self} does not end after it starts")

    @classmethod
    def parse(cls, text: str) -> "Span":
        """A span from text like ``"08:00-17:00"``; ``24:00`` is allowed as the end."""
        match = _SPAN.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise CalendarError(f"not a span like '08:00-17:00': {text!r}")
        start_h, start_m, end_h, end_m = map(int, match.groups())
        if (end_h, end_m) == (24, 0):
            end_h = 0
        try:
            return cls(time(start_h, start_m), time(end_h, end_m))
        except CalendarError:
            raise
        except ValueError as error:
            raise CalendarError(f"not a span like '08:00-17:00': {text!r}") from error

    def __str__(self) -> str:
        end = "24:00" if self.end == _MIDNIGHT else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"

    def on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """This span on the local date ``day`` as a pair of naive UTC instants."""
        end_day = day + _ONE_DAY if self.end == _MIDNIGHT else day
        start = datetime.combine(day, self.start, tzinfo=zone)
        return naive_utc(start), naive_utc(datetime.combine(end_day, self.end, tzinfo=zone))


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours, time zone, public holidays and extra closed days.

    - ``name``: shown on the admin's calendar page and in a response target's description.
    - ``timezone``: an IANA zone (``"Europe/Zurich"``) the opening hours are wall-clock time in.
    - ``hours``: a mapping from ``WEEKDAYS`` names to the day's spans, or seven entries Monday
      first. Each weekday is named on its own: ``{"mon": ..., "fri": ...}`` opens on Monday
      and Friday only, not Monday to Friday (``dict.fromkeys(WEEKDAYS[:5], "08:00-17:00")``
      for every working day); a weekday left out or empty is closed. A day's value is one span
      or several (``("08:00-12:00", "13:00-17:00")``: closed over lunch), each a ``Span`` or
      text like ``"08:00-12:00"``; ``"00:00-24:00"`` on every day is a 24/7 calendar.
    - ``country``: an ISO 3166 code whose public holidays (``holidays`` package) are closed.
    - ``subdivision``: the region of ``country`` as the ``holidays`` package names it (an
      Austrian state by number, ``"9"`` for Vienna; a Swiss canton, ``"ZH"``; a German Land,
      ``"BY"``); its regional holidays are closed too. Needs ``country``.
    - ``closed_dates``: extra closed dates, dates or ISO text (``"2026-12-07"``).
    - ``closed_yearly``: month-days closed every year, ``(12, 24)`` or ``"12-24"``.

    All are stored normalised: ``hours`` as seven sorted tuples of ``Span``, the rest as
    frozensets. Durations are ``timedelta`` of business time, counted to the minute.
    """

    name: str
    timezone: str
    hours: tuple[tuple[Span, ...], ...]
    country: str | None = None
    subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    closed_yearly: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self):
        hours = _parse_hours(self.hours)
        if not any(hours):
            raise CalendarError(f"calendar {self.name!r} is open on no weekday")
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "closed_dates", frozenset(map(_parse_date, self.closed_dates)))
        object.__setattr__(self, "closed_yearly", frozenset(map(_month_day, self.closed_yearly)))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise CalendarError(f"unknown time zone {self.timezone!r}") from error
        if self.subdivision is not None and self.country is None:
            raise CalendarError("a holiday subdivision needs a country")
        if self.country is not None:
            _check_holidays(self.country, self.subdivision)

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping) -> "BusinessCalendar":
        """A calendar from plain data, the shape ``to_dict`` gives (e.g. an admin's JSON).

        Keys: ``name``, ``timezone``, ``hours`` (``{"mon": ["08:00-17:00"], ...}``) required;
        ``country``, ``subdivision``, ``closed_dates`` (``["2026-12-07"]``) and
        ``closed_yearly`` (``["12-24"]``) optional. Unknown keys are an error.
        """
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        missing = [key for key in names[:3] if key not in data]
        if unknown or missing:
            raise CalendarError(f"calendar data: unknown keys {unknown}, missing keys {missing}")
        return cls(**data)

    def to_dict(self) -> dict:
        """Plain, JSON-ready data that ``from_dict`` turns back into an equal calendar."""
        return {
            "name": self.name,
            "timezone": self.timezone,
            "hours": {
                day: [str(s) for s in spans]
                for day, spans in zip(WEEKDAYS, self.hours, strict=True)
            },
            "country": self.country,
            "subdivision": self.subdivision,
            "closed_dates": [day.isoformat() for day in sorted(self.closed_dates)],
            "closed_yearly": [f"{m:02d}-{d:02d}" for m, d in sorted(self.closed_yearly)],
        }

    # -- days ----------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holidays_in(self, year: int) -> frozenset[date]:
        """Dates of ``year`` closed as public holidays or extra closed days, any weekday."""
        yearly = {_date_or_none(year, month, day) for month, day in self.closed_yearly}
        return (
            _public_holidays(self.country, self.subdivision, year)
            | {day for day in self.closed_dates if day.year == year}
            | (yearly - {None})
        )

    def is_business_day(self, day: date) -> bool:
        """Whether the local date ``day`` has opening hours and is no holiday or closed day."""
        return (
            bool(self.hours[day.weekday()])
            and day not in self.closed_dates
            and (day.month, day.day) not in self.closed_yearly
            and day not in _public_holidays(self.country, self.subdivision, day.year)
        )

    def _open_days(self, first: date) -> Iterator[tuple[date, list[tuple[datetime, datetime]]]]:
        """Every business day from local date ``first`` on, with its spans in naive UTC."""
        day, closed_run = first, 0
        while True:
            spans = self._day_spans(day)
            if spans:
                closed_run = 0
                yield day, spans
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise CalendarError(
                        f"calendar {self.name!r} has no opening in the {MAX_CLOSED_DAYS} days"
                        f" before {day}"
                    )
            day += _ONE_DAY

    def _day_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening spans of the local date ``day`` in naive UTC; none on a closed day."""
        if not self.is_business_day(day):
            return []
        return [span.on(day, self.zone) for span in self.hours[day.weekday()]]

    def _spans_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans in naive UTC, in order, from the local day of ``at`` on."""
        for _, spans in self._open_days(self._local(at).date()):
            yield from spans

    def _local(self, at: datetime) -> datetime:
        return naive_utc(at).replace(tzinfo=UTC).astimezone(self.zone)

    @property
    def business_day(self) -> timedelta:
        """How long a full business day is: the longest weekday's opening hours (wall-clock,
        so a day with a clock change counts like any other). A response target of N business
        days is N of these in business time (``helpdesk.sla.policy.ResponseTarget``)."""
        return max(
            sum((_span_length(span) for span in spans), timedelta(0)) for spans in self.hours
        )

    # -- business time -------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at the instant ``at`` (open at opening, closed at
        closing time)."""
        at = naive_utc(at)
        local_day = self._local(at).date()
        if not self.is_business_day(local_day):
            return False
        spans = self.hours[local_day.weekday()]
        return any(start <= at < end for start, end in (s.on(local_day, self.zone) for s in spans))

    def next_opening(self, at: datetime) -> datetime:
        """The first instant at or after ``at`` when the calendar is open (``at`` if open)."""
        at = naive_utc(at)
        for start, end in self._spans_from(at):
            if end > at:
                return max(start, at)
        raise AssertionError("unreachable: _open_days never ends")  # pragma: no cover

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which ``duration`` of business time has passed since
        ``start``.

        Counting begins at the next opening when ``start`` is outside opening hours. A zero
        duration gives ``start`` itself; a duration that ends exactly at a closing time gives
        that closing time, not the next opening.
        """
        if duration < timedelta(0):
            raise ValueError(f"negative business time {duration}")
        start = naive_utc(start)
        if not duration:
            return start
        remaining = duration
        for span_start, span_end in self._spans_from(start):
            if span_end <= start:
                continue
            available = span_end - max(span_start, start)
            if remaining <= available:
                return max(span_start, start) + remaining
            remaining -= available
        raise AssertionError("unreachable: _open_days never ends")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The business time from ``start`` to ``end``; zero when ``end`` is not later.

        The local days strictly between the first and the last count whole, from a table of
        each year's days (``_days_before``), so a case open for a year costs what one open for
        a week does: the resolution time of 10,000 cases a timer sweep solved, most opened
        months before, walked 3.7 million days (about 60 % of the sweep at 1,000,000 cases).
        """
        start, end = naive_utc(start), naive_utc(end)
        if end <= start:
            return timedelta(0)
        first, last = self._local(start).date(), self._local(end).date()
        total = self._within(first, start, end)
        if last > first:
            total += self._whole_days(first + _ONE_DAY, last) + self._within(last, start, end)
        return total

    def _within(self, day: date, start: datetime, end: datetime) -> timedelta:
        """The business time of the local date ``day`` between ``start`` and ``end``."""
        return sum(
            (
                max(timedelta(0), min(span_end, end) - max(span_start, start))
                for span_start, span_end in self._day_spans(day)
            ),
            timedelta(0),
        )

    def _whole_days(self, first: date, stop: date) -> timedelta:
        """The business time of the local dates from ``first`` up to ``stop`` (excluded)."""
        total = timedelta(0)
        while first < stop:
            until = min(stop, date(first.year + 1, 1, 1))
            before = _days_before(self, first.year)
            total += before[until.toordinal()] - before[first.toordinal()]
            first = until
        return total

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the local date ``days`` calendar days after
        ``start``'s, open or not (see the module's rules for a time a clock change skips or
        repeats)."""
        if days < 0:
            raise ValueError(f"negative number of days {days}")
        local = self._local(start)
        later = datetime.combine(local.date() + timedelta(days=days), local.time())
        return naive_utc(later.replace(tzinfo=self.zone))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the ``days``-th business day after ``start``'s
        local date, kept inside that day's opening hours.

        Business days are counted from the day after ``start``'s local date, whether or not
        ``start`` itself falls on one: Saturday + 1 is Monday, Friday + 1 is Monday. The time
        of day is moved to the first opening when earlier, and to the last closing when later
        (Thursday 16:00 + 1 is Friday 14:00 if Friday closes at 14:00); a time inside a break
        between spans stays. Zero days gives ``start`` itself.
        """
        if days < 0:
            raise ValueError(f"negative number of business days {days}")
        start = naive_utc(start)
        local = self._local(start)
        if days == 0:
            return start
        following = self._open_days(local.date() + _ONE_DAY)
        day, utc_spans = next(islice(following, days - 1, None))
        spans, wall = self.hours[day.weekday()], local.time()
        if wall < spans[0].start:
            return utc_spans[0][0]
        if spans[-1].end != _MIDNIGHT and wall > spans[-1].end:
            return utc_spans[-1][1]
        return naive_utc(datetime.combine(day, wall, tzinfo=self.zone))


def default_calendar() -> BusinessCalendar:
    """The core's default: Monday to Friday 08:00-17:00 Vienna time, Austrian holidays."""
    return BusinessCalendar(
        name="default",
        timezone="Europe/Vienna",
        hours=dict.fromkeys(WEEKDAYS[:5], "08:00-17:00"),
        country="AT",
    )


@lru_cache(maxsize=64)
def _days_before(calendar: BusinessCalendar, year: int) -> dict[int, timedelta]:
    """For each local date of ``year`` and the 1st of January after it (by ordinal), the
    business time of ``calendar`` from the start of the year up to that date: the same
    spans, in the same real time, as walking the days gives."""
    day, stop = date(year, 1, 1), date(year + 1, 1, 1)
    before, total = {}, timedelta(0)
    while day <= stop:
        before[day.toordinal()] = total
        for span_start, span_end in calendar._day_spans(day):
            total += span_end - span_start
        day += _ONE_DAY
    return before


@lru_cache(maxsize=64)
def _check_holidays(country: str, subdivision: str | None) -> None:
    """Refuse a country or subdivision the ``holidays`` package does not know; a known pair
    is checked once per process (the check builds the country's holiday object, which costs
    more than the rest of a calendar)."""
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise CalendarError(str(error)) from error


@lru_cache(maxsize=512)
def _public_holidays(country: str | None, subdivision: str | None, year: int) -> frozenset[date]:
    if country is None:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC: an aware datetime converted, a naive one taken as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _span_length(span: Span) -> timedelta:
    end = timedelta(days=1) if span.end == _MIDNIGHT else _since_midnight(span.end)
    return end - _since_midnight(span.start)


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def _parse_hours(value) -> tuple[tuple[Span, ...], ...]:
    """Seven sorted, non-overlapping tuples of spans, Monday first."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise CalendarError(f"unknown weekdays {unknown}; use {', '.join(WEEKDAYS)}")
        value = [value.get(day) or () for day in WEEKDAYS]
    days = tuple(value)
    if len(days) != 7:
        raise CalendarError(f"opening hours need seven weekdays, got {len(days)}")
    return tuple(_parse_day(spans) for spans in days)


def _parse_day(spans) -> tuple[Span, ...]:
    if isinstance(spans, str | Span):
        spans = [spans]
    parsed = sorted(
        (span if isinstance(span, Span) else Span.parse(span) for span in spans),
        key=lambda span: span.start,
    )
    for before, after in pairwise(parsed):
        if before.end == _MIDNIGHT or before.end > after.start:
            raise CalendarError(f"opening spans {before} and {after} overlap")
    return tuple(parsed)


def _parse_date(value) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise CalendarError(f"not a date like '2026-12-07': {value!r}") from error


def _month_day(value) -> tuple[int, int]:
    """A yearly ``(month, day)`` from a pair or text like ``"12-24"``; 29 February allowed."""
    try:
        month, day = map(int, value.split("-") if isinstance(value, str) else value)
        date(2000, month, day)  # a leap year, so 02-29 passes
    except (TypeError, ValueError) as error:
        raise CalendarError(f"not a month-day like '12-24': {value!r}") from error
    return month, day


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February outside leap years
        return None
