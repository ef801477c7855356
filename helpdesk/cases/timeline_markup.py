"""The entries of a case's timeline (the loop of ``templates/cases/_timeline.html``), rendered
in Python.

Every entry has a head sentence chosen by the kind of event, an avatar, badges, links, a time,
then its text and files; through Jinja's ``{% if %}`` chain, a dozen ``_()`` calls and the
``file_list`` macro, the entries were a large part of a case page's Python.
Measured with ``python -m bench.inprocess --cases 20000 --rounds 5 --requests 100`` (SQLite,
CPU per request and share of the signed-in floor, median of 5 rounds; the base commit and
this one in turn, four times each, on a quiet machine):

====================================  =====================  ===================
page                                  Jinja loop             Python
====================================  =====================  ===================
case detail, 10 messages (customer)   2.80-3.03 ms, 46-47%   2.73-2.88 ms, 49%
case detail, 10 messages (agent)      4.07-4.33 ms, 31-33%   4.04-4.21 ms, 32-33%
====================================  =====================  ===================

The markup is the template's, byte for byte (its blank lines included, so that moving the loop
here changed no page): the sentences keep their msgids and go through ``helpdesk.i18n``'s
gettext, and every value from the database is escaped (``markupsafe.escape``) as the
template's ``_()`` escaped it.
"""

from flask import url_for
from markupsafe import Markup, escape

from helpdesk.cases import files
from helpdesk.formats import message
from helpdesk.i18n import gettext as _
from helpdesk.web import case_url, fixed_url

#: The indentation of the template's lines in an entry's head.
_LINE = "\n        "
#: Stands in for a number while a URL of numbers is built once (no route has it).
_NUMBER = 987_654_321


def entries(case, shown, children, mails, times, field_labels, support_labels, size_of) -> Markup:
    """The timeline entries ``shown`` (``detail.Entry``) after the opening one; ``children``
    the follow-up cases the user sees (linked), ``mails`` entry id -> inbound mail id."""
    child_ids = {child.call_id for child in children}
    return Markup(
        "".join(
            _entry(case, entry, child_ids, mails, times, field_labels, support_labels, size_of)
            for entry in shown
        )
    )


def _entry(case, entry, child_ids, mails, times, field_labels, support_labels, size_of) -> str:
    event = entry.event
    author = entry.author
    name = author.name if author else Markup(_("System"))
    classes = f"entry entry-{escape(event.kind)}"
    if entry.internal:
        classes += " internal"
    if entry.hidden:
        classes += " withheld"
    badge = _internal_badge() if entry.internal else ""
    if entry.hidden:
        head = _LINE + _("A message between support and a colleague.") + _LINE
    else:
        head = _head(entry, name, child_ids, field_labels, support_labels)
    attachments = ""
    if entry.attachments and not entry.hidden:
        attachments = file_list(case, entry.attachments, size_of)
    return (
        f'\n    \n    \n    <li class="{classes}" id="event-{event.id}">\n'
        f'      <p class="entry-head">{_LINE}{avatar(author)}{_LINE}{badge}{_LINE}{head}'
        f"{_LINE}{times.element(event.created_at)}{_LINE}{original_mail(event.id, mails)}\n"
        f"      </p>\n      {_body(entry)}\n      {attachments}\n    </li>\n    "
    )


def _said(text: str, **values) -> str:
    """A translated sentence with its values escaped, as a template's ``_()`` gives it:
    ``Markup(text) % values`` without a markup object around each value and the result
    (the sentences take ``%(name)s`` placeholders only)."""
    return text % {name: escape(value) for name, value in values.items()}


def _head(entry, name, child_ids, field_labels, support_labels) -> str:
    """The sentence of an entry's head, with the blank lines the template's branch left."""
    event = entry.event
    kind = event.kind
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return f"{_LINE}{_said(simple(), name=name)}{_LINE}"
    if kind in ("field", "status"):
        return f"{_LINE * 3}{_field_change(entry, name, field_labels)}{_LINE * 2}"
    if kind in ("assigned", "followed"):
        return f"{_LINE * 2}{_person_change(entry, name)}{_LINE * 2}"
    if kind == "follow_up":
        return _follow_up(event, name, child_ids)
    if kind == "support_level":
        number = _number(event.new_value)
        level = support_labels[number - 1] if number <= len(support_labels) else number
        said = _said(_("%(name)s handed the case to %(level)s."), name=name, level=level)
        return f"{_LINE * 3}{said}{_LINE}"
    if kind == "escalated":
        said = _("%(name)s asked for escalation to level %(level)s:")
        return f"{_LINE}{_said(said, name=name, level=event.new_value)}{_LINE}"
    if kind == "development":
        said = _("%(name)s linked the case to the development item %(key)s:")
        return f"{_LINE}{_said(said, name=name, key=event.new_value)}{_LINE}"
    if kind == "released":
        said = _("%(name)s announced release %(release)s:")
        return f"{_LINE}{_said(said, name=name, release=event.new_value)}{_LINE}"
    said = _said(_("%(name)s changed the case."), name=name)
    return f"{_LINE}{said}{_LINE}"


