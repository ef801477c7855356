"""The help center (public and for customers), the article pages, the suggestions beside the
case form, and the agents' editor with its live preview.

An article page counts a reading when it is rendered, on the server, once per session (so
a reader without JavaScript counts as well). From the case form's suggestions a customer opens
an article in the same tab: the form is posted along (``while_writing``) and carried on the
article page, whose "still need help" posts it back as typed and whose "this solved my problem"
ends it without a case.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import markdown
from helpdesk.cases import files
from helpdesk.cases.views.attachments import serve, take_uploads
from helpdesk.i18n import current_language
from helpdesk.inputs import page_number, parse_id
from helpdesk.knowledge import announcements as news
from helpdesk.knowledge import article_files, downloads, search, service
from helpdesk.knowledge.extensions import contributions
from helpdesk.knowledge.models import Article, Audience, Category, State
from helpdesk.knowledge.rights import may_publish_articles
from helpdesk.permissions import is_customer, require_admin, require_agent, require_customer
from helpdesk.web import render

bp = Blueprint("knowledge", __name__)


def _user():
    return current_user._get_current_object()


def show_markdown(text: str):
    """An article's text as HTML; images only from the articles' own files."""
    return markdown.render(text, image_allowed=article_files.image_allowed)


@bp.get("/help")
def index():
    user = _user()
    counts = service.category_counts(user)
    return render(
        "knowledge/index.html",
        categories=[c for c in service.categories() if counts.get(c.id)],
        counts=counts,
        most_read=service.most_read(user),
        products=service.products(),
    )


@bp.get("/help/search")
def search_page():
    user = _user()
    text = request.args.get("q", "")[:200]
    product_id = parse_id(request.args.get("product"))
    category_id = parse_id(request.args.get("category"))
    page = page_number(request.args.get("page"))
    count, articles = service.find(user, text, product_id, category_id, page)
    language = current_language()
    categories = service.categories()
    category_names = {category.id: category.name for category in categories}
    results = [
        (
            article.id,
            article.title_in(language),
            category_names.get(article.category_id, ""),
            search.snippet(article.plain_in(language), text),
        )
        for article in articles
    ]
    return render(
        "knowledge/search.html",
        block="results",
        text=text,
        count=count,
        results=results,
        page=page,
        pages=max(1, -(-count // service.PAGE_SIZE)),
        product_id=product_id,
        category_id=category_id,
        products=service.products(),
        categories=categories,
    )


@bp.get("/help/categories/<int:category_id>")
def category(category_id: int):
    found = Category.get_or_none(Category.id == category_id)
    if found is None:
        abort(404)
    user = _user()
    return render(
        "knowledge/category.html",
        category=found,
        articles=service.in_category(user, found.id),
        show=show_markdown,
    )


@bp.get("/help/articles/<int:article_id>")
def article(article_id: int):
    user = _user()
    found = service.article_for(user, article_id)
    if found is None:
        abort(404)
    _count_reading(user, found)
    return _article_page(user, found)


@bp.post("/help/articles/<int:article_id>/while-writing")
@login_required
def while_writing(article_id: int):
    """A suggestion opened from the new-case form (a submit button of that form): the
    article, with the form as typed carried along for "still need help". Files chosen in
    the form are kept as pending uploads, as the form itself keeps them."""
    user = _user()
    found = service.article_for(user, article_id)
    if found is None or not is_customer(user):
        abort(404)
    _count_reading(user, found)
    kept, _refused = take_uploads(user)
    draft = [
        (name, value) for name, value in request.form.items(multi=True) if name not in CARRIED_APART
    ]
    draft += [("pending", str(upload.id)) for upload in kept]
    response = _article_page(user, found, draft)
    # htmx (a boosted form) would show the POST's address: show the article's instead.
    response.headers["HX-Push-Url"] = url_for("knowledge.article", article_id=found.id)
    return response


#: Fields of the case form not carried as typed: the token (the page has its own), the
#: buttons, and the pending files (carried as the ones kept now).
CARRIED_APART = {"csrf_token", "knowledge", "refresh", "pending"}
#: How many articles a session remembers as read, each counted once.
READ_MEMORY = 50


def _count_reading(user, article: Article) -> None:
    """Count a reading of a published article once per session: a reload, or the way back
    from the case form, is no new reading."""
    if article.state != State.PUBLISHED:
        return
    seen = session.get("articles_read", [])
    if article.id in seen:
        return
    service.record_read(user, article)
    session["articles_read"] = [*seen, article.id][-READ_MEMORY:]


def _article_page(user, article: Article, draft: list | None = None):
    return render(
        "knowledge/article.html",
        article=article,
        html=show_markdown(article.body),
        draft=draft,
        customer=is_customer(user),
    )


@bp.post("/help/articles/<int:article_id>/solved")
@login_required
def solved(article_id: int):
    """ "This solved my problem": counted once, and no case is opened."""
    user = _user()
    found = service.article_for(user, article_id)
    if found is None or not is_customer(user):
        abort(404)
    service.deflect(user, found)
    flash(_("We are glad the article helped. No case was opened."), "info")
    return redirect(url_for("home.index"), 303)


@bp.get("/help/suggestions")
@login_required
def suggestions():
    """The articles matching a case being written (``subject`` and ``description``)."""
    user = _user()
    subject = request.args.get("subject", "")[:300]
    description = request.args.get("description", "")[:2000]
    return render(
        "knowledge/_suggestions.html",
        block="suggestions",
        suggestions=service.suggest(user, subject, description),
        searched=bool(subject.strip() or description.strip()),
    )


# The agents' side -----------------------------------------------------------------------


@bp.get("/help/manage")
@require_agent
def manage():
    state = request.args.get("state")
    return render(
        "knowledge/manage.html",
        articles=service.all_articles(_user(), state),
        state=state,
        states=list(State),
    )


@bp.route("/help/manage/new", methods=["GET", "POST"])
@require_agent
def new():
    return _editor(None)


@bp.route("/help/manage/<int:article_id>", methods=["GET", "POST"])
@require_agent
def edit(article_id: int):
    found = Article.get_or_none(Article.id == article_id)
    if found is None:
        abort(404)
    return _editor(found)


def _editor(article: Article | None):
    user = _user()
    values = _values(article)
    problem = field = None
    if request.method == "POST" and "preview" not in request.form:
        try:
            saved = article_files.save(user, article, values, _uploads())
        except service.KnowledgeError as error:
            problem, field = str(error), error.field
        else:
            flash(_("The article was saved.") if article else _("The draft was saved."), "info")
            return redirect(url_for("knowledge.edit", article_id=saved.id), 303)
    return render(
        "knowledge/editor.html",
        status=422 if problem else 200,
        article=article,
        values=values,
        problem=problem,
        field=field,
        preview={
            "de": show_markdown(values["body_de"]),
            "en": show_markdown(values["body_en"]),
        },
        categories=service.category_choices(),
        templates=contributions().templates if article is None else [],
        products=service.products(),
        audiences=list(Audience),
        states=list(State),
        revisions=service.revisions(article) if article else [],
        article_files=article_files.files_of(article) if article else [],
        is_image=article_files.is_image,
        feedback=service.feedback_for(article) if article else None,
        source_call_id=service.source_call_id(article),
        may_publish=may_publish_articles(user),
    )


def _uploads() -> list[tuple[str, bytes]]:
    """The files chosen in the editor; one byte over the limit is enough to refuse one."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    return [
        (upload.filename, upload.stream.read(limit + 1))
        for upload in request.files.getlist("files")
        if upload and upload.filename
    ]


