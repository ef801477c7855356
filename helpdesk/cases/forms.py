"""The case form (CASE-2) and its phone variant (CASE-7).

The choices come from the vendor's policy and the database on every request, and the
plugins' extra fields depend on the chosen product and case type, so the form class is built
per request by ``case_form``. Validation here catches what a person can correct; the domain
(``service.open_case``) checks the same rules again and stays the authority.
"""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from helpdesk.accounts.models import Kind, Organisation, User
from helpdesk.cases import access
from helpdesk.cases.service import CHECKLIST, NewCase
from helpdesk.i18n import current_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.oneline import SingleLine
from helpdesk.policy import FormField, current_policy
from helpdesk.products.models import Component, Product, ProductVersion

#: The report checklist (seed 003): label and a hint that says what a good answer holds.
CHECKLIST_FIELDS = {
    "symptom": (
        _l("Symptom"),
        _l("What happens, and what do you see? Where in the program does it happen?"),
    ),
    "affected": (
        _l("Who is affected"),
        _l("One person, a department or everybody? Which users, sites or workstations?"),
    ),
    "expected": (_l("Expected behaviour"), _l("What should have happened instead?")),
    "steps": (
        _l("Steps to reproduce"),
        _l("Step by step: what do you do before the problem appears? Does it happen every time?"),
    ),
    "recent_changes": (
        _l("Recent changes"),
        _l("Updates, new settings, new hardware or other changes shortly before it started."),
    ),
    "error_text": (
        _l("Exact error text"),
        _l("Copy the message exactly as shown, or attach a screenshot of it."),
    ),
}

OFFERED = _l("Please choose one of the offered values.")
EXTRA_PREFIX = "extra_"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _OfferedWhenGiven:
    """An empty answer is only "required" (the validators say so), never also "not one of
    the offered values"."""

    def pre_validate(self, form):
        if self.data:
            super().pre_validate(form)


class Select(_OfferedWhenGiven, SelectField):
    pass


class Radio(_OfferedWhenGiven, RadioField):
    pass


