"""The help center's article counts per category from an index alone (issue 14).

A customer's help-center start page counts, per category, the published articles they may
read (audience public or customers, or a product their organisation has). That count read
every published article's row, body included: 30 ms of the page's 35 with 20,000 articles on
SQLite. An index holding state, category, audience and product answers it without the table
(2 ms).
"""


def upgrade(db, migrator):
    migrator.add_index("article", ("state", "category_id", "audience", "product_id"), False).run()
