def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b'name="password"' in response.data


def test_customer_start_page(customer_client):
    response = customer_client.get("/portal")
    assert response.status_code == 200
    assert b"Muster GmbH" in response.data
