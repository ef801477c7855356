"""Mail to case (MAIL-3): what one incoming mail becomes, whichever way it came in.

``receive`` is the one entry point of the pipe command and the IMAP poller. In order:

1. The same Message-ID seen before is a duplicate and left alone (a failed one is tried again).
2. Automatic mail (auto-replies, bounces, lists) is recorded as ignored: no case, no answer.
3. A From that does not name exactly one mailbox is held for an admin (``parse`` says why).
   The sender is the active user with that mailbox's address (of a deactivated organisation:
   the mail is held for an admin). A reply joins its case when the
   sender may write to it: the case is found by the thread headers (our outbox's Message-IDs, our
   case thread ids, earlier inbound mail) first, by a call id in the subject second. Forged
   headers name a case the sender may not write to and so join nothing.
4. A reply to a closed case opens a linked follow-up (seed 002). An agent's mail is the
   agent's public message only on a case that the agent's reply token in its thread headers
   proves (``helpdesk.mail.agent_tokens``); any other mail from an agent's address is held.
5. Otherwise a support-authorised customer's mail opens a case, typed by the
   ``helpdesk_mail_case`` hook, unless the vendor takes requests through the portal only
   (``helpdesk_mail_opens_cases``): then everyone but agents gets a polite answer pointing
   to the portal, in their language, and nothing is opened.
6. Everyone else follows ``MAIL_UNKNOWN_SENDERS``: "reject" answers with an explanation (rate
   limited per address, so two robots cannot loop), "hold" keeps it for an admin.

The inbound row, the case change and its notifications commit together, so a mail is taken
once or not at all. A database that does not answer raises (the caller tries again later);
any other error is recorded as ``failed`` with the reason.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from peewee import IntegrityError, InterfaceError, OperationalError

from helpdesk import ratelimit
from helpdesk.accounts import sessions
from helpdesk.accounts.models import User
from helpdesk.accounts.service import normalise_email
from helpdesk.cases import access, files, service, uploads
from helpdesk.cases.callids import find_call_ids
from helpdesk.cases.errors import CaseError
from helpdesk.cases.models import Case, Channel, Event, EventKind
from helpdesk.db import db
from helpdesk.hooks import plugin_manager
from helpdesk.i18n import speaking
from helpdesk.mail import agent_tokens, notify
from helpdesk.mail.inbound import classify
from helpdesk.mail.inbound.models import InboundMessage, InboundState
from helpdesk.mail.inbound.parse import ParsedMail, parse
from helpdesk.mail.inbound.trim import trim
from helpdesk.mail.models import OutboxMessage
from helpdesk.permissions import ensure_admin
from helpdesk.policy import Category
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)

#: Errors that say "the database is not there right now": the mail is not recorded at all,
#: so the MTA (exit 75) or the next poll brings it again.
TEMPORARY = (OperationalError, InterfaceError)

_CASE_THREAD = re.compile(r"^<case-(\d{4}-\d{5,})@[^>]+>$")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|antw|wg|fwd?|fw)\s*:\s*|\[#[\w-]+\]\s*)+", re.I)


@dataclass
class Outcome:
    state: InboundState
    reason: str | None = None
    message: InboundMessage | None = None
    duplicate: bool = False
    unknown_sender: bool = False


@dataclass
class _Decision:
    state: InboundState
    reason: str | None = None
    case: Case | None = None
    event: Event | None = None
    unknown_sender: bool = False


def receive(raw: bytes, source: str, *, reply: bool = True) -> Outcome:
    """Take one mail. ``reply`` False leaves refusals unanswered by mail: the pipe command
    refuses with its exit code instead, and the MTA tells the sender."""
    parsed = parse(raw)
    try:
        with db.atomic():
            row, duplicate = _claim(parsed, raw, source)
            if duplicate:
                return Outcome(InboundState(row.state), row.reason, row, duplicate=True)
            if bytes(row.raw) != raw:
                # A failed mail comes again as other bytes: the mail stored is the one decided,
                # so another mail that reuses its Message-ID cannot speak for its sender.
                parsed = parse(bytes(row.raw))
            try:
                with db.atomic(), _files_kept_only_on_commit():  # a refusal undoes only itself
                    decision = _decide(parsed, reply)
            except CaseError as error:
                decision = _Decision(InboundState.REFUSED, str(error))
                if reply:
                    _answer_refusal(parsed, str(error))
            _record(row, decision)
            return Outcome(decision.state, decision.reason, row, False, decision.unknown_sender)
    except TEMPORARY:
        raise
    except Exception as error:
        log.exception("inbound mail %s could not be processed", parsed.message_id)
        return _failed(parsed, raw, source, f"{type(error).__name__}: {error}")


def _claim(parsed: ParsedMail, raw: bytes, source: str) -> tuple[InboundMessage, bool]:
    """The row for this mail, and whether it was handled before. Two deliveries at once:
    the unique Message-ID lets one insert win; the other waits for its commit and leaves.
    A failed mail is claimed again by one conditional UPDATE, so it is retried once."""
    try:
        with db.atomic():
            row = InboundMessage.create(
                message_id=parsed.message_id,
                source=source,
                sender=parsed.sender[:254],
                subject=parsed.subject,
                state=InboundState.FAILED,  # replaced before commit
                raw=raw,
            )
            return row, False
    except IntegrityError:
        pass
    row = InboundMessage.get(InboundMessage.message_id == parsed.message_id)
    retried = (
        InboundMessage.update(source=source, reason=None)
        .where((InboundMessage.id == row.id) & (InboundMessage.state == InboundState.FAILED))
        .execute()
    )
    return row, not retried


def _record(row: InboundMessage, decision: _Decision) -> None:
    row.state = decision.state
    row.reason = decision.reason
    row.case = decision.case
    row.event = decision.event
    row.save(
        only=[
            InboundMessage.state,
            InboundMessage.reason,
            InboundMessage.case,
            InboundMessage.event,
        ]
    )


def _failed(parsed: ParsedMail, raw: bytes, source: str, reason: str) -> Outcome:
    with db.atomic():
        row = InboundMessage.get_or_none(InboundMessage.message_id == parsed.message_id)
        if row is None:
            row = InboundMessage.create(
                message_id=parsed.message_id,
                source=source,
                sender=parsed.sender[:254],
                subject=parsed.subject,
                state=InboundState.FAILED,
                reason=reason[:2000],
                raw=raw,
            )
        else:
            row.state, row.reason = InboundState.FAILED, reason[:2000]
            row.save(only=[InboundMessage.state, InboundMessage.reason])
    return Outcome(InboundState.FAILED, reason, row)


# -- Deciding -------------------------------------------------------------------------------


def _decide(parsed: ParsedMail, reply: bool) -> _Decision:
    automatic = classify.automatic_reason(parsed, own_addresses())
    if automatic:
        return _Decision(InboundState.IGNORED, automatic)
    if parsed.sender_problem:  # nobody to answer, and a forgery would look just like this
        return _Decision(InboundState.HELD, parsed.sender_problem)
    sender = _user(parsed.sender)
    if sender is not None and sender.is_agent:
        return _agent_mail(parsed, sender)
    if sender is not None and not sessions.account_open(sender):
        # Kept for an admin, unanswered: the organisation's data stays, its mail opens nothing.
        return _Decision(InboundState.HELD, "the sender's organisation is deactivated")
    case = _thread_case(parsed, sender) if sender is not None else None
    if case is not None:
        return _join(case, sender, parsed)
    if not (sender is not None and sender.is_agent) and not _mail_opens_cases():
        if reply:
            _answer_refusal(parsed, None, template="inbound_portal_only", to=sender)
        return _Decision(InboundState.REFUSED, "requests are taken through the portal only")
    if sender is not None and sender.is_customer and sender.support_authorised:
        case, event, reason = open_from_mail(sender, parsed)
        return _Decision(InboundState.TAKEN, reason, case, event)
    reason = "unknown sender" if sender is None else "sender may not open cases"
    if current_app.config["MAIL_UNKNOWN_SENDERS"] == "hold":
        return _Decision(InboundState.HELD, reason, unknown_sender=True)
    if reply:
        _answer_refusal(parsed, None)
    return _Decision(InboundState.REFUSED, reason, unknown_sender=True)


def _agent_mail(parsed: ParsedMail, agent: User) -> _Decision:
    """An agent's mail acts as the agent only on a case that a reply token of this agent in
    its thread headers proves (``agent_tokens``). Anything else is held for an admin: a
    forgery looks exactly like an agent who wrote a new mail instead of answering ours."""
    for case_id in agent_tokens.proven_cases(parsed.thread_ids, agent.id):
        case = Case.get_or_none(Case.id == case_id)
        if case is not None and access.may_write(agent, case):
            return _join(case, agent, parsed)
    if _thread_case(parsed, agent) is not None:
        return _Decision(InboundState.HELD, "an agent's mail without our reply token for its case")
    return _Decision(InboundState.HELD, "an agent's mail that answers no case")


def own_addresses() -> set[str]:
    """The portal's own addresses: mail from them is a loop."""
    return {parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].lower()}


