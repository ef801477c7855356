"""Language and time zone of the person looking at a page (German and English).

Outside a request (jobs, mail, the command line) the defaults apply; mail to a person is
rendered in that person's language inside ``speaking(language)``.
"""

from contextlib import contextmanager, nullcontext

from flask import Flask, current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup


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
    """Render in ``language`` inside the block (``force_locale`` plus our cached language).
    Nothing to switch when ``language`` is spoken already: most mail is in the language of
    the request or job that writes it, and Flask-Babel's switch cost about 20 µs a mail (a
    timer sweep writes thousands)."""
    switching = current_language() != language
    if switching:
        g.pop("_language", None)  # cached for the language spoken before
    try:
        with force_locale(language) if switching else nullcontext():
            yield
    finally:
        g.pop("_language", None)  # the next reader asks Flask-Babel again


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


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """A template's ``_("...", name=value)``: Jinja's newstyle gettext (a translation is
    markup where the template escapes, always formatted, so "%%" is "%"), as one call.
    Jinja's own goes through two more (``_`` -> ``gettext`` -> the catalog), each with
    ``Context.call``'s checks: a case page has about a hundred."""
    text = translations().ugettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


#: ``{(language, autoescape): {msgid: text}}``: a template's ``_("...")`` without variables as
#: shown. The catalogs are loaded once per process and never change while it runs.
_constant_texts: dict = {}


@pass_context
def _translated(context, string: str):
    """The filter ``_("...")`` becomes (``ConstantTranslations``): what ``_template_gettext``
    answers, worked out once per language. (It takes the context, not just the evaluation
    context, so that Jinja never calls it while compiling: the language is the request's.)"""
    eval_ctx = context.eval_ctx
    texts = _constant_texts.setdefault((current_language(), eval_ctx.autoescape), {})
    text = texts.get(string)
    if text is None:
        text = texts[string] = _template_gettext(eval_ctx, string)
    return text


class ConstantTranslations(Extension):
    """Compiles a template's ``_("text")`` (a string literal, no variables) as the filter
    ``("text"|_translated)``: a filter is called directly, a function through
    ``Context.call``, and the text is looked up once per language. Message extraction reads
    the template's source and sees the ``_("text")`` as written."""

    def filter_stream(self, stream):
        tokens = list(stream)
        shown = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (
                token.type == "name"
                and token.value == "_"
                and [t.type for t in tokens[i + 1 : i + 4]] == ["lparen", "string", "rparen"]
                and not (shown and shown[-1].type == "dot")
            ):
                line = token.lineno
                shown += [
                    Token(line, "lparen", "("),
                    tokens[i + 2],
                    Token(line, "pipe", "|"),
                    Token(line, "name", "_translated"),
                    Token(line, "rparen", ")"),
                ]
                i += 4
                continue
            shown.append(token)
            i += 1
        return shown


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
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.filters["_translated"] = _translated
    app.jinja_env.add_extension(ConstantTranslations)
