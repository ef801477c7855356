"""No 5xx on any input: every route of the URL map, as every role, with hostile input.

Beside the permission matrix (``tests/test_permission_matrix.py``), whose roles, world and
URL filling this file reuses, so a new route is covered here as soon as it has its row there.
Each test takes one role and a fresh world and sends:

- every GET route, plain and with ``HX-Request: true``; with unknown query parameters that
  ``url_for`` would take as its own (``_method``, ``_external``, ``_scheme``, ``_anchor``) and
  a forged ``Host``; with a page number of 2^70; with garbage in ``Accept-Language`` and the
  htmx headers; with each URL argument at 0, -1 and 2^70 (ids) or NUL, CR/LF, an encoded
  surrogate and a path (text);
- every POST route, with a valid CSRF token, every field hostile at once (the fields of every
  form class and of the form on the pages that posts there), unknown query parameters and
  garbage headers; with each URL argument at the values above;
- after the POSTs, which stored what they could, every GET route again, as the role and as an
  admin (exports included): stored hostile text must show as well as it was taken.

Each field on its own with each hostile text (``HOSTILE_TEXT`` where a person types,
``HOSTILE_VALUES`` where a choice, number or date is sent), the others filled plausibly so the
hostile one gets as far as it can, and hostile file names: for the first form that posts to
each route (a page may show one per row), sent by the roles in ``FIELD_ROLES``, who between
them see every form; GET forms (the list filters) likewise.

A request fails when it answers 5xx (in tests the app raises instead: that counts too) or
redirects to the forged host; the assertion lists each failure with route, role and input.
"""

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from tests.test_permission_matrix import (
    PDF,
    ROLES,
    build_world,
    client_for,
    methods_of,
    sides_of,
    url_for_rule,
)

HUGE = str(2**70)
EVIL_HOST = "evil.example"
#: Texts no form should ever answer with a 5xx, for fields a person types into; each field
#: gets each one on its own. (NUL alone: PostgreSQL refuses it in any text.)
HOSTILE_TEXT = {
    "NUL": "nul\x00byte",
    "control characters": "bell\x07 escape\x1b[31m line\r\nBcc: victim@evil.example\r\n\r\nbody",
    "very long": "long " * 4000,
    "Unicode and markup": "ﬁ A\u0301 Å \u202eevil\u202c \u200b \ud800 <script>x</script>\"'&amp;",
}
#: ... and for fields that hold a choice, a number or a date (selects, hidden fields).
HOSTILE_VALUES = {
    "2^70": HUGE,
    "-1": "-1",
    "superscript digit": "²",
    "year 9999": "9999-12-31",
    "year 1": "0001-01-01",
}
#: Every hostile text at once, for the request that fills every field.
ALL_AT_ONCE = "".join(v for k, v in (HOSTILE_TEXT | HOSTILE_VALUES).items() if k != "very long")
URLENCODED = "application/x-www-form-urlencoded"
#: Input types a person types text into; every other field holds a choice or a value.
TYPED = {"text", "textarea", "email", "password", "search", "tel", "url"}
#: Query parameters Flask's ``url_for`` reads as its own, and one nobody knows.
UNKNOWN_PARAMETERS = "_method=POST&_external=1&_scheme=http&_anchor=x&_host=evil&zz9=%00"
GARBAGE_HEADERS = {
    "Accept-Language": "\x7f;q=x, de-DE-u-co-phonebk;q=9, zz-ZZZZZ-123456789;q=1e999, *;q=-1",
    "HX-Current-URL": "http://evil.example/%0D%0A/queue?page=" + HUGE + "\x7f",
    "HX-Request": "true",
    "HX-Target": "\x00",
}
#: URL arguments: numbers at the edges, and text no URL of ours holds.
ID_VALUES = ("0", "-1", HUGE)
TEXT_VALUES = (HUGE, "%00", "%0D%0A%07", "%ED%A0%80", "..%2F..%2Fetc%2Fpasswd")
HOSTILE_FILE_NAMES = ("../../etc/passwd.pdf", "a\x00b.pdf", "C:\\temp\\x.pdf", "\x07\r\n.pdf")
#: The roles that send each field of each form hostile on its own: between them they see
#: every form (the public ones, a portal admin's, an admin agent's); the others send every
#: field hostile at once to every route.
FIELD_ROLES = ("anonymous", "portal_admin", "admin_agent")
#: Routes that end the role's session go last, so the others still run signed in.
LAST = ("accounts.sign_out",)
#: A plausible value per input type, so that one hostile field gets past the others.
PLAUSIBLE = {
    "email": "robust.person@muster.example",
    "password": "Robust-Password-2026!",
    "date": "2026-12-01",
    "time": "10:00",
    "datetime-local": "2026-12-01T10:00",
    "number": "1",
    "url": "https://example.com/",
}


