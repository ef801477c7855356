"""Single-line text: names, subjects, keys, addresses, everything a form asks for in one line.

Such text ends up in mail headers, CSV cells and page titles, where a line break is either an
error (Python's mail headers refuse one) or an injection. Forms refuse it with ``SingleLine``
so a person is told; text that arrives some other way (mail, data stored before) is made one
line with ``flattened`` where it is used.
"""

import re

from wtforms.validators import ValidationError

from helpdesk.i18n import lazy_gettext as _l

#: C0 and C1 control characters (tab, CR and LF among them) and Unicode's line and paragraph
#: separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def flattened(text: str) -> str:
    """``text`` on one line: every run of control characters and spaces is one space."""
    return " ".join(CONTROL.sub(" ", text).split())


class SingleLine:
    """A WTForms validator: no line breaks and no other control characters."""

    message = _l("Please write this on one line, without line breaks or control characters.")

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and CONTROL.search(field.data):
            raise ValidationError(self.message)
