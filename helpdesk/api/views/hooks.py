"""Webhooks through the API (vendor admins' tokens with the ``admin`` scope)."""

from flask import jsonify

from helpdesk.api import serialise, webhooks
from helpdesk.api.models import Webhook
from helpdesk.api.openapi import documented
from helpdesk.api.problems import Problem
from helpdesk.api.views.blueprint import bp, needs, person_of_token
from helpdesk.api.views.cases import values_of
from helpdesk.permissions import ensure_admin


def _shown(hook: Webhook, secret: bool = False) -> dict:
    shown = {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.event_names),
        "allowed_host": hook.allowed_host,
        "active": hook.active,
        "created_at": serialise.when(hook.created_at),
    }
    if secret:
        shown["secret"] = hook.secret
    return shown


def _hook(webhook_id: int) -> Webhook:
    ensure_admin(person_of_token())
    hook = Webhook.get_or_none(Webhook.id == webhook_id)
    if hook is None:
        raise Problem(404)
    return hook


@bp.get("/webhooks")
@needs("admin")
@documented(answer="Webhooks")
def list_webhooks():
    """The registered webhooks."""
    ensure_admin(person_of_token())
    hooks = Webhook.select().order_by(Webhook.id)
    return jsonify(webhooks=[_shown(hook) for hook in hooks])


@bp.post("/webhooks")
@needs("admin")
@documented(ok=201, answer="Webhook", body="NewWebhook")
def create_webhook():
    """Register a URL for events; the answer holds the signing secret, shown this once.

    The URL must lead to a public address, unless ``allowed_host`` names its host."""
    values = values_of(lists=("events",))
    hook = webhooks.register(
        person_of_token(),
        values.get("url", ""),
        values.getlist("events"),
        values.get("allowed_host"),
    )
    return _shown(hook, secret=True), 201


@bp.delete("/webhooks/<int:webhook_id>")
@needs("admin")
@documented(ok=204, empty=204)
def delete_webhook(webhook_id: int):
    """Remove a webhook and its delivery log."""
    webhooks.remove(person_of_token(), _hook(webhook_id))
    return "", 204


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@needs("admin")
@documented(answer="Deliveries")
def deliveries(webhook_id: int):
    """The delivery log of a webhook, newest first (the last 100)."""
    rows = webhooks.deliveries_of(_hook(webhook_id))
    return jsonify(
        deliveries=[
            {
                "id": d.id,
                "event": d.event,
                "state": d.state,
                "attempts": d.attempts,
                "response_status": d.response_status,
                "error": d.error,
                "created_at": serialise.when(d.created_at),
                "delivered_at": serialise.when(d.delivered_at),
            }
            for d in rows
        ]
    )
