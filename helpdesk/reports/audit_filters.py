"""The audit page's filters (REP-2): by person, organisation, kind and period.

A portal admin's page is their own organisation's whatever the query string says; the
people they can choose are their organisation's.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from helpdesk import audit
from helpdesk.accounts.models import Organisation, User
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id


@dataclass
class Found:
    query: dict
    values: dict = field(default_factory=dict)  # what the form shows again
    problem: str | None = None


def parse(args, vendor: bool, own_organisation: int | None) -> Found:
    """The filters of ``args`` for ``audit.entries``; a bad date is named, not fatal."""
    values = {k: args.get(k, "") for k in ("person", "organisation", "kind", "start", "end")}
    query = {"organisation_id": own_organisation}
    if vendor and values["organisation"]:
        query["organisation_id"] = parse_id(values["organisation"]) or -1
    if values["person"]:
        query["actor_id"] = parse_id(values["person"]) or -1
    if values["kind"]:
        query["kind"] = (
            values["kind"]
            if values["kind"] in audit.ACTIONS or (values["kind"] in audit.KINDS)
            else "-"
        )
    problem = None
    try:
        if values["start"]:
            query["start"] = datetime.combine(date.fromisoformat(values["start"]), time.min)
        if values["end"]:
            query["end"] = datetime.combine(
                date.fromisoformat(values["end"]) + timedelta(days=1), time.min
            )
    except (ValueError, OverflowError):  # OverflowError: the day after 9999-12-31
        problem = str(_l("Please give the dates as YYYY-MM-DD."))
        query.pop("start", None)
        query.pop("end", None)
    return Found(query, values, problem)


def choices(vendor: bool, own_organisation: int | None) -> dict:
    """The people, organisations and kinds the filter form offers."""
    people = User.select(User.id, User.name, User.email).order_by(User.name)
    if not vendor:
        people = people.where(User.organisation == own_organisation)
    organisations = (
        list(Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name))
        if vendor
        else []
    )
    kinds = [(key, audit.ACTIONS[key]) for key in audit.ACTIONS]
    return {"people": list(people), "organisations": organisations, "kinds": kinds}
