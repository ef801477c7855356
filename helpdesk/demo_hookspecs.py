"""The hooks only the demo data asks (``flask --app wsgi demo``, the first ``make run``).

They are no part of the portal's product API: a running portal never calls them. The plugin
manager registers them beside ``helpdesk.hookspecs``, with the same markers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.hookspecs import hookspec

if TYPE_CHECKING:
    from helpdesk.accounts.models import Team
    from helpdesk.policy import ProductSpec


@hookspec(firstresult=True)
def helpdesk_demo_products() -> list[ProductSpec]:
    """The products, versions and components the demo data creates. First answer wins."""


@hookspec
def helpdesk_demo_data(teams: dict[str, Team]) -> None:
    """Called after the core's demo data is written, so a plugin can add its own.

    ``teams`` maps team keys to the created teams. Nothing is returned.
    """
