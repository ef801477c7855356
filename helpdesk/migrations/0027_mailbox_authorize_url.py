"""Mailboxes over OAuth2 (issue 20): an optional authorize address for the admin's consent
at a provider whose metadata the portal does not know. NOT NULL with a default: one raw
ALTER TABLE (never a table rebuild, see the package docstring)."""


def upgrade(db, migrator):
    db.execute_sql(
        "ALTER TABLE mailbox_token ADD COLUMN authorize_url VARCHAR(500) NOT NULL DEFAULT ''"
    )
