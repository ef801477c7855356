"""The admin's link to the sign-in providers (core hook implementation "core.identity")."""

from helpdesk.hookspecs import hookimpl
from helpdesk.policy import Label, NavLink


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    return [
        NavLink(
            "sso.providers",
            Label("Anmeldedienste", "Sign-in providers"),
            audience="admin",
            order=97,
        )
    ]
