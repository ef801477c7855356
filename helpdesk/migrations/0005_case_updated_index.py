"""An index on ``case.updated_at`` alone: agents' lists over every status sort by it."""


def upgrade(db, migrator):
    migrator.add_index("case", ("updated_at",), False).run()
