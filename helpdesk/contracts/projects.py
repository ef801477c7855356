"""Development projects for customers (DOC-4, seed 001: "development projects with their
correspondence"): the development items linked to cases the customer may see, with those
cases (and how many public messages each has), the item's state, its planned release and its
release. The customer's own case visibility decides
(``cases.access``), so an item shows only to the organisations whose cases wait on it, and
each case's page shows its public correspondence under the correspondence rule."""

from dataclasses import dataclass, field

from helpdesk.accounts.models import User
from helpdesk.cases import access
from helpdesk.cases.models import Case
from helpdesk.development.models import DevelopmentItem, DevelopmentLink


@dataclass
class Project:
    item: DevelopmentItem
    cases: list[Case] = field(default_factory=list)


def projects_for(user: User) -> list[Project]:
    """The development items of the cases ``user`` sees, newest first, each case with the
    number of its public messages ``user`` may read (two queries)."""
    query = (
        Case.select(Case, DevelopmentLink, DevelopmentItem)
        .join(DevelopmentLink, on=(DevelopmentLink.case == Case.id), attr="link")
        .join(DevelopmentItem, on=(DevelopmentLink.item == DevelopmentItem.id))
        .order_by(DevelopmentItem.id.desc(), Case.call_id)
        .limit(500)
    )
    projects: dict[int, Project] = {}
    cases = list(access.visible_cases(user, query))
    counts = access.message_counts(user, [case.id for case in cases])
    for case in cases:
        case.message_count = counts.get(case.id, 0)
        item = case.link.item
        projects.setdefault(item.id, Project(item)).cases.append(case)
    return list(projects.values())
