"""Announcements (KB-4, ACC-6): who sees and who is mailed, dismissing, unsubscribing."""

import re

import pytest

from helpdesk.accounts.models import User
from helpdesk.audit import AuditLog
from helpdesk.knowledge.models import AnnouncementDismissal, NewsOptOut
from helpdesk.organisations.models import NewsAddress
from helpdesk.timeutil import utcnow


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.settings)


@pytest.fixture
def readers(app, people, kb):
    """Mia and Fritz receive information (Mia in German); Martin does not; each organisation
    has a confirmed and an unconfirmed news address."""
    with app.app_context():
        User.update(information_recipient=False).execute()
        User.update(information_recipient=True, language="de").where(
            User.id == people["mia.member"].id
        ).execute()
        User.update(information_recipient=True, language="en").where(
            User.id == people["fritz"].id
        ).execute()
        muster, fremd = people["mia.member"].organisation_id, people["fritz"].organisation_id
        NewsAddress.create(organisation=muster, email="news@muster.example", confirmed_at=utcnow())
        NewsAddress.create(organisation=muster, email="later@muster.example")
        NewsAddress.create(organisation=fremd, email="news@fremd.example", confirmed_at=utcnow())
    return people


def publish(client, **fields):
    data = {"kind": "warning", "product": "", "title_de": "Wartung am Samstag",
            "title_en": "Maintenance on Saturday", "body_de": "Der **Server** ruht.",
            "body_en": "The **server** rests.", **fields}  # fmt: skip
    return client.post("/help/announcements", data=data)


def test_an_announcement_for_everyone_is_mailed_to_information_recipients_and_news_addresses(
    app, readers, kb, smtp_server
):
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    assert admin.get("/help/announcements").status_code == 200
    assert publish(admin).status_code == 303
    to = sorted(str(m["To"]) for m in smtp_server.messages)
    assert to == [
        "Fritz Fremd <fritz@fremd.example>",
        "Mia Member <mia.member@muster.example>",
        "news@fremd.example",
        "news@muster.example",
    ]
    [mia] = smtp_server.messages_to("mia.member@muster.example")
    assert mia["Subject"] == "Technische Warnung: Wartung am Samstag"
    text = mia.get_body(("plain",)).get_content()
    assert "Der Server ruht." in text
    [fritz] = smtp_server.messages_to("fritz@fremd.example")
    assert fritz["Subject"] == "Technical warning: Maintenance on Saturday"
    [news] = smtp_server.messages_to("news@muster.example")
    body = news.get_body(("plain",)).get_content()
    assert "Wartung am Samstag" in body and "Maintenance on Saturday" in body  # both languages
    with app.app_context():
        assert AuditLog.select().where(AuditLog.action == "announcement.published").count() == 1


def test_an_announcement_for_a_product_reaches_only_its_organisations(
    app, readers, kb, smtp_server
):
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    assert publish(admin, product=kb.product.id).status_code == 303
    to = sorted(str(m["To"]) for m in smtp_server.messages)
    assert to == ["Mia Member <mia.member@muster.example>", "news@muster.example"]
    mia = app.test_client().sign_in_as(readers["mia.member"])
    assert "Wartung am Samstag" in mia.get("/portal", headers={"Accept-Language": "de"}).get_data(
        True
    )
    fritz = app.test_client().sign_in_as(readers["fritz"])
    page = fritz.get("/portal").get_data(True)
    assert "Maintenance on Saturday" not in page and "Wartung" not in page


def test_an_announcement_shows_on_the_start_page_until_dismissed(app, readers, kb):
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    publish(admin)
    martin = app.test_client().sign_in_as(readers["martin.main"])  # no mail, but the page
    page = martin.get("/portal", headers={"Accept-Language": "en"}).get_data(True)
    assert "Maintenance on Saturday" in page and "<strong>server</strong>" in page
    announcement_id = int(re.search(r'id="announcement-(\d+)"', page).group(1))
    for _ in range(2):
        response = martin.post(f"/help/announcements/{announcement_id}/dismiss")
        assert response.status_code == 303
    assert "Maintenance on Saturday" not in martin.get("/portal").get_data(True)
    with app.app_context():
        assert AnnouncementDismissal.select().count() == 1
    # Mia still sees it.
    mia = app.test_client().sign_in_as(readers["mia.member"])
    assert "Wartung am Samstag" in mia.get("/portal", headers={"Accept-Language": "de"}).get_data(
        True
    )


def test_a_product_announcement_cannot_be_dismissed_by_another_organisation(app, readers, kb):
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    publish(admin, product=kb.product.id)
    with app.app_context():
        from helpdesk.knowledge.models import Announcement

        announcement_id = Announcement.select().first().id
    fritz = app.test_client().sign_in_as(readers["fritz"])
    assert fritz.post(f"/help/announcements/{announcement_id}/dismiss").status_code == 404


def test_the_unsubscribe_link_works_without_sign_in(app, readers, kb, smtp_server):
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    publish(admin)
    [news] = smtp_server.messages_to("news@muster.example")
    link = re.search(
        r"http://localhost(?::\d+)?(/news/unsubscribe/\S+)", news.get_body(("plain",)).get_content()
    )
    anonymous = app.test_client()
    page = anonymous.get(link.group(1))
    assert page.status_code == 200
    with app.app_context():
        assert NewsOptOut.select().count() == 0  # opening the link only asks
    assert anonymous.post(link.group(1)).status_code == 200
    assert anonymous.get(link.group(1)[:-3] + "xyz").status_code == 404  # a forged token
    smtp_server.handler.envelopes.clear()
    publish(admin, title_de="Zweite", title_en="Second")
    to = sorted(str(m["To"]) for m in smtp_server.messages)
    assert "news@muster.example" not in to and "news@fremd.example" in to


def test_only_managers_and_admins_publish(app, readers, kb, smtp_server):
    erik = app.test_client().sign_in_as(readers["erik.first"])
    assert publish(erik).status_code == 404
    admin = app.test_client().sign_in_as(readers["ada.admin"])
    response = publish(admin, title_de="", title_en="", body_de="Mein Text")
    assert response.status_code == 422
    assert "Mein Text" in response.get_data(True)
    assert smtp_server.messages == []
