"""Webhooks (issue 18): a vendor admin registers URLs for events; each event is delivered as a
signed JSON POST, queued on huey, retried with growing pauses, and logged.

Events: a case opened (``case.opened``), a public message (``case.message``), a status
changed (``case.status``), a case closed (``case.closed``), a survey answered
(``survey.answered``). The body names the case (call id, status) and the event, never the
text of a message: a receiver reads what its token may read through the API.

Signing: ``X-Helpdesk-Signature: sha256=<hex>``, the HMAC-SHA256 under the webhook's secret
of ``<X-Helpdesk-Timestamp>.<body>``, so a receiver can refuse replays. Deliveries are
written in the transaction of the change (a rolled-back change sends nothing) and handed to
the queue after commit; a periodic sweep sends what is due (retries, and what no request
handed over). Targets are checked by ``addresses.check`` before every request, redirects
included (at most ``MAX_REDIRECTS``), and each request goes to exactly the address checked
(``addresses.resolve``; no second DNS lookup to rebind).
"""

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urljoin

import urllib3
from flask import g, has_app_context
from peewee import fn

from helpdesk import audit
from helpdesk.accounts.models import User
from helpdesk.api.addresses import AddressError, Target, check, resolve
from helpdesk.api.models import Webhook, WebhookDelivery
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import EventKind, Visibility
from helpdesk.db import db
from helpdesk.hookspecs import hookimpl
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import ensure_admin
from helpdesk.policy import Category
from helpdesk.timeutil import utcnow

EVENTS = {
    "case.opened": _l("Case opened"),
    "case.message": _l("Public message"),
    "case.status": _l("Status changed"),
    "case.closed": _l("Case closed"),
    "survey.answered": _l("Survey answered"),
}
#: Pauses before the 2nd, 3rd ... try; after the last a delivery is failed for good.
RETRY_PAUSES = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1))
MAX_REDIRECTS = 3
TIMEOUT = 10  # seconds for connecting and for each read
_PENDING = "_webhook_deliveries"


class WebhookError(CaseError):
    """A webhook that cannot be registered as asked."""


def register(actor: User, url: str, events, allowed_host: str | None = None):
    """Register ``url`` for ``events``; returns the webhook (its ``secret`` signs)."""
    ensure_admin(actor)
    url = (url or "").strip()
    chosen = [name for name in EVENTS if name in set(events or ())]
    if not chosen or not set(events) <= set(EVENTS):
        raise WebhookError(_l("Please choose at least one of the offered events."), "events")
    if len(url) > 2000:
        raise WebhookError(_l("Please give an http or https address."), "url")
    allowed_host = (allowed_host or "").strip().lower() or None
    try:
        check(url, allowed_host)
    except AddressError as error:
        raise WebhookError(str(error), "url") from None
    with db.atomic():
        hook = Webhook.create(
            url=url,
            events=" ".join(chosen),
            secret=secrets.token_hex(32),
            allowed_host=allowed_host,
            created_by=actor.id,
        )
        audit.record(
            actor,
            "webhook.created",
            hook,
            None,
            {"url": url, "events": hook.events, "allowed_host": allowed_host},
        )
    return hook


def remove(actor: User, hook: Webhook) -> None:
    ensure_admin(actor)
    with db.atomic():
        audit.record(actor, "webhook.removed", hook, {"url": hook.url}, None)
        hook.delete_instance()


def set_active(actor: User, hook: Webhook, active: bool) -> None:
    """Pause (``active=False``) or resume a webhook: a paused one is announced nothing."""
    ensure_admin(actor)
    if hook.active == active:
        return
    with db.atomic():
        audit.record(actor, "webhook.active", hook, {"active": hook.active}, {"active": active})
        hook.active = active
        hook.save()


def webhooks_with_counts() -> list[Webhook]:
    """Every webhook, oldest first, with how many of its deliveries are ``pending``,
    ``sent`` and ``failed`` (one query)."""
    counts = {}
    query = WebhookDelivery.select(
        WebhookDelivery.webhook, WebhookDelivery.state, fn.COUNT(WebhookDelivery.id).alias("n")
    ).group_by(WebhookDelivery.webhook, WebhookDelivery.state)
    for row in query:
        counts.setdefault(row.webhook_id, {})[row.state] = row.n
    hooks = list(Webhook.select().order_by(Webhook.id))
    for hook in hooks:
        hook.counts = counts.get(hook.id, {})
    return hooks


def deliveries_of(hook: Webhook, limit: int = 100) -> list[WebhookDelivery]:
    """The delivery log of ``hook``, newest first."""
    query = WebhookDelivery.select().where(WebhookDelivery.webhook == hook.id)
    return list(query.order_by(WebhookDelivery.id.desc()).limit(limit))


