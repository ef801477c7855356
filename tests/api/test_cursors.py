"""The lists' cursors are opaque and signed: a forged, changed or garbled one, or one of
another list, is a 400 problem in the caller's language, never a 500."""

import pytest

from helpdesk.api import cursors


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_cursor_carries_the_query_and_cannot_be_changed(app, people, make_token, open_case):
    with app.app_context():
        for number in range(3):
            open_case(people["mia.member"], subject=f"Printer {number}")
    api = app.test_client()
    secret = make_token(people["mia.member"], "cases:read")
    with app.test_request_context("/api/v1/cases"):
        cursor = cursors.make("cases", {"q": "printer", "page": "1"})
        other_list = cursors.make("organisations", {"page": "1"})
    listed = api.get(f"/api/v1/cases?cursor={cursor}", headers=auth(secret))
    assert listed.status_code == 200
    assert len(listed.get_json()["cases"]) == 3
    forged = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for bad in (forged, other_list, "garbage", "", "%00", "e30." + "x" * 27, "~" * 5000):
        answer = api.get("/api/v1/cases", query_string={"cursor": bad}, headers=auth(secret))
        assert answer.status_code == 400, bad
        assert answer.mimetype == "application/problem+json"
        assert answer.get_json()["detail"] == "The cursor is not one this list gave out."


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/api/v1/knowledge/articles"])
def test_every_list_refuses_a_garbled_cursor_in_german_too(app, people, make_token, path):
    from helpdesk.accounts.models import User

    with app.app_context():
        User.update(language="de").where(User.id == people["erik.first"].id).execute()
    secret = make_token(people["erik.first"], "cases:read", "knowledge")
    answer = app.test_client().get(f"{path}?cursor=abc.def", headers=auth(secret))
    assert answer.status_code == 400
    assert answer.get_json()["detail"] == "Der Cursor stammt nicht aus dieser Liste."
