"""``/admin/webhooks``: vendor admins register, pause and remove webhooks and read their
delivery log, through the same service (``webhooks``) as the API's ``/api/v1/webhooks``.
The buttons are forms (CSRF-checked like every POST), so all of it works without JavaScript."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.api import webhooks
from helpdesk.api.forms import WebhookForm
from helpdesk.api.models import Webhook
from helpdesk.permissions import require_admin
from helpdesk.web import render

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@bp.before_request
@require_admin
def _admins_only():
    """Every page here is for vendor admins."""


def _page(form: WebhookForm, created: Webhook | None = None, status: int = 200):
    return render(
        "api/webhooks.html",
        status=status,
        form=form,
        created=created,
        hooks=webhooks.webhooks_with_counts(),
        event_labels=webhooks.EVENTS,
    )


def _hook(webhook_id: int) -> Webhook:
    hook = Webhook.get_or_none(Webhook.id == webhook_id)
    if hook is None:
        abort(404)
    return hook


@bp.route("", methods=["GET", "POST"])
def index():
    form = WebhookForm()
    if not form.is_submitted():
        return _page(form)
    if form.validate():
        try:
            hook = webhooks.register(
                current_user, form.url.data, form.events.data or [], form.allowed_host.data
            )
        except webhooks.WebhookError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            # The signing secret is shown on this answer only, never redirected to.
            return _page(WebhookForm(formdata=None), created=hook, status=201)
    return _page(form, status=422)


@bp.get("/<int:webhook_id>")
def deliveries(webhook_id: int):
    hook = _hook(webhook_id)
    return render(
        "api/webhook_deliveries.html",
        hook=hook,
        deliveries=webhooks.deliveries_of(hook),
        event_labels=webhooks.EVENTS,
    )


@bp.post("/<int:webhook_id>/active")
def set_active(webhook_id: int):
    hook = _hook(webhook_id)
    webhooks.set_active(current_user, hook, not hook.active)
    flash(_("The webhook is active.") if hook.active else _("The webhook is paused."), "info")
    return redirect(url_for(".index"), 303)


@bp.post("/<int:webhook_id>/remove")
def remove(webhook_id: int):
    hook = _hook(webhook_id)
    webhooks.remove(current_user, hook)
    flash(_("The webhook is removed."), "info")
    return redirect(url_for(".index"), 303)