@dataclass
class Form:
    """A form of a page: where it goes, how, and its fields as a browser would send them."""

    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> value a browser would send
    typed: set = field(default_factory=set)  # names of fields a person types text into
    files: list = field(default_factory=list)  # names of file inputs

    def key(self) -> tuple:
        return (self.action, self.method, tuple(sorted(self.fields)), tuple(self.files))


class FormParser(HTMLParser):
    """The forms of a page, filled as a careful user would fill them (``PLAUSIBLE``)."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.form = Form(a.get("action") or self.page_url, a.get("method", "get").lower())
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if "selected" in a or (not self.form.fields[self.select] and value):
                self.form.fields[self.select] = value
        elif a.get("name") in (None, "", "csrf_token"):  # the client sends its own token
            return
        elif tag == "input":
            self._input(a)
        elif tag == "textarea":
            self.textarea = a["name"]
            self.form.fields[a["name"]] = ""
            self.form.typed.add(a["name"])
        elif tag == "select":
            self.select = a["name"]
            self.form.fields.setdefault(a["name"], "")

    def _input(self, a):
        kind, name = a.get("type", "text").lower(), a["name"]
        if kind == "file":
            self.form.files.append(name)
        elif kind in ("checkbox", "radio"):
            if "checked" in a or (kind == "radio" and name not in self.form.fields):
                self.form.fields[name] = a.get("value", "on")
        elif kind not in ("submit", "button", "reset", "image"):
            if kind in TYPED:
                self.form.typed.add(name)
            value = a.get("value", "")
            self.form.fields[name] = value or PLAUSIBLE.get(kind, "Robust text")

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            self.form.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.form is not None and not self.form.fields[self.textarea].strip():
                self.form.fields[self.textarea] = "Robust text"
            self.textarea = None


def form_class_fields() -> set[str]:
    """The field names of every form class of the app (imported by ``create_app``)."""
    names, todo = set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names.update(
            name
            for name, value in vars(cls).items()
            if hasattr(value, "field_class") and not name.startswith("_")
        )
    return names - {"csrf_token"}


def encode(fields: dict) -> bytes:
    """``fields`` url-encoded as a careless client would: text that no UTF-8 can carry (a lone
    surrogate) goes as the bytes it stands for."""
    return b"&".join(
        quote_from_bytes(str(name).encode()).encode()
        + b"="
        + quote_from_bytes(str(value).encode("utf-8", "surrogatepass")).encode()
        for name, value in fields.items()
    )


class Probe:
    """Sends requests as one role and keeps every failure, named by route, role and input."""

    def __init__(self, app, world, role):
        self.app, self.world, self.role = app, world, role
        self.failures: list[str] = []
        self.answered = 0  # requests answered below 400: the probe reached something

    def send(self, method, url, what, *, host=None, **kwargs):
        label = f"{method} {url[:120]} as {self.role} [{what}]"
        client = client_for(self.app, self.world, self.role)
        if host:  # the session cookie goes to whatever host the request names
            cookie = client.get_cookie("session")
            if cookie is not None:
                client.set_cookie("session", cookie.value, domain=host)
            kwargs["headers"] = {"Host": host}
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # the test app raises what would be a 500
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            return None
        self.answered += response.status_code < 400
        if response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code}")
        elif EVIL_HOST in (response.location or ""):
            self.failures.append(f"{label}: redirects to {response.location}")
        return response

    def get(self, url, what, **kwargs):
        return self.send("GET", url, what, **kwargs)

    def post(self, url, what, fields, headers=None):
        body = encode(fields)
        return self.send("POST", url, what, data=body, content_type=URLENCODED, headers=headers)

    def check(self):
        assert self.answered, f"no request as {self.role} was answered: nothing was tried"
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(self.failures)


def forms_of(url, response) -> list[Form]:
    if response is None or response.mimetype != "text/html":
        return []
    parser = FormParser(url)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def rules_with(app, method: str) -> list:
    rules = [r for r in app.url_map.iter_rules() if method in methods_of(r)]
    return sorted(rules, key=lambda r: (r.endpoint in LAST, r.rule))


def argument_variants(rule, world, side):
    """The rule's URL with one argument at a time at each value it should refuse."""
    for argument, converter in rule._converters.items():
        values = ID_VALUES if isinstance(converter, IntegerConverter) else TEXT_VALUES
        for value in values:
            yield url_for_rule(rule, world, side, {argument: value}), f"<{argument}> = {value}"


