"""The password policy (ACC-1): shown where a password is chosen, enforced on the server."""

import pytest

from helpdesk.accounts import passwords


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short-one", False),  # 9 characters
        ("passwort1234", False),  # long enough, but well known
        ("Hallo123", False),
        ("QWERTZUIOP123", False),  # case does not help
        ("kerstin.kunde", False),  # the address's local part
        ("glimmering-otter-42", True),
    ],
)
def test_policy(app, password, ok):
    with app.app_context():
        found = passwords.problems(password, "kerstin.kunde@example.com", "Kerstin Kunde")
    assert (found == []) == ok, found


def test_the_list_is_shipped_with_german_entries(app):
    common = passwords.common_passwords()
    assert {"passwort", "hallo123", "123456", "qwertz"} <= common
    assert 300 < len(common) < 10_000


def test_minimum_length_is_configurable(make_app):
    app = make_app(PASSWORD_MIN_LENGTH=20)
    with app.app_context():
        assert passwords.problems("glimmering-otter-42", "", "")  # 19 characters


def test_registration_form_shows_the_criteria_and_refuses_a_weak_password(client):
    page = client.get("/register").get_data(as_text=True)
    assert "At least 12 characters, not a well-known password" in page
    response = client.post(
        "/register",
        data={
            "name": "Kerstin Kunde",
            "email": "kerstin@kunde.example",
            "password": "hallo12345",
            "repeat": "hallo12345",
            "language": "en",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use at least 12 characters." in page
    assert "on a list of well-known passwords" in page
    assert 'value="kerstin@kunde.example"' in page  # what was typed stays


def test_criteria_and_errors_in_german(client):
    client.post("/language", data={"language": "de"})
    response = client.post(
        "/register",
        data={"name": "K", "email": "k@kunde.example", "password": "x", "repeat": "y"},
    )
    page = response.get_data(as_text=True)
    assert "Mindestens 12 Zeichen" in page
    assert "Die Passwörter unterscheiden sich." in page