def _user(address: str) -> User | None:
    if not address:
        return None
    return User.get_or_none((User.email == normalise_email(address)) & User.active)


def _thread_case(parsed: ParsedMail, sender: User) -> Case | None:
    """The case this mail answers and ``sender`` may write to: by thread headers first, by a
    call id in the subject second."""
    candidates = [case for mid in parsed.thread_ids if (case := case_of_message_id(mid))]
    for call_id in find_call_ids(parsed.subject):
        case = Case.get_or_none(Case.call_id == call_id)
        if case is not None:
            candidates.append(case)
    return next((case for case in candidates if access.may_write(sender, case)), None)


def case_of_message_id(message_id: str) -> Case | None:
    """The case a Message-ID belongs to: a mail we sent, a case thread, a mail we took."""
    sent = OutboxMessage.get_or_none(
        (OutboxMessage.message_id == message_id) & OutboxMessage.case.is_null(False)
    )
    if sent is not None:
        return Case.get_by_id(sent.case_id)
    thread = _CASE_THREAD.match(message_id)
    if thread:
        return Case.get_or_none(Case.call_id == thread.group(1))
    taken = InboundMessage.get_or_none(
        (InboundMessage.message_id == message_id) & InboundMessage.case.is_null(False)
    )
    return Case.get_by_id(taken.case_id) if taken is not None else None


