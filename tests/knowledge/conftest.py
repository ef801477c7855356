"""Fixtures for the knowledge base: the demo people, a second organisation, a product that
only Muster GmbH has, and a world of articles of every audience."""

import pytest

from helpdesk.accounts.models import Organisation, User
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Audience, OrganisationProduct, State
from helpdesk.products.models import Product


@pytest.fixture
def people(app, demo_people):
    with app.app_context():
        other = Organisation.create(name="Fremd AG", case_visibility="everyone")
        demo_people["fritz"] = User.create(
            email="fritz@fremd.example",
            name="Fritz Fremd",
            kind="customer",
            organisation=other,
            customer_role="portal_admin",
            support_authorised=True,
        )
    return demo_people


@pytest.fixture
def kb(app, people):
    """``kb.write(title, body, audience, ...)`` publishes an article as Ada (admin)."""

    class Knowledge:
        def __init__(self):
            with app.app_context():
                self.category = service.ensure_category("howto", "Anleitungen", "How-tos")
                self.faq = service.ensure_category("faq", "Häufige Fragen", "FAQ", is_faq=True)
                self.product = Product.select().order_by(Product.id).first()
                self.other_product = Product.create(key="other", name_de="Anderes", name_en="Other")
                muster = people["mia.member"].organisation_id
                OrganisationProduct.create(organisation=muster, product=self.product)

        def write(
            self,
            title,
            body="",
            audience=Audience.PUBLIC,
            product=None,
            publish=True,
            category=None,
            title_en=None,
            body_en=None,
        ):
            with app.app_context():
                admin = User.get(User.email == "ada.admin@vendor.example")
                article = service.create_article(
                    admin,
                    {
                        "category": (category or self.category).id,
                        "audience": audience,
                        "product": product.id if product else None,
                        "title_de": title,
                        "title_en": title_en or "",
                        "body_de": body,
                        "body_en": body_en or "",
                    },
                )
                if publish:
                    service.set_state(admin, article, State.PUBLISHED)
                return article

    return Knowledge()
