"""Rendering for both kinds of request from one template.

A normal request gets the whole page; an htmx request gets only the named block of the same
template, except a boosted navigation (htmx swaps the whole body) and a history restore after
a cache miss (htmx puts the answer in place of the whole page). ``Vary: HX-Request`` keeps
caches from handing one to the other.
"""

from types import BuiltinFunctionType, FunctionType, MethodType
from urllib.parse import quote

from flask import Flask, current_app, make_response, render_template, request, url_for
from flask.templating import Environment
from jinja2.runtime import Context
from jinja2_fragments.flask import render_block


def wants_partial() -> bool:
    """Whether this request gets only a block of its page (see the module's docstring)."""
    return bool(request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request))


def render(template: str, block: str = "content", status: int = 200, **context):
    if wants_partial():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page, for mail and jobs: always under ``BASE_URL``, never under
    whatever host a request named (a forged Host header must not end up in a reset link)."""
    app = current_app._get_current_object()
    # One adapter per app: binding cost as much as building (a timer sweep's mails link to
    # their cases thousands of times); ``build`` brings the map up to date by itself.
    adapter = app.extensions.get("external_url_adapter")
    if adapter is None:
        adapter = app.extensions["external_url_adapter"] = app.url_map.bind("portal")
    return app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def fixed_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` for a link that follows from the endpoint and values
    alone (no defaults or preprocessors apply): built once per app and root path, since
    ``url_for`` costs more than many a page's other work."""
    urls = current_app.extensions.setdefault("fixed_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(endpoint, **values)
    return url


#: Stands in for a call id while the rest of a case's URL is built (no route has it).
_CALL_ID = "call-id-stand-in"


def case_url(endpoint: str, call_id: str) -> str:
    """``url_for(endpoint, call_id=call_id)``: the URL around the call id built once per app
    and root path (a case page links a dozen forms of its own), the call id quoted as
    Werkzeug's converter quotes it."""
    urls = current_app.extensions.setdefault("case_urls", {})
    key = (request.script_root, endpoint)
    pattern = urls.get(key)
    if pattern is None:
        pattern = urls[key] = url_for(endpoint, call_id=_CALL_ID)
    return pattern.replace(_CALL_ID, quote(call_id, safe="!$&'()*+,/:;=@"), 1)


def static_url(filename: str) -> str:
    """The URL of a static file (every page links the same style sheets and script)."""
    return fixed_url("static", filename=filename)


#: Callables that are what they seem: their ``__call__`` can carry no ``pass_context`` mark.
_PLAIN_CALLABLES = frozenset((FunctionType, BuiltinFunctionType, MethodType))


class PageContext(Context):
    """Jinja's template context, with a shorter way for a template's call of a plain Python
    function (``forms.post(...)``, ``url_for(...)``, ``times.element(...)``): what
    ``Context.call`` does for it, without asking the function's ``__call__`` whether it
    wants the context (a function's never does). A case page makes about two hundred such
    calls. Anything else (macros, marked functions, callable objects) goes the usual way."""

    def call(__self, __obj, *args, **kwargs):
        if type(__obj) not in _PLAIN_CALLABLES or getattr(__obj, "jinja_pass_arg", None):
            return Context.call(__self, __obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class PageEnvironment(Environment):
    """Flask's Jinja environment, whose templates share its globals rather than each keeping
    a ``ChainMap`` over them (Jinja's way, so that globals given to one template stay its
    own): every render, include and import copied that map into a new context key by key in
    Python, about 4 µs each, and a case page has fifteen. The templates see the same
    globals, added ones included; the portal gives no template globals of its own, and one
    that is given some keeps them in its own ``ChainMap``."""

    def make_globals(self, d):
        if d:
            return super().make_globals(d)
        return self.globals


def init_app(app: Flask) -> None:
    """Before anything else makes the app's Jinja environment (``app.jinja_env``)."""
    app.jinja_environment = PageEnvironment
    app.jinja_env.context_class = PageContext