def _join(case: Case, sender: User, parsed: ParsedMail) -> _Decision:
    text = trim(parsed.text, parsed.subject)
    attachments, refused = _attachments(parsed, sender)
    if sender.is_customer and case.status_category == Category.CLOSED:
        follow_up = service.open_follow_up(
            case,
            sender,
            case_subject(parsed),
            text or case_subject(parsed),
            attachments,
            channel=Channel.MAIL,
        )
        return _Decision(
            InboundState.TAKEN,
            _reason(f"follow-up of the closed case {case.call_id}", refused),
            follow_up,
            _opened_event(follow_up),
        )
    if not text and not attachments:
        raise _nothing_to_add(sender, refused)
    event = service.add_message(case, sender, text, attachments)
    return _Decision(InboundState.TAKEN, _reason(None, refused), case, event)


def _nothing_to_add(sender: User, refused: list[str]) -> CaseError:
    """The refusal of a reply without text or a file we keep, in the sender's language:
    which files were refused and why, when that is the reason."""
    with speaking(_language_of(sender)):
        if refused:
            return CaseError(
                _(
                    "Your mail has no text, and its files could not be kept: %(reasons)s",
                    reasons=" ".join(refused),
                )
            )
        return CaseError(_("Please write a message or add a file."))


def _language_of(user: User) -> str:
    return user.language or current_app.config["BABEL_DEFAULT_LOCALE"]


def open_from_mail(
    requester: User, parsed: ParsedMail, opened_by: User | None = None
) -> tuple[Case, Event, str | None]:
    """Open a case for ``requester`` from a mail, typed by ``helpdesk_mail_case``; an admin
    accepting a held mail is ``opened_by``. Returns the case, its first entry and a note on
    attachments that were not kept."""
    answer = plugin_manager().hook.helpdesk_mail_case(sender=requester, subject=parsed.subject)
    product = None
    if answer.product:
        product = Product.get_or_none((Product.key == answer.product) & Product.active)
    if product is None:
        product = Product.select().where(Product.active).order_by(Product.id).first()
    if product is None:
        raise RuntimeError("there is no active product to open a case for")
    text = trim(parsed.text, parsed.subject)
    attachments, refused = _attachments(parsed, opened_by or requester)
    case = service.open_case(
        service.NewCase(
            requester=requester,
            product=product,
            subject=case_subject(parsed),
            description=text or case_subject(parsed),
            case_type=answer.case_type,
            severity=answer.severity,
            channel=Channel.MAIL,
            opened_by=opened_by,
        ),
        attachments,
    )
    return case, _opened_event(case), _reason(None, refused)


