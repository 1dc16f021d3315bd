"""The larger Italian cities as the portals' searches need them: region slug and centre.

subito's search path names the region; idealista's API searches around a centre point. A city
missing here is still crawled where the portal can search by name (see each source).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CityInfo:
    slug: str
    region: str
    latitude: float
    longitude: float


_CITIES = (
    CityInfo("roma", "lazio", 41.8933, 12.4829),
    CityInfo("milano", "lombardia", 45.4642, 9.1900),
    CityInfo("napoli", "campania", 40.8518, 14.2681),
    CityInfo("torino", "piemonte", 45.0703, 7.6869),
    CityInfo("palermo", "sicilia", 38.1157, 13.3615),
    CityInfo("genova", "liguria", 44.4056, 8.9463),
    CityInfo("bologna", "emilia-romagna", 44.4949, 11.3426),
    CityInfo("firenze", "toscana", 43.7696, 11.2558),
    CityInfo("bari", "puglia", 41.1171, 16.8719),
    CityInfo("catania", "sicilia", 37.5079, 15.0830),
    CityInfo("venezia", "veneto", 45.4408, 12.3155),
    CityInfo("verona", "veneto", 45.4384, 10.9916),
    CityInfo("messina", "sicilia", 38.1938, 15.5540),
    CityInfo("padova", "veneto", 45.4064, 11.8768),
    CityInfo("trieste", "friuli-venezia-giulia", 45.6495, 13.7768),
    CityInfo("brescia", "lombardia", 45.5416, 10.2118),
    CityInfo("bergamo", "lombardia", 45.6983, 9.6773),
    CityInfo("como", "lombardia", 45.8081, 9.0852),
    CityInfo("parma", "emilia-romagna", 44.8015, 10.3279),
    CityInfo("modena", "emilia-romagna", 44.6471, 10.9252),
    CityInfo("pisa", "toscana", 43.7228, 10.4017),
    CityInfo("perugia", "umbria", 43.1107, 12.3908),
    CityInfo("cagliari", "sardegna", 39.2238, 9.1217),
    CityInfo("trento", "trentino-alto-adige", 46.0748, 11.1217),
    CityInfo("bolzano", "trentino-alto-adige", 46.4983, 11.3548),
    CityInfo("ancona", "marche", 43.6158, 13.5189),
    CityInfo("pescara", "abruzzo", 42.4618, 14.2161),
    CityInfo("lecce", "puglia", 40.3515, 18.1750),
    CityInfo("salerno", "campania", 40.6824, 14.7681),
    CityInfo("livorno", "toscana", 43.5485, 10.3106),
)

CITIES: dict[str, CityInfo] = {city.slug: city for city in _CITIES}
