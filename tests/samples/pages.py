"""Builders of small result pages in each portal's shape, for crawl tests that need many pages.

`Flat` is what a test cares about; each builder renders a list of them as that portal would.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class Flat:
    id: str
    price: int = 900
    rooms: int = 2
    area: int = 60
    town: str = "Roma"
    street: str = "Via Appia Nuova"


def subito_page(flats: list[Flat], *, page: int = 1, total_pages: int = 1) -> bytes:
    ads = [
        {
            "kind": "AdItem",
            "urn": f"id:ad:{f.id}:list:9{f.id}",
            "subject": f"Appartamento {f.id}",
            "date": "2026-05-01 10:00:00",
            "images": [{"cdnBaseUrl": f"https://images.sbito.it/api/v1/images/{f.id}"}],
            "features": {
                "/price": {"values": [{"key": str(f.price), "value": f"{f.price} €"}]},
                "/room": {"values": [{"key": str(f.rooms), "value": str(f.rooms)}]},
                "/size": {"values": [{"key": str(f.area), "value": f"{f.area} mq"}]},
            },
            "advertiser": {"company": False, "type": 0},
            "geo": {"town": {"value": f.town}, "map": {"address": f"{f.street}, {f.town}"}},
            "urls": {"default": f"https://www.subito.it/appartamenti/flat-{f.id}.htm"},
        }
        for f in flats
    ]
    data = {
        "props": {
            "pageProps": {
                "initialState": {
                    "search": {"page": page},
                    "items": {
                        "total": len(flats) * total_pages,
                        "totalPages": total_pages,
                        "originalList": ads,
                        "galleryList": [],
                    },
                }
            }
        }
    }
    return (
        b'<!DOCTYPE html><html><body><script id="__NEXT_DATA__" type="application/json">'
        + orjson.dumps(data)
        + b"</script></body></html>"
    )


def immobiliare_answer(flats: list[Flat], *, page: int = 1, total_pages: int = 1) -> bytes:
    results = [
        {
            "realEstate": {
                "id": int(f.id),
                "title": f"Appartamento {f.street}, {f.town}",
                "price": {"value": f.price},
                "advertiser": {"agency": {"id": 1}},
                "properties": [
                    {
                        "rooms": str(f.rooms),
                        "surface": f"{f.area} m²",
                        "location": {"city": f.town, "address": f.street},
                        "multimedia": {"photos": []},
                    }
                ],
            },
            "seo": {"url": f"https://www.immobiliare.it/annunci/{f.id}/"},
        }
        for f in flats
    ]
    return orjson.dumps(
        {
            "count": len(flats) * total_pages,
            "currentPage": page,
            "maxPages": total_pages,
            "results": results,
        }
    )


def _italian_thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def idealista_page(flats: list[Flat], *, has_next: bool = False) -> bytes:
    cards = "".join(
        f'<article class="item" data-element-id="{f.id}" data-is-professional-ad="true">'
        f'<a class="item-link" href="/immobile/{f.id}/" '
        f'title="{html.escape(f"Bilocale in {f.street}, Centro, {f.town}")}">x</a>'
        f'<span class="item-price">{_italian_thousands(f.price)}<span>€/mese</span></span>'
        '<div class="item-detail-char">'
        f'<span class="item-detail">{f.rooms} locali</span>'
        f'<span class="item-detail">{f.area} m²</span></div></article>'
        for f in flats
    )
    pagination = (
        '<div class="pagination"><ul><li class="next"><a href="#">Successiva</a></li></ul></div>'
        if has_next
        else ""
    )
    return (
        '<html><body><main class="listing-items"><section class="items-container items-list">'
        f"{cards}</section>{pagination}</main></body></html>"
    ).encode()


def idealista_api_answer(flats: list[Flat], *, page: int = 1, total_pages: int = 1) -> bytes:
    elements = [
        {
            "propertyCode": f.id,
            "url": f"https://www.idealista.it/immobile/{f.id}/",
            "price": float(f.price),
            "rooms": f.rooms,
            "size": float(f.area),
            "municipality": f.town,
            "address": f.street,
            "suggestedTexts": {"title": f"Flat in {f.street}"},
        }
        for f in flats
    ]
    return orjson.dumps(
        {
            "elementList": elements,
            "total": len(flats) * total_pages,
            "totalPages": total_pages,
            "actualPage": page,
        }
    )


def render(source: str, flats: list[Flat], *, page: int = 1, total_pages: int = 1) -> bytes:
    """A page of `source` (a registry name) holding `flats`."""
    if source == "subito":
        return subito_page(flats, page=page, total_pages=total_pages)
    if source == "immobiliare":
        return immobiliare_answer(flats, page=page, total_pages=total_pages)
    if source == "idealista":
        return idealista_page(flats, has_next=page < total_pages)
    if source == "idealista_api":
        return idealista_api_answer(flats, page=page, total_pages=total_pages)
    raise ValueError(source)