class CaseForm(FlaskForm):
    """What a customer fills in; ``setup`` gives the choices of this request."""

    product = Select(
        _l("Product"),
        validators=[DataRequired(_l("Please choose a product."))],
        invalid_choice_message=OFFERED,
    )
    version = SelectField(_l("Version"), validate_choice=False)
    component = SelectField(_l("Component"), validate_choice=False)
    case_type = Select(
        _l("Type"),
        validators=[DataRequired(_l("Please choose a case type."))],
        invalid_choice_message=OFFERED,
    )
    severity = Radio(
        _l("Severity"),
        validators=[InputRequired(_l("Please choose a severity."))],
        invalid_choice_message=OFFERED,
    )
    subject = StringField(
        _l("Subject"),
        validators=[
            DataRequired(_l("Please give the case a subject.")),
            Length(max=200),
            SingleLine(),
        ],
        filters=[_strip],
    )
    category = StringField(
        _l("Category"), validators=[Optional(), Length(max=100), SingleLine()], filters=[_strip]
    )
    topic = StringField(
        _l("Topic"), validators=[Optional(), Length(max=200), SingleLine()], filters=[_strip]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Please describe the problem.")), Length(max=50_000)],
    )
    impact = TextAreaField(_l("Impact and urgency"), validators=[Length(max=10_000)])
    symptom = TextAreaField(CHECKLIST_FIELDS["symptom"][0], validators=[Length(max=10_000)])
    affected = TextAreaField(CHECKLIST_FIELDS["affected"][0], validators=[Length(max=10_000)])
    expected = TextAreaField(CHECKLIST_FIELDS["expected"][0], validators=[Length(max=10_000)])
    steps = TextAreaField(CHECKLIST_FIELDS["steps"][0], validators=[Length(max=10_000)])
    recent_changes = TextAreaField(
        CHECKLIST_FIELDS["recent_changes"][0], validators=[Length(max=10_000)]
    )
    error_text = TextAreaField(CHECKLIST_FIELDS["error_text"][0], validators=[Length(max=10_000)])
    copy_to_requester = BooleanField(_l("Send a copy to me"))
    files = MultipleFileField(_l("Files (screenshots, PDF, logs)"))

    #: The plugins' fields of this request, as ``(FormField, bound field)`` pairs.
    extras: list
    chosen_product: Product | None = None
    chosen_version: ProductVersion | None = None
    chosen_component: Component | None = None

    def setup(self, product: Product | None, extras: list[FormField]) -> None:
        """Fill the choices: active products, the product's versions and components (all
        products', grouped, while none is chosen), the vendor's types and severities."""
        policy = current_policy()
        self.chosen_product = product
        self.extras = [(spec, self[EXTRA_PREFIX + spec.key]) for spec in extras]
        language = current_language()
        products = Product.select().where(Product.active).order_by(Product.name_column(language))
        self.product.choices = [SelectChoice("", _("Choose a product"))] + [
            SelectChoice(str(p.id), p.name) for p in products
        ]
        self.version.choices = _options_of(ProductVersion, product, ProductVersion.position)
        self.component.choices = _options_of(Component, product, Component.name_column(language))
        self.case_type.choices = [SelectChoice("", _("Choose a type"))] + [
            SelectChoice(t.key, str(t.label)) for t in policy.case_types
        ]
        self.severity.choices = [SelectChoice(s.key, str(s.label)) for s in policy.severities]

    def preselect_severity(self) -> None:
        """The first severity that asks for no impact justification: going higher is a
        conscious choice."""
        if not self.severity.data:
            severities = current_policy().severities
            calm = [s for s in severities if not s.needs_impact] or severities
            self.severity.data = calm[0].key

    def validate_version(self, field):
        self.chosen_version = self._of_product(
            ProductVersion, field.data, _l("This version does not belong to the product.")
        )

    def validate_component(self, field):
        self.chosen_component = self._of_product(
            Component, field.data, _l("This component does not belong to the product.")
        )

    def _of_product(self, model, raw, refusal):
        """The row ``raw`` names if it belongs to the chosen product (a forged or stale id
        of another product is refused, not ignored)."""
        if not raw or self.chosen_product is None:
            return None
        row = model.get_or_none(model.id == number) if (number := parse_id(raw)) else None
        if row is None or row.product_id != self.chosen_product.id:
            raise ValidationError(str(refusal))
        return row

    def validate_impact(self, field):
        severity = next(
            (s for s in current_policy().severities if s.key == self.severity.data), None
        )
        if severity is not None and severity.needs_impact and not (field.data or "").strip():
            raise ValidationError(
                _("For this severity, please describe the impact and why it is so urgent.")
            )

    def extra_values(self) -> dict:
        """The plugins' fields as the case keeps them; empty answers are left out."""
        values = {}
        for spec, field in self.extras:
            value = _strip(field.data)
            if value not in (None, "", False):
                values[spec.key] = value
        return values

    def new_case(self, requester: User, **channel) -> NewCase:
        """What ``service.open_case`` needs; ``channel`` adds ``channel`` and ``opened_by``."""
        return NewCase(
            requester=requester,
            product=self.chosen_product,
            version=self.chosen_version,
            component=self.chosen_component,
            subject=self.subject.data,
            description=self.description.data,
            case_type=self.case_type.data,
            severity=self.severity.data,
            category=self.category.data or None,
            topic=self.topic.data or None,
            impact=self.impact.data,
            checklist={name: self[name].data for name in CHECKLIST},
            extra=self.extra_values(),
            copy_to_requester=self.copy_to_requester.data,
            **channel,
        )


class PhoneCaseForm(CaseForm):
    """An agent on the phone opens the case for a customer user (CASE-7)."""

    requester = SelectField(
        _l("Customer"),
        validators=[DataRequired(_l("Please choose the customer who called."))],
        validate_choice=False,
    )
    copy_to_requester = BooleanField(_l("Send the customer a copy"))
    chosen_requester: User | None = None

    def setup(self, product, extras):
        super().setup(product, extras)
        self.requester.choices = [SelectChoice("", _("Choose the customer"))] + [
            SelectChoice(
                str(user.id), f"{user.name} <{user.email}>", optgroup=user.organisation.name
            )
            for user in callers()
        ]

    def validate_requester(self, field):
        found = None
        if number := parse_id(field.data):
            found = next((u for u in callers(User.id == number)), None)
        if found is None:
            raise ValidationError(OFFERED)
        self.chosen_requester = found

    def new_case(self, requester=None, **channel):
        return super().new_case(requester or self.chosen_requester, **channel)


