"""Filled in by the cases issue."""

from helpdesk.cases.views import bp  # noqa: F401
