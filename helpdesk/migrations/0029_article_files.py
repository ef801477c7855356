"""Files and inline images of knowledge articles (KB-1, issue 14), stored like case files.

The model below is a frozen copy of the table as it was in this release.
"""

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    User = existing(Base, "user")
    Article = existing(Base, "article")

    class ArticleFile(Base):
        id = AutoField()
        article = ForeignKeyField(Article, on_delete="CASCADE")
        filename = CharField(max_length=200)
        stored_name = CharField(max_length=64)
        content_type = CharField(max_length=100)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("article", "id"), False),)

    db.create_tables([ArticleFile])
