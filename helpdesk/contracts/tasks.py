"""The monthly statements (DOC-3): on the first of each month, every organisation with time
recorded in the month before gets its statement prepared and its main contacts (else its
portal admins) a mail with the links to the page, the xlsx and the PDF."""

from huey import crontab

from helpdesk.accounts.models import CustomerRole, Organisation
from helpdesk.contracts import statements
from helpdesk.contracts.service import people_of
from helpdesk.db import db
from helpdesk.jobs import huey
from helpdesk.mail import notify
from helpdesk.timeutil import utcnow


@huey.periodic_task(crontab(day="1", hour="5", minute="7"))
def monthly_statements():
    """Prepare last month's statements and tell each organisation's main contacts."""
    return prepare_statements()


def prepare_statements(today=None) -> int:
    """Last month's statements of ``today`` (default: now); the number of organisations told."""
    starts_on, ends_on = statements.last_month(today or utcnow().date())
    told = 0
    for organisation_id in statements.organisations_with_records(starts_on, ends_on):
        organisation = Organisation.get_by_id(organisation_id)
        found = statements.statement(organisation, starts_on, ends_on)
        people = people_of(organisation_id, CustomerRole.MAIN_CONTACT) or people_of(
            organisation_id, CustomerRole.PORTAL_ADMIN
        )
        with db.atomic():
            for person in people:
                notify.send(
                    "statement_ready", person, statement=found, duration=statements.duration
                )
        told += bool(people)
    return told
