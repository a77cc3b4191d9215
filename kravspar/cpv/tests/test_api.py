"""GET /api/v1/cpv: the same search as the UI, for authenticated clients."""

from kravspar.accounts.services import api_token_create

URL = "/api/v1/cpv"


def test_requires_authentication(db, client):
    response = client.get(URL, {"q": "kött"})
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "unauthorized"


def test_search_with_a_token(world, client):
    _token, raw = api_token_create(actor=None, user=world.orderer_vm, name="Power BI")
    response = client.get(URL, {"q": "15100000-9"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "15100000",
            "division": "15",
            "label_sv": "Animaliska livsmedel, kött och köttprodukter",
            "label_en": "Animal products, meat and meat products",
        }
    ]


def test_words_and_limit(world, client_for):
    client = client_for(world.officer)
    codes = [c["code"] for c in client.get(URL, {"q": "meat products", "limit": 3}).json()]
    assert len(codes) == 3
    assert codes == sorted(codes)


def test_invalid_requests_are_explained(world, client_for):
    client = client_for(world.officer)
    for params in ({}, {"q": ""}, {"q": "kött", "limit": 0}, {"q": "kött", "limit": 101}):
        response = client.get(URL, params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "invalid_request"
