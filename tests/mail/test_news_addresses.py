"""Addresses for update and product news (ACC-6): at most three, each confirmed by its
owner through a signed link whose GET only asks (mail scanners open links)."""

import re

from helpdesk.organisations.models import NewsAddress


def link_in(mail) -> str:
    body = mail.get_body(("plain",)).get_content()
    return re.search(r"http://localhost:5000(/news/confirm/\S+)", body).group(1)


def stored(app):
    with app.app_context():
        return list(NewsAddress.select().order_by(NewsAddress.id))


def test_an_address_is_confirmed_by_double_opt_in(app, portal_admin_client, smtp_server, client):
    response = portal_admin_client.post("/organisation/news", data={"email": "News@Muster.example"})
    assert response.status_code == 302
    [mail] = smtp_server.messages
    assert mail["To"] == "news@muster.example"
    assert "Muster GmbH" in mail["Subject"]
    link = link_in(mail)
    [address] = stored(app)
    assert address.confirmed_at is None

    page = client.get(link)  # what a scanner does: nothing is confirmed
    assert page.status_code == 200 and "Yes, confirm this address" in page.get_data(as_text=True)
    assert stored(app)[0].confirmed_at is None

    assert client.post(link).status_code == 200
    first = stored(app)[0].confirmed_at
    assert first is not None
    again = client.post(link)  # twice is harmless
    assert again.status_code == 200 and stored(app)[0].confirmed_at == first
    assert "is confirmed" in client.get(link).get_data(as_text=True)


def test_a_forged_or_stale_link_confirms_nothing(app, portal_admin_client, smtp_server, client):
    portal_admin_client.post("/organisation/news", data={"email": "news@muster.example"})
    link = link_in(smtp_server.messages[0])
    assert client.post(link[:-3] + "xyz").status_code == 404
    [address] = stored(app)
    portal_admin_client.post(f"/organisation/news/{address.id}/remove")
    assert client.post(link).status_code == 404
    assert stored(app) == []


def test_at_most_three_addresses_and_no_duplicates(app, portal_admin_client, smtp_server):
    for n in range(3):
        portal_admin_client.post("/organisation/news", data={"email": f"n{n}@muster.example"})
    refused = portal_admin_client.post("/organisation/news", data={"email": "n9@muster.example"})
    assert refused.status_code == 422
    assert "At most 3 addresses" in refused.get_data(as_text=True)
    portal_admin_client.post(f"/organisation/news/{stored(app)[0].id}/remove")
    twice = portal_admin_client.post("/organisation/news", data={"email": "n1@muster.example"})
    assert twice.status_code == 422
    assert len(stored(app)) == 2
    assert len(smtp_server.messages) == 3


def test_another_organisations_address_cannot_be_removed(app, portal_admin_client, smtp_server):
    from helpdesk.accounts.models import Organisation

    with app.app_context():
        other = Organisation.create(name="Fremd AG")
        foreign = NewsAddress.create(organisation=other, email="x@fremd.example")
    response = portal_admin_client.post(f"/organisation/news/{foreign.id}/remove")
    assert response.status_code == 404
    assert len(stored(app)) == 1