@bp.get("/help/files/<int:file_id>/<path:filename>")
def article_file(file_id: int, filename: str):
    """An article's file, for whoever may read the article: raster images inline, all else
    a download, never run by the browser (as case files are served)."""
    found = article_files.file_for(_user(), file_id)
    if found is None:
        abort(404)
    return serve(found, inline=article_files.is_image(found))


def _values(article: Article | None) -> dict:
    if request.method == "POST":
        names = ("category", "product", "audience", *service.TEXT_FIELDS)
        return {name: request.form.get(name, "") for name in names}
    if article is None:
        chosen = request.args.get("template")
        template = next((t for t in contributions().templates if t.key == chosen), None)
        return {
            "category": parse_id(request.args.get("category")) or "",
            "product": "",
            "audience": Audience.CUSTOMERS,
            **{name: "" for name in service.TEXT_FIELDS},
            "body_de": template.body_de if template else "",
            "body_en": template.body_en if template else "",
        }
    return {
        "category": article.category_id,
        "product": article.product_id or "",
        "audience": article.audience,
        **{name: getattr(article, name) for name in service.TEXT_FIELDS},
    }


@bp.post("/help/manage/preview")
@require_agent
def preview():
    """The live preview of one text of the editor (htmx posts the text as ``body_de`` or
    ``body_en``)."""
    text = request.form.get("body_de", request.form.get("body_en", ""))
    return render("knowledge/_preview.html", block="preview", html=show_markdown(text))


