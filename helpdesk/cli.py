"""Commands: ``flask --app wsgi migrate | demo | serve | new-plugin NAME | mail-pipe``."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from helpdesk import demo, migrations, skeleton
from helpdesk.mail.inbound.pipe import EX_OK, pipe
from helpdesk.naming import create_teams
from helpdesk.policy import current_policy


def init_app(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(new_plugin_command)
    app.cli.add_command(mail_pipe_command)


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Upgrade the database schema to the current version and create the teams the vendor
    plugin declares."""
    applied = _set_up()
    for migration in applied:
        click.echo(f"applied {migration.version:04d} {migration.name}")
    click.echo(f"schema at version {migrations.current_version()}")


def _set_up() -> list:
    """Migrate, then create the declared teams the database lacks: every way of setting up
    an instance (migrate, demo, serve) runs this. Returns the migrations applied."""
    applied = migrations.upgrade()
    for team in create_teams(current_policy()):
        click.echo(f"created team {team.key}")
    return applied


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demo data into an empty database and print how to sign in."""
    _set_up()
    _ensure_demo()


def _ensure_demo() -> None:
    path = demo.credentials_path()
    if not demo.has_data():
        password = demo.load()
        click.echo(f"demo: {demo.story()} cases, {demo.help_center()} help-center articles")
        path.write_text(demo.credentials_text(password))
        path.chmod(0o600)
    if path.exists():
        click.echo(path.read_text())


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--directory",
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the plugin's folder (default: the current one).",
)
def new_plugin_command(name, directory):
    """Write a plugin package to start from: NAME/ with its pyproject (entry point), a module
    answering two hooks, and its tests on the fixtures of helpdesk.testing."""
    try:
        project = skeleton.write(name, directory)
    except skeleton.SkeletonError as error:
        raise click.BadParameter(str(error), param_hint="NAME") from error
    click.echo(f"wrote {project}")
    click.echo(f"test it:   pip install -e '{project}[test]' && pytest {project}")
    click.echo(f'enable it: HELPDESK_PLUGINS = ["{name}"] in instance/config.py')


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option("--web-workers", default=2, type=int)
@click.option("--job-workers", default=2, type=int)
def serve_command(host, port, web_workers, job_workers):
    """Migrate, load demo data on first start, then run the web server and a job consumer.

    Ctrl-C (or SIGTERM) stops both; if one of them dies the other is stopped too.
    """
    _set_up()
    _ensure_demo()
    env = dict(os.environ, HELPDESK_INSTANCE=current_app.instance_path)
    bin_dir = os.path.dirname(sys.executable)
    children = [
        subprocess.Popen(
            [
                os.path.join(bin_dir, "huey_consumer"),
                "helpdesk.worker.huey",
                "--workers",
                str(job_workers),
                "--worker-type",
                "process",  # two cores: see helpdesk.worker
            ],
            env=env,
        ),
        subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "--workers",
                str(web_workers),
                "--bind",
                f"{host}:{port}",
                "--access-logfile",
                "-",
                "--no-control-socket",
                "wsgi:app",
            ],
            env=env,
        ),
    ]
    if os.environ.get("MAIL_CATCHER"):
        # The demo's mail catcher, where the outbox delivers (helpdesk.mail.catcher).
        mail_host, mail_port = current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"]
        catcher = [sys.executable, "-m", "helpdesk.mail.catcher", mail_host, str(mail_port)]
        children.append(subprocess.Popen(catcher, env=env))
    click.echo(f"Portal at http://{host}:{port}/  (Ctrl-C stops the web server and the worker)")
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    codes = [child.returncode for child in children]
    sys.exit(0 if stopping else max(abs(code or 0) for code in codes) or 1)


@click.command("mail-pipe")
def mail_pipe_command():
    """Take one mail from standard input (for an MTA); exit 0, 67, 69 or 75."""
    code, text = pipe(sys.stdin.buffer.read())
    click.echo(text, err=code != EX_OK)
    sys.exit(code)
