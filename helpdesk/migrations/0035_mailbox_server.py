"""Mailboxes over OAuth2 (issue 20): each connection may name its own mail server (host, port,
security), filled from the Microsoft 365 and Google presets; empty: the configuration's. NOT
NULL with defaults (or NULL): raw ALTER TABLEs (never a table rebuild, see the package
docstring)."""


def upgrade(db, migrator):
    db.execute_sql("ALTER TABLE mailbox_token ADD COLUMN host VARCHAR(255) NOT NULL DEFAULT ''")
    db.execute_sql("ALTER TABLE mailbox_token ADD COLUMN port INTEGER")
    db.execute_sql("ALTER TABLE mailbox_token ADD COLUMN security VARCHAR(10) NOT NULL DEFAULT ''")