@bp.post("/help/manage/<int:article_id>/state")
@require_agent
def change_state(article_id: int):
    found = Article.get_or_none(Article.id == article_id)
    if found is None or not may_publish_articles(_user()):
        abort(404)
    try:
        service.set_state(_user(), found, request.form.get("state", ""))
    except service.KnowledgeError as error:
        flash(str(error), "error")
        return redirect(url_for("knowledge.edit", article_id=found.id), 303)
    flash(_("The article's state was changed."), "info")
    return redirect(url_for("knowledge.edit", article_id=found.id), 303)


@bp.get("/help/manage/categories")
@require_agent
def categories():
    return _categories_page({})


@bp.post("/help/manage/categories")
@require_agent
def add_category():
    user = _user()
    if not may_publish_articles(user):
        abort(404)
    form = {name: request.form.get(name, "") for name in ("key", "name_de", "name_en")}
    try:
        service.create_category(
            user, form["key"], form["name_de"], form["name_en"], "is_faq" in request.form
        )
    except service.KnowledgeError as error:
        return _categories_page(form, str(error))
    flash(_("The category was created."), "info")
    return redirect(url_for("knowledge.categories"), 303)


def _categories_page(form: dict, problem: str | None = None):
    return render(
        "knowledge/categories.html",
        status=422 if problem else 200,
        categories=service.categories(),
        form=form,
        problem=problem,
        may_publish=may_publish_articles(_user()),
    )


# Announcements --------------------------------------------------------------------------


@bp.get("/help/announcements")
@require_agent
def announcements_page():
    return _announcements({})


@bp.post("/help/announcements")
@require_agent
def publish_announcement():
    user = _user()
    if not may_publish_articles(user):
        abort(404)
    names = ("kind", "product", "title_de", "title_en", "body_de", "body_en")
    values = {name: request.form.get(name, "") for name in names}
    try:
        _announcement, mails = news.publish(user, values)
    except service.KnowledgeError as error:
        return _announcements(values, str(error), error.field)
    flash(_("The announcement was published and mailed to %(count)s addresses.", count=mails))
    return redirect(url_for("knowledge.announcements_page"), 303)


def _announcements(values: dict, problem: str | None = None, field: str | None = None):
    return render(
        "knowledge/announcements.html",
        status=422 if problem else 200,
        announcements=news.all_announcements(),
        kinds=news.kinds(),
        kind_label=news.kind_label,
        products=service.products(),
        values=values,
        problem=problem,
        field=field,
        may_publish=may_publish_articles(_user()),
    )


@bp.post("/help/announcements/<int:announcement_id>/dismiss")
@login_required
def dismiss(announcement_id: int):
    if not news.dismiss(_user(), announcement_id):
        abort(404)
    if request.htmx:
        return ""
    return redirect(url_for("home.index"), 303)


