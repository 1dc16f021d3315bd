"""/listings: only your matches, newest first, paged by cursor, filtered; save and hide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ita_rent_bot.api.errors import ApiError
from ita_rent_bot.api.pagination import decode_cursor, encode_cursor
from ita_rent_bot.db import utcnow

from .conftest import Api, bearer


@given(
    at=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    row_id=st.integers(min_value=1, max_value=2**31 - 1),
)
def test_a_cursor_gives_back_exactly_what_it_was_made_from(at: datetime, row_id: int) -> None:
    assert decode_cursor(encode_cursor(at, row_id)) == (at, row_id)


@pytest.mark.parametrize(
    "cursor", ["", "!!", "bm90IGEgY3Vyc29y", "LTE6eA", "YTpi", "OTk5OTk5OTk5OTk5OTk5OTk5OTk6MQ"]
)
def test_a_forged_cursor_is_a_422(cursor: str) -> None:
    with pytest.raises(ApiError) as raised:
        decode_cursor(cursor)
    assert raised.value.status == 422
    assert raised.value.field == "cursor"


async def test_only_your_matches_newest_first_on_both_databases(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=1)
    other, _ = await api_db.user(telegram_chat_id=2)
    old, new, theirs, unmatched = (
        await api_db.listing(1),
        await api_db.listing(2),
        await api_db.listing(3),
        await api_db.listing(4),
    )
    await api_db.delivery(user, old)
    await api_db.delivery(user, old, channel="whatsapp")  # twice told, listed once
    await api_db.delivery(user, new)
    await api_db.delivery(other, theirs)
    response = await api_db.client.get("/api/v1/listings", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [new.id, old.id]
    assert body["next_cursor"] is None
    assert unmatched.id not in [item["id"] for item in body["items"]]
    first = body["items"][0]
    assert first["portal"] == "immobiliare"
    assert first["url"] == new.url
    assert first["saved"] is False


async def test_pages_cover_every_match_once_on_both_databases(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=1)
    same_moment = utcnow() - timedelta(hours=1)
    expected = []
    for n in range(13):
        # some share a first_seen_at, so the id must break the tie
        seen = same_moment if n % 3 == 0 else same_moment + timedelta(seconds=n)
        listing = await api_db.listing(n, first_seen_at=seen)
        await api_db.delivery(user, listing)
        expected.append((seen, listing.id))
    expected_ids = [i for _, i in sorted(expected, reverse=True)]
    for limit in (1, 4, 13, 20):
        seen_ids: list[int] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = (
                await api_db.client.get("/api/v1/listings", headers=bearer(token), params=params)
            ).json()
            assert len(page["items"]) <= limit
            seen_ids += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen_ids == expected_ids, limit


async def test_filter_by_search_portal_and_price(api: Api) -> None:
    user, token = await api.user(telegram_chat_id=1)
    other, _ = await api.user(telegram_chat_id=2)
    rome = await api.search(user, name="Roma")
    milan = await api.search(user, name="Milano", city="milano")
    foreign = await api.search(other)
    cheap = await api.listing(1, price_eur=700, source="subito")
    mid = await api.listing(2, price_eur=1200)
    dear = await api.listing(3, price_eur=2500)
    unknown_price = await api.listing(4)
    for listing in (cheap, mid, dear, unknown_price):
        await api.delivery(user, listing, filter_id=rome.id)
    await api.delivery(user, dear, channel="whatsapp", filter_id=milan.id)

    async def ids(**params: object) -> list[int]:
        response = await api.client.get("/api/v1/listings", headers=bearer(token), params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(filter_id=milan.id) == [dear.id]
    assert set(await ids(filter_id=rome.id)) == {cheap.id, mid.id, dear.id, unknown_price.id}
    assert await ids(portal="subito") == [cheap.id]
    assert await ids(price_min=1000, price_max=2000) == [mid.id]
    assert await ids(price_max=1000) == [cheap.id]
    assert set(await ids(price_min=1000)) == {mid.id, dear.id}

    not_yours = await api.client.get(
        "/api/v1/listings", headers=bearer(token), params={"filter_id": foreign.id}
    )
    assert not_yours.status_code == 404
    backwards = await api.client.get(
        "/api/v1/listings", headers=bearer(token), params={"price_min": 2000, "price_max": 1000}
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "price_min"
    bad_portal = await api.client.get(
        "/api/v1/listings", headers=bearer(token), params={"portal": "Subito.it"}
    )
    assert bad_portal.status_code == 422


async def test_save_and_hide_on_both_databases(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=1)
    first, second = await api_db.listing(1), await api_db.listing(2)
    await api_db.delivery(user, first)
    await api_db.delivery(user, second)
    auth = bearer(token)

    saved = await api_db.client.post(f"/api/v1/listings/{first.id}/save", headers=auth)
    assert saved.status_code == 200
    assert saved.json()["kind"] == "saved"
    again = await api_db.client.post(f"/api/v1/listings/{first.id}/save", headers=auth)
    assert again.json() == saved.json()  # idempotent
    one = (await api_db.client.get(f"/api/v1/listings/{first.id}", headers=auth)).json()
    assert one["saved"] is True
    saved_page = (await api_db.client.get("/api/v1/listings/saved", headers=auth)).json()
    assert [i["id"] for i in saved_page["items"]] == [first.id]

    hidden = await api_db.client.post(f"/api/v1/listings/{first.id}/hide", headers=auth)
    assert hidden.status_code == 200
    assert hidden.json()["kind"] == "hidden"
    matches = (await api_db.client.get("/api/v1/listings", headers=auth)).json()
    assert [i["id"] for i in matches["items"]] == [second.id]
    everything = await api_db.client.get(
        "/api/v1/listings", headers=auth, params={"include_hidden": "true"}
    )
    flags = {i["id"]: (i["saved"], i["hidden"]) for i in everything.json()["items"]}
    assert flags == {first.id: (False, True), second.id: (False, False)}
    assert (await api_db.client.get("/api/v1/listings/saved", headers=auth)).json()["items"] == []

    unhidden = await api_db.client.delete(f"/api/v1/listings/{first.id}/hide", headers=auth)
    assert unhidden.status_code == 204
    await api_db.client.post(f"/api/v1/listings/{second.id}/save", headers=auth)
    unsaved = await api_db.client.delete(f"/api/v1/listings/{second.id}/save", headers=auth)
    assert unsaved.status_code == 204
    matches = (await api_db.client.get("/api/v1/listings", headers=auth)).json()
    assert {i["id"]: i["saved"] for i in matches["items"]} == {first.id: False, second.id: False}


async def test_saved_list_pages_newest_saved_first(api: Api) -> None:
    user, token = await api.user(telegram_chat_id=1)
    listings = [await api.listing(n) for n in range(5)]
    for listing in listings:
        await api.delivery(user, listing)
    for listing in listings:
        path = f"/api/v1/listings/{listing.id}/save"
        response = await api.client.post(path, headers=bearer(token))
        assert response.status_code == 200
    first = (
        await api.client.get("/api/v1/listings/saved", headers=bearer(token), params={"limit": 3})
    ).json()
    rest = (
        await api.client.get(
            "/api/v1/listings/saved",
            headers=bearer(token),
            params={"limit": 3, "cursor": first["next_cursor"]},
        )
    ).json()
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert ids == [listing.id for listing in reversed(listings)]
    assert rest["next_cursor"] is None


async def test_another_users_listing_answers_404(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    other, _ = await api.user(telegram_chat_id=2)
    theirs = await api.listing(1)
    never_matched = await api.listing(2)
    await api.delivery(other, theirs)
    for listing_id in (theirs.id, never_matched.id, 999_999):
        for method, path in (
            ("GET", f"/api/v1/listings/{listing_id}"),
            ("POST", f"/api/v1/listings/{listing_id}/save"),
            ("POST", f"/api/v1/listings/{listing_id}/hide"),
            ("DELETE", f"/api/v1/listings/{listing_id}/save"),
        ):
            response = await api.client.request(method, path, headers=bearer(token))
            assert response.status_code == 404, (method, path)
            assert response.json()["error"]["code"] == "not_found"
    for bad in ("0", "-3", "abc", str(2**40)):
        response = await api.client.get(f"/api/v1/listings/{bad}", headers=bearer(token))
        assert response.status_code == 422, bad
        assert response.json()["error"]["field"] == "listing_id"
