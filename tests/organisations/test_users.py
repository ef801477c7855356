"""The portal admin's user management (ACC-4): roles, flags, disabling, removing, audited."""

import pytest

from helpdesk.accounts.models import User
from tests.organisations.conftest import audit_rows


def rights(client, user, role, *flags, **kwargs):
    data = {"role": role, **{flag: "y" for flag in flags}}
    return client.post(f"/organisation/users/{user.id}/rights", data=data, **kwargs)


def test_the_portal_admin_sees_the_organisations_users(portal_admin_client, people, foreigner):
    page = portal_admin_client.get("/organisation/users")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Mia Member" in text and "Martin Main" in text
    assert "Fritz Fremd" not in text
    assert "Erik First" not in text


@pytest.mark.parametrize("who", ["mia.member", "martin.main", "alma.admin", "erik.first"])
def test_nobody_else_reaches_the_user_page(app, people, who):
    client = app.test_client().sign_in_as(people[who])
    assert client.get("/organisation/users").status_code == 404
    assert rights(client, people["mia.member"], "portal_admin").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, people):
    assert client.get("/organisation/users").status_code == 302


def test_setting_a_role_and_flags_is_audited(app, portal_admin_client, people, fresh):
    mia = people["mia.member"]
    response = rights(
        portal_admin_client, mia, "main_contact", "support_authorised", "information_recipient"
    )
    assert response.status_code == 302
    stored = fresh(mia)
    assert stored.customer_role == "main_contact"
    assert stored.information_recipient and stored.support_authorised
    assert not stored.sees_all_correspondence
    [row] = audit_rows(app, "user.rights")
    assert row.actor_id == people["paula.portal"].id
    assert row.organisation_id == mia.organisation_id
    assert row.before_values == {"customer_role": "member", "information_recipient": False}
    assert row.after_values == {"customer_role": "main_contact", "information_recipient": True}


def test_taking_a_flag_away(app, portal_admin_client, people, fresh):
    martin = people["martin.main"]
    rights(portal_admin_client, martin, "main_contact", "support_authorised")
    assert not fresh(martin).information_recipient


def test_an_unchanged_form_writes_no_audit_row(app, portal_admin_client, people):
    rights(portal_admin_client, people["mia.member"], "member", "support_authorised")
    assert audit_rows(app) == []


def test_the_portal_admin_may_make_another_portal_admin(portal_admin_client, people, fresh):
    rights(portal_admin_client, people["alma.admin"], "portal_admin", "support_authorised")
    assert fresh(people["alma.admin"]).customer_role == "portal_admin"


def test_a_vendor_admin_designates_the_portal_admin(app, admin_client, people, fresh):
    organisation = people["mia.member"].organisation_id
    assert admin_client.get(f"/admin/organisations/{organisation}/users").status_code == 200
    response = rights(admin_client, people["mia.member"], "portal_admin")
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/organisations/{organisation}/users")
    assert fresh(people["mia.member"]).customer_role == "portal_admin"


def test_an_agent_who_is_no_admin_cannot(agent_client, people):
    organisation = people["mia.member"].organisation_id
    assert agent_client.get(f"/admin/organisations/{organisation}/users").status_code == 404


def test_nobody_raises_their_own_rights(app, portal_admin_client, people, fresh):
    paula = people["paula.portal"]
    response = rights(
        portal_admin_client,
        paula,
        "portal_admin",
        "support_authorised",
        "sees_all_correspondence",
        "information_recipient",
    )
    assert response.status_code == 302
    assert not fresh(paula).information_recipient
    assert audit_rows(app) == []
    page = portal_admin_client.get("/organisation/users").get_data(as_text=True)
    assert "You cannot raise your own rights." in page


def test_a_portal_admin_cannot_grant_above_their_own_role_once_demoted(app, people, fresh):
    """Rank is checked against the actor's role as stored, not as the session began."""
    paula, alma = people["paula.portal"], people["alma.admin"]
    admin = app.test_client().sign_in_as(people["paula.portal"])
    rights(admin, alma, "portal_admin", "support_authorised")
    alma_client = app.test_client().sign_in_as(fresh(alma))
    # Alma demotes Paula to main contact; Paula is then no portal admin and may do nothing.
    rights(alma_client, paula, "main_contact", "support_authorised")
    assert fresh(paula).customer_role == "main_contact"
    assert rights(admin, people["mia.member"], "portal_admin").status_code == 404


