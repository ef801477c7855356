"""Language and time zone of the person looking at a page (German and English).

Outside a request (jobs, mail, the command line) the defaults apply; mail to a person is
rendered in that person's language inside ``speaking(language)``.
"""

from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user


def _signed_in_user():
    if not has_request_context():
        return None
    user = current_user._get_current_object()  # the proxy costs on each attribute read
    return user if user.is_authenticated else None


def select_locale() -> str:
    config = current_app.config
    user = _signed_in_user()
    if user is not None and user.language in config["LANGUAGES"]:
        return user.language
    if not has_request_context():
        return config["BABEL_DEFAULT_LOCALE"]
    if session.get("language") in config["LANGUAGES"]:
        return session["language"]
    return (
        request.accept_languages.best_match(config["LANGUAGES"]) or config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    """The language of the current request (``de`` or ``en``), worked out once per request.

    Labels ask for it a hundred times a page; Flask-Babel's ``get_locale`` is slower, and so is
    ``flask.g`` (a proxy): the application context is read straight from its context variable.
    """
    context = _cv_app.get(None)
    if context is None:
        return "en"
    language = context.g.__dict__.get("_language")
    if language is None:
        locale = get_locale()
        language = context.g._language = locale.language if locale is not None else "en"
    return language


@contextmanager
def speaking(language: str):
    """Render in ``language`` inside the block (``force_locale`` plus our cached language)."""
    g.pop("_language", None)
    try:
        with force_locale(language):
            yield
    finally:
        g.pop("_language", None)


def select_timezone() -> str:
    user = _signed_in_user()
    if user is not None and user.timezone:
        return user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


#: The catalog of each language, as Flask-Babel loaded it (it caches them per process too,
#: but finds its cache through half a dozen context lookups on each of a page's strings).
_catalogs: dict = {}


def translations():
    """The gettext catalog of the current language."""
    language = current_language()
    catalog = _catalogs.get(language)
    if catalog is None:
        catalog = _catalogs[language] = get_translations()
    return catalog


def gettext(string: str, **variables) -> str:
    """``string`` in the current language, formatted with ``variables`` (as Flask-Babel's)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A label translated when it is shown, through the cached catalog: module-level labels
    are read dozens of times a page."""
    return LazyString(gettext, string, **variables)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Templates translate through the cached catalog; newstyle gettext as Flask-Babel sets it.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
