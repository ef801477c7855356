"""Nightly pruning of the audit log to its retention (REP-2)."""

from datetime import timedelta

from flask import current_app
from huey import crontab

from helpdesk import audit
from helpdesk.jobs import huey
from helpdesk.timeutil import utcnow


@huey.periodic_task(crontab(hour="3", minute="41"))
def prune_audit_log():
    """Delete the audit rows older than ``AUDIT_RETENTION_DAYS`` (0: keep every row)."""
    days = current_app.config["AUDIT_RETENTION_DAYS"]
    if not days:
        return 0
    return audit.prune(utcnow() - timedelta(days=days))
