"""Opening a case in a test the way the portal does: through ``helpdesk.cases.service``."""

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.policy import current_policy
from helpdesk.products.models import Product


def person(name_or_email: str) -> User:
    """The user with this e-mail address, or whose address starts with ``name@`` (the demo
    people: ``person("mia.member")``)."""
    if "@" in name_or_email:
        return User.get(User.email == name_or_email)
    return User.get(User.email.startswith(name_or_email + "@"))


def open_case(requester: User | str, **fields):
    """Open a case as ``requester`` (a ``User`` or a name for ``person``), in the current app
    context, through the same service function the web form, mail and phone channels call.

    Without ``fields`` it is about the first product, of the vendor's first case type and
    mildest severity; keyword arguments are ``NewCase`` fields and win.
    """
    policy = current_policy()
    values = {
        "requester": person(requester) if isinstance(requester, str) else requester,
        "product": Product.select().order_by(Product.id).first(),
        "subject": "Invoice run stops",
        "description": "Since the update the invoice run stops with an error.",
        "case_type": policy.case_types[0].key,
        "severity": policy.severities[-1].key,
    }
    values.update(fields)
    if values["product"] is None:
        raise LookupError("no product: load the demo data first (fixture demo_people)")
    needs_impact = {s.key for s in policy.severities if s.needs_impact}
    if "impact" not in fields and values["severity"] in needs_impact:
        values["impact"] = "Nobody can work."
    return service.open_case(service.NewCase(**values))
