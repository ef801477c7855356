"""Files and inline images of articles (KB-1), stored like case files (``cases.files``).

An upload is checked as a case's is (size, type judged from the bytes, a clean name) and
kept under a random name; it is served at ``/help/files/<id>/<name>`` only to whoever may read
its article (agents also while it is a draft), raster images inline and everything else as a
download. Those URLs are the only images an article's Markdown may show (``image_allowed``).
"""

import re
from dataclasses import asdict
from urllib.parse import unquote

from helpdesk import audit
from helpdesk.cases import files
from helpdesk.db import db
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article, ArticleFile
from helpdesk.knowledge.rights import ensure_writer

#: Where an article's files are served; an image in Markdown must point to one of them.
PREFIX = "/help/files/"
_SOURCE = re.compile(r"/help/files/[1-9][0-9]{0,17}/[^/?#\\]+")


def image_allowed(source: str) -> bool:
    """Whether ``source`` (an image's address in an article) is one of the articles' files:
    ``/help/files/<id>/<name>``, nothing before or after, and a name that is no dot
    segment a browser would resolve to another path."""
    if not _SOURCE.fullmatch(source):
        return False
    name = unquote(source.rsplit("/", 1)[1])
    return name not in {".", ".."}


def keep(uploads: list[tuple[str, bytes]]) -> list[files.StoredFile]:
    """Check and store ``uploads`` (``(filename, data)``) before anything else is saved;
    one refused file refuses them all (``KnowledgeError`` on the ``files`` field)."""
    kept = []
    for filename, data in uploads:
        try:
            kept.append(files.store(filename, data))
        except files.UploadError as error:
            for stored in kept:
                files.remove(stored.stored_name)
            raise service.KnowledgeError(str(error), "files") from None
    return kept


def save(actor, article: Article | None, values: dict, uploads: list[tuple[str, bytes]]):
    """The editor's save: a new draft (``article`` None) or a change, with the files chosen
    in the same form. Files are checked first, so a refused file saves nothing."""
    ensure_writer(actor)
    kept = keep(uploads)
    try:
        if article is None:
            article = service.create_article(actor, values)
        else:
            service.update_article(actor, article, values)
    except service.KnowledgeError:
        for stored in kept:
            files.remove(stored.stored_name)
        raise
    with db.atomic():
        for stored in kept:
            ArticleFile.create(article=article.id, created_by=actor.id, **asdict(stored))
            audit.record(actor, "article.file_added", article, None, {"filename": stored.filename})
    return article


def files_of(article: Article) -> list[ArticleFile]:
    return list(
        ArticleFile.select().where(ArticleFile.article == article.id).order_by(ArticleFile.id)
    )


def file_for(user, file_id: int) -> ArticleFile | None:
    """The file if ``user`` may read its article (``service.article_for``), else None."""
    found = ArticleFile.get_or_none(ArticleFile.id == file_id)
    if found is None or service.article_for(user, found.article_id) is None:
        return None
    return found


def is_image(found: ArticleFile) -> bool:
    """Whether the browser may show the file inline (a raster image, never SVG or HTML)."""
    return found.content_type in files.INLINE_SAFE
