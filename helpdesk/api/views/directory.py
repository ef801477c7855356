"""Who and what the caller may see besides cases: themselves, organisations and their people,
products, and the vendor's vocabulary (case types, severities, priorities, statuses)."""

from flask import g, jsonify

from helpdesk.accounts.models import Kind, Organisation, User
from helpdesk.api import cursors, serialise
from helpdesk.api.openapi import documented
from helpdesk.api.problems import Problem
from helpdesk.api.views.blueprint import bp, needs, person_of_token
from helpdesk.inputs import page_number
from helpdesk.permissions import may_work_cases
from helpdesk.products.models import Component, Product, ProductVersion

PAGE_SIZE = 100


def _organisation(organisation) -> dict:
    return {"id": organisation.id, "name": organisation.name, "active": organisation.is_active}


def _visible_organisations(user: User):
    """Agents see every organisation, a customer their own."""
    query = Organisation.select().order_by(Organisation.name, Organisation.id)
    if not may_work_cases(user):
        query = query.where(Organisation.id == user.organisation_id)
    return query


@bp.get("/me")
@needs("cases:read")
@documented(answer="Me")
def me():
    """The token's person and the token's scopes."""
    user = person_of_token()
    return jsonify(
        person=serialise.person(user, True),
        organisation_id=user.organisation_id,
        scopes=list(g.api_token.scope_names),
    )


@bp.get("/organisations")
@needs("cases:read")
@documented(
    answer="OrganisationList",
    query={"page": {"type": "integer", "minimum": 1}, **cursors.PARAMETER},
)
def organisations():
    """The organisations the person sees: every one for agents, their own for customers."""
    page = page_number(cursors.query_of("organisations").get("page"), last=10_000)
    # One row more than a page tells whether another follows (``paginate`` would shift it).
    visible = _visible_organisations(person_of_token())
    rows = list(visible.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    return jsonify(
        organisations=[_organisation(o) for o in rows[:PAGE_SIZE]],
        page=page,
        links=(
            {"next": cursors.next_link("organisations", {"page": page + 1})}
            if len(rows) > PAGE_SIZE
            else {}
        ),
    )


@bp.get("/organisations/<int:organisation_id>/people")
@needs("cases:read")
@documented(answer="People")
def people(organisation_id: int):
    """The organisation's active customer users, if the caller sees the organisation."""
    user = person_of_token()
    organisation = _visible_organisations(user).where(Organisation.id == organisation_id).first()
    if organisation is None:
        raise Problem(404)
    rows = (
        User.select(User.id, User.name, User.email, User.kind)
        .where((User.organisation == organisation.id) & (User.kind == Kind.CUSTOMER) & User.active)
        .order_by(User.name, User.id)
    )
    return jsonify(
        organisation=_organisation(organisation),
        people=[serialise.person(person, True) for person in rows],
    )


@bp.get("/products")
@needs("cases:read")
@documented(answer="Products")
def products():
    """The active products with their versions and components, in three queries."""
    rows = list(Product.select().where(Product.active).order_by(Product.id))
    ids = [p.id for p in rows]
    versions, components = {}, {}
    for version in (
        ProductVersion.select()
        .where(ProductVersion.product.in_(ids))
        .order_by(ProductVersion.position, ProductVersion.id)
    ):
        versions.setdefault(version.product_id, []).append(
            {"id": version.id, "name": version.name, "supported": version.supported}
        )
    for component in Component.select().where(Component.product.in_(ids)).order_by(Component.id):
        components.setdefault(component.product_id, []).append(serialise.named(component))
    return jsonify(
        products=[
            {
                "id": p.id,
                "key": p.key,
                "name": p.name,
                "versions": versions.get(p.id, []),
                "components": components.get(p.id, []),
            }
            for p in rows
        ]
    )


@bp.get("/vocabulary")
@needs("cases:read")
@documented(answer="Vocabulary")
def vocabulary():
    """Case types, severities, priorities and statuses, each labelled in both languages."""
    return jsonify(serialise.vocabulary())
