"""Mail to a person, rendered from a template in their language and written to the outbox.

Every mail the portal writes on its own (case notifications, password resets, invitations,
reminders, surveys) goes through ``send``: one template per mail in ``templates/mail/``,
one outbox row per recipient (each in their own language and time zone), threaded under its
case.

A template ``mail/<name>.txt`` defines the blocks ``subject`` and ``text``; an optional
``mail/<name>.html`` (usually extending ``mail/_layout.html``) the HTML alternative. A plugin
may name other templates for a mail (``helpdesk_mail_template``). Both get the ``context``
passed to ``send`` plus ``recipient`` (the ``User``, or None for a bare address), ``case``,
``external_url`` (absolute links under ``BASE_URL``), ``local_time`` (a stored time as the
recipient reads it: their zone, named) and, in the HTML, the rendered ``subject``.

From is the support address (``MAIL_DEFAULT_SENDER``) and Reply-To ``MAIL_REPLY_TO`` when set,
so an answer reaches the inbound channel; it finds the case again by the call id in the subject
("[#2026-00042]") and by the thread headers (``case_thread_id`` and the outbox's Message-IDs).
A mail to an agent about a case has the agent's reply token in its Message-ID
(``agent_tokens``): only an answer to it acts as the agent.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from jinja2.runtime import new_context
from jinja2_fragments.flask import render_block

from helpdesk.formats import datetime_text
from helpdesk.i18n import speaking
from helpdesk.mail import agent_tokens, outbox
from helpdesk.mail.models import OutboxMessage
from helpdesk.mail.reading import paragraphs
from helpdesk.oneline import flattened
from helpdesk.web import external_url


def case_thread_id(case) -> str:
    """The Message-ID every mail of ``case`` refers to, so mail programs show one thread."""
    domain = current_app.config["MAIL_DOMAIN"] or "helpdesk.invalid"
    return f"<case-{case.call_id}@{domain}>"


def template_for(name: str, language: str) -> str:
    """The template (without ``.txt``/``.html``) that writes mail ``name`` in ``language``:
    a plugin's choice, else the core's ``mail/<name>``."""
    # The manager from the app, not helpdesk.plugins: that module imports this one.
    hook = current_app.extensions["plugins"].hook
    return hook.helpdesk_mail_template(name=name, language=language) or f"mail/{name}"


def send(
    template: str,
    to,
    *,
    case=None,
    automatic: bool = True,
    language: str | None = None,
    sender_name: str | None = None,
    language_unknown: bool = False,
    **context,
) -> OutboxMessage:
    """Render ``template`` for ``to`` (a ``User`` or an address) and put it in the outbox,
    inside the caller's transaction. A mail about a case carries its call id in the subject
    and the case's thread headers. ``automatic`` marks it ``Auto-Submitted`` (RFC 3834): a
    notice the portal wrote, not a message a person typed. ``sender_name`` shows a person's
    name in From while the address stays the support address. ``language_unknown`` (for an
    address of nobody the portal knows) writes the text in every language the portal speaks,
    the default first."""
    user = None if isinstance(to, str) else to
    address = to if user is None else formataddr((flattened(user.name), user.email))
    language = language or (user.language if user is not None else None)
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    zone = _zone(user.timezone if user is not None else None)
    context.update(recipient=user, case=case, external_url=external_url)
    if user is None and language_unknown:
        subject, text = _in_every_language(template, zone, context)
        html = None
    else:
        subject, text, html = _rendered(template, language, zone, context)
    thread, id_tag = {}, None
    if case is not None:
        subject = f"[#{case.call_id}] {subject}"
        thread = {"in_reply_to": case_thread_id(case), "references": [case_thread_id(case)]}
        if user is not None and user.is_agent:  # lets the agent answer the case by mail
            id_tag = agent_tokens.tag(case.id, user.id)
    return outbox.enqueue(
        address,
        subject,
        text,
        html,
        case=case,
        automatic=automatic,
        sender=_sender(sender_name),
        reply_to=current_app.config["MAIL_REPLY_TO"],
        id_tag=id_tag,
        **thread,
    )


#: Set by ``rendering_once``: per template and language, what its mails have in common.
_prepared: ContextVar[dict | None] = ContextVar("mail_prepared", default=None)


@contextmanager
def rendering_once() -> Iterator[None]:
    """Inside (the timer sweep's batch: hundreds of mails from a few templates), each
    template is looked up, and the app's template context (its context processors: the
    branding, the case word) made, once per language; each mail then runs the template's
    compiled blocks in that context with its own values as variables. The text is the same
    as ``send`` writes outside (``tests/mail/test_notifications.py`` compares them)."""
    if _prepared.get() is not None:
        yield
        return
    token = _prepared.set({})
    try:
        yield
    finally:
        _prepared.reset(token)


class _Prepared:
    """A template's Jinja templates and the app's context in one language.

    A mail's contexts are made as ``Template.render`` makes them, from the template's globals
    (a plain dict: ``web.PageEnvironment``) and the mail's values in one dict."""

    def __init__(self, chosen: str):
        app = current_app._get_current_object()
        environment = app.jinja_env
        self.text = environment.get_template(f"{chosen}.txt")
        try:
            self.html = environment.get_template(f"{chosen}.html")
        except TemplateNotFound as missing:
            if missing.name != f"{chosen}.html":
                raise
            self.html = None
        self.from_text = environment.get_template("mail/_from_text.html")
        self.base: dict = {}
        app.update_template_context(self.base)
        self.environment = environment

    def _context(self, template, values: dict):
        """``template.new_context(values)``, with the globals already a dict."""
        parent = {**template.globals, **values}
        return new_context(
            self.environment, template.name, template.blocks, parent, True, template.globals
        )

    def block(self, name: str, values: dict) -> str:
        """The text template's block ``name`` for ``values``."""
        context = self._context(self.text, values)
        return self.environment.concat(self.text.blocks[name](context))

    def render(self, template, values: dict) -> str:
        """``template.render(values)``."""
        context = self._context(template, values)
        try:
            return self.environment.concat(template.root_render_func(context))
        except Exception:
            self.environment.handle_exception()


