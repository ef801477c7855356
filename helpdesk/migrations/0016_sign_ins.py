"""Sign-ins as server-side records, and rate limits counted in the database (issue 12).

``sign_in`` replaces ``user.session_version``: a session is ended by revoking its row, so the
column goes (one raw ``ALTER TABLE ... DROP COLUMN``, which SQLite 3.35 and later do in place;
never a table rebuild, see the package docstring). Every earlier session cookie names no
sign-in and so signs nobody in: after this upgrade everyone signs in once more.

``rate_limit_hit`` holds one row per counted attempt (``helpdesk/ratelimit.py``).
The models below are frozen copies of the tables as they were in this release.
"""

from peewee import AutoField, CharField, DateTimeField, FloatField, ForeignKeyField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")

    class SignIn(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

    class RateLimitHit(Base):
        id = AutoField()
        key = CharField(max_length=64)
        at = FloatField()

        class Meta:
            indexes = ((("key", "at"), False), (("at",), False))

    db.create_tables([SignIn, RateLimitHit])
    db.execute_sql('ALTER TABLE "user" DROP COLUMN session_version')
