"""The daily roll-ups the dashboard reads instead of scanning cases.

``DailyCaseCount``: one row per day (in the portal's time zone), organisation, team, product,
channel and case type: how many cases were opened, solved and closed that day. ``team`` and
``product`` are ids (0: none) rather than foreign keys so the key stays one unique index; the
rows are counts, never shown alone."""

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)

from helpdesk.accounts.models import Organisation
from helpdesk.cases.models import Case
from helpdesk.db import BaseModel


class DailyCaseCount(BaseModel):
    id = AutoField()
    day = DateField()
    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    channel = CharField(max_length=10)
    case_type = CharField(max_length=50, default="")
    opened = IntegerField(default=0)
    solved = IntegerField(default=0)
    closed = IntegerField(default=0)

    class Meta:
        indexes = (
            # the upsert's key; the dashboard reads a period of days
            (("day", "organisation", "team", "product", "channel", "case_type"), True),
            # a customer's own organisation's period
            (("organisation", "day"), False),
            # the volume figure of all organisations read from the index alone
            (("day", "channel", "opened", "solved", "closed"), False),
        )


class CaseTimes(BaseModel):
    """A case's first response and resolution in business minutes (paused time excluded), as
    the SLA clock counted them, written when they happen: the dashboard's response figures
    read a period of these rows instead of replaying timelines. ``organisation``, ``team``,
    ``product``, ``severity`` and ``case_type`` are the case's when it was opened."""

    case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
    organisation = IntegerField()
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    severity = CharField(max_length=50)
    case_type = CharField(max_length=50, default="")
    opened_at = DateTimeField()
    response_target = IntegerField(null=True)  # business minutes; None: no target
    responded_at = DateTimeField(null=True)
    response_minutes = FloatField(null=True)
    resolved_at = DateTimeField(null=True)
    resolution_minutes = FloatField(null=True)
    # ``time_rollup.bucket_of`` the minutes: where the median's exact value is looked up
    response_bucket = IntegerField(null=True)
    resolution_bucket = IntegerField(null=True)

    class Meta:
        indexes = (
            (("opened_at",), False),
            # a period's values within one bucket of the distribution, from the index alone,
            # of all organisations and of one
            (("severity", "response_bucket", "opened_at", "response_minutes"), False),
            (("severity", "resolution_bucket", "opened_at", "resolution_minutes"), False),
            (
                ("organisation", "severity", "response_bucket", "opened_at", "response_minutes"),
                False,
            ),
            (
                (
                    "organisation",
                    "severity",
                    "resolution_bucket",
                    "opened_at",
                    "resolution_minutes",
                ),
                False,
            ),
            (("organisation", "opened_at"), False),
            # the response figures of all organisations read from the index alone
            (
                (
                    "opened_at",
                    "severity",
                    "response_target",
                    "response_minutes",
                    "resolution_minutes",
                ),
                False,
            ),
        )


#: ``DailyOpenCount.organisation`` of the rows of all organisations added up together.
EVERYONE = 0


class DailyOpenCount(BaseModel):
    """The open cases at the end of a day (the portal's time zone) by organisation, team,
    product, case type, severity and status category, and the same for all organisations
    together (organisation 0, so an id, not a foreign key): the open-cases trend reads a period
    of these rows. Today's rows follow every change of cases and an hourly job recounts them
    (``open_rollup``)."""

    id = AutoField()
    day = DateField()
    organisation = IntegerField()  # EVERYONE: all organisations together
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    case_type = CharField(max_length=50)
    severity = CharField(max_length=50)
    status_category = CharField(max_length=20)
    count = IntegerField(default=0)

    class Meta:
        indexes = (
            (
                (
                    "day",
                    "organisation",
                    "team",
                    "product",
                    "case_type",
                    "severity",
                    "status_category",
                ),
                True,
            ),
            (("organisation", "day"), False),
            # the trend by status and severity read from the index alone
            (("organisation", "day", "status_category", "severity", "count"), False),
        )


class OpenCase(BaseModel):
    """What each open case is counted as in the open-case tallies (``open_tally``): the keys it
    was last added under, so a change takes the case out of exactly those rows. No row: the
    case is not open (or not counted yet)."""

    case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
    organisation = IntegerField()
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    case_type = CharField(max_length=50)
    severity = CharField(max_length=50)
    status_category = CharField(max_length=20)
    assignee = IntegerField(default=0)  # 0: nobody
    escalation_level = IntegerField(default=0)
    opened_day = DateField()  # the portal's day the case was opened


class OpenCaseCount(BaseModel):
    """The open cases now, by organisation (``EVERYONE``: all together), team, product, case
    type and one facet's value: ``status`` (category), ``severity``, ``assignee`` (user id,
    ``0``: nobody) or ``escalation`` (level, escalated cases only). The dashboard's "now"
    counts and workload read a few hundred of these rows instead of every open case."""

    id = AutoField()
    organisation = IntegerField()
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    case_type = CharField(max_length=50)
    facet = CharField(max_length=20)
    value = CharField(max_length=50)
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("organisation", "facet", "team", "product", "case_type", "value"), True),)


class OpenCaseAge(BaseModel):
    """The open cases now by organisation (``EVERYONE``: all together), team, product, case
    type, status category and the portal's day they were opened: the backlog age figure
    reads the last 31 days' rows (the older ones are the rest of the "now" count)."""

    id = AutoField()
    organisation = IntegerField()
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    case_type = CharField(max_length=50)
    status_category = CharField(max_length=20)
    opened_day = DateField()
    count = IntegerField(default=0)

    class Meta:
        indexes = (
            (
                (
                    "organisation",
                    "team",
                    "product",
                    "case_type",
                    "status_category",
                    "opened_day",
                ),
                True,
            ),
            (("organisation", "opened_day"), False),
        )


class CaseTimeCount(BaseModel):
    """The distribution of the response and resolution times (``time_rollup``): how many
    cases opened on a day (``span`` 1) or in an ISO week (``span`` 7, ``first_day`` its
    Monday) by organisation (``EVERYONE``: all together), team, product, case type and
    severity took a ``measure`` (``response``, ``resolution``) of minutes in a ``bucket``
    (``-1``: no response yet). ``targeted``, ``within`` and ``target``: of the responses
    those with a target, those within it, and the largest target (SLA compliance)."""

    id = AutoField()
    organisation = IntegerField()
    measure = CharField(max_length=10)
    span = IntegerField()
    first_day = DateField()
    severity = CharField(max_length=50)
    bucket = IntegerField()
    team = IntegerField(default=0)
    product = IntegerField(default=0)
    case_type = CharField(max_length=50)
    count = IntegerField(default=0)
    targeted = IntegerField(default=0)
    within = IntegerField(default=0)
    target = IntegerField(default=0)

    class Meta:
        indexes = (
            # the upsert's key; a period's rows narrowed by some of team, product and type
            (
                (
                    "organisation",
                    "measure",
                    "span",
                    "first_day",
                    "severity",
                    "bucket",
                    "team",
                    "product",
                    "case_type",
                ),
                True,
            ),
            # a period's rows of all or of one team, product and type, from the index alone
            (
                (
                    "organisation",
                    "measure",
                    "span",
                    "team",
                    "product",
                    "case_type",
                    "first_day",
                    "severity",
                    "bucket",
                    "count",
                    "targeted",
                    "within",
                    "target",
                ),
                False,
            ),
        )
