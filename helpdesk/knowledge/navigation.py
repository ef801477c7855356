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
            Label("Wissensdatenbank", "Knowledge base"),
            audience="agent",
            order=70,
        ),
    ]
