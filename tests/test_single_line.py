"""Single-line fields stay on one line (issue 12, item 5): every form refuses line breaks and
control characters in them with a message in the user's language, and a name or subject
stored with them before can never make a mail header, and so an action, fail."""

import email
import email.policy
import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import helpdesk
from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.forms import _extra_field
from helpdesk.mail import transport
from helpdesk.mail.models import OutboxMessage
from helpdesk.oneline import SingleLine, flattened
from helpdesk.policy import FormField

#: Fields of the StringField family that hold more than one line, or nothing a person types.
MULTI_LINE = (TextAreaField, PasswordField, HiddenField)


def _forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(helpdesk.__path__, "helpdesk."):
        # The worker module builds an app when imported; migrations hold no forms.
        if ".migrations." not in module.name and module.name != "helpdesk.worker":
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("helpdesk."):
                found.append(sub)
    return found


def _single_line_fields(form: type[FlaskForm]):
    for name in dir(form):
        field = getattr(form, name, None)
        if not isinstance(field, UnboundField):
            continue
        kind = field.field_class
        if issubclass(kind, StringField) and not issubclass(kind, MULTI_LINE):
            yield name, field


def test_every_single_line_field_of_every_form_refuses_line_breaks():
    forms = _forms()
    assert len(forms) > 20  # the walk found the forms: the test can fail
    missing = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in forms
        for name, field in _single_line_fields(form)
        if not any(isinstance(v, SingleLine) for v in field.kwargs.get("validators", ()))
    ]
    assert not missing, f"single-line fields without SingleLine(): {missing}"


def test_a_plugins_one_line_field_refuses_them_too():
    field = _extra_field(FormField(key="ticket", label="Ticket", kind="text"))
    assert any(isinstance(v, SingleLine) for v in field.kwargs["validators"])


@pytest.mark.parametrize(
    "value", ["Mia\r\nBcc: all@evil.example", "Mia\nMember", "Mia\x07", "Mia\u2028Member"]
)
@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "Please write this on one line, without line breaks or control characters."),
        ("de", "Bitte schreiben Sie dies in eine Zeile, ohne Zeilenumbrüche oder Steuerzeichen."),
    ],
)
def test_the_profile_refuses_a_name_on_two_lines(app, demo_people, value, language, message):
    mia = demo_people["mia.member"]
    with app.app_context():
        User.update(language=language).where(User.id == mia.id).execute()
    client = app.test_client().sign_in_as(mia)
    data = {"name": value, "phone": "", "language": language, "timezone": "Europe/Vienna"}
    response = client.post("/account/profile", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert User.get_by_id(mia.id).name == "Mia Member"


def test_a_case_subject_on_two_lines_is_refused(customer_client):
    page = customer_client.post("/cases/new", data={"subject": "Printer\r\nBcc: x@evil.example"})
    assert page.status_code == 422
    assert "without line breaks" in page.get_data(as_text=True)


def test_a_stored_name_on_two_lines_never_fails_a_reply(app, agent_client, demo_people):
    """Stored before the forms refused it: the agent's public reply is sent all the same,
    with the name on one line in the To header."""
    from helpdesk.products.models import Product

    mia = demo_people["mia.member"]
    with app.app_context():
        User.update(name="Mia\r\nBcc: all@evil.example").where(User.id == mia.id).execute()
        case = service.open_case(
            service.NewCase(
                requester=User.get_by_id(mia.id),
                product=Product.select().first(),
                subject="Subject\nwith a break",
                description="Text",
                case_type="fault",
                severity="normal",
            )
        )
        assert case.subject == "Subject with a break"
    response = agent_client.post(
        f"/cases/{case.call_id}/messages",
        data={"body": "Here is the answer.", "visibility": "public"},
    )
    assert response.status_code in (302, 303), response.status_code
    with app.app_context():
        sent = [m for m in OutboxMessage.select() if "Here is the answer" in m.raw]
    [mail] = sent
    assert "Bcc:" not in mail.raw.split("\n\n")[0].replace("Bcc: all@evil.example", "")
    assert "\nBcc" not in mail.raw
    to = next(line for line in mail.raw.splitlines() if line.startswith("To:"))
    assert "mia.member@muster.example" in to


def test_headers_are_built_from_any_stored_text():
    raw = transport.build_message(
        message_id="<x@example>",
        sender="Erik\nFirst (Support) <support@vendor.example>",
        to=['"Mia\r\nMember" <mia@muster.example>'],
        subject="Printer\r\n\x1b[31mfails\x07",
        text="Body",
    )
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["Subject"] == "Printer [31mfails"
    lines = raw.split("\r\n")
    assert "From: Erik First (Support) <support@vendor.example>" in lines
    assert 'To: "Mia Member" <mia@muster.example>' in lines


def test_flattened_keeps_ordinary_text():
    assert flattened("Grüße aus Köln – 42") == "Grüße aus Köln – 42"
    assert flattened(" a\t\tb\r\n c ") == "a b c"
