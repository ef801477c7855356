"""``/api/v1/``: the blueprint, its token check and errors (``blueprint``), and its routes."""


def register(app) -> None:
    """The API's routes on ``app``, without CSRF (a token, never a cookie, authorises)."""
    from helpdesk.api import webhook_tasks
    from helpdesk.api.views import cases, description, directory, hooks, knowledge, links  # noqa: F401
    from helpdesk.api.views.blueprint import bp

    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)
    webhook_tasks.init_app(app)
