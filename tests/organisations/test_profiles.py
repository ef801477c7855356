"""Personal profiles and pictures (ACC-5), and the organisation profile (ACC-6)."""

import io

import pytest
from PIL import Image

from helpdesk.accounts.models import Organisation, User
from tests.organisations.conftest import audit_rows


def image_bytes(fmt="JPEG", size=(800, 600), exif=None):
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 12.0, 30.0)}  # GPS info
    return exif


def upload(client, data, name="me.jpg"):
    return client.post(
        "/account/profile/picture",
        data={"picture": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_profile_page_has_the_defaults(customer_client):
    page = customer_client.get("/account/profile").get_data(as_text=True)
    assert '<option selected value="Europe/Vienna">' in page


def test_saving_the_profile(app, customer_client, people, fresh):
    response = customer_client.post(
        "/account/profile",
        data={
            "name": "Mia M.",
            "phone": " +43 1 234 ",
            "language": "de",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    stored = fresh(people["mia.member"])
    assert (stored.name, stored.phone, stored.language, stored.timezone) == (
        "Mia M.",
        "+43 1 234",
        "de",
        "Europe/Berlin",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "phone": "", "language": "de", "timezone": "Europe/Vienna"},
        {"name": "Mia", "phone": "", "language": "fr", "timezone": "Europe/Vienna"},
        {"name": "Mia", "phone": "", "language": "de", "timezone": "Mars/Olympus"},
    ],
)
def test_a_wrong_profile_is_refused_and_kept(customer_client, people, fresh, data):
    response = customer_client.post("/account/profile", data=data)
    assert response.status_code == 422
    assert fresh(people["mia.member"]).name == "Mia Member"


def test_a_picture_is_re_encoded_small_without_metadata(app, customer_client, people, fresh):
    assert upload(customer_client, image_bytes(exif=gps_exif())).status_code == 302
    mia = fresh(people["mia.member"])
    assert mia.picture_version == 1
    served = customer_client.get(f"/people/{mia.id}/picture/1.png")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "PNG" and max(image.size) == 256
    assert not image.getexif() and b"SpyCam" not in served.data
    assert audit_rows(app, "user.picture")


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "me.svg"),
        (b"GIF89a<script>alert(1)</script>", "me.gif"),
        (b"%PDF-1.4 not a picture", "me.png"),
        (b"", "me.png"),
    ],
)
def test_what_is_no_raster_picture_is_refused(customer_client, people, fresh, data, name):
    response = upload(customer_client, data, name)
    assert response.status_code == 422
    assert fresh(people["mia.member"]).picture_version == 0


def test_a_too_large_picture_is_refused(make_app, demo_people):
    app = make_app(MAX_PICTURE_BYTES=1000)
    client = app.test_client().sign_in_as(demo_people["mia.member"])
    response = upload(client, image_bytes("PNG", size=(400, 400)) + b"\0" * 1000)
    assert response.status_code == 422
    assert "larger than" in response.get_data(as_text=True)


def test_who_sees_a_picture(app, people, foreigner, fresh):
    mia_client = app.test_client().sign_in_as(people["mia.member"])
    upload(mia_client, image_bytes())
    url = f"/people/{people['mia.member'].id}/picture/1.png"
    for who in ("paula.portal", "erik.first"):
        assert app.test_client().sign_in_as(people[who]).get(url).status_code == 200
    assert app.test_client().sign_in_as(foreigner).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302
    erik_client = app.test_client().sign_in_as(people["erik.first"])
    upload(erik_client, image_bytes("WEBP"))
    agent_url = f"/people/{people['erik.first'].id}/picture/1.png"
    assert app.test_client().sign_in_as(foreigner).get(agent_url).status_code == 200


def test_removing_the_picture(customer_client, people, fresh):
    upload(customer_client, image_bytes("GIF"))
    customer_client.post("/account/profile/picture/remove")
    assert fresh(people["mia.member"]).picture_version == 0
    assert (
        customer_client.get(f"/people/{people['mia.member'].id}/picture/1.png").status_code == 404
    )


def test_the_picture_shows_in_the_case_timeline(app, customer_client, people):
    from helpdesk.cases import service
    from helpdesk.products.models import Product

    upload(customer_client, image_bytes())
    with app.app_context():
        case = service.open_case(
            service.NewCase(
                requester=people["mia.member"],
                product=Product.select().first(),
                subject="Export",
                description="Fails",
                case_type="fault",
                severity="normal",
            )
        )
        service.add_message(case, people["mia.member"], "More detail")
    page = customer_client.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert f'src="/people/{people["mia.member"].id}/picture/1.png"' in page


# The organisation profile -----------------------------------------------------------------


def test_the_portal_admin_edits_the_organisation_profile(app, portal_admin_client, people):
    response = portal_admin_client.post(
        "/organisation/profile",
        data={
            "correspondence_address": "Musterstraße 1\n1010 Wien",
            "billing_address": "Postfach 7\n1010 Wien",
            "delivery_address": "",
            "case_visibility": "everyone",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        organisation = Organisation.get_by_id(people["mia.member"].organisation_id)
    assert organisation.billing_address == "Postfach 7\n1010 Wien"
    assert organisation.delivery_address is None
    assert organisation.case_visibility == "everyone"
    [row] = audit_rows(app, "organisation.profile")
    assert row.before_values["case_visibility"] == "main_contacts"
    page = portal_admin_client.get("/organisation/profile").get_data(as_text=True)
    assert "Postfach 7" in page


def test_a_wrong_visibility_is_refused(portal_admin_client):
    response = portal_admin_client.post(
        "/organisation/profile", data={"billing_address": "kept input", "case_visibility": "nobody"}
    )
    assert response.status_code == 422
    assert "kept input" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["mia.member", "martin.main", "erik.first"])
def test_only_the_portal_admin_reaches_the_organisation_profile(app, people, who):
    client = app.test_client().sign_in_as(people[who])
    assert client.get("/organisation/profile").status_code == 404
    assert client.post("/organisation/news", data={"email": "x@muster.example"}).status_code == 404


def test_the_audit_log_page(app, portal_admin_client, admin_client, people, foreigner):
    portal_admin_client.post(f"/organisation/users/{people['mia.member'].id}/disable")
    with app.app_context():
        from helpdesk import audit

        audit.record(people["ada.admin"], "user.rights", foreigner, {"a": 1}, {"a": 2})
    own = portal_admin_client.get("/audit").get_data(as_text=True).split("<tbody>")[1]
    assert "User disabled" in own and "Rights changed" not in own  # the rows, not the filter
    assert "<div>Active: Yes</div>" in own and "<div>Active: No</div>" in own
    everything = admin_client.get("/audit").get_data(as_text=True)
    assert "User disabled" in everything and "Rights changed" in everything
    with app.app_context():
        User.update(language="de").where(User.id == people["ada.admin"].id).execute()
    german = admin_client.get("/audit").get_data(as_text=True)
    assert "Benutzer deaktiviert" in german and "<div>Aktiv: Nein</div>" in german
    martin = app.test_client().sign_in_as(people["martin.main"])
    assert martin.get("/audit").status_code == 404