def case_subject(parsed: ParsedMail) -> str:
    subject = _REPLY_PREFIX.sub("", parsed.subject).strip()
    return (subject or _("Mail from %(sender)s", sender=parsed.sender))[:200]


def _opened_event(case: Case) -> Event:
    return (
        Event.select()
        .where((Event.case == case) & (Event.kind == EventKind.OPENED))
        .order_by(Event.id)
        .first()
    )


def _attachments(parsed: ParsedMail, uploader: User) -> tuple[list, list[str]]:
    """The mail's files, checked like web uploads (type by content, size limit); returns
    those kept as pending uploads of ``uploader`` and the reasons of those refused, in the
    uploader's language."""
    kept, refused = [], []
    for attachment in parsed.attachments:
        try:
            with speaking(_language_of(uploader)):
                stored = files.store(attachment.filename, attachment.data)
        except files.UploadError as error:
            refused.append(str(error))
            continue
        kept.append(uploads.pending_upload(uploader, stored))
        stored_now = _stored.get()
        if stored_now is not None:
            stored_now.append(stored.stored_name)
    return kept, refused


#: Files written to the upload folder by the change in progress (see below).
_stored: ContextVar[list[str] | None] = ContextVar("inbound_stored", default=None)


@contextmanager
def _files_kept_only_on_commit() -> Iterator[None]:
    """Remove the files a change stored when it fails: its attachment rows roll back, and
    files no row names would stay in the upload folder for good. Enter it inside the
    transaction, so it sees the exception before the rollback."""
    token = _stored.set([])
    try:
        yield
    except BaseException:
        for stored_name in _stored.get():
            files.remove(stored_name)
        raise
    finally:
        _stored.reset(token)


def _reason(text: str | None, refused: list[str]) -> str | None:
    parts = ([text] if text else []) + [f"attachment not kept: {r}" for r in refused]
    return "; ".join(parts) or None


def _mail_opens_cases() -> bool:
    """Whether the vendor takes new requests by mail (``helpdesk_mail_opens_cases``)."""
    return plugin_manager().hook.helpdesk_mail_opens_cases() is not False


def _answer_refusal(
    parsed: ParsedMail,
    reason: str | None,
    template: str = "inbound_refused",
    to: User | None = None,
) -> None:
    """Explain to the sender why their mail opened nothing, at most a few times per hour per
    address: in the language of ``to``, else of the sender when the portal knows them, else in
    every language. Never to automatic mail: ``_decide`` ignores that before it gets here."""
    if not parsed.sender or "@" not in parsed.sender:
        return
    if not ratelimit.allow("inbound_refusal", parsed.sender):
        log.info("inbound: not answering %s again so soon", parsed.sender)
        return
    notify.send(
        template,
        to or _user(parsed.sender) or parsed.sender,
        automatic=True,
        language_unknown=True,
        original_subject=parsed.subject,
        reason=reason,
    )


# -- Admin decisions -------------------------------------------------------------------------


def accept(row: InboundMessage, requester: User, agent: User) -> Case:
    """An admin opens the held mail ``row`` as a case of ``requester``."""
    ensure_admin(agent)
    if row.state != InboundState.HELD:
        raise CaseError(_("Only held mail can be accepted."))
    with db.atomic(), _files_kept_only_on_commit():
        case, event, reason = open_from_mail(requester, parse(bytes(row.raw)), opened_by=agent)
        accepted = f"accepted by {agent.email} for {requester.email}"
        row.reason = "; ".join(filter(None, (accepted, reason)))
        row.state, row.case, row.event = InboundState.TAKEN, case, event
        row.save()
    return case


def refuse(row: InboundMessage, agent: User) -> bool:
    """An admin refuses the held mail ``row``; nothing is answered. False if not held."""
    ensure_admin(agent)
    return bool(
        InboundMessage.update(
            state=InboundState.REFUSED, reason=f"refused by {agent.email} on {utcnow():%Y-%m-%d}"
        )
        .where((InboundMessage.id == row.id) & (InboundMessage.state == InboundState.HELD))
        .execute()
    )


def retry(row: InboundMessage, agent: User) -> Outcome:
    """An admin has a failed mail processed again, as if it had just come in."""
    ensure_admin(agent)
    return receive(bytes(row.raw), row.source)
