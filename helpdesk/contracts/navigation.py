"""The "Contracts and documents" link (core hook implementation "core.contracts"): a customer
with the right reaches their organisation's page, an agent the list of organisations."""

from helpdesk.hookspecs import hookimpl
from helpdesk.permissions import may_see_contracts, may_work_cases
from helpdesk.policy import Label, NavLink

LABEL = Label("Verträge und Dokumente", "Contracts and documents")
TEMPLATE = Label("Vorlage der Supportvereinbarung", "Agreement template")
DOCUMENTS = Label("Dokumente", "Documents")  # a customer's: their contracts and agreement
PROJECTS = Label("Entwicklungsprojekte", "Development projects")


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    if may_work_cases(user):
        return [
            NavLink("contracts.mine", LABEL, audience="agent", order=28, menu="cases"),
            NavLink("contracts.template", TEMPLATE, audience="admin", order=95),
        ]
    projects = NavLink(
        "contracts.projects", PROJECTS, audience="customer", order=71, menu="organisation"
    )
    if may_see_contracts(user, user.organisation_id):
        return [
            projects,
            NavLink(
                "contracts.index",
                DOCUMENTS,
                audience="customer",
                order=70,
                values={"organisation_id": user.organisation_id},
            ),
        ]
    return [projects]