def test_the_last_portal_admin_stays(app, portal_admin_client, people, fresh):
    paula = people["paula.portal"]
    rights(portal_admin_client, paula, "member", "support_authorised")
    assert fresh(paula).customer_role == "portal_admin"
    portal_admin_client.post(f"/organisation/users/{paula.id}/disable")
    assert fresh(paula).active
    portal_admin_client.post(f"/organisation/users/{paula.id}/remove")
    assert fresh(paula).email == paula.email
    page = portal_admin_client.get("/organisation/users").get_data(as_text=True)
    assert "The organisation needs at least one active portal admin." in page


def test_a_portal_admin_may_step_down_when_there_is_another(
    app, portal_admin_client, people, fresh
):
    paula = people["paula.portal"]
    rights(portal_admin_client, people["alma.admin"], "portal_admin", "support_authorised")
    rights(
        portal_admin_client, paula, "main_contact", "support_authorised", "sees_all_correspondence"
    )
    assert fresh(paula).customer_role == "main_contact"


def test_disabling_signs_the_person_out_everywhere(app, portal_admin_client, people, fresh):
    mia = people["mia.member"]
    mia_client = app.test_client().sign_in_as(mia)
    assert mia_client.get("/cases").status_code == 200
    response = portal_admin_client.post(f"/organisation/users/{mia.id}/disable")
    assert response.status_code == 302
    stored = fresh(mia)
    assert not stored.active
    assert mia_client.get("/cases").status_code == 302
    [row] = audit_rows(app, "user.disabled")
    assert (row.before_values, row.after_values) == ({"active": True}, {"active": False})
    portal_admin_client.post(f"/organisation/users/{mia.id}/enable")
    assert fresh(mia).active
    assert mia_client.get("/cases").status_code == 302  # enabled again, the sign-in stays ended
    assert audit_rows(app, "user.enabled")


def test_htmx_gets_the_changed_row(portal_admin_client, people):
    mia = people["mia.member"]
    response = rights(
        portal_admin_client,
        mia,
        "administrator",
        "support_authorised",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="user-{mia.id}"')
    assert '<option value="administrator" selected>' in body
    refused = portal_admin_client.post(
        f"/organisation/users/{people['paula.portal'].id}/disable", headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert "at least one active portal admin" in refused.get_data(as_text=True)


def test_removing_keeps_the_cases_and_anonymises(app, portal_admin_client, people, fresh):
    from helpdesk.cases import service
    from helpdesk.cases.models import Case
    from helpdesk.products.models import Product

    mia = people["mia.member"]
    with app.app_context():
        case = service.open_case(
            service.NewCase(
                requester=mia,
                product=Product.select().first(),
                subject="Export",
                description="Fails",
                case_type="fault",
                severity="normal",
            )
        )
    response = portal_admin_client.post(f"/organisation/users/{mia.id}/remove")
    assert response.status_code == 302
    stored = fresh(mia)
    assert not stored.active and stored.password_hash is None
    assert stored.email.endswith("@removed.invalid") and stored.name != "Mia Member"
    assert not stored.support_authorised
    with app.app_context():
        assert Case.get_by_id(case.id).requester_id == mia.id
    [row] = audit_rows(app, "user.removed")
    assert row.before_values["email"] == "mia.member@muster.example"
    with app.app_context():
        assert not User.select().where(User.email == "mia.member@muster.example").exists()


def test_another_organisations_user_is_a_404(portal_admin_client, foreigner, fresh):
    assert rights(portal_admin_client, foreigner, "portal_admin").status_code == 404
    assert (
        portal_admin_client.post(f"/organisation/users/{foreigner.id}/disable").status_code == 404
    )
    assert portal_admin_client.post(f"/organisation/users/{foreigner.id}/remove").status_code == 404
    assert fresh(foreigner).customer_role == "member" and fresh(foreigner).active


def test_agents_are_not_managed_here(portal_admin_client, people):
    erik = people["erik.first"]
    assert portal_admin_client.post(f"/organisation/users/{erik.id}/disable").status_code == 404


def test_posts_need_the_csrf_token(portal_admin_client, people, fresh):
    mia = people["mia.member"]
    response = portal_admin_client.post(f"/organisation/users/{mia.id}/disable", csrf=False)
    assert response.status_code == 400
    assert fresh(mia).active


def test_an_unknown_role_is_refused(portal_admin_client, people, fresh):
    rights(portal_admin_client, people["mia.member"], "owner")
    assert fresh(people["mia.member"]).customer_role == "member"
