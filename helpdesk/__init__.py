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

    from helpdesk import config, memory

    memory.return_large_blocks()
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
    # Before anything imports peewee or huey, which import these clients whenever they can.
    memory.leave_out_unused_clients(app)
    from flask_wtf.csrf import CSRFProtect
    from htmx_flask import Htmx

    from helpdesk import db, errors, i18n, inputs, jobs, ratelimit, security, web
    from helpdesk.naming import check_names
    from helpdesk.plugins import build_manager
    from helpdesk.policy import Policy

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    web.init_app(app)  # first: the Jinja environment's class
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

    manager = build_manager(app, _core_plugins(), plugins)
    app.extensions["plugins"] = manager
    with app.app_context():
        app.extensions["policy"] = policy = Policy(manager.hook)
        check_names(policy)

    _register_blueprints(app)
    _register_template_helpers(app)
    from helpdesk import cli

    cli.init_app(app)
    manager.hook.helpdesk_init_app(app=app)
    from helpdesk import backup, observability  # issue 19: backups, logs and metrics

    backup.init_app(app)
    observability.init_app(app)
    memory.keep_long_lived_out_of_collections(app)  # last: what the app is made of
    return app


def _core_plugins() -> dict[str, object]:
    """The core's own implementations of hooks, by name, registered before any plugin."""
    from helpdesk import defaults, lifecycle
    from helpdesk.api import navigation as api_navigation
    from helpdesk.api import webhooks
    from helpdesk.contracts import navigation as contracts_navigation
    from helpdesk.identity import navigation as identity_navigation
    from helpdesk.knowledge import navigation as knowledge_navigation
    from helpdesk.mail import notifications
    from helpdesk.organisations import navigation as people_navigation
    from helpdesk.reports import navigation as report_navigation
    from helpdesk.reports import open_rollup, open_tally, rollups, times
    from helpdesk.sla import clocks

    return {
        "core": defaults,
        "core.notifications": notifications,
        "core.lifecycle": lifecycle,
        "core.people": people_navigation,
        "core.sla": clocks,
        "core.contracts": contracts_navigation,
        "core.reports": rollups,  # the daily roll-up (issue 17)
        "core.reports.navigation": report_navigation,
        "core.reports.times": times,
        "core.reports.open": open_rollup,  # the open cases' daily roll-up
        "core.reports.now": open_tally,  # the open cases counted now
        "core.api": api_navigation,
        "core.webhooks": webhooks,
        "core.identity": identity_navigation,
        "core.knowledge": knowledge_navigation,
    }


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
    """Every page of the core, in one place (plugins add theirs in ``helpdesk_init_app``)."""
    from helpdesk import health, home, mail
    from helpdesk.accounts import views as accounts
    from helpdesk.cases.views import bp as cases
    from helpdesk.cases.views import lifecycle as case_actions

    app.register_blueprint(accounts.bp)
    _register_account_blueprints(app)
    app.register_blueprint(cases)
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    from helpdesk.accounts import profile_views
    from helpdesk.admin import views as admin_views
    from helpdesk.development import views as development
    from helpdesk.mail import views as mail_views
    from helpdesk.mail.inbound import views as inbound_views
    from helpdesk.organisations import views as organisation_views
    from helpdesk.survey import views as survey

    app.register_blueprint(profile_views.bp)
    app.register_blueprint(organisation_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(mail_views.bp)
    app.register_blueprint(inbound_views.bp)
    mail.init_app(app)  # the outbox: jobs, delivery after commit; mail in: the poller
    from helpdesk.cases import tasks  # noqa: F401  (registers the periodic housekeeping)
    from helpdesk.sla import views as sla

    app.register_blueprint(sla.bp)
    sla.init_app(app)  # the timer sweep
    app.register_blueprint(case_actions.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(development.bp)
    from helpdesk.contracts import views as contracts

    app.register_blueprint(contracts.bp)
    from helpdesk.contracts import statement_views, time_views
    from helpdesk.contracts import tasks as contract_tasks  # noqa: F401 (the monthly statements)

    app.register_blueprint(time_views.bp)
    app.register_blueprint(statement_views.bp)
    from helpdesk.reports import charts
    from helpdesk.reports import tasks as report_tasks  # noqa: F401  (the audit log's prune)
    from helpdesk.reports import views as reports

    app.register_blueprint(reports.bp)
    app.add_template_global(charts.svg, "chart_svg")
    from helpdesk.api import sign_in_link_views, token_views, webhook_views
    from helpdesk.api.views import register as register_api

    app.register_blueprint(token_views.bp)
    app.register_blueprint(webhook_views.bp)
    app.register_blueprint(sign_in_link_views.bp)
    register_api(app)
    from helpdesk.identity import mailbox_views  # single sign-on, mail over OAuth2 (issue 20)
    from helpdesk.identity import views as identity

    app.register_blueprint(identity.bp)
    app.register_blueprint(mailbox_views.bp)
    from helpdesk.knowledge import views as knowledge

    app.register_blueprint(knowledge.bp)


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
    from flask import request
    from flask_babel import gettext
    from flask_login import current_user

    from helpdesk import formats, navigation_markup
    from helpdesk.admin import settings
    from helpdesk.cases import form_markup, timeline_markup
    from helpdesk.i18n import current_language
    from helpdesk.permissions import may_administer, may_work_cases
    from helpdesk.policy import current_policy, navigation_bar
    from helpdesk.web import fixed_url, static_url

    formats.install(app)  # regional dates and times, over Flask-Babel's filters
    app.add_template_global(static_url)
    app.add_template_global(fixed_url)  # links that follow from the endpoint alone

    app.add_template_global(form_markup.HELPERS, "case_forms")
    app.add_template_global(timeline_markup.entries, "timeline_entries")

    @app.context_processor
    def _helpers():
        # The signed-in user itself rather than Flask-Login's proxy: pages read it often.
        user = current_user._get_current_object()

        def navigation():
            if not user.is_authenticated:
                return []
            audiences = {"all", "agent" if may_work_cases(user) else "customer"}
            if may_administer(user):
                audiences.add("admin")
            return current_policy().navigation(user, audiences)

        def navigation_html():
            """The bar's places and the person's own menu (``navigation_bar``), as the
            ``<li>`` items of each (``navigation_markup``)."""
            bar, account = navigation_bar(navigation())
            titles = {
                "cases": current_policy().case_word.Cases,
                "reports": gettext("Reports"),
                "organisation": gettext("Organisation"),
                "admin": gettext("Administration"),
            }
            arguments = {**request.args.to_dict(), **(request.view_args or {})}
            return navigation_markup.bar_and_account(
                bar, account, titles, request.endpoint, arguments
            )

        return {
            "current_user": user,
            "policy": current_policy,
            "navigation_html": navigation_html,
            "languages": app.config["LANGUAGES"],
            "current_language": current_language,
            "case_word": current_policy().case_word,
            "branding": settings.branding(current_policy().branding),
        }
