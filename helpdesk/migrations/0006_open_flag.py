"""``case.is_open`` and the list indexes that read it in order.

Open lists filtered by a set of categories had to sort every open case before taking a page;
with the flag first in the index they read the newest rows and stop.
"""

from peewee import SqliteDatabase

INDEXES = (
    ("organisation_id", "is_open", "updated_at", "id"),
    ("assignee_id", "is_open", "updated_at", "id"),
    ("team_id", "is_open", "updated_at", "id"),
    ("is_open", "updated_at", "id"),
)
REPLACED = (
    "case_assignee_id_status_category_updated_at",
    "case_team_id_status_category_updated_at",
)


def upgrade(db, migrator):
    sqlite = isinstance(db, SqliteDatabase)
    # One ALTER with a default: no table rebuild (see the migrations package's docstring).
    column = "INTEGER NOT NULL DEFAULT 1" if sqlite else "BOOLEAN NOT NULL DEFAULT true"
    db.execute_sql(f'ALTER TABLE "case" ADD COLUMN is_open {column}')
    closed = "0" if sqlite else "false"
    db.execute_sql(
        f"UPDATE \"case\" SET is_open = {closed} WHERE status_category IN ('solved', 'closed')"
    )
    for name in REPLACED:
        migrator.drop_index("case", name).run()
    for columns in INDEXES:
        migrator.add_index("case", columns, False).run()
