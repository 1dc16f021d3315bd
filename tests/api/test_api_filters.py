"""/filters: create, list, read, change, pause, resume, delete; the shared validator; owners."""

from __future__ import annotations

from .conftest import Api, bearer

ROME = {
    "name": "Roma centro",
    "city": "Roma",
    "zones": ["Trastevere", "Monti"],
    "sources": ["immobiliare", "idealista"],
    "price_max": 1500,
    "rooms_min": 2,
}


async def test_the_whole_life_of_a_search_on_both_databases(api_db: Api) -> None:
    _, token = await api_db.user(telegram_chat_id=1)
    auth = bearer(token)
    created = await api_db.client.post("/api/v1/filters", headers=auth, json=ROME)
    assert created.status_code == 201, created.text
    search = created.json()
    assert search["city"] == "roma"
    assert search["price_max"] == 1500
    assert search["paused"] is False
    path = f"/api/v1/filters/{search['id']}"

    listed = (await api_db.client.get("/api/v1/filters", headers=auth)).json()
    assert [f["id"] for f in listed] == [search["id"]]
    assert (await api_db.client.get(path, headers=auth)).json() == search

    changed = await api_db.client.patch(
        path, headers=auth, json={"price_max": 1800, "rooms_min": None}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["price_max"] == 1800
    assert changed.json()["rooms_min"] is None
    assert changed.json()["zones"] == ["Trastevere", "Monti"]

    paused = await api_db.client.post(f"{path}/pause", headers=auth)
    assert paused.status_code == 200
    assert paused.json()["paused"] is True
    resumed = await api_db.client.post(f"{path}/resume", headers=auth)
    assert resumed.json()["paused"] is False

    deleted = await api_db.client.delete(path, headers=auth)
    assert deleted.status_code == 204
    assert (await api_db.client.get(path, headers=auth)).status_code == 404
    assert (await api_db.client.get("/api/v1/filters", headers=auth)).json() == []


async def test_the_shared_validator_refuses_with_the_field_named(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    cases = [
        ({**ROME, "city": "Atlantis"}, "city"),
        ({**ROME, "price_min": 2000, "price_max": 1000}, "price"),
        ({**ROME, "price_max": -5}, "price_max"),
        ({**ROME, "sources": ["craigslist"]}, "sources.0"),
        ({**ROME, "colour": "blue"}, "colour"),
        ({"city": "Roma"}, "name"),
        ({**ROME, "name": "   "}, "name"),
    ]
    for body, field in cases:
        response = await api.client.post("/api/v1/filters", headers=bearer(token), json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["field"] == field, (body, error)
        assert error["message"]
    assert (await api.client.get("/api/v1/filters", headers=bearer(token))).json() == []


async def test_a_patch_is_validated_merged_with_what_is_stored(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    search = (await api.client.post("/api/v1/filters", headers=bearer(token), json=ROME)).json()
    path = f"/api/v1/filters/{search['id']}"
    for body, field in (
        ({"price_min": 1600}, "price"),  # above the stored price_max
        ({"name": None}, "name"),
        ({"city": "Nowhere-on-earth"}, "city"),
        ({"paused": True}, "paused"),  # not a field of the patch: pause has its own route
    ):
        response = await api.client.patch(path, headers=bearer(token), json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["field"] == field, (body, response.json())
    assert (await api.client.get(path, headers=bearer(token))).json() == search


async def test_too_many_searches_is_a_422(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    statuses = []
    for n in range(21):
        response = await api.client.post(
            "/api/v1/filters", headers=bearer(token), json={**ROME, "name": f"Roma {n}"}
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 422
    assert response.json()["error"]["field"] == "filters"


async def test_another_users_search_answers_404(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    _, other_token = await api.user(telegram_chat_id=2)
    theirs = (
        await api.client.post("/api/v1/filters", headers=bearer(other_token), json=ROME)
    ).json()
    path = f"/api/v1/filters/{theirs['id']}"
    for method, url, body in (
        ("GET", path, None),
        ("PATCH", path, {"price_max": 900}),
        ("DELETE", path, None),
        ("POST", f"{path}/pause", None),
        ("POST", f"{path}/resume", None),
        ("GET", "/api/v1/filters/999999", None),
    ):
        response = await api.client.request(method, url, headers=bearer(token), json=body)
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "not_found"
    still = await api.client.get(path, headers=bearer(other_token))
    assert still.json() == theirs
