"""Downloads and the learning center (KB-4): files and links per product and version.

The same audiences as articles decide who sees an item (``visible``): everyone the public
ones, signed-in customers those for every customer and for the products their organisation
has, agents all. Files are checked and stored like case files and always served as a
download with a sandboxing policy, never as a page of the portal.
"""

from datetime import datetime
from urllib.parse import urlsplit

from peewee import JOIN

from helpdesk import audit
from helpdesk.cases import files
from helpdesk.db import db
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.inputs import parse_id
from helpdesk.knowledge.models import Audience, Download, OrganisationProduct
from helpdesk.knowledge.rights import ensure_publisher
from helpdesk.knowledge.service import KnowledgeError
from helpdesk.permissions import is_customer, may_work_cases
from helpdesk.products.models import Product, ProductVersion

#: Kinds of item: the downloads, then the learning center's.
KINDS = {
    "documentation": _l("Documentation"),
    "release_notes": _l("Release notes"),
    "installer": _l("Installer"),
    "video": _l("Video"),
    "document": _l("Learning document"),
    "webinar": _l("Webinar"),
}
LEARNING = ("video", "document", "webinar")


def visible(query, user):
    """``query`` (over ``Download``) narrowed to the items ``user`` may see."""
    if may_work_cases(user):
        return query
    if not is_customer(user):
        return query.where(Download.audience == Audience.PUBLIC)
    own_products = OrganisationProduct.select(OrganisationProduct.product).where(
        OrganisationProduct.organisation == user.organisation_id
    )
    return query.where(
        Download.audience.in_([Audience.PUBLIC, Audience.CUSTOMERS])
        | ((Download.audience == Audience.PRODUCT) & Download.product.in_(own_products))
    )


def listing(user, product_id: int | None = None) -> list[Download]:
    """Every item ``user`` sees, by product, version (newest first) and kind."""
    query = visible(
        Download.select(Download, Product, ProductVersion)
        .join(Product)
        .join_from(Download, ProductVersion, JOIN.LEFT_OUTER),
        user,
    )
    if product_id:
        query = query.where(Download.product == product_id)
    return list(
        query.order_by(
            Product.key, ProductVersion.position.desc(), Download.kind, Download.id
        ).limit(1000)
    )


def item_for(user, download_id: int) -> Download | None:
    return visible(Download.select().where(Download.id == download_id), user).first()


def add(actor, values: dict, upload: tuple[str, bytes] | None) -> Download:
    """A new item from ``values`` (kind, product, version, audience, titles, url, event_at)
    and an uploaded ``(filename, data)``; exactly one of file and link."""
    ensure_publisher(actor)
    kind = values.get("kind")
    if kind not in KINDS:
        raise KnowledgeError(_l("Choose the kind of item."), "kind")
    product_id = parse_id(str(values.get("product") or ""))
    product = Product.get_or_none(Product.id == product_id) if product_id else None
    if product is None:
        raise KnowledgeError(_l("Choose a product."), "product")
    version = None
    if values.get("version"):
        version = ProductVersion.get_or_none(
            (ProductVersion.id == parse_id(str(values.get("version"))))
            & (ProductVersion.product == product.id)
        )
        if version is None:
            raise KnowledgeError(_l("Choose a version of this product."), "version")
    audience = values.get("audience")
    if audience not in set(Audience):
        raise KnowledgeError(_l("Choose who may read the article."), "audience")
    titles = {n: (values.get(n) or "").strip()[:200] for n in ("title_de", "title_en")}
    if not (titles["title_de"] or titles["title_en"]):
        raise KnowledgeError(_l("Give the item a title in German or English."), "title_de")
    url = (values.get("url") or "").strip()
    if len(url) > 1000:
        raise KnowledgeError(_l("A link must begin with https:// or http://."), "url")
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise KnowledgeError(_l("A link must begin with https:// or http://."), "url")
    if bool(url) == bool(upload):
        raise KnowledgeError(_l("Give either a file or a link."), "file")
    event_at = None
    if values.get("event_at"):
        try:
            event_at = datetime.fromisoformat(values["event_at"]).replace(tzinfo=None)
        except ValueError:
            raise KnowledgeError(_l("Give the date as YYYY-MM-DD HH:MM."), "event_at") from None
    stored = {}
    if upload:
        try:
            kept = files.store(*upload)
        except files.UploadError as error:
            raise KnowledgeError(str(error), "file") from None
        stored = {
            "filename": kept.filename,
            "stored_name": kept.stored_name,
            "content_type": kept.content_type,
            "size": kept.size,
            "sha256": kept.sha256,
        }
    with db.atomic():
        item = Download.create(
            kind=kind,
            product=product.id,
            version=version.id if version else None,
            audience=audience,
            url=url or None,
            event_at=event_at,
            created_by=actor.id,
            **titles,
            **stored,
        )
        audit.record(
            actor,
            "download.created",
            item,
            None,
            {
                "kind": kind,
                "product": product.key,
                "title": titles["title_de"] or titles["title_en"],
            },
        )
    return item


def versions() -> list[ProductVersion]:
    return list(
        ProductVersion.select(ProductVersion, Product)
        .join(Product)
        .order_by(Product.key, ProductVersion.position)
    )
