"""Security rules of the account services, called directly as any channel would (issue 12:
"tests a deliberate bug slipped past"): each rule holds inside its service, not only behind
the form or the view that usually calls it."""

import threading
from datetime import timedelta

import pytest

from helpdesk.accounts import invitations, registration, reset, tokens
from helpdesk.accounts.invitations import Invitation
from helpdesk.accounts.models import Approval, User
from helpdesk.accounts.tokens import Purpose, State
from tests.accounts.conftest import pending_person


def _in_threads(app, count: int, work) -> list:
    """Run ``work()`` in ``count`` threads at once, each with its own app context (and so
    its own database connection); their answers in thread order."""
    answers = [None] * count

    def run(index):
        with app.app_context():
            try:
                answers[index] = work()
            except Exception as error:  # an error is an answer too
                answers[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_reset_link_is_consumed_once_by_two_clicks_at_once(app, demo_people, monkeypatch):
    """Both clicks read the token as valid before either uses it up (the barrier holds each
    after its real check): the conditional UPDATE alone lets exactly one through."""
    with app.app_context():
        mia = User.get(User.email == "mia.member@muster.example")
        secret, _ = tokens.issue(Purpose.RESET, timedelta(hours=1), mia)
    both_checked = threading.Barrier(2, timeout=30)
    real_check = tokens.check

    def check_then_wait(*args):
        answer = real_check(*args)
        both_checked.wait()
        return answer

    monkeypatch.setattr(tokens, "check", check_then_wait)
    answers = _in_threads(app, 2, lambda: tokens.consume(secret, Purpose.RESET)[0])
    assert answers.count(State.VALID) == 1 and answers.count(State.USED) == 1, answers


def test_a_reset_link_is_used_once(app, demo_people):
    with app.app_context():
        mia = User.get(User.email == "mia.member@muster.example")
        secret, _ = tokens.issue(Purpose.RESET, timedelta(hours=1), mia)
        assert reset.reset_password(secret, "a-first-new-password") == State.VALID
        assert reset.reset_password(secret, "a-second-new-password") == State.USED


@pytest.mark.parametrize("role", ["portal_admin", "vendor_admin", ""])
def test_invite_refuses_a_role_the_inviter_may_not_give(app, demo_people, role):
    with app.app_context():
        paula = User.get(User.email == "paula.portal@muster.example")
        with pytest.raises(invitations.Refused):
            invitations.invite(paula, "Neo", "neo@muster.example", role)
        assert Invitation.select().count() == 0


def test_invite_gives_a_role_up_to_the_inviters(app, demo_people):
    """The refusal above is the role's, not everything's: the test can fail."""
    with app.app_context():
        paula = User.get(User.email == "paula.portal@muster.example")
        invitation = invitations.invite(paula, "Neo", "neo@muster.example", "main_contact")
        assert invitation.role == "main_contact"


def test_only_the_organisations_portal_admin_revokes_an_invitation(app, demo_people):
    with app.app_context():
        paula = User.get(User.email == "paula.portal@muster.example")
        invitation = invitations.invite(paula, "Neo", "neo@muster.example", "member")
        for name in ("mia.member", "ada.admin"):
            with pytest.raises(invitations.Refused):
                invitations.revoke(demo_people[name], invitation)
        assert Invitation.get_by_id(invitation.id).revoked_at is None
        invitations.revoke(paula, invitation)
        assert Invitation.get_by_id(invitation.id).revoked_at is not None


@pytest.mark.parametrize("who", ["erik.first", "mia.member"])
def test_only_deciders_approve_or_reject_a_registration(app, demo_people, who):
    with app.app_context():
        person = pending_person("new@elsewhere.example")
        with pytest.raises(registration.Refused):
            registration.approve(demo_people[who], person, None, "Own Company")
        with pytest.raises(registration.Refused):
            registration.reject(demo_people[who], person)
        assert User.get_by_id(person.id).approval == Approval.PENDING
        registration.reject(demo_people["ada.admin"], person)
        assert User.get_by_id(person.id).approval == Approval.REJECTED
        with pytest.raises(registration.Refused):  # decided once
            registration.approve(demo_people["ada.admin"], person, None, "Own Company")
