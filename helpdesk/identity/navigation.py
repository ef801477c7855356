"""The admin's links to the sign-in providers and the mailboxes' OAuth2 (core hook
implementation "core.identity")."""

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
        ),
        NavLink(
            "mailboxes.index",
            Label("Postfächer (OAuth2)", "Mailboxes (OAuth2)"),
            audience="admin",
            order=98,
        ),
    ]
