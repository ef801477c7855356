"""Navigation entries of the knowledge base (core hook implementation "core.knowledge"):
"Help" for everyone signed in, the editor's list for agents."""

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Label, NavLink


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    return [
        NavLink("knowledge.index", Label("Hilfe", "Help"), audience="customer", order=70),
        NavLink(
            "knowledge.manage",
            Label("Wissen", "Knowledge"),
            audience="agent",
            order=50,
        ),
        NavLink(
            "knowledge.organisation_products",
            Label("Produkte der Organisationen", "Organisations' products"),
            audience="admin",
            order=95,
        ),
    ]
