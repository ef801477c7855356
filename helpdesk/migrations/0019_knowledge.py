"""The knowledge base (issue 14): categories, articles with their revisions, which products
an organisation has, what customers read and which articles solved their problem, and the
articles' search index (``knowledge.search``); announcements, who dismissed them, and the
addresses that unsubscribed; downloads and learning items; feedback on articles.
New tables only; frozen copies below."""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.knowledge.search import create_index_table
from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")
    Organisation = existing(Base, "organisation")
    Product = existing(Base, "product")
    Case = existing(Base, "case")

    class OrganisationProduct(Base):
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        product = ForeignKeyField(Product, on_delete="CASCADE")

        class Meta:
            primary_key = False
            indexes = ((("organisation", "product"), True),)

    class Category(Base):
        id = AutoField()
        key = CharField(max_length=50, unique=True)
        name_de = CharField(max_length=200)
        name_en = CharField(max_length=200)
        position = IntegerField(default=0)
        is_faq = BooleanField(default=False)

    class Article(Base):
        id = AutoField()
        category = ForeignKeyField(Category, on_delete="CASCADE")
        product = ForeignKeyField(Product, null=True, on_delete="SET NULL")
        audience = CharField(max_length=20)
        state = CharField(max_length=20)
        title_de = CharField(max_length=200)
        title_en = CharField(max_length=200)
        body_de = TextField()
        body_en = TextField()
        reads = IntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()
        published_at = DateTimeField(null=True)
        source_case = ForeignKeyField(Case, null=True, on_delete="SET NULL")
        proposed = BooleanField(default=False)

        class Meta:
            indexes = (
                (("state", "audience", "category"), False),
                (("category", "state"), False),
                (("product", "state"), False),
                (("state", "reads"), False),
            )

    class Revision(Base):
        id = AutoField()
        article = ForeignKeyField(Article, on_delete="CASCADE")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        state = CharField(max_length=20)
        title_de = CharField(max_length=200)
        title_en = CharField(max_length=200)
        body_de = TextField()
        body_en = TextField()

        class Meta:
            indexes = ((("article", "id"), False),)

    class ArticleRead(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        article = ForeignKeyField(Article, on_delete="CASCADE")
        read_at = DateTimeField()

        class Meta:
            indexes = ((("user", "read_at"), False),)

    class Deflection(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        article = ForeignKeyField(Article, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("user", "article"), True), (("article",), False))

    class Announcement(Base):
        id = AutoField()
        kind = CharField(max_length=50)
        product = ForeignKeyField(Product, null=True, on_delete="SET NULL")
        title_de = CharField(max_length=200)
        title_en = CharField(max_length=200)
        body_de = TextField()
        body_en = TextField()
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        published_at = DateTimeField()

        class Meta:
            indexes = ((("published_at",), False),)

    class AnnouncementDismissal(Base):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        announcement = ForeignKeyField(Announcement, on_delete="CASCADE")
        dismissed_at = DateTimeField()

        class Meta:
            indexes = ((("user", "announcement"), True),)

    class NewsOptOut(Base):
        id = AutoField()
        email = CharField(max_length=254, unique=True)
        created_at = DateTimeField()

    ProductVersion = existing(Base, "product_version")

    class Download(Base):
        id = AutoField()
        kind = CharField(max_length=30)
        product = ForeignKeyField(Product, on_delete="CASCADE")
        version = ForeignKeyField(ProductVersion, null=True, on_delete="SET NULL")
        audience = CharField(max_length=20)
        title_de = CharField(max_length=200)
        title_en = CharField(max_length=200)
        url = CharField(max_length=1000, null=True)
        filename = CharField(max_length=200, null=True)
        stored_name = CharField(max_length=64, null=True)
        content_type = CharField(max_length=100, null=True)
        size = IntegerField(null=True)
        sha256 = CharField(max_length=64, null=True)
        event_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("product", "audience"), False),)

    class ArticleFeedback(Base):
        id = AutoField()
        article = ForeignKeyField(Article, on_delete="CASCADE")
        user = ForeignKeyField(User, null=True, on_delete="SET NULL")
        helpful = BooleanField()
        comment = TextField()
        created_at = DateTimeField()

        class Meta:
            indexes = ((("article", "id"), False),)

    db.create_tables(
        [
            OrganisationProduct,
            Category,
            Article,
            Revision,
            ArticleRead,
            Deflection,
            Announcement,
            AnnouncementDismissal,
            NewsOptOut,
            Download,
            ArticleFeedback,
        ]
    )
    create_index_table(db)
