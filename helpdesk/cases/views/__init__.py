"""The web channel for cases: one blueprint, one module per page or action group.

- ``new``: the case form (customers, and agents on the phone for a customer)
- ``lists``: the customer's list and the agent queue, with filters, search and columns
- ``exports``: the visible list as CSV and Excel
- ``detail``: a case's page and timeline; ``actions``: every action on it (``helpers``: how
  an action answers, shared with ``lifecycle``, the later-life actions' own blueprint)
- ``attachments``: files, served only to those who may see them
"""

from helpdesk.cases.views import actions, attachments, detail, exports, lists, new  # noqa: F401
from helpdesk.cases.views.blueprint import bp

__all__ = ["bp"]
