"""Every team and status a plugin routes to or names exists: checked at start-up, so a typo
stops the portal before it serves instead of leaving cases without a team later.

``check_names`` runs in ``create_app`` beside ``Policy``'s own checks. It asks the routing
hook about every case type, once with no product details and once for each of the vendor's
demo products with their versions and components (unsaved rows: nothing is read from or
written to the database), for a requester of an organisation with no settings. Teams named
by support levels (``SupportLevel.team``) and escalation levels (``team:KEY``) must be
declared too, and every status a route or a status timer names must be one of the policy's.

The declared teams (``helpdesk_teams``) are created by ``flask migrate`` (``create_teams``),
which every way of setting up an instance runs, not only by the demo data.
"""

from collections.abc import Iterator

from helpdesk.accounts.models import Kind, Organisation, Team, User
from helpdesk.db import db
from helpdesk.policy import Policy, PolicyError
from helpdesk.products.models import Component, Product, ProductVersion


def check_names(policy: Policy) -> None:
    """Raise ``PolicyError`` naming the first team or status a plugin uses but no plugin
    declares."""
    _check_declared_teams(policy)
    teams, statuses = set(policy.teams), {status.key for status in policy.statuses}

    def need(kind: str, key: str | None, where: str, known: set) -> None:
        if key is not None and key not in known:
            raise PolicyError(
                f"{where} names the {kind} {key!r}, which the plugins do not declare "
                f"(declared: {', '.join(sorted(known))})"
            )

    hook = policy.hook
    for probe in _route_probes(policy):
        route = policy.route(**probe)
        where = f"helpdesk_route_case for {_described(probe)}"
        need("team", route.team, where, teams)
        need("status", route.status, where, statuses)
    for level in hook.helpdesk_support_levels() or []:
        need("team", level.team, "a support level", teams)
    for level in hook.helpdesk_escalation_levels() or []:
        for entry in level.notify:
            if entry.startswith("team:"):
                need("team", entry[5:], "an escalation level", teams)
    for timers in hook.helpdesk_status_timers():
        for timer in timers:
            need("status", timer.status, "a status timer", statuses)
            need("status", timer.to_status, "a status timer", statuses)


def _check_declared_teams(policy: Policy) -> None:
    keys = [key for key, _name in policy.hook.helpdesk_teams()]
    if not keys:
        raise PolicyError("the plugins declare no teams")
    if len(keys) != len(set(keys)):
        raise PolicyError(f"duplicate keys among teams: {keys}")
    for key, label in policy.teams.items():
        if not (label.de and label.en):
            raise PolicyError(f"team {key!r} needs a German and an English name")


def _route_probes(policy: Policy) -> Iterator[dict]:
    """The routing hook's arguments for every case type, with no product details and with
    each demo product's versions and components."""
    requester = User(kind=Kind.CUSTOMER, organisation=Organisation(name=""))
    products = [(Product(key=""), [None], [None])]
    for spec in policy.hook.helpdesk_demo_products() or []:
        product = Product(key=spec.key)
        versions = [None] + [ProductVersion(name=v, supported=True) for v in spec.versions]
        components = [None] + [Component(key=key) for key, _name in spec.components]
        products.append((product, versions, components))
    for case_type in policy.case_types:
        for product, versions, components in products:
            for version in versions:
                for component in components:
                    yield {
                        "case_type": case_type.key,
                        "product": product,
                        "version": version,
                        "component": component,
                        "requester": requester,
                        "extra": {},
                    }


def _described(probe: dict) -> str:
    version, component = probe["version"], probe["component"]
    parts = [probe["case_type"], probe["product"].key or "no product"]
    parts += [version.name] if version else []
    parts += [component.key] if component else []
    return "/".join(parts)


def create_teams(policy: Policy) -> list[Team]:
    """Create the declared teams the database does not have yet, with their names in both
    languages; return them. Teams that exist keep the names an admin gave them."""
    with db.atomic():
        existing = {team.key for team in Team.select(Team.key)}
        return [
            Team.create(key=key, name_de=label.de, name_en=label.en)
            for key, label in policy.teams.items()
            if key not in existing
        ]
