"""Schema migrations: numbered modules ``NNNN_name.py`` in this package, applied in order.

Each module has ``upgrade(db, migrator)``; ``db`` is the bound peewee database and ``migrator``
a ``playhouse.migrate`` schema migrator for it. A migration never imports the live models
(they describe the newest schema); the first one creates its tables from frozen copies.
Applied numbers are kept in ``schema_version``.

Never let ``playhouse.migrate`` rebuild a SQLite table (``add_not_null``, ``alter_column_type``,
``drop_column`` on old SQLite, and ``add_column`` of a NOT NULL field): it drops the table,
and with foreign keys on that cascades into every table that references it. Add a NOT NULL
column with one ``ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT ...`` instead.

On PostgreSQL an advisory lock lets several workers start at once without racing each other
through the same migration.
"""

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from peewee import AutoField, DateTimeField, IntegerField, Model, PostgresqlDatabase
from playhouse.migrate import SchemaMigrator

from helpdesk.db import BaseModel, db
from helpdesk.timeutil import utcnow

_ADVISORY_LOCK_ID = 7_311_200_401


def frozen_base(database) -> type[Model]:
    """The base class of a migration's frozen models, bound to ``database``."""

    class Base(Model):
        class Meta:
            legacy_table_names = False

    Base._meta.set_database(database)
    return Base


def existing(base: type[Model], table: str) -> type[Model]:
    """A stand-in for an existing table that a frozen model refers to (only its id)."""
    meta = type("Meta", (), {"table_name": table})
    return type(table.title().replace("_", ""), (base,), {"id": AutoField(), "Meta": meta})


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: ModuleType


def available() -> list[Migration]:
    """All migrations shipped with the code, oldest first."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        number, _, name = info.name.partition("_")
        if number.isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(int(number), name, module))
    return sorted(found, key=lambda m: m.version)


def applied() -> set[int]:
    db.create_tables([SchemaVersion], safe=True)
    return {row.version for row in SchemaVersion.select(SchemaVersion.version)}


def upgrade(target: int | None = None) -> list[Migration]:
    """Apply every pending migration up to ``target`` (all by default); return those applied."""
    done = []
    with db.atomic():
        if isinstance(db.obj, PostgresqlDatabase):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_ID,))
        already = applied()
        migrator = SchemaMigrator.from_database(db.obj)
        for migration in available():
            if migration.version in already or (target is not None and migration.version > target):
                continue
            migration.module.upgrade(db.obj, migrator)
            SchemaVersion.create(version=migration.version)
            done.append(migration)
    return done


def current_version() -> int:
    versions = applied()
    return max(versions) if versions else 0
