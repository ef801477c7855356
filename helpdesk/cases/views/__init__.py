"""The web channel for cases: one blueprint, one module per page or action group.

- ``new``: the case form (customers, and agents on the phone for a customer)
- ``lists``: the customer's list and the agent queue, with filters, search and columns
- ``exports``: the visible list as CSV and Excel
- ``detail``: a case's page, timeline and every action on it
- ``attachments``: files, served only to those who may see them
"""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from helpdesk.cases.views import attachments, detail, exports, lists, new  # noqa: E402, F401
