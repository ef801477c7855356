"""Navigation entries of the people pages (core hook implementation "core.people").

A customer's organisation pages show only to its portal admins; the audience values of
``NavLink`` cannot say that, so this answer looks at the user.
"""

from helpdesk.hookspecs import hookimpl
from helpdesk.permissions import is_portal_admin
from helpdesk.policy import Label, NavLink


@hookimpl(trylast=True)
def helpdesk_navigation(user):
    links = [
        NavLink("profile.edit", Label("Mein Profil", "My profile"), order=95, menu="account"),
        NavLink("admin.agents", Label("Agenten", "Agents"), audience="admin", order=91),
        NavLink(
            "admin.settings_page", Label("Einstellungen", "Settings"), audience="admin", order=99
        ),
        NavLink("admin.teams", Label("Teams", "Teams"), audience="admin", order=92),
        NavLink("admin.products", Label("Produkte", "Products"), audience="admin", order=93),
        NavLink(
            "admin.organisations",
            Label("Organisationen", "Organisations"),
            audience="admin",
            order=94,
        ),
        NavLink(
            "organisation.audit_log", Label("Protokoll", "Audit log"), audience="admin", order=96
        ),
    ]
    if is_portal_admin(user):
        links += [
            NavLink(
                "organisation.users",
                Label("Benutzer", "Users"),
                audience="customer",
                order=80,
                menu="organisation",
            ),
            NavLink(
                "organisation.profile",
                Label("Organisation", "Organisation"),
                audience="customer",
                order=81,
                menu="organisation",
            ),
            NavLink(
                "organisation.audit_log",
                Label("Protokoll", "Audit log"),
                audience="customer",
                order=82,
                menu="organisation",
            ),
        ]
    return links
