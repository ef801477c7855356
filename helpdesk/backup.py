"""Backups and restore (OPS-3): ``flask --app wsgi backup`` and ``flask --app wsgi restore PATH``.

A backup is a folder ``<BACKUP_FOLDER>/backup-<UTC time>/`` holding the database and the
file store, written while the portal runs:

- ``database.sqlite``: SQLite's online backup API copies a consistent snapshot page by page
  while others go on reading and writing; or ``database.dump``: ``pg_dump`` in its custom
  format (one transaction, so one snapshot) on PostgreSQL;
- ``files.tar``: the file store (uploads and profile pictures), taken after the database, so
  every file a row of the snapshot names is in it (files are written before their rows and
  never changed; a file newer than the snapshot is merely extra);
- ``manifest.json``: when, which database kind and schema version.

``restore`` puts a backup into the configured database and file store, replacing what is
there: on an empty or a stopped portal (it refuses a database of another kind). The job
``daily_backup`` (a huey periodic task, at ``BACKUP_HOUR``:30 UTC) writes one a day and keeps
the newest ``BACKUP_KEEP``; with several consumers a lock lets one of them do it.
"""

import json
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from huey import crontab

from helpdesk import migrations
from helpdesk.db import db, is_postgres
from helpdesk.jobs import huey

PREFIX = "backup-"


def folder() -> Path:
    configured = current_app.config.get("BACKUP_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def file_stores() -> dict[str, Path]:
    """The folders of the file store by their name in ``files.tar``."""
    instance = Path(current_app.instance_path)
    uploads = current_app.config.get("UPLOAD_FOLDER") or instance / "uploads"
    return {"uploads": Path(uploads), "pictures": instance / "pictures"}


def _database_url() -> str:
    return current_app.config["DATABASE_URL"]


def _sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def _pg_url(url: str) -> str:
    """A libpq URL for pg_dump and pg_restore (peewee's ``+pool`` and the like removed)."""
    return "postgresql://" + url.partition("://")[2]


def create(target: Path | None = None) -> Path:
    """Write a backup; returns its folder.

    It is written under a hidden name and gets its own only when complete: a backup that
    failed half-way (a full disk, a pg_dump of another version) is removed, never counted as
    one of the ``BACKUP_KEEP`` newest, for which ``prune`` would remove a good one."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = (target or folder()) / f"{PREFIX}{stamp}"
    out = final.with_name(f".{final.name}.partial")
    out.mkdir(parents=True)
    try:
        _write(out, stamp)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    out.rename(final)
    return final


def _write(out: Path, stamp: str) -> None:
    """The database, the file store and the manifest into the folder ``out``."""
    url = _database_url()
    if is_postgres():
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(out / "database.dump"),
                _pg_url(url),
            ]
        )
        kind = "postgresql"
    else:
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(out / "database.sqlite")
        try:
            # In one step: a snapshot under WAL, which writers do not wait for (in steps,
            # each write by another connection would start the copy over).
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        kind = "sqlite"
    with tarfile.open(out / "files.tar", "w") as tar:
        for name, path in file_stores().items():
            if path.is_dir():
                tar.add(path, arcname=name)
    manifest = {
        "created_at": stamp,
        "database": kind,
        "schema_version": migrations.current_version(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))


def restore(source: Path) -> dict:
    """Put the backup in ``source`` into this portal's database and file store."""
    manifest = json.loads((source / "manifest.json").read_text())
    kind = "postgresql" if is_postgres() else "sqlite"
    if manifest["database"] != kind:
        raise click.ClickException(
            f"the backup holds a {manifest['database']} database, this portal uses {kind}"
        )
    url = _database_url()
    db.close()
    if kind == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _pg_url(url),
                str(source / "database.dump"),
            ]
        )
    else:
        backup = sqlite3.connect(source / "database.sqlite")
        live = sqlite3.connect(_sqlite_path(url))
        try:
            backup.backup(live)
        finally:
            live.close()
            backup.close()
    stores = file_stores()
    for path in stores.values():
        if path.is_dir():
            shutil.rmtree(path)
    with tarfile.open(source / "files.tar") as tar:
        for member in tar.getmembers():
            name, _, rest = member.name.partition("/")
            if name in stores:
                member.name = rest or "."
                tar.extract(member, stores[name], filter="data")
    return manifest


def prune(keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups; returns the removed folders."""
    backups = sorted(p for p in folder().glob(f"{PREFIX}*") if p.is_dir())
    removed = backups[: max(0, len(backups) - keep)]
    for path in removed:
        shutil.rmtree(path)
    return removed


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} is missing: apt-get install postgresql-client")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise click.ClickException(f"{command[0]} failed: {done.stderr.strip()}")


@huey.periodic_task(crontab(minute="30", hour="*"))
def daily_backup() -> None:
    """Once a day at ``BACKUP_HOUR``:30 UTC (the task wakes hourly to read the setting):
    a backup, then the oldest beyond ``BACKUP_KEEP`` removed. One consumer at a time."""
    if datetime.now(UTC).hour != int(current_app.config["BACKUP_HOUR"]):
        return
    with huey.lock_task("daily-backup"):
        create()
        prune(int(current_app.config["BACKUP_KEEP"]))


@click.command("backup")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=int, default=None, help="then keep only the newest N backups")
@with_appcontext
def backup_command(target, keep):
    """Write a backup of the database and the file store while the portal runs."""
    path = create(target)
    click.echo(f"wrote {path}")
    if keep is not None and target is None:
        for removed in prune(keep):
            click.echo(f"removed {removed}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask before replacing the data")
@with_appcontext
def restore_command(path, yes):
    """Replace the database and the file store with the backup in PATH (portal stopped)."""
    if not yes:
        click.confirm("This replaces the database and all files. Go on?", abort=True)
    manifest = restore(path)
    click.echo(f"restored the backup of {manifest['created_at']} ({manifest['database']})")


def init_app(app: Flask) -> None:
    app.config.setdefault("BACKUP_FOLDER", None)
    app.config.setdefault("BACKUP_KEEP", 7)
    app.config.setdefault("BACKUP_HOUR", 2)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