@bp.route("/news/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The link of every announcement mail: the signed address is the permission. Opening it
    only asks; the form's POST unsubscribes."""
    email = news.address_for_token(token)
    if email is None:
        abort(404)
    done = news.is_unsubscribed(email)
    if request.method == "POST":
        news.unsubscribe(email)
        done = True
    return render("knowledge/unsubscribe.html", email=email, token=token, done=done)


# Downloads and the learning center ------------------------------------------------------


@bp.get("/help/downloads")
def downloads_page():
    user = _user()
    product_id = parse_id(request.args.get("product"))
    return render(
        "knowledge/downloads.html",
        items=downloads.listing(user, product_id),
        kinds=downloads.KINDS,
        learning=downloads.LEARNING,
        products=service.products(),
        product_id=product_id,
    )


@bp.get("/help/downloads/<int:download_id>/<path:filename>")
def download(download_id: int, filename: str):
    """An item's file, for whoever may see the item; always as a download, sandboxed."""
    item = downloads.item_for(_user(), download_id)
    if item is None or not item.stored_name:
        abort(404)
    path = files.path_of(item.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        etag=item.sha256,
        max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/help/manage/downloads")
@require_agent
def manage_downloads():
    return _downloads_form({})


@bp.post("/help/manage/downloads")
@require_agent
def add_download():
    user = _user()
    if not may_publish_articles(user):
        abort(404)
    names = ("kind", "product", "version", "audience", "title_de", "title_en", "url", "event_at")
    values = {name: request.form.get(name, "") for name in names}
    upload = request.files.get("file")
    data = upload.read() if upload and upload.filename else None
    try:
        downloads.add(user, values, (upload.filename, data) if data is not None else None)
    except service.KnowledgeError as error:
        return _downloads_form(values, str(error), error.field)
    flash(_("The item was added."), "info")
    return redirect(url_for("knowledge.manage_downloads"), 303)


def _downloads_form(values: dict, problem: str | None = None, field: str | None = None):
    user = _user()
    return render(
        "knowledge/manage_downloads.html",
        status=422 if problem else 200,
        items=downloads.listing(user),
        kinds=downloads.KINDS,
        products=service.products(),
        versions=downloads.versions(),
        audiences=list(Audience),
        values=values,
        problem=problem,
        field=field,
        may_publish=may_publish_articles(user),
    )


# Feedback, articles from cases, proposals -----------------------------------------------


@bp.post("/help/articles/<int:article_id>/feedback")
@login_required
def feedback(article_id: int):
    user = _user()
    found = service.article_for(user, article_id)
    if found is None or found.state != State.PUBLISHED:
        abort(404)
    try:
        service.give_feedback(
            user, found, request.form.get("helpful") == "yes", request.form.get("comment", "")
        )
    except service.KnowledgeError as error:
        flash(str(error), "error")
    else:
        flash(_("Thank you for your feedback."), "info")
    return redirect(url_for("knowledge.article", article_id=found.id), 303)


@bp.post("/help/manage/from-case/<call_id>")
@require_agent
def from_case(call_id: str):
    """An agent turns a case into a draft article (KB-5)."""
    from helpdesk.cases import access

    case = access.case_by_call_id(_user(), call_id)
    if case is None:
        abort(404)
    try:
        article = service.draft_from_case(_user(), case)
    except service.KnowledgeError as error:
        flash(str(error), "error")
        return redirect(url_for("knowledge.categories"), 303)
    flash(_("A draft was written from the case. Remove personal data before publishing."))
    return redirect(url_for("knowledge.edit", article_id=article.id), 303)


@bp.route("/help/propose", methods=["GET", "POST"])
@require_customer
def propose():
    """A customer proposes an article; agents review it as a draft."""
    user = _user()
    values = {name: request.form.get(name, "") for name in ("title", "text", "category")}
    problem = None
    if request.method == "POST":
        try:
            service.propose(user, values)
        except service.KnowledgeError as error:
            problem = str(error)
        else:
            flash(_("Thank you: support will review your proposal."), "info")
            return redirect(url_for("knowledge.index"), 303)
    return render(
        "knowledge/propose.html",
        status=422 if problem else 200,
        values=values,
        problem=problem,
        categories=service.categories(),
    )


# Which products an organisation has ----------------------------------------------------


@bp.get("/help/manage/products")
@require_admin
def organisation_products():
    """Vendor admins say which products each organisation has: its people read the
    articles, downloads and announcements for those products."""
    return render(
        "knowledge/organisation_products.html",
        organisations=service.organisations_with_products(),
        products=service.products(),
    )


@bp.post("/help/manage/products/<int:organisation_id>")
@require_admin
def set_organisation_products(organisation_id: int):
    from helpdesk.accounts.models import Organisation

    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        abort(404)
    chosen = [parse_id(value) for value in request.form.getlist("product")]
    service.set_products(_user(), organisation, [p for p in chosen if p])
    flash(_("The organisation's products were saved."), "info")
    return redirect(url_for("knowledge.organisation_products"), 303)