def callers(*conditions) -> list[User]:
    """The customer users a case may be opened for: active, in an active organisation, and
    allowed to open cases in its name (``helpdesk_may_open_case``, PERM-5); by organisation,
    then name."""
    candidates = (
        User.select(User, Organisation)
        .join(Organisation)
        .where((User.kind == Kind.CUSTOMER) & User.active & Organisation.is_active, *conditions)
        .order_by(Organisation.name, User.name)
    )
    return [user for user in candidates if access.may_open_case(user)]


def _options_of(model, product, order):
    """Versions or components of ``product``; of every active product, grouped, if None."""
    options = [SelectChoice("", _("Not specified"))]
    if product is not None:
        rows = model.select().where(model.product == product).order_by(order)
        return options + [SelectChoice(str(row.id), _name_of(row)) for row in rows]
    rows = (
        model.select(model, Product)
        .join(Product)
        .where(Product.active)
        .order_by(Product.name_column(current_language()), order)
    )
    return options + [
        SelectChoice(str(row.id), _name_of(row), optgroup=row.product.name) for row in rows
    ]


def _name_of(row) -> str:
    if isinstance(row, ProductVersion) and not row.supported:
        return _("%(name)s (no longer supported)", name=row.name)
    return row.name


def _extra_field(spec: FormField):
    """A WTForms field for one of the plugins' fields."""
    required = [DataRequired()] if spec.required else [Optional()]
    options = {"label": str(spec.label), "description": str(spec.help or "")}
    if spec.kind == "textarea":
        return TextAreaField(validators=[*required, Length(max=10_000)], **options)
    if spec.kind == "select":
        choices = [SelectChoice("", _("Please choose"))] + [
            SelectChoice(choice.key, str(choice.label)) for choice in spec.choices
        ]
        return Select(
            validators=required, choices=choices, invalid_choice_message=OFFERED, **options
        )
    if spec.kind == "checkbox":
        return BooleanField(validators=required, **options)
    return StringField(
        validators=[*required, Length(max=500), SingleLine()], filters=[_strip], **options
    )


def chosen_product(raw) -> Product | None:
    """The active product a raw form value names, else None."""
    number = parse_id(raw)
    if number is None:
        return None
    return Product.get_or_none((Product.id == number) & Product.active)


def case_form(values, *, phone: bool = False, fresh: bool = False, **form_options) -> CaseForm:
    """The form for this request. ``values`` (the posted form or the query) name the product
    and case type that decide the plugins' extra fields; ``form_options`` go to the form.

    A ``fresh`` form starts from ``values`` and preselects what leaves no choice: the only
    product, the only case type (or the one the vendor marks ``preselected``), and a severity
    that needs no justification.
    """
    policy = current_policy()
    types = [t.key for t in policy.case_types]
    product = chosen_product(values.get("product"))
    case_type = values.get("case_type") or ""
    if fresh:
        product = product or _only(Product.select().where(Product.active))
        preselected = next((t.key for t in policy.case_types if t.preselected), "")
        case_type = case_type or (types[0] if len(types) == 1 else preselected)
        form_options["data"] = {"product": product and str(product.id), "case_type": case_type}
    if case_type not in types:
        case_type = ""
    extras = policy.form_fields(product, case_type)
    base = PhoneCaseForm if phone else CaseForm
    fields = {EXTRA_PREFIX + spec.key: _extra_field(spec) for spec in extras}
    form = type(base.__name__, (base,), fields)(**form_options)
    form.setup(product, extras)
    if fresh:
        form.preselect_severity()
    return form


def _only(query):
    rows = list(query.limit(2))
    return rows[0] if len(rows) == 1 else None
