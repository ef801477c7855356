"""The dashboard's figures (REP-1): plain functions the pages, exports and plugins call.

Volumes come from the daily roll-up (``DailyCaseCount``), never from a scan of all cases;
"now" figures are exact counts of the open cases through one covering index; satisfaction
reads the answers of the period. A customer's figures are their own organisation's only and
leave out what is internal (agents' names, teams, comments).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import SQL, fn

from helpdesk.accounts.models import Team, User
from helpdesk.audit import record
from helpdesk.cases.access import sees_whole_organisation
from helpdesk.cases.models import Case, Channel
from helpdesk.db import db, is_postgres
from helpdesk.escalation.service import escalation_levels, level_label
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.knowledge.models import Article, ArticleRead, Deflection
from helpdesk.permissions import is_customer, may_work_cases
from helpdesk.policy import Category, current_policy
from helpdesk.products.models import Product
from helpdesk.reports import days, time_rollup
from helpdesk.reports.charts import Chart, Series
from helpdesk.reports.models import (
    EVERYONE,
    CaseTimes,
    DailyCaseCount,
    DailyOpenCount,
    OpenCaseAge,
    OpenCaseCount,
)
from helpdesk.survey.models import RATINGS, SurveyResponse

CATEGORY_LABELS = {
    Category.NEW: _l("New"),
    Category.OPEN: _l("In progress"),
    Category.WAITING: _l("Waiting for the customer"),
    Category.HOLD: _l("On hold"),
    Category.DEVELOPMENT: _l("In development"),
}
CHANNEL_LABELS = {Channel.WEB: _l("Web"), Channel.MAIL: _l("Mail"), Channel.PHONE: _l("Phone")}
#: Backlog age buckets: (label, at least so many days old).
AGE_BUCKETS = (
    (_l("under 1 day"), 0),
    (_l("1–7 days"), 1),
    (_l("8–30 days"), 8),
    (_l("over 30 days"), 31),
)
LONGEST_PERIOD = 366
WEEKLY_AFTER = 62  # days: longer periods are drawn per week


class ReportError(ValueError):
    """A filter the dashboard does not take; the message says why, in the user's language."""


@dataclass
class Filters:
    start: date
    end: date
    team: int | None = None
    product: int | None = None
    case_type: str | None = None  # one of the vendor plugin's case types
    organisation: int | None = None  # set for a customer: their own organisation only

    @property
    def weekly(self) -> bool:
        return (self.end - self.start).days > WEEKLY_AFTER

    def query_args(self) -> dict:
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team:
            args["team"] = self.team
        if self.product:
            args["product"] = self.product
        if self.case_type:
            args["case_type"] = self.case_type
        return args


@dataclass
class Figure:
    """One figure of the dashboard: its chart, and for some a list of cases or comments."""

    key: str
    chart: Chart
    items: list = field(default_factory=list)  # (call_id, text) pairs shown under the chart


def may_read_reports(user: User) -> bool:
    """Agents read every figure; a customer who sees all their organisation's cases reads
    their organisation's (seed 000)."""
    if may_work_cases(user):
        return True
    return is_customer(user) and sees_whole_organisation(user)


def filters_for(user: User, values) -> Filters:
    """The dashboard's filters from ``values`` (the query string), checked: the period is
    ``start`` to ``end`` (ISO dates of the portal's days, default the last 30 days), at most
    a year."""
    today = days.today()
    try:
        end = date.fromisoformat(values.get("end") or today.isoformat())
        start = date.fromisoformat(values.get("start") or (end - timedelta(days=29)).isoformat())
    except ValueError as error:
        raise ReportError(_l("Please give the dates as YYYY-MM-DD.")) from error
    if end >= date.max - timedelta(days=7):  # the period's end plus a day must be a date
        raise ReportError(_l("Please give the dates as YYYY-MM-DD."))
    if start > end:
        raise ReportError(_l("The period must start before it ends."))
    if (end - start).days >= LONGEST_PERIOD:
        raise ReportError(_l("The period may be at most a year."))
    filters = Filters(start, end)
    if may_work_cases(user):
        filters.team = _id_of(Team, values.get("team"))
        filters.product = _id_of(Product, values.get("product"))
    else:
        filters.organisation = user.organisation_id
        filters.product = _id_of(Product, values.get("product"))
    filters.case_type = _case_type(values.get("case_type"))
    return filters