# -- Events ------------------------------------------------------------------------------


def announce(event: str, payload: dict) -> int:
    """Write a delivery of ``event`` for every active webhook that wants it (in the caller's
    transaction); they are queued after commit. Returns how many."""
    hooks = [h for h in Webhook.select().where(Webhook.active) if event in h.event_names]
    body = json.dumps({"event": event, "at": utcnow().isoformat() + "Z", **payload})
    for hook in hooks:
        delivery = WebhookDelivery.create(webhook=hook.id, event=event, payload=body)
        if has_app_context():
            g.setdefault(_PENDING, []).append(delivery.id)
    return len(hooks)


def _case_events(event) -> list[str]:
    if event.kind == EventKind.OPENED:
        return ["case.opened"]
    if event.kind == EventKind.MESSAGE and event.visibility == Visibility.PUBLIC:
        return ["case.message"]
    if event.kind == EventKind.STATUS:
        closed = event.case.status_category == Category.CLOSED
        return ["case.status", "case.closed"] if closed else ["case.status"]
    return []


@hookimpl
def helpdesk_case_changed(events):
    """Announce the case's changes that webhooks can ask for."""
    if not Webhook.select().where(Webhook.active).exists():
        return
    for event in events:
        for name in _case_events(event):
            case = event.case
            announce(
                name,
                {
                    "call_id": case.call_id,
                    "status": case.status,
                    "status_category": case.status_category,
                    "entry": event.id,
                },
            )


def survey_answered(survey) -> None:
    """Announce an answered survey (its case and rating)."""
    announce(
        "survey.answered",
        {"call_id": survey.case.call_id, "rating": survey.rating},
    )


def take_committed() -> list[int]:
    """The deliveries written in this app context whose transaction committed."""
    if not has_app_context() or db.in_transaction() or not g.get(_PENDING):
        return []
    ids = g.pop(_PENDING)
    query = WebhookDelivery.select(WebhookDelivery.id).where(
        WebhookDelivery.id.in_(ids) & (WebhookDelivery.state == "pending")
    )
    return [row.id for row in query]


# -- Delivering --------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _request(target: Target, body: bytes, headers: dict) -> urllib3.BaseHTTPResponse:
    """POST to exactly the checked address, asking for the checked host's name (``Host``;
    for https also the certificate's name and SNI), without following redirects."""
    kwargs = {"timeout": urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT), "retries": False}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **kwargs,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **kwargs)
    with pool:
        return pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=True,
        )


def _post(hook: Webhook, body: bytes) -> int:
    """POST ``body`` to the hook's URL, following redirects only to checked addresses."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "helpdesk-webhooks/1",
        "X-Helpdesk-Timestamp": timestamp,
        "X-Helpdesk-Signature": signature(hook.secret, timestamp, body),
    }
    url = hook.url
    for _hop in range(MAX_REDIRECTS + 1):
        response = _request(resolve(url, hook.allowed_host), body, headers)
        if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
            url = urljoin(url, response.headers["Location"])
            continue
        return response.status
    raise AddressError(_l("Too many redirects."))


def deliver(pk: int) -> str | None:
    """Try delivery ``pk`` once if it is due; returns its state afterwards (None: not found)."""
    now = utcnow()
    delivery = (
        WebhookDelivery.select(WebhookDelivery, Webhook)
        .join(Webhook)
        .where(WebhookDelivery.id == pk)
        .first()
    )
    if delivery is None or delivery.state != "pending" or delivery.next_try_at > now:
        return delivery.state if delivery else None
    status, error = None, None
    try:
        status = _post(delivery.webhook, delivery.payload.encode())
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (AddressError, urllib3.exceptions.HTTPError, OSError) as problem:
        error = f"{type(problem).__name__}: {problem}"[:2000]
    attempts = delivery.attempts + 1
    changes = {"attempts": attempts, "response_status": status, "error": error}
    if error is None:
        changes.update(state="sent", delivered_at=utcnow())
    elif attempts > len(RETRY_PAUSES):
        changes["state"] = "failed"
    else:
        changes["next_try_at"] = utcnow() + RETRY_PAUSES[attempts - 1]
    WebhookDelivery.update(changes).where(
        (WebhookDelivery.id == pk) & (WebhookDelivery.attempts == delivery.attempts)
    ).execute()
    return changes.get("state", "pending")


def due() -> list[int]:
    """The deliveries to try now (retries, and any no request handed over)."""
    query = WebhookDelivery.select(WebhookDelivery.id).where(
        (WebhookDelivery.state == "pending") & (WebhookDelivery.next_try_at <= utcnow())
    )
    return [row.id for row in query.order_by(WebhookDelivery.id).limit(500)]
