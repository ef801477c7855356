"""The "Reports" link (core hook implementation "core.reports.navigation"): for agents, and
for a customer who may read their organisation's figures (seed 000)."""

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Label, NavLink
from helpdesk.reports.service import may_read_reports


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    links = [
        NavLink(
            "reports.dashboard",
            Label("Übersicht", "Overview"),
            audience="agent",
            order=60,
            menu="reports",
        )
    ]
    if user.is_customer and may_read_reports(user):
        links.append(
            NavLink(
                "reports.dashboard",
                Label("Berichte", "Reports"),
                audience="customer",
                order=84,
                menu="organisation",
            )
        )
    return links
