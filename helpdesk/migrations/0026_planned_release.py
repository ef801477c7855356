"""The release a development item is planned for (DOC-4, issue 15): free text an agent keeps
(a version, a quarter), shown to the customers whose cases wait on the item. One nullable
column, added with one ALTER on both databases.
"""


def upgrade(db, migrator):
    db.execute_sql("ALTER TABLE development_item ADD COLUMN planned_release VARCHAR(100)")
