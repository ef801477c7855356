"""Navigation entries of the access tokens and the webhooks (core hook implementation
"core.api")."""

from helpdesk.hookspecs import hookimpl
from helpdesk.permissions import is_portal_admin, may_administer
from helpdesk.policy import Label, NavLink


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    links = [
        NavLink(
            "tokens.index",
            Label("Zugriffstoken", "Access tokens"),
            audience="all",
            order=97,
            menu="account",
        )
    ]
    if is_portal_admin(user):
        links.append(
            NavLink(
                "tokens.organisation",
                Label("Zugriffstoken der Organisation", "Organisation's tokens"),
                audience="customer",
                order=83,
                menu="organisation",
            )
        )
    if may_administer(user):
        links.append(
            NavLink("webhooks.index", Label("Webhooks", "Webhooks"), audience="admin", order=96)
        )
    return links
