"""The support portal. ``create_app`` builds one; everything else hangs off it.

Importing the package alone stays cheap: pytest imports it in every run through the
``helpdesk.testing`` plugin, so the factory imports Flask and the areas when it runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.hookspecs import hookimpl

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["create_app", "hookimpl"]


def create_app(config_overrides: dict | None = None, plugins=()) -> Flask:
    """Build the portal. ``config_overrides`` wins over every other configuration layer;
    ``plugins`` are plugin objects registered after the configured ones (tests use this)."""
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect
    from htmx_flask import Htmx

    from helpdesk import config, db, errors, i18n, inputs, jobs, ratelimit, security
    from helpdesk.naming import check_names
    from helpdesk.plugins import build_manager
    from helpdesk.policy import Policy

    overrides = dict(config_overrides or {})
    instance = overrides.pop("INSTANCE_PATH", None) or os.environ.get("HELPDESK_INSTANCE")
    app = Flask(
        "helpdesk",
        root_path=str(Path(__file__).parent),
        instance_path=str(instance or ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    Htmx(app)
    inputs.init_app(app)  # after Htmx (its request class), before any route (converters)
    CSRFProtect(app)
    db.init_app(app)
    jobs.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    errors.init_app(app)
    _init_login(app)

    manager = build_manager(app, plugins)
    app.extensions["plugins"] = manager
    with app.app_context():
        app.extensions["policy"] = policy = Policy(manager.hook)
        check_names(policy)

    _register_blueprints(app)
    _register_template_helpers(app)
    from helpdesk import cli

    cli.init_app(app)
    manager.hook.helpdesk_init_app(app=app)
    return app


def _init_login(app: Flask) -> None:
    from flask_login import LoginManager

    from helpdesk.accounts import sessions

    login = LoginManager(app)
    login.login_view = "accounts.sign_in"
    login.session_protection = "basic"
    login.user_loader(sessions.load)

    from flask_babel import lazy_gettext

    login.login_message = lazy_gettext("Please sign in to see this page.")


def _register_blueprints(app: Flask) -> None:
    from helpdesk import health, home, mail
    from helpdesk.accounts import views as accounts
    from helpdesk.cases.views import bp as cases

    app.register_blueprint(accounts.bp)
    _register_account_blueprints(app)
    app.register_blueprint(cases)
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    from helpdesk.accounts import profile_views
    from helpdesk.admin import views as admin_views
    from helpdesk.organisations import views as organisation_views

    app.register_blueprint(profile_views.bp)
    app.register_blueprint(organisation_views.bp)
    app.register_blueprint(admin_views.bp)
    mail.init_app(app)  # the outbox: admin page, jobs, delivery after commit
    from helpdesk.cases import tasks  # noqa: F401  (registers the periodic housekeeping)
    from helpdesk.sla import views as sla

    sla.init_app(app)  # the timer sweep, the calendar admin page, the case page's clocks


def _register_account_blueprints(app: Flask) -> None:
    """Reset, registration, invitations, second factor (ACC-1..4)."""
    from helpdesk.accounts import (
        invitation_views,
        registration_views,
        reset_views,
        two_factor_views,
    )

    for module in (reset_views, registration_views, invitation_views, two_factor_views):
        app.register_blueprint(module.bp)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from helpdesk.i18n import current_language
    from helpdesk.policy import current_policy
    from helpdesk.web import fixed_url, static_url

    app.add_template_global(static_url)
    app.add_template_global(fixed_url)  # links that follow from the endpoint alone

    @app.context_processor
    def _helpers():
        # The signed-in user itself rather than Flask-Login's proxy: pages read it often.
        user = current_user._get_current_object()

        def navigation():
            if not user.is_authenticated:
                return []
            return current_policy().navigation(user)

        return {
            "current_user": user,
            "policy": current_policy,
            "navigation": navigation,
            "languages": app.config["LANGUAGES"],
            "current_language": current_language,
            "case_word": current_policy().case_word,
        }
