"""Backups (OPS-3): ``flask --app wsgi backup`` while cases are being written, ``restore`` into a
fresh instance, then every table and every file compared (SQLite, or PostgreSQL in the
PostgreSQL run); and the daily job keeps the newest N."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpdesk import backup
from helpdesk.cases import files
from helpdesk.db import db
from helpdesk.models import ALL_MODELS
from helpdesk.testing import SECRET, fresh_postgres_database
from helpdesk.testing import cases as testing_cases

ROOT = Path(__file__).resolve().parent.parent


def flask(command: list[str], instance: Path, url: str) -> str:
    env = dict(
        os.environ,
        HELPDESK_INSTANCE=str(instance),
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        REDIS_URL="",
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the portal, read past peewee, in primary key order."""
    names = [model._meta.table_name for model in ALL_MODELS]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split(":///", 1)[1])
    else:
        import psycopg

        connection = psycopg.connect(url)
    try:
        cursor = connection.cursor()
        found = {}
        for name in names:
            cursor.execute(f'SELECT * FROM "{name}" ORDER BY 1')
            found[name] = [tuple(row) for row in cursor.fetchall()]
        return found
    finally:
        connection.close()


def stored_files(instance: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(instance)): path.read_bytes()
        for store in ("uploads", "pictures")
        for path in sorted((instance / store).rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def fresh_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        fresh, drop = fresh_postgres_database(url)
        yield fresh
        drop()
    else:
        yield "sqlite:///" + str(tmp_path / "restored.db")


def test_a_backup_taken_during_writes_restores_every_table_and_file(
    app, demo_people, tmp_path, fresh_database
):
    instance = Path(app.instance_path)
    url = app.config["DATABASE_URL"]
    with app.app_context():
        for n in range(3):
            files.store(f"log-{n}.txt", f"line {n}\n".encode() * 50)
            testing_cases.open_case(demo_people["mia.member"], subject=f"Before {n}")
        (instance / "pictures").mkdir(exist_ok=True)
        (instance / "pictures" / "face.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    db.close()
    before = tables(url)
    stop, written, errors = threading.Event(), [], []

    def write():
        try:
            with app.app_context():
                while not stop.is_set():
                    case = testing_cases.open_case(
                        demo_people["mia.member"], subject=f"During {len(written)}"
                    )
                    written.append(case.id)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            db.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        out = flask(["backup", "--to", str(tmp_path / "backups")], instance, url)
    finally:
        stop.set()
        writer.join()
    assert errors == [] and written  # the backup ran while cases were being written
    after = tables(url)
    [folder] = (tmp_path / "backups").iterdir()
    assert f"wrote {folder}" in out

    restored_instance = tmp_path / "restored"
    restored_instance.mkdir()
    (restored_instance / "uploads").mkdir()
    (restored_instance / "uploads" / "stale.txt").write_text("replaced by the restore")
    flask(["restore", str(folder), "--yes"], restored_instance, fresh_database)
    restored = tables(fresh_database)

    # Every table: no row lost that was there before the backup began, none that did not
    # exist after it, and every row the writes did not touch exactly as it was.
    for name, rows in restored.items():
        keys = {row[0]: row for row in rows}
        assert {r[0] for r in before[name]} <= set(keys) <= {r[0] for r in after[name]}, name
        untouched = set(before[name]) & set(after[name])
        assert all(keys[row[0]] == row for row in untouched), name
    assert len(restored["case"]) > len(before["case"])  # the snapshot caught some writes
    assert stored_files(restored_instance) == stored_files(instance)
    assert len(stored_files(instance)) == 4


def test_the_daily_job_keeps_the_newest_backups(app, tmp_path, monkeypatch):
    from time_machine import travel

    app.config.update(BACKUP_FOLDER=str(tmp_path / "daily"), BACKUP_KEEP=2, BACKUP_HOUR=2)
    with app.app_context():
        for day in (1, 2, 3):
            with travel(f"2026-12-0{day}T02:30:00Z", tick=False):
                backup.daily_backup.call_local()
            with travel(f"2026-12-0{day}T05:30:00Z", tick=False):
                backup.daily_backup.call_local()  # not the configured hour: nothing
        kept = sorted(p.name for p in (tmp_path / "daily").iterdir())
    assert kept == ["backup-20261202T023000000000Z", "backup-20261203T023000000000Z"]


def test_a_backup_that_failed_half_way_is_not_kept_in_place_of_a_good_one(
    app, tmp_path, monkeypatch
):
    """A failed backup left its folder behind, which then counted as one of the newest
    ``BACKUP_KEEP``: the good backup before it was pruned in its favour."""
    from time_machine import travel

    daily = tmp_path / "daily"
    app.config.update(BACKUP_FOLDER=str(daily), BACKUP_KEEP=2, BACKUP_HOUR=2)

    def disk_full():
        raise OSError("No space left on device")

    with app.app_context():
        with travel("2026-12-01T02:30:00Z", tick=False):
            backup.daily_backup.call_local()
        with travel("2026-12-02T02:30:00Z", tick=False), monkeypatch.context() as broken:
            broken.setattr(backup.migrations, "current_version", disk_full)  # the last step
            with pytest.raises(OSError):
                backup.daily_backup.call_local()
        assert [p.name for p in daily.iterdir()] == ["backup-20261201T023000000000Z"]
        with travel("2026-12-03T02:30:00Z", tick=False):
            backup.daily_backup.call_local()
        kept = sorted(p.name for p in daily.iterdir())
    assert kept == ["backup-20261201T023000000000Z", "backup-20261203T023000000000Z"]
    assert all((daily / name / "manifest.json").is_file() for name in kept)
