"""The audit log (REP-2): who changed which rights or settings, when, from what to what.

``record`` writes one row in the caller's transaction, so the log and the change it
describes are committed together or not at all. Rows are never updated or deleted.
``before`` and ``after`` are small dicts of the changed values (JSON text in the table).
"""

import json
from datetime import datetime

from peewee import JOIN, AutoField, CharField, DateTimeField, ForeignKeyField, TextField

from helpdesk.accounts.models import Organisation, User
from helpdesk.db import BaseModel
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.policy import current_policy
from helpdesk.timeutil import utcnow

#: Every action the log knows, as the audit page names it; ``record`` refuses any other, so a
#: new kind of change cannot reach the page without a name in both languages.
ACTIONS = {
    "agent.created": _l("Agent created"),
    "agent.updated": _l("Agent changed"),
    "agent.password": _l("Agent's password set"),
    "team.created": _l("Team created"),
    "team.renamed": _l("Team renamed"),
    "product.created": _l("Product created"),
    "product.updated": _l("Product changed"),
    "version.created": _l("Version created"),
    "version.updated": _l("Version changed"),
    "version.moved": _l("Version moved"),
    "component.created": _l("Component created"),
    "component.renamed": _l("Component renamed"),
    "organisation.created": _l("Organisation created"),
    "organisation.updated": _l("Organisation changed"),
    "organisation.profile": _l("Organisation profile changed"),
    "domain.added": _l("Domain added"),
    "domain.removed": _l("Domain removed"),
    "news_address.added": _l("News address added"),
    "news_address.confirmed": _l("News address confirmed"),
    "news_address.removed": _l("News address removed"),
    "user.rights": _l("Rights changed"),
    "user.enabled": _l("User enabled"),
    "user.disabled": _l("User disabled"),
    "user.removed": _l("User removed"),
    "user.profile": _l("Profile changed"),
    "user.picture": _l("Picture changed"),
    "user.picture_removed": _l("Picture removed"),
    "user.password": _l("Own password changed"),
    "user.email": _l("E-mail address changed"),
    # Contracts and the data-processing agreement (DOC-1, DOC-2)
    "contract.created": _l("Contract added"),
    "contract.file": _l("Contract file added"),
    "agreement.template": _l("Agreement template uploaded"),
    "agreement.issued": _l("Agreement issued"),
    "agreement.signed": _l("Signed agreement uploaded"),
    "agreement.countersigned": _l("Countersigned agreement uploaded"),
    "time.recorded": _l("Time recorded"),
    "time.corrected": _l("Time record corrected"),
    "case.settled": _l("Case settled"),
    "development.planned": _l("Planned release set"),
    # reports (issue 17)
    "report.exported": _l("Report data downloaded"),
    "cases.exported": _l("Case list downloaded"),
    "invitation.sent": _l("Invitation sent"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "registration.approved": _l("Registration approved"),
    "registration.rejected": _l("Registration rejected"),
    "two_factor.enabled": _l("Two-factor sign-in turned on"),
    "two_factor.disabled": _l("Two-factor sign-in turned off"),
    "two_factor.recovery_code_used": _l("Recovery code used"),
    "calendar.changed": _l("Business calendar changed"),
    "calendar.reset": _l("Business calendar reset to the vendor's"),
    # The API (issue 18)
    "api_token.created": _l("Access token created"),
    "api_token.revoked": _l("Access token revoked"),
    "sign_in_link.created": _l("Sign-in link created"),
    "webhook.created": _l("Webhook registered"),
    "webhook.removed": _l("Webhook removed"),
    "webhook.active": _l("Webhook paused or resumed"),
    # Single sign-on (issue 20)
    "sign_in_provider.created": _l("Sign-in provider added"),
    "sign_in_provider.updated": _l("Sign-in provider changed"),
    "sso.linked": _l("Account linked to a sign-in provider"),
    "mailbox.oauth2": _l("Mail connection's OAuth2 set"),
    # the knowledge base (issue 14)
    "article.created": _l("Article created"),
    "article.updated": _l("Article changed"),
    "article.state": _l("Article published or withdrawn"),
    "category.created": _l("Knowledge category created"),
    "organisation.products": _l("Organisation's products changed"),
    "announcement.published": _l("Announcement published"),
    "news.unsubscribed": _l("Address unsubscribed from announcements"),
    "download.created": _l("Download added"),
    "article.proposed": _l("Article proposed by a customer"),
    "article.file_added": _l("File added to an article"),
    # the admin's settings (issue 16)
    "settings.changed": _l("Portal settings changed"),
}

#: The names of the values the log keeps, where they differ from the stored key.
FIELDS = {
    "name": _l("Name"),
    "email": _l("Email address"),
    "key": _l("Key"),
    "phone": _l("Phone"),
    "language": _l("Language"),
    "timezone": _l("Time zone"),
    "team": _l("Team"),
    "support_level": _l("Support level"),
    "is_manager": _l("Team manager"),
    "is_admin": _l("Administrator"),
    "active": _l("Active"),
    "is_active": _l("Active"),
    "contract_class": _l("Contract class"),
    "case_visibility": _l("Who sees which cases"),
    "customer_role": _l("Role"),
    "support_authorised": _l("May open cases"),
    "information_recipient": _l("Receives information"),
    "sees_all_correspondence": _l("Reads all correspondence"),
    "correspondence_address": _l("Correspondence address"),
    "billing_address": _l("Billing address"),
    "delivery_address": _l("Delivery address"),
    "domain": _l("Domain"),
    "position": _l("Position"),
    "picture_version": _l("Picture"),
    "title": _l("Title"),
    "kind": _l("Kind"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "products": _l("Products"),
    "file": _l("File"),
    "agreement": _l("Data-processing agreement"),
    "minutes": _l("Minutes"),
    "billable": _l("Billable"),
    "planned_release": _l("Planned release"),
    "worked_on": _l("Day"),
    "activity": _l("Activity"),
    "figure": _l("Figure"),
    "format": _l("Format"),
    "filters": _l("Filters"),
    "start": _l("From"),
    "end": _l("To"),
    "product": _l("Product"),
    "organisation": _l("Organisation"),
    "calendar": _l("Calendar"),
    "scopes": _l("Scopes"),
    "expires_at": _l("Expires"),
    "url": _l("Address"),
    "events": _l("Events"),
    "allowed_host": _l("Allowed host"),
    "title_de": _l("Title in German"),
    "title_en": _l("Title in English"),
    "body_de": _l("Text in German"),
    "body_en": _l("Text in English"),
    "audience": _l("Who may read it"),
    "state": _l("State"),
    "two_factor_for_agents": _l("Two-factor sign-in required for agents"),
    "brand_name": _l("Vendor name"),
    "brand_colour": _l("Colour"),
    "brand_logo": _l("Logo"),
    "brand_favicon": _l("Favicon"),
}


class AuditLog(BaseModel):
    id = AutoField()
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    organisation = ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    action = CharField(max_length=100)
    target_type = CharField(max_length=50)
    target_id = CharField(max_length=50, null=True)
    before = TextField(null=True)
    after = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        # Per organisation and overall, newest first (the id orders rows of one instant).
        indexes = (
            (("organisation", "id"), False),
            # the audit page's filters (issue 17) and the retention prune
            (("actor", "id"), False),
            (("action", "id"), False),
            (("created_at",), False),
        )

    @property
    def before_values(self) -> dict:
        return json.loads(self.before) if self.before else {}

    @property
    def after_values(self) -> dict:
        return json.loads(self.after) if self.after else {}

    @property
    def action_label(self):
        return ACTIONS.get(self.action, self.action)


def field_label(key: str):
    """The name of a logged value for the audit page (the key itself if it has none)."""
    return FIELDS.get(key, key)


#: Logged values that are keys of the vendor's vocabulary, shown by their label.
POLICY_VALUES = ("contract_class",)


def value_text(value, key: str | None = None):
    """A logged value as the audit page shows it: yes or no for flags, a dash for nothing, the
    vendor's label for a key of its vocabulary (a contract class)."""
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    if value in (None, ""):
        return "–"
    if key in POLICY_VALUES:
        return current_policy().label(key, value)
    return value


def _organisation_of(target) -> int | None:
    if isinstance(target, Organisation):
        return target.id
    return getattr(target, "organisation_id", None)


def record(actor, action: str, target, before: dict | None, after: dict | None) -> AuditLog:
    """Log that ``actor`` (a user, or None for the system) did ``action`` to ``target`` (a
    model instance); the organisation is the target's own or the target itself."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: name it in audit.ACTIONS")
    return AuditLog.create(
        actor=actor.id if actor is not None else None,
        organisation=_organisation_of(target),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(target.id) if getattr(target, "id", None) is not None else None,
        before=json.dumps(before, sort_keys=True, default=str) if before is not None else None,
        after=json.dumps(after, sort_keys=True, default=str) if after is not None else None,
    )


def changes(instance, fields: list[str], values: dict) -> tuple[dict, dict]:
    """The ``before`` and ``after`` of setting ``values`` on ``instance``: only the fields
    that really change; applies them to ``instance`` (not saved)."""
    before, after = {}, {}
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            before[name] = getattr(instance, name)
            after[name] = values[name]
            setattr(instance, name, values[name])
    return before, after


def entries(
    organisation_id: int | None = None,
    actor_id: int | None = None,
    kind: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
):
    """The log newest first with the actors joined; filtered by organisation, by who acted,
    by kind (an action, or the part before its dot: ``invitation``) and by the period from
    ``start`` up to ``end`` when given."""
    query = (
        AuditLog.select(AuditLog, User)
        .join(User, JOIN.LEFT_OUTER, on=(AuditLog.actor == User.id))
        .order_by(AuditLog.id.desc())
    )
    if organisation_id is not None:
        query = query.where(AuditLog.organisation == organisation_id)
    if actor_id is not None:
        query = query.where(AuditLog.actor == actor_id)
    if kind in ACTIONS:
        query = query.where(AuditLog.action == kind)
    elif kind in KINDS:
        query = query.where(AuditLog.action.startswith(kind + "."))
    if start is not None:
        query = query.where(AuditLog.created_at >= start)
    if end is not None:
        query = query.where(AuditLog.created_at < end)
    return query


#: The kinds of change the audit page filters by: the part of every action before its dot.
KINDS = sorted({action.split(".")[0] for action in ACTIONS})


def prune(before: datetime) -> int:
    """Delete the rows written before ``before``: the retention (``AUDIT_RETENTION_DAYS``),
    the only deletion the log ever sees."""
    return AuditLog.delete().where(AuditLog.created_at < before).execute()
