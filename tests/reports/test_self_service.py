"""Self-service on the dashboard: articles read and problems an article solved, per portal
day, for agents everything, for a customer their own organisation's only."""

from helpdesk.accounts.models import Organisation, User
from helpdesk.knowledge import service as knowledge
from helpdesk.knowledge.models import Article, Category, State
from helpdesk.products.models import Product
from helpdesk.reports import service as reports


def _rows(user, **values):
    filters = reports.filters_for(user, {"start": "2026-03-01", "end": "2026-03-04", **values})
    return {row[0]: row[1:] for row in reports.self_service(filters).chart.rows}


def test_reads_and_deflections_per_day_and_organisation(world, clock):
    category = Category.create(key="howto", name_de="Anleitungen", name_en="How-to")
    product = Product.select().order_by(Product.id).first()
    article = Article.create(
        category=category, product=product, state=State.PUBLISHED, title_en="Invoices"
    )
    other = Article.create(category=category, state=State.PUBLISHED, title_en="Printing")
    fremd = Organisation.create(name="Fremd AG")
    frida = User.create(
        email="frida@fremd.example",
        name="Frida Fremd",
        kind="customer",
        organisation=fremd,
        customer_role="portal_admin",
    )
    mia = world["mia.member"]
    clock.at("2026-03-02T10:00:00")
    knowledge.record_read(mia, article)
    knowledge.record_read(frida, article)
    knowledge.deflect(mia, article)
    clock.at("2026-03-02T23:15:00")  # 00:15 in Vienna: 3 March
    knowledge.record_read(mia, other)
    knowledge.record_read(world["erik.first"], other)  # an agent's reading is not counted
    knowledge.deflect(frida, other)

    everyone = _rows(world["erik.first"])  # articles read, solved by an article
    assert everyone["02.03."] == [2, 1]
    assert everyone["03.03."] == [1, 1]
    assert everyone["04.03."] == [0, 0]
    assert _rows(world["erik.first"], product=str(product.id))["03.03."] == [0, 0]
    # a customer sees their own organisation's only
    own = _rows(world["martin.main"])
    assert own["02.03."] == [1, 1] and own["03.03."] == [1, 0]
    assert _rows(frida)["03.03."] == [0, 1]
