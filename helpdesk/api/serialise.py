"""What the API answers: cases, timeline entries, people, organisations, products and the
vendor's vocabulary as plain JSON values. Times are UTC in ISO 8601 with a ``Z``."""

from datetime import datetime

from helpdesk.policy import Label, current_policy


def when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None


def labelled(kind: str, key: str | None) -> dict | None:
    """A key of the vendor's vocabulary with its label in the caller's language."""
    if key is None:
        return None
    return {"key": key, "label": str(current_policy().label(kind, key))}


def both(label) -> dict:
    """A label in both languages."""
    if isinstance(label, Label):
        return {"de": label.de, "en": label.en}
    return {"de": str(label), "en": str(label)}


def person(user, agent_view: bool) -> dict | None:
    if user is None:
        return None
    shown = {"id": user.id, "name": user.name, "kind": user.kind}
    if agent_view or not user.is_agent:
        shown["email"] = user.email
    return shown


def named(row) -> dict | None:
    """A product, version or component: id and name in the caller's language."""
    if row is None:
        return None
    return {"id": row.id, "name": row.name}


def list_row(row: dict, agent: bool) -> dict:
    """A case of a list (a row of ``listing.list_page``)."""
    shown = {
        "call_id": row["call_id"],
        "subject": row["subject"],
        "status": labelled("status", row["status"]),
        "severity": labelled("severity", row["severity"]),
        "updated_at": when(row.get("updated_at")),
    }
    for key, kind in (("priority", "priority"), ("case_type", "case_type")):
        if key in row:
            shown[key] = labelled(kind, row[key])
    if "created_at" in row:
        shown["created_at"] = when(row["created_at"])
    if "product_name" in row:
        shown["product"] = row["product_name"]
    if "requester_name" in row:
        shown["requester"] = row["requester_name"]
    if agent:
        for key in ("organisation_name", "assignee_name"):
            if key in row:
                shown[key.removesuffix("_name")] = row[key]
    return shown


def case(case, entries, agent: bool, following: bool) -> dict:
    """A case with the timeline ``entries`` its reader may see."""
    shown = {
        "call_id": case.call_id,
        "subject": case.subject,
        "description": case.description,
        "status": labelled("status", case.status),
        "status_category": case.status_category,
        "is_open": case.is_open,
        "case_type": labelled("case_type", case.case_type),
        "severity": labelled("severity", case.severity),
        "priority": labelled("priority", case.priority),
        "product": named(case.product),
        "version": named(case.version),
        "component": named(case.component),
        "requester": person(case.requester, agent),
        "waiting_for": case.waiting_for,
        "created_at": when(case.created_at),
        "updated_at": when(case.updated_at),
        "following": following,
        "timeline": [entry_of(e, agent, case.call_id) for e in entries],
    }
    if agent:
        shown["organisation_id"] = case.organisation_id
        shown["assignee"] = person(case.assignee, True) if case.assignee_id else None
        shown["team"] = named(case.team)
    return shown


def entry_of(entry, agent: bool, call_id: str) -> dict:
    event = entry.event
    shown = {
        "id": event.id,
        "kind": event.kind,
        "author": {"id": entry.author.id, "name": entry.author.name} if entry.author else None,
        "created_at": when(event.created_at),
        "body": None if entry.hidden else event.body,
        "hidden": entry.hidden,
        "field": event.field,
        "old": entry.old and str(entry.old),
        "new": entry.new and str(entry.new),
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": f"/api/v1/cases/{call_id}/attachments/{a.id}",
            }
            for a in entry.attachments
        ],
    }
    if agent:
        shown["visibility"] = event.visibility
    return shown


def vocabulary() -> dict:
    """The vendor plugin's case types, severities, priorities and statuses in both languages."""
    policy = current_policy()
    return {
        "case_types": [{"key": t.key, "label": both(t.label)} for t in policy.case_types],
        "severities": [
            {"key": s.key, "label": both(s.label), "needs_impact": s.needs_impact}
            for s in policy.severities
        ],
        "priorities": [{"key": p.key, "label": both(p.label)} for p in policy.priorities],
        "statuses": [
            {
                "key": s.key,
                "label": both(s.label),
                "category": str(s.category),
                "customer_may_set": s.customer_may_set,
            }
            for s in policy.statuses
        ],
    }
