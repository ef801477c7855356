"""``/admin/webhooks``: a vendor admin registers a webhook with a plain form (no JavaScript),
sees its signing secret once, pauses, resumes and removes it, and reads its delivery log;
the address checks refuse a private target as the API does."""

from helpdesk.api.models import Webhook, WebhookDelivery
from tests.api.conftest import audit_rows
from tests.api.test_webhooks import Receiver


def test_an_admin_registers_pauses_reads_the_log_and_removes(app, people, open_case):
    receiver = Receiver()
    try:
        admin = app.test_client().sign_in_as(people["ada.admin"])
        assert admin.get("/admin/webhooks").status_code == 200
        created = admin.post(
            "/admin/webhooks",
            data={
                "url": receiver.url(),
                "events": ["case.opened", "case.message"],
                "allowed_host": "localhost",
            },
        )
        assert created.status_code == 201
        with app.app_context():
            [hook] = Webhook.select()
        page = created.get_data(as_text=True)
        assert hook.secret in page and receiver.url() in page
        assert hook.secret not in admin.get("/admin/webhooks").get_data(as_text=True)

        open_case("mia.member")  # delivered to the receiver when its context ends
        assert len(receiver.received) == 1
        log = admin.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
        assert "Case opened" in log and "HTTP 200" in log

        paused = admin.post(f"/admin/webhooks/{hook.id}/active", follow_redirects=True)
        assert "The webhook is paused." in paused.get_data(as_text=True)
        open_case("mia.member")
        assert len(receiver.received) == 1  # a paused webhook is announced nothing
        admin.post(f"/admin/webhooks/{hook.id}/active")
        with app.app_context():
            assert Webhook.get_by_id(hook.id).active
        assert [row.after_values for row in audit_rows(app, "webhook.active")] == [
            {"active": False},
            {"active": True},
        ]

        removed = admin.post(f"/admin/webhooks/{hook.id}/remove", follow_redirects=True)
        assert "No webhooks yet." in removed.get_data(as_text=True)
        with app.app_context():
            assert not Webhook.select().exists() and not WebhookDelivery.select().exists()
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_a_private_address_is_refused_next_to_its_field_in_german(app, people):
    from helpdesk.accounts.models import User

    with app.app_context():
        User.update(language="de").where(User.id == people["ada.admin"].id).execute()
    admin = app.test_client().sign_in_as(people["ada.admin"])
    refused = admin.post(
        "/admin/webhooks",
        data={"url": "http://169.254.169.254/latest/meta-data/", "events": ["case.opened"]},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Webhook registrieren" in page
    assert "Die Adresse führt in ein privates, Loopback- oder Link-Local-Netz." in page
    with app.app_context():
        assert not Webhook.select().exists()
