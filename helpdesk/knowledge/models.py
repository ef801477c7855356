"""Categories, articles and their revisions, and what customers did with articles.

An article has a German and an English version (title and Markdown text) in one row, a
state (draft, published, archived) and a visibility; its revisions keep every saved version
with who saved it and when. Which products an organisation has is ``OrganisationProduct``:
an article for a product shows only to organisations that have it.
"""

from enum import StrEnum

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.accounts.models import Organisation, User
from helpdesk.bilingual import BilingualName
from helpdesk.cases.models import Case
from helpdesk.db import BaseModel
from helpdesk.i18n import current_language
from helpdesk.products.models import Product, ProductVersion
from helpdesk.timeutil import utcnow


class State(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Audience(StrEnum):
    PUBLIC = "public"  # everyone, signed in or not
    CUSTOMERS = "customers"  # every signed-in customer
    PRODUCT = "product"  # customers of organisations that have the article's product
    AGENTS = "agents"  # the vendor's agents only


class OrganisationProduct(BaseModel):
    """An organisation has (licensed, runs) a product."""

    organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")

    class Meta:
        primary_key = False
        indexes = ((("organisation", "product"), True),)


class Category(BilingualName, BaseModel):
    """A section of the help center; an FAQ section holds questions and their answers."""

    id = AutoField()
    key = CharField(max_length=50, unique=True)
    name_de = CharField(max_length=200)
    name_en = CharField(max_length=200)
    position = IntegerField(default=0)
    is_faq = BooleanField(default=False)


class Article(BaseModel):
    id = AutoField()
    category = ForeignKeyField(Category, backref="articles", on_delete="CASCADE")
    product = ForeignKeyField(Product, null=True, on_delete="SET NULL")
    audience = CharField(max_length=20, default=Audience.CUSTOMERS)
    state = CharField(max_length=20, default=State.DRAFT)
    title_de = CharField(max_length=200, default="")
    title_en = CharField(max_length=200, default="")
    body_de = TextField(default="")
    body_en = TextField(default="")
    # What the Markdown shows, without markup (``markdown.plain``): a search's snippets are
    # cut from it; written with the text (``service.plain_texts``).
    plain_de = TextField(default="")
    plain_en = TextField(default="")
    reads = IntegerField(default=0)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    published_at = DateTimeField(null=True)
    source_case = ForeignKeyField(Case, null=True, on_delete="SET NULL")  # written from a case
    proposed = BooleanField(default=False)  # a customer's proposal, for an agent to review

    class Meta:
        indexes = (
            (("state", "audience", "category"), False),
            # The help center's counts per category read this index alone (migration 0042).
            (("state", "category", "audience", "product"), False),
            (("category", "state"), False),
            (("product", "state"), False),
            (("state", "reads"), False),
        )

    def title_in(self, language: str) -> str:
        first, second = (self.title_de, self.title_en)
        return (first or second) if language == "de" else (second or first)

    def body_in(self, language: str) -> str:
        first, second = (self.body_de, self.body_en)
        return (first or second) if language == "de" else (second or first)

    def plain_in(self, language: str) -> str:
        first, second = (self.plain_de, self.plain_en)
        return (first or second) if language == "de" else (second or first)

    @property
    def title(self) -> str:
        return self.title_in(current_language())

    @property
    def body(self) -> str:
        return self.body_in(current_language())


class Revision(BaseModel):
    """One saved version of an article: who saved it, when, and what it said."""

    id = AutoField()
    article = ForeignKeyField(Article, backref="revisions", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    state = CharField(max_length=20)
    title_de = CharField(max_length=200, default="")
    title_en = CharField(max_length=200, default="")
    body_de = TextField(default="")
    body_en = TextField(default="")

    class Meta:
        indexes = ((("article", "id"), False),)


class ArticleRead(BaseModel):
    """A signed-in customer opened an article (what a requester read before writing)."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    article = ForeignKeyField(Article, on_delete="CASCADE")
    read_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class Deflection(BaseModel):
    """A customer said an article solved their problem instead of opening a case: once per
    customer and article."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    article = ForeignKeyField(Article, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "article"), True), (("article",), False))


class Announcement(BaseModel):
    """News from the vendor (KB-4): a release, a technical warning, an event invitation or a
    newsletter, for every customer or for the organisations that have one product."""

    id = AutoField()
    kind = CharField(max_length=50)
    product = ForeignKeyField(Product, null=True, on_delete="SET NULL")
    title_de = CharField(max_length=200, default="")
    title_en = CharField(max_length=200, default="")
    body_de = TextField(default="")
    body_en = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    published_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("published_at",), False),)

    title_in = Article.title_in
    body_in = Article.body_in
    title = Article.title
    body = Article.body


class AnnouncementDismissal(BaseModel):
    """A customer has read an announcement: it leaves their start page."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    announcement = ForeignKeyField(Announcement, on_delete="CASCADE")
    dismissed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "announcement"), True),)


class NewsOptOut(BaseModel):
    """An address that unsubscribed from announcements: no announcement is mailed there."""

    id = AutoField()
    email = CharField(max_length=254, unique=True)
    created_at = DateTimeField(default=utcnow)


class Download(BaseModel):
    """A file or link per product and version (KB-4): documentation, release notes and
    installers, and the learning center's videos, documents and webinars. Read by the same
    audiences as articles. A file is stored like a case's (``cases.files``), a link is
    http(s) only."""

    id = AutoField()
    kind = CharField(max_length=30)
    product = ForeignKeyField(Product, on_delete="CASCADE")
    version = ForeignKeyField(ProductVersion, null=True, on_delete="SET NULL")
    audience = CharField(max_length=20, default=Audience.CUSTOMERS)
    title_de = CharField(max_length=200, default="")
    title_en = CharField(max_length=200, default="")
    url = CharField(max_length=1000, null=True)
    filename = CharField(max_length=200, null=True)
    stored_name = CharField(max_length=64, null=True)
    content_type = CharField(max_length=100, null=True)
    size = IntegerField(null=True)
    sha256 = CharField(max_length=64, null=True)
    event_at = DateTimeField(null=True)  # a webinar's date
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("product", "audience"), False),)

    title_in = Article.title_in
    title = Article.title


class ArticleFeedback(BaseModel):
    """ "Was this helpful?" with an optional comment, shown to the article's authors."""

    id = AutoField()
    article = ForeignKeyField(Article, on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    helpful = BooleanField()
    comment = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "id"), False),)


class ArticleFile(BaseModel):
    """A file or inline image of an article, stored like a case's (``cases.files``) and
    served only to those who may read the article (``/help/files/<id>/<name>``)."""

    id = AutoField()
    article = ForeignKeyField(Article, backref="files", on_delete="CASCADE")
    filename = CharField(max_length=200)
    stored_name = CharField(max_length=64)
    content_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("article", "id"), False),)
