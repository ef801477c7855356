"""Recipients of messages as rows (PERM-3: the correspondence rule looks them up by index).

``event.recipients`` stays the source of truth; existing messages get their rows here. The
model below is a frozen copy of the table as it was in this release.
"""

import json

from peewee import CompositeKey, ForeignKeyField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Event = existing(Base, "event")
    User = existing(Base, "user")

    class EventRecipient(Base):
        event = ForeignKeyField(Event, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")

        class Meta:
            table_name = "event_recipient"
            primary_key = CompositeKey("event", "user")
            indexes = ((("user", "event"), False),)

    db.create_tables([EventRecipient])
    users = {row[0] for row in db.execute_sql('SELECT id FROM "user"')}
    rows = []
    cursor = db.execute_sql("SELECT id, recipients FROM event WHERE recipients IS NOT NULL")
    for event_id, recipients in cursor.fetchall():
        try:
            ids = json.loads(recipients)
        except ValueError:
            continue
        rows += [(event_id, user_id) for user_id in set(ids) if user_id in users]
    for start in range(0, len(rows), 500):
        EventRecipient.insert_many(
            rows[start : start + 500], fields=[EventRecipient.event, EventRecipient.user]
        ).execute()
