"""Who may do what in the knowledge base (in the style of ``helpdesk.permissions``).

Every agent writes articles and drafts; publishing, archiving and the categories are for
team managers and vendor admins, who answer for what customers read.
"""

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import NotAllowed, may_work_cases


def may_write_articles(user) -> bool:
    return may_work_cases(user)


def may_publish_articles(user) -> bool:
    return may_work_cases(user) and bool(user.is_admin or user.is_manager)


def ensure_writer(actor) -> None:
    if not may_write_articles(actor):
        raise NotAllowed(_l("Only agents may write articles."))


def ensure_publisher(actor) -> None:
    if not may_publish_articles(actor):
        raise NotAllowed(_l("Only team managers and vendor admins may publish articles."))