def _rendered(template: str, language: str, zone, context: dict):
    """Subject, text and HTML (or None) of ``template`` in ``language``."""
    chosen = template_for(template, language)
    context = dict(context, local_time=lambda at: _local_time(at, zone, language))
    prepared = _prepared.get()
    if prepared is not None:
        with speaking(language):
            if (chosen, language) not in prepared:
                prepared[chosen, language] = _Prepared(chosen)
            return _rendered_with(prepared[chosen, language], context)
    with speaking(language):
        subject = " ".join(render_block(f"{chosen}.txt", "subject", **context).split())
        text = render_block(f"{chosen}.txt", "text", **context).strip() + "\n"
        try:
            html = render_template(f"{chosen}.html", subject=subject, **context)
        except TemplateNotFound as missing:
            if missing.name != f"{chosen}.html":
                raise  # an existing HTML template that includes a missing one is a bug
            # No HTML of its own: the text in the one mail layout (MAIL-1), links clickable.
            html = render_template(
                "mail/_from_text.html",
                subject=subject,
                paragraphs=paragraphs(text, "color:#1c5fa8"),
                **context,
            )
    return subject, text, html


def _rendered_with(prepared: _Prepared, context: dict):
    """``_rendered`` with the template and the app's context prepared (``rendering_once``)."""
    context = {**prepared.base, **context}
    subject = " ".join(prepared.block("subject", context).split())
    text = prepared.block("text", context).strip() + "\n"
    context["subject"] = subject
    if prepared.html is not None:
        return subject, text, prepared.render(prepared.html, context)
    context["paragraphs"] = paragraphs(text, "color:#1c5fa8")
    return subject, text, prepared.render(prepared.from_text, context)


def _in_every_language(template: str, zone, context: dict) -> tuple[str, str]:
    """Subject and text of ``template`` in each language, the default first, one after the
    other (a plain text mail: the HTML alternative would say it in one language only)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = sorted(current_app.config["LANGUAGES"], key=lambda code: code != default)
    rendered = [_rendered(template, code, zone, context)[:2] for code in languages]
    subjects = list(dict.fromkeys(subject for subject, _text in rendered))
    return " / ".join(subjects), "\n-----\n\n".join(text for _subject, text in rendered)


def _sender(name: str | None) -> str | None:
    """The support address, shown as ``name (Support)`` when a person wrote the mail."""
    if not name:
        return None
    support_name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    name = flattened(name)
    return formataddr((f"{name} ({support_name})" if support_name else name, address))


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local_time(at: datetime, zone: ZoneInfo, language: str) -> str:
    """``at`` (naive UTC, as stored) in the recipient's zone, written as the portal's pages
    write it in their language (``formats``: the region's date and short time), with the
    zone: ``21 Dec 2026, 05:00 (America/New_York)``."""
    return datetime_text(at, "medium", locale=language, zone=zone) + f" ({zone.key})"