def _case_type(value) -> str | None:
    if not value:
        return None
    if value not in {t.key for t in current_policy().case_types}:
        raise ReportError(_l("Please choose from the list."))
    return value


def _id_of(model, value) -> int | None:
    if not value:
        return None
    number = parse_id(value)
    if number is None or model.get_or_none(model.id == number) is None:
        raise ReportError(_l("Please choose from the list."))
    return number


def choices(user: User) -> dict:
    """The teams, products and case types the filter form offers."""
    teams = list(Team.select().order_by(Team.id)) if may_work_cases(user) else []
    return {
        "teams": teams,
        "products": list(Product.select().order_by(Product.id)),
        "case_types": current_policy().case_types,
    }


# -- scoping --------------------------------------------------------------------------------


def narrowed(query, model, filters: Filters):
    """``query`` on ``model`` (cases or a roll-up: each has organisation, team, product and
    case type columns) narrowed to ``filters``' organisation, team, product and case type."""
    for name in ("organisation", "team", "product", "case_type"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


def _open_cases(filters: Filters, *columns):
    query = Case.select(*columns).where(Case.is_open == True)  # noqa: E712 (SQL)
    return narrowed(query, Case, filters)


def _rollup(filters: Filters, *columns):
    query = DailyCaseCount.select(*columns).where(
        DailyCaseCount.day.between(filters.start, filters.end)
    )
    return narrowed(query, DailyCaseCount, filters)


def _buckets(filters: Filters) -> list[date]:
    """The first day of every bucket (day or ISO week) of the period."""
    if filters.weekly:
        first = filters.start - timedelta(days=filters.start.weekday())
        step = timedelta(days=7)
    else:
        first, step = filters.start, timedelta(days=1)
    buckets, day = [], first
    while day <= filters.end:
        buckets.append(day)
        day += step
    return buckets


def _bucket_of(filters: Filters, day: date) -> date:
    return day - timedelta(days=day.weekday()) if filters.weekly else day


def _label(day: date, filters: Filters) -> str:
    return f"{day.isocalendar()[1]:02d}/{day.year}" if filters.weekly else day.strftime("%d.%m.")


# -- the figures ----------------------------------------------------------------------------


#: The columns of the case counted now from ``OpenCaseCount`` (by its facet), not the cases.
TALLIED = {
    "status_category": "status",
    "severity": "severity",
    "assignee": "assignee",
    "escalation_level": "escalation",
}


def open_counts(filters: Filters, column: str) -> dict:
    """The open cases within ``filters`` counted now by a column of the case (``severity``,
    ``case_type``, ``status``...): ``{value: count}``. For plugins' figures too. The columns
    of ``TALLIED`` come from the tallies the case-change hook keeps (``open_tally``), a few
    hundred rows whatever the number of cases; any other is counted from the cases."""
    if column not in TALLIED:
        field = Case._meta.fields[column]
        return dict(_open_cases(filters, field, fn.COUNT(Case.id)).group_by(field).tuples())
    counts = {}
    for value, n in _tallied(filters, TALLIED[column], OpenCaseCount.value):
        if column in ("assignee", "escalation_level"):
            value = int(value) or None
        if n:
            counts[value] = n
    return counts


def _tallied(filters: Filters, facet: str, column):
    """``(column, open cases)`` of the tally rows of ``facet`` within ``filters``: without an
    organisation the rows of all organisations together."""
    query = OpenCaseCount.select(column, fn.SUM(OpenCaseCount.count)).where(
        (OpenCaseCount.organisation == (filters.organisation or EVERYONE))
        & (OpenCaseCount.facet == facet)
    )
    return narrowed(query, OpenCaseCount, filters).group_by(column).tuples()


def open_by_status(filters: Filters, counts: dict | None = None) -> Figure:
    """``counts``: ``open_counts(filters, "status_category")`` if the caller has it."""
    counts = open_counts(filters, "status_category") if counts is None else counts
    labels = [str(label) for label in CATEGORY_LABELS.values()]
    values = [counts.get(category, 0) for category in CATEGORY_LABELS]
    return Figure(
        "open_by_status",
        Chart(
            "bar",
            _("Open cases by status, now"),
            labels,
            [Series(_("Cases"), values)],
            description=_("Open cases by status category."),
            key="open_by_status",
        ),
    )


def _severity_keys(*counts: dict) -> list[str]:
    """The vendor's severities, and any other found in ``counts`` (one no longer offered)."""
    known = [s.key for s in current_policy().severities]
    found = set().union(*counts)
    return known + sorted(found - set(known))


def open_by_severity(filters: Filters, counts: dict | None = None) -> Figure:
    """``counts``: ``open_counts(filters, "severity")`` if the caller has it."""
    counts = open_counts(filters, "severity") if counts is None else counts
    keys = _severity_keys(counts)
    labels = [str(current_policy().label("severity", key)) for key in keys]
    return Figure(
        "open_by_severity",
        Chart(
            "bar",
            _("Open cases by severity, now"),
            labels,
            [Series(_("Cases"), [counts.get(key, 0) for key in keys])],
            description=_("Open cases by severity."),
            key="open_by_severity",
        ),
    )


def open_trend(filters: Filters, by_status: dict, by_severity: dict) -> list[Figure]:
    """The open cases at the end of each day (or week: its last day in the period) by status
    category and by severity, from the daily roll-up of open cases; today's point is the exact
    count now (``by_status``, ``by_severity``: ``open_counts`` of the two columns). Without an
    organisation it reads the rows of all organisations together, a few per day."""
    today = days.today()
    buckets = _buckets(filters)
    ends = [min(b + timedelta(days=6), filters.end) if filters.weekly else b for b in buckets]
    rows = (
        narrowed(
            DailyOpenCount.select(
                DailyOpenCount.day,
                DailyOpenCount.status_category,
                DailyOpenCount.severity,
                fn.SUM(DailyOpenCount.count),
            ).where(
                DailyOpenCount.day.in_([day for day in ends if day < today])
                & (DailyOpenCount.organisation == (filters.organisation or EVERYONE))
            ),
            DailyOpenCount,
            filters,
        )
        .group_by(DailyOpenCount.day, DailyOpenCount.status_category, DailyOpenCount.severity)
        .tuples()
    )
    status_at: dict[date, Counter] = {}
    severity_at: dict[date, Counter] = {}
    for day, category, severity, n in rows:
        status_at.setdefault(days.as_date(day), Counter())[category] += n or 0
        severity_at.setdefault(days.as_date(day), Counter())[severity] += n or 0
    status_at[today], severity_at[today] = Counter(by_status), Counter(by_severity)
    labels = [_label(day, filters) for day in buckets]
    severities = _severity_keys(by_severity, *severity_at.values())
    empty = Counter()
    return [
        Figure(
            "open_trend_status",
            Chart(
                "stacked",
                _("Open cases by status over the period"),
                labels,
                [
                    Series(str(name), [status_at.get(day, empty)[category] for day in ends])
                    for category, name in CATEGORY_LABELS.items()
                ],
                description=_("Open cases at the end of each day, by status category."),
                key="open_trend_status",
            ),
        ),
        Figure(
            "open_trend_severity",
            Chart(
                "line",
                _("Open cases by severity over the period"),
                labels,
                [
                    Series(
                        str(current_policy().label("severity", key)),
                        [severity_at.get(day, empty)[key] for day in ends],
                    )
                    for key in severities
                ],
                description=_("Open cases at the end of each day, by severity."),
                key="open_trend_severity",
            ),
        ),
    ]


def volume(filters: Filters) -> list[Figure]:
    """Opened, solved and closed per day or week; and the openings by channel."""
    rows = (
        _rollup(
            filters,
            DailyCaseCount.day,
            DailyCaseCount.channel,
            fn.SUM(DailyCaseCount.opened),
            fn.SUM(DailyCaseCount.solved),
            fn.SUM(DailyCaseCount.closed),
        )
        .group_by(DailyCaseCount.day, DailyCaseCount.channel)
        .tuples()
    )
    buckets = _buckets(filters)
    index = {day: i for i, day in enumerate(buckets)}
    flows = {name: [0] * len(buckets) for name in ("opened", "solved", "closed")}
    channels = {channel: [0] * len(buckets) for channel in CHANNEL_LABELS}
    for day, channel, opened, solved, closed in rows:
        i = index[_bucket_of(filters, days.as_date(day))]
        flows["opened"][i] += opened or 0
        flows["solved"][i] += solved or 0
        flows["closed"][i] += closed or 0
        channels.setdefault(channel, [0] * len(buckets))[i] += opened or 0
    labels = [_label(day, filters) for day in buckets]
    per = _("per week") if filters.weekly else _("per day")
    flow_chart = Chart(
        "line",
        _("Opened, solved and closed %(per)s", per=per),
        labels,
        [
            Series(_("Opened"), flows["opened"]),
            Series(_("Solved"), flows["solved"]),
            Series(_("Closed"), flows["closed"]),
        ],
        description=_("Cases opened, solved and closed."),
        key="volume",
    )
    channel_chart = Chart(
        "stacked",
        _("Opened by channel %(per)s", per=per),
        labels,
        [Series(str(CHANNEL_LABELS.get(c, c)), values) for c, values in channels.items()],
        description=_("Cases opened by channel."),
        key="channels",
    )
    return [Figure("volume", flow_chart), Figure("channels", channel_chart)]


def backlog_age(filters: Filters, by_status: dict | None = None) -> Figure:
    """How long the open cases have been open (in the portal's days), by status category:
    the last 31 days' rows of the tally by opening day; the rest of the "now" count
    (``by_status``: ``open_counts(filters, "status_category")``) is older."""
    if by_status is None:
        by_status = open_counts(filters, "status_category")
    today = days.today()
    oldest = AGE_BUCKETS[-1][1]
    query = OpenCaseAge.select(
        OpenCaseAge.status_category, OpenCaseAge.opened_day, fn.SUM(OpenCaseAge.count)
    ).where(
        (OpenCaseAge.organisation == (filters.organisation or EVERYONE))
        & (OpenCaseAge.opened_day > today - timedelta(days=oldest))
    )
    counts = Counter()
    for category, opened, n in (
        narrowed(query, OpenCaseAge, filters)
        .group_by(OpenCaseAge.status_category, OpenCaseAge.opened_day)
        .tuples()
    ):
        age = (today - days.as_date(opened)).days
        bucket = max(i for i, (_label, least) in enumerate(AGE_BUCKETS) if age >= least or i == 0)
        counts[(category, bucket)] += n or 0
    for category, n in by_status.items():
        recent = sum(counts[(category, i)] for i in range(len(AGE_BUCKETS) - 1))
        counts[(category, len(AGE_BUCKETS) - 1)] = n - recent
    labels = [str(label) for label, _days in AGE_BUCKETS]
    series = [
        Series(str(name), [counts.get((category, i), 0) for i in range(len(AGE_BUCKETS))])
        for category, name in CATEGORY_LABELS.items()
    ]
    return Figure(
        "backlog_age",
        Chart(
            "stacked",
            _("Backlog age by status"),
            labels,
            series,
            description=_("Open cases by how long they have been open."),
            key="backlog_age",
        ),
    )


def satisfaction(filters: Filters, with_comments: bool) -> list[Figure]:
    start, end = days.span(filters.start, filters.end)
    query = (
        SurveyResponse.select(
            SurveyResponse.rating, SurveyResponse.answered_at, SurveyResponse.comment, Case.call_id
        )
        .join(Case)
        .where((SurveyResponse.answered_at >= start) & (SurveyResponse.answered_at < end))
    )
    query = narrowed(query, Case, filters)
    answers = list(query.order_by(SurveyResponse.answered_at.desc()).tuples())
    spread = Counter(rating for rating, *_rest in answers)
    buckets = _buckets(filters)
    index = {day: i for i, day in enumerate(buckets)}
    sums, counts = [0] * len(buckets), [0] * len(buckets)
    zone = days.portal_zone()
    for rating, answered_at, _comment, _call_id in answers:
        i = index[_bucket_of(filters, days.day_of(answered_at, zone))]
        sums[i] += rating
        counts[i] += 1
    averages = [round(s / n, 2) if n else 0 for s, n in zip(sums, counts, strict=True)]
    figures = [
        Figure(
            "satisfaction",
            Chart(
                "histogram",
                _("Satisfaction: ratings (1 poor to 5 excellent)"),
                [str(r) for r in RATINGS],
                [Series(_("Answers"), [spread.get(r, 0) for r in RATINGS])],
                description=_("Survey answers by rating."),
                key="satisfaction",
            ),
        ),
        Figure(
            "satisfaction_trend",
            Chart(
                "line",
                _("Satisfaction: average rating"),
                [_label(day, filters) for day in buckets],
                [Series(_("Average"), averages)],
                description=_("Average rating of the answers (0: no answer)."),
                key="satisfaction_trend",
            ),
        ),
    ]
    if with_comments:
        figures[0].items = [
            (call_id, f"{rating}: {comment}")
            for rating, _at, comment, call_id in answers
            if comment
        ][:10]
    return figures


def workload(filters: Filters) -> list[Figure]:
    """Open cases per agent and per team (agents only: names are internal)."""
    by_agent = open_counts(filters, "assignee")
    names = {
        u.id: u.name
        for u in User.select(User.id, User.name).where(User.id.in_([i for i in by_agent if i]))
    }
    agents = sorted((i for i in by_agent if i), key=lambda i: (-by_agent[i], names.get(i, "")))
    agent_labels = [names.get(i, "?") for i in agents] + [_("Nobody")]
    agent_values = [by_agent[i] for i in agents] + [by_agent.get(None, 0)]
    by_team = {team or None: n for team, n in _tallied(filters, "status", OpenCaseCount.team) if n}
    teams = {t.id: t for t in Team.select().where(Team.id.in_([i for i in by_team if i]))}
    team_ids = sorted((i for i in by_team if i), key=lambda i: str(teams[i].name))
    return [
        Figure(
            "workload_agents",
            Chart(
                "bar",
                _("Open cases per agent"),
                agent_labels,
                [Series(_("Cases"), agent_values)],
                description=_("Open cases per assigned agent."),
                key="workload_agents",
            ),
        ),
        Figure(
            "workload_teams",
            Chart(
                "bar",
                _("Open cases per team"),
                [str(teams[i].name) for i in team_ids] + [_("No team")],
                [Series(_("Cases"), [by_team[i] for i in team_ids] + [by_team.get(None, 0)])],
                description=_("Open cases per team."),
                key="workload_teams",
            ),
        ),
    ]


def escalations(filters: Filters) -> Figure:
    counts = open_counts(filters, "escalation_level")
    counts.pop(None, None)
    levels = escalation_levels()
    numbers = sorted(set(range(1, len(levels) + 1)) | set(counts))
    labels = [str(level_label(levels, n) or n) for n in numbers]
    return Figure(
        "escalations",
        Chart(
            "bar",
            _("Open escalated cases by level"),
            labels,
            [Series(_("Cases"), [counts.get(n, 0) for n in numbers])],
            description=_("Open cases by escalation level."),
            key="escalations",
        ),
    )


def _times(filters: Filters, *columns):
    """``columns`` of the response and resolution rows of the cases opened in the period."""
    start, end = days.span(filters.start, filters.end)
    query = CaseTimes.select(*columns).where(
        (CaseTimes.opened_at >= start) & (CaseTimes.opened_at < end)
    )
    return narrowed(query, CaseTimes, filters)


def quantiles(
    filters: Filters, column: str, counts: dict | None = None
) -> dict[str, tuple[float, float]]:
    """``{severity: (median, 90th percentile)}`` of ``column`` (business minutes) over the
    period's cases: the median of an even count the two middle values averaged, the 90th
    percentile by nearest rank. The distribution's counts (``time_rollup``) tell in which
    bucket and at which place of it each of those ranks lies; the exact values are then read
    from the period's case rows in just those buckets, in order. ``counts``: the
    distribution's counts if already read (``time_rollup.distribution``)."""
    measure = column.removesuffix("_minutes")
    if counts is None:
        counts = time_rollup.distribution(filters, measure)[0]
    found = {}
    for severity, buckets in counts.items():
        n = sum(count for _bucket, count in buckets)
        ranks = ((n + 1) // 2, (n + 2) // 2, (9 * n + 9) // 10)  # 1-based
        places: dict[int, dict[int, int]] = {}  # bucket: {rank: place in the bucket}
        before = 0
        for bucket, count in buckets:
            for rank in ranks:
                if before < rank <= before + count:
                    places.setdefault(bucket, {})[rank] = rank - before
            before += count
        value = {}
        for bucket, at in places.items():
            values = _bucket_values(filters, measure, severity, bucket, max(at.values()))
            for rank, place in at.items():  # a drifted count: the bucket's last value
                value[rank] = values[min(place, len(values)) - 1] if values else 0.0
        found[severity] = ((value[ranks[0]] + value[ranks[1]]) / 2, value[ranks[2]])
    return found


def _bucket_values(filters: Filters, measure: str, severity: str, bucket: int, n: int) -> list:
    """The ``n`` smallest values of ``measure`` in ``bucket`` of the period's cases of
    ``severity``: an index on severity, bucket and opening holds them."""
    value = getattr(CaseTimes, f"{measure}_minutes")
    query = _times(filters, value).where(
        (CaseTimes.severity == severity) & (getattr(CaseTimes, f"{measure}_bucket") == bucket)
    )
    return [row[0] for row in query.order_by(value).limit(n).tuples()]


def _breaches(filters: Filters) -> list:
    """The period's first 50 cases answered after their target, with their call ids."""
    return list(
        _times(
            filters,
            Case.call_id,
            CaseTimes.severity,
            CaseTimes.response_minutes,
            CaseTimes.response_target,
        )
        .join(Case, on=(CaseTimes.case == Case.id))
        .where(
            CaseTimes.response_minutes.is_null(False)
            & (CaseTimes.response_target > 0)
            & (CaseTimes.response_minutes > CaseTimes.response_target)
        )
        .order_by(CaseTimes.opened_at)
        .limit(50)
        .namedtuples()
    )


def _hours(minutes: float) -> float:
    return round(minutes / 60, 2)


def response_figures(filters: Filters) -> list[Figure]:
    """First response and resolution per severity, in business hours against the target;
    the share answered within target, and the breaches with links."""
    severities = [s.key for s in current_policy().severities]
    labels = [str(current_policy().label("severity", key)) for key in severities]
    responses, compliance = time_rollup.distribution(filters, "response")
    figures = []
    for key, column, title in (
        ("response_times", "response_minutes", _("First response in business hours")),
        ("resolution_times", "resolution_minutes", _("Resolution in business hours")),
    ):
        spread = quantiles(filters, column, responses if key == "response_times" else None)
        series = [
            Series(_("Median"), [_hours(spread.get(s, (0, 0))[0]) for s in severities]),
            Series(_("90th percentile"), [_hours(spread.get(s, (0, 0))[1]) for s in severities]),
        ]
        if key == "response_times":
            targets = [_hours(compliance.get(s, (0, 0, 0))[2]) for s in severities]
            series.append(Series(_("Target"), targets))
        figures.append(
            Figure(
                key,
                Chart(
                    "bar",
                    title,
                    labels,
                    series,
                    unit=" h",
                    key=key,
                    description=_(
                        "Cases opened in the period, by severity; waiting time excluded."
                    ),
                ),
            )
        )
    shares = []
    for s in severities:
        answered, met, _target = compliance.get(s, (0, 0, 0))
        shares.append(round(100 * met / answered, 1) if answered else 0)
    figure = Figure(
        "sla_compliance",
        Chart(
            "bar",
            _("First responses within target"),
            labels,
            [Series(_("Share"), shares)],
            unit=" %",
            key="sla_compliance",
            description=_("Share of the answered cases opened in the period answered in time."),
        ),
    )
    figure.items = [
        (
            r.call_id,
            _(
                "%(severity)s: answered after %(hours)s business hours, target %(target)s",
                severity=current_policy().label("severity", r.severity),
                hours=round(r.response_minutes / 60, 1),
                target=round(r.response_target / 60, 1),
            ),
        )
        for r in _breaches(filters)
    ]
    return [*figures, figure]


def _per_hour(query, column, filters: Filters) -> Counter:
    """``{portal day: rows}`` of ``query`` (rows with the naive UTC ``column``) in the period,
    counted by the database per UTC hour and put on the portal's days here: the zone's offsets
    are whole hours, and neither database needs to know the zone."""
    start, end = days.span(filters.start, filters.end)
    hour = (
        fn.to_char(column, "YYYY-MM-DD HH24").coerce(False)
        if is_postgres()
        else fn.strftime("%Y-%m-%d %H", column).coerce(False)
    )
    rows = (
        query.select(hour.alias("hour"), fn.COUNT(SQL("*")))
        .where((column >= start) & (column < end))
        .group_by(SQL("1"))
        .tuples()
    )
    zone = days.portal_zone()
    counted = Counter()
    for at, n in rows:
        day = days.day_of(datetime.strptime(at, "%Y-%m-%d %H"), zone)
        counted[_bucket_of(filters, day)] += n
    return counted


def self_service(filters: Filters) -> Figure:
    """Articles opened by signed-in customers and problems solved by an article instead of a
    case (deflections) per day or week; narrowed by organisation (the reader's) and product
    (the article's), not by team or case type, which articles do not have."""
    views = ArticleRead.select().join(Article).switch(ArticleRead).join(User)
    deflections = Deflection.select().join(Article).switch(Deflection).join(User)
    if filters.organisation is not None:
        views = views.where(User.organisation == filters.organisation)
        deflections = deflections.where(User.organisation == filters.organisation)
    if filters.product is not None:
        views = views.where(Article.product == filters.product)
        deflections = deflections.where(Article.product == filters.product)
    read = _per_hour(views, ArticleRead.read_at, filters)
    solved = _per_hour(deflections, Deflection.created_at, filters)
    buckets = _buckets(filters)
    per = _("per week") if filters.weekly else _("per day")
    return Figure(
        "self_service",
        Chart(
            "line",
            _("Self-service %(per)s", per=per),
            [_label(day, filters) for day in buckets],
            [
                Series(_("Articles read"), [read[day] for day in buckets]),
                Series(_("Solved by an article"), [solved[day] for day in buckets]),
            ],
            description=_(
                "Knowledge base articles read by signed-in customers, and the times an article"
                " solved a customer's problem instead of a case. Not narrowed by team or case"
                " type."
            ),
            key="self_service",
        ),
    )


def dashboard(user: User, filters: Filters) -> list[Figure]:
    """Every figure ``user`` may read for ``filters``, in the dashboard's order; the vendor
    plugins' own figures last (``helpdesk_report_figures``)."""
    internal = may_work_cases(user)
    by_status = open_counts(filters, "status_category")
    by_severity = open_counts(filters, "severity")
    figures = [
        open_by_status(filters, by_status),
        open_by_severity(filters, by_severity),
        *open_trend(filters, by_status, by_severity),
        *volume(filters),
        *response_figures(filters),
        backlog_age(filters, by_status),
        *satisfaction(filters, with_comments=internal),
        escalations(filters),
        self_service(filters),
    ]
    if internal:
        figures += workload(filters)
    for answer in plugin_manager().hook.helpdesk_report_figures(user=user, filters=filters):
        figures.extend(answer or [])
    return figures


def figure(user: User, filters: Filters, key: str) -> Figure | None:
    """One figure of ``user``'s dashboard by its key (for the exports)."""
    return next((f for f in dashboard(user, filters) if f.key == key), None)


def record_export(user: User, key: str, filters: Filters, fmt: str) -> None:
    """Log that ``user`` downloaded the numbers of figure ``key`` (``dashboard``: all of them,
    as PDF) for ``filters`` (REP-2: exports of data)."""
    with db.atomic():
        record(
            user,
            "report.exported",
            user,
            None,
            {
                "figure": key,
                "format": fmt,
                **filters.query_args(),
                "organisation": filters.organisation,
            },
        )
