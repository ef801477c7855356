"""Sign-in links for the vendor's software (issue 18, seed 001): an admin token makes a
short-lived, single-use link for a named customer user that opens a page signed in."""

import re
from urllib.parse import urlsplit

from helpdesk.accounts.models import User
from tests.api.conftest import audit_rows


def make_link(api, secret, **body):
    return api.post(
        "/api/v1/sign-in-links", json=body, headers={"Authorization": f"Bearer {secret}"}
    )


def follow(browser, url):
    """Open the link as a browser without JavaScript would: the page, then its button."""
    path = urlsplit(url)._replace(scheme="", netloc="").geturl()
    page = browser.get(path)
    if page.status_code != 200:
        return page
    form = r'<form method="post" action="(/sign-in-link/[^"]+)"'
    action = re.search(form, page.get_data(as_text=True))[1]
    return browser.post(action.replace("&amp;", "&"))


def test_a_link_opens_the_page_signed_in_once(app, people, make_token, open_case):
    case = open_case("mia.member")
    secret = make_token(people["ada.admin"], "admin")
    answer = make_link(
        app.test_client(), secret, user=str(people["mia.member"].id), next=f"/cases/{case.call_id}"
    )
    assert answer.status_code == 201
    url = answer.get_json()["url"]
    browser = app.test_client()
    opened = follow(browser, url)
    assert opened.status_code == 303 and opened.location == f"/cases/{case.call_id}"
    assert case.subject in browser.get(opened.location).get_data(as_text=True)
    again = follow(app.test_client(), url)
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    [row] = audit_rows(app, "sign_in_link.created")
    assert row.actor_id == people["ada.admin"].id and row.target_id == str(people["mia.member"].id)


def test_a_link_expires_in_minutes(app, people, make_token, clock):
    from helpdesk.timeutil import utcnow

    clock.at(utcnow())
    secret = make_token(people["ada.admin"], "admin")
    url = make_link(app.test_client(), secret, user=str(people["mia.member"].id)).get_json()["url"]
    clock.advance(minutes=6)
    answer = follow(app.test_client(), url)
    assert answer.status_code == 410 and "expired" in answer.get_data(as_text=True)


def test_a_link_for_a_disabled_person_is_refused_and_stops_working(app, people, make_token):
    secret = make_token(people["ada.admin"], "admin")
    api = app.test_client()
    url = make_link(api, secret, user=str(people["mia.member"].id)).get_json()["url"]
    with app.app_context():
        User.update(active=False).where(User.id == people["mia.member"].id).execute()
    browser = app.test_client()
    assert follow(browser, url).status_code == 410
    assert browser.get("/cases").status_code == 302  # not signed in
    refused = make_link(api, secret, user=str(people["mia.member"].id))
    assert refused.status_code == 422 and "disabled" in refused.get_json()["errors"]["user"][0]


def test_links_cannot_raise_anyones_rights(app, people, make_token):
    api = app.test_client()
    admin = make_token(people["ada.admin"], "admin")
    for target in ("ada.admin", "erik.first"):  # never an agent
        refused = make_link(api, admin, user=str(people[target].id))
        assert refused.status_code == 422
    assert make_link(api, admin, user="1", next="https://evil.example/").status_code == 422
    assert make_link(api, admin, user="1", next="//evil.example/").status_code == 422
    # Without the admin scope, or as an agent who is no admin: no link.
    plain = make_token(people["ada.admin"], "cases:write")
    assert make_link(api, plain, user=str(people["mia.member"].id)).status_code == 403
    portal_admin = make_token(people["paula.portal"])
    assert make_link(api, portal_admin, user=str(people["mia.member"].id)).status_code == 403


def test_a_tampered_target_stays_on_the_portal(app, people, make_token):
    secret = make_token(people["ada.admin"], "admin")
    url = make_link(app.test_client(), secret, user=str(people["mia.member"].id)).get_json()["url"]
    url = url.replace("next=%2Fcases", "next=https://evil.example/")
    opened = follow(app.test_client(), url)
    assert opened.status_code == 303 and opened.location == "/cases"