def visit(probe: Probe, app, world, hostile: bool, htmx: bool = True) -> list[Form]:
    """Every GET route, plain and (when ``htmx``) with htmx, and with hostile variants when
    ``hostile``; the forms of the pages (each once)."""
    forms = {}
    for rule in rules_with(app, "GET"):
        sides = sides_of(rule, world)
        for side in sides:
            url = url_for_rule(rule, world, side)
            for form in forms_of(url, probe.get(url, "plain")):
                forms.setdefault(form.key(), form)
            if htmx:
                probe.get(url, "htmx", headers={"HX-Request": "true"})
            if not hostile:
                continue
            join = "&" if "?" in url else "?"
            probe.get(url + join + UNKNOWN_PARAMETERS, "unknown query parameters")
            probe.get(url + join + "_external=1&_scheme=https", "forged Host", host=EVIL_HOST)
            probe.get(url + join + "page=" + HUGE, "page 2^70")
            probe.get(url, "garbage headers", headers=GARBAGE_HEADERS)
            if side == sides[0]:
                for changed, what in argument_variants(rule, world, side):
                    probe.get(changed, what)
    return list(forms.values())


def action_path(form: Form) -> str:
    return urlsplit(form.action).path


@pytest.mark.parametrize("role", ROLES)
def test_get_routes_survive_hostile_requests(app, role):
    world = build_world(app)
    probe = Probe(app, world, role)
    forms = visit(probe, app, world, hostile=True)
    if role in FIELD_ROLES:
        for form in forms:
            if form.method == "get":
                for name, what, fields in each_field_hostile(form):
                    query = encode(fields).decode()
                    probe.get(f"{action_path(form)}?{query}", f"field {name!r}: {what}")
    probe.check()


@pytest.mark.parametrize("role", ROLES)
def test_post_routes_survive_hostile_forms(app, role):
    world = build_world(app)
    probe = Probe(app, world, role)
    forms = form_per_endpoint(app, visit(probe, app, world, hostile=False, htmx=False))
    every_field = form_class_fields()
    assert role not in FIELD_ROLES or forms, f"no form found on the pages {role} sees"
    for rule in rules_with(app, "POST"):
        form = forms.get(rule.endpoint, Form("", "post"))
        hostile = dict.fromkeys(every_field | set(form.fields), ALL_AT_ONCE)
        sides = sides_of(rule, world)
        for side in sides:
            url = url_for_rule(rule, world, side)
            what = "every field hostile, unknown query parameters, garbage headers"
            probe.post(url + "?" + UNKNOWN_PARAMETERS, what, hostile, GARBAGE_HEADERS)
        for changed, what in argument_variants(rule, world, sides[0]):
            probe.post(changed, what, form.fields)
        if role in FIELD_ROLES and form.action:
            post_each_field(probe, form)
    # What was stored shows, to the role and to an admin who sees everything.
    visit(probe, app, world, hostile=False, htmx=False)
    probe.role = "admin_agent"
    visit(probe, app, world, hostile=False, htmx=False)
    probe.check()


def form_per_endpoint(app, forms: list[Form]) -> dict:
    """endpoint -> the first form found that posts to it (a page may show one per row)."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for form in forms:
        if form.method == "post":
            endpoint, _arguments = adapter.match(action_path(form), method="POST")
            found.setdefault(endpoint, form)
    return found


def each_field_hostile(form: Form):
    """``(field, hostile text's name, the form's fields with that one hostile)``."""
    for name in form.fields:
        hostile = HOSTILE_TEXT if name in form.typed else HOSTILE_VALUES
        for what, text in hostile.items():
            yield name, what, form.fields | {name: text}


def post_each_field(probe: Probe, form: Form) -> None:
    """Each field of ``form`` with each hostile text alone; hostile file names."""
    url = form.action
    for name, what, fields in each_field_hostile(form):
        probe.post(url, f"field {name!r}: {what}", fields)
    for name in form.files:
        for filename in HOSTILE_FILE_NAMES:
            data = dict(form.fields) | {name: (io.BytesIO(PDF), filename)}
            probe.send("POST", url, f"file {name!r} named {filename!r}", data=data)
