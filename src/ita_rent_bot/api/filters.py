"""/filters: your saved searches (list, create, read, change, delete, pause, resume).

Every value goes through the shared validator (filters.schemas.FilterIn), as in the bot.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import TypeAdapter, ValidationError

from ita_rent_bot.api import examples
from ita_rent_bot.api.deps import (
    API_V1,
    CurrentUser,
    OwnedFilter,
    SessionDep,
    SessionRoute,
    read_cache,
    session_for,
)
from ita_rent_bot.api.errors import ApiError, invalid_body, not_found, responses
from ita_rent_bot.filters import service as filters
from ita_rent_bot.filters.schemas import FilterIn, FilterOut, FilterPatch
from ita_rent_bot.filters.validation import FilterValidationError

router = APIRouter(
    route_class=SessionRoute,
    prefix=f"{API_V1}/filters",
    tags=["filters"],
    responses=responses(401, 429),
)

CREATE_EXAMPLES: dict[str, Any] = {
    "rome": {
        "summary": "Two rooms in Rome under €1,500",
        "value": {
            "name": "Roma centro",
            "city": "Roma",
            "zones": ["Trastevere", "Monti"],
            "sources": ["immobiliare", "idealista"],
            "price_max": 1500,
            "rooms_min": 2,
            "exclude_words": ["studenti"],
        },
    },
    "milan": {
        "summary": "Anything furnished in Milan, private advertisers only",
        "value": {"name": "Milano", "city": "Milano", "furnished": True, "private_only": True},
    },
}
PATCH_EXAMPLES: dict[str, Any] = {
    "budget": {"summary": "Raise the budget", "value": {"price_max": 1800}},
    "open": {"summary": "Drop the lower price bound", "value": {"price_min": None}},
}


_FILTER_LIST = TypeAdapter(list[FilterOut])


def _out(search: object) -> FilterOut:
    return FilterOut.model_validate(search, from_attributes=True)


def _refused(exc: FilterValidationError) -> ApiError:
    return ApiError(422, str(exc), field=exc.field)


@router.get("", response_model=list[FilterOut], responses=examples.example([examples.FILTER]))
async def list_filters(user: CurrentUser, request: Request) -> Response:
    """Your searches, oldest first."""
    cache = read_cache(request)
    body = cache.filters(user.id)  # as of the revision the token check synced to
    if body is None:
        seen = cache.sync()
        found = await filters.list_filters(session_for(request), user_id=user.id)
        # FilterOut already: serialised once here rather than validated again on the way out
        body = _FILTER_LIST.dump_json(_FILTER_LIST.validate_python(found, from_attributes=True))
        cache.put_filters(user.id, body, seen)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=201,
    responses=responses(413, 422) | {201: examples.example(examples.FILTER)[200]},
)
async def create_filter(
    user: CurrentUser,
    session: SessionDep,
    data: Annotated[FilterIn, Body(openapi_examples=CREATE_EXAMPLES)],
) -> FilterOut:
    """A new search; it starts active, and only listings from now on are sent."""
    try:
        search = await filters.create_filter(session, user_id=user.id, data=data)
    except FilterValidationError as exc:
        raise _refused(exc) from None
    return _out(search)


@router.get("/{filter_id}", responses=responses(404, 422) | examples.example(examples.FILTER))
async def read_filter(search: OwnedFilter) -> FilterOut:
    """One of your searches."""
    return _out(search)


@router.patch(
    "/{filter_id}", responses=responses(404, 413, 422) | examples.example(examples.FILTER)
)
async def update_filter(
    search: OwnedFilter,
    user: CurrentUser,
    session: SessionDep,
    patch: Annotated[FilterPatch, Body(openapi_examples=PATCH_EXAMPLES)],
) -> FilterOut:
    """Change only the fields sent (null opens a bound); the result must still be valid."""
    try:
        updated = await filters.update_filter(
            session, user_id=user.id, filter_id=search.id, patch=patch
        )
    except ValidationError as exc:
        raise invalid_body(exc) from None
    except FilterValidationError as exc:
        raise _refused(exc) from None
    if updated is None:
        raise not_found("search")
    return _out(updated)


@router.delete(
    "/{filter_id}", status_code=204, response_class=Response, responses=responses(404, 422)
)
async def delete_filter(search: OwnedFilter, user: CurrentUser, session: SessionDep) -> None:
    """Delete a search for good (its past matches stay in your history)."""
    await filters.delete_filter(session, user_id=user.id, filter_id=search.id)


async def _set_paused(
    search: OwnedFilter, user: CurrentUser, session: SessionDep, *, paused: bool
) -> FilterOut:
    updated = await filters.set_paused(session, user_id=user.id, filter_id=search.id, paused=paused)
    if updated is None:
        raise not_found("search")
    return _out(updated)


@router.post("/{filter_id}/pause", responses=responses(404, 422))
async def pause_filter(search: OwnedFilter, user: CurrentUser, session: SessionDep) -> FilterOut:
    """Stop this search sending anything until it is resumed."""
    return await _set_paused(search, user, session, paused=True)


@router.post("/{filter_id}/resume", responses=responses(404, 422))
async def resume_filter(search: OwnedFilter, user: CurrentUser, session: SessionDep) -> FilterOut:
    """Start this search again."""
    return await _set_paused(search, user, session, paused=False)