#: The sentences that take only the author's name, by kind of event (translated when shown).
_SIMPLE = {
    "message": lambda: _("%(name)s wrote:"),
    "note": lambda: _("%(name)s added an internal note:"),
    "unfollowed": lambda: _("%(name)s stopped following the case."),
    "reopened": lambda: _("%(name)s reopened the case:"),
    "attachment": lambda: _("%(name)s added files."),
}


def _person_change(entry, name) -> str:
    """Who the case was assigned to, or who follows it now."""
    event = entry.event
    if event.kind == "followed":
        if event.new_value == str(event.author_id):
            return _said(_("%(name)s follows the case."), name=name)
        said = _("%(name)s added %(follower)s as a follower.")
        return _said(said, name=name, follower=entry.new)
    if entry.new is None:
        return _said(_("%(name)s removed the assignment."), name=name)
    if entry.new == name:
        return _said(_("%(name)s took the case."), name=name)
    said = _("%(name)s assigned the case to %(assignee)s.")
    return _said(said, name=name, assignee=entry.new)


def _field_change(entry, name, field_labels) -> str:
    field = field_labels.get(entry.event.field, entry.event.field)
    if entry.old is None:
        return _said(_("%(name)s set %(field)s to %(new)s."), name=name, field=field, new=entry.new)
    if entry.new is None:
        said = _("%(name)s cleared %(field)s (was %(old)s).")
        return _said(said, name=name, field=field, old=entry.old)
    said = _("%(name)s changed %(field)s from %(old)s to %(new)s.")
    return _said(said, name=name, field=field, old=entry.old, new=entry.new)


def _follow_up(event, name, child_ids) -> str:
    """A follow-up case, linked when the user sees it."""
    call_id = event.new_value
    blank = ""
    if call_id in child_ids:
        url = escape(case_url("cases.detail", call_id))
        call_id = Markup(f'<a href="{url}">{escape(call_id)}</a>')
        blank = _LINE * 2
    said = _said(_("%(name)s opened the follow-up case %(call_id)s."), name=name, call_id=call_id)
    return f"{_LINE}{blank}{_LINE}{said}{_LINE}"


def _number(value) -> int:
    """``value`` as Jinja's ``int`` filter reads it: 0 when it is no number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0


def _body(entry) -> str:
    """The entry's text: a placeholder for a withheld message, the reason of a change, or
    the message itself."""
    event = entry.event
    if entry.hidden:
        text = _("You see the text of messages you wrote or received.")
        return f'\n      <p class="muted">{text}</p>\n      '
    if not event.body:
        return ""
    if event.kind in ("status", "field"):
        label = _("Waiting for:") if event.kind == "status" else _("Reason:")
        return (
            f'\n      <p class="entry-detail">\n        <span class="muted">{label}</span>\n'
            f'        <span class="text">{escape(event.body)}</span>\n      </p>\n      '
        )
    return f'\n      <div class="message-text">{message(event.body)}</div>\n      '


def _number_url(endpoint: str, *names: str) -> str:
    """``url_for(endpoint, **numbers)`` as a ``str.format`` pattern over ``names``, built once
    (each an ``int`` converter's value, which a URL shows as it is)."""
    url = fixed_url(endpoint, **{name: _NUMBER + i for i, name in enumerate(names)})
    for i, name in enumerate(names):
        url = url.replace(str(_NUMBER + i), "{" + name + "}", 1)
    return url


def avatar(user) -> str:
    """The author's picture, when they have one."""
    if user is None or not user.picture_version:
        return ""
    url = _number_url("profile.show_picture", "user_id", "version").format(
        user_id=user.id, version=user.picture_version
    )
    return f'<img class="avatar" src="{url}" alt="" width="24" height="24">'


def _internal_badge() -> str:
    text = escape(_("Internal"))
    return f'<span class="badge internal">{text}</span>'


def original_mail(event_id: int, mails: dict) -> str:
    """The link to the mail an entry came with (agents only: ``mails`` is empty otherwise)."""
    if event_id not in mails:
        return ""
    url = _number_url("inbound.raw", "pk").format(pk=mails[event_id])
    text = escape(_("Original mail"))
    return f'<a class="original-mail" href="{url}">{text}</a>'


def file_list(case, attachments, size_of) -> str:
    """Links to an entry's files; never boosted, a file is no page."""
    items = "".join(_file(case, file, size_of) for file in attachments)
    return f'<ul class="files" data-hx-boost="false">\n  {items}\n</ul>'


def _file(case, file, size_of) -> str:
    url = url_for(
        "cases.attachment", call_id=case.call_id, attachment_id=file.id, filename=file.filename
    )
    download = "" if file.content_type in files.INLINE_SAFE else " download"
    badge = ""
    if file.visibility == "internal":
        badge = _internal_badge()
    return (
        f'\n  <li>\n    <a href="{escape(url)}"{download}>{escape(file.filename)}</a>\n'
        f'    <span class="muted">{escape(size_of(file.size))}</span>\n    {badge}\n  </li>\n  '
    )
