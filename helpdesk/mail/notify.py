"""Mail to a person, rendered from a template in their language and written to the outbox.

Every mail the portal writes on its own (case notifications, password resets, invitations,
reminders, surveys) goes through ``send``: one template per mail in ``templates/mail/``,
one outbox row per recipient (each in their own language), threaded under its case.

A template ``mail/<name>.txt`` defines the blocks ``subject`` and ``text``; an optional
``mail/<name>.html`` the HTML alternative. Both get the ``context`` passed to ``send`` plus
``recipient`` (the ``User``, or None for a bare address), ``case`` and ``external_url``
(absolute links under ``BASE_URL``).
"""

from email.utils import formataddr

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from jinja2_fragments.flask import render_block

from helpdesk.i18n import speaking
from helpdesk.mail import outbox
from helpdesk.mail.models import OutboxMessage
from helpdesk.web import external_url


def case_thread_id(case) -> str:
    """The Message-ID every mail of ``case`` refers to, so mail programs show one thread."""
    domain = current_app.config["MAIL_DOMAIN"] or "helpdesk.invalid"
    return f"<case-{case.call_id}@{domain}>"


def send(
    template: str,
    to,
    *,
    case=None,
    automatic: bool = True,
    language: str | None = None,
    **context,
) -> OutboxMessage:
    """Render ``template`` for ``to`` (a ``User`` or an address) and put it in the outbox,
    inside the caller's transaction. A mail about a case carries its call id in the subject
    and the case's thread headers."""
    user = None if isinstance(to, str) else to
    address = to if user is None else formataddr((user.name, user.email))
    language = language or (user.language if user is not None else None)
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.update(recipient=user, case=case, external_url=external_url)
    with speaking(language):
        subject = " ".join(render_block(f"mail/{template}.txt", "subject", **context).split())
        text = render_block(f"mail/{template}.txt", "text", **context).strip() + "\n"
        try:
            html = render_template(f"mail/{template}.html", **context)
        except TemplateNotFound:
            html = None
    thread = {}
    if case is not None:
        subject = f"[#{case.call_id}] {subject}"
        thread = {"in_reply_to": case_thread_id(case), "references": [case_thread_id(case)]}
    return outbox.enqueue(address, subject, text, html, case=case, automatic=automatic, **thread)
