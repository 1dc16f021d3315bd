"""`ita-rent-bot parse` and `ita-rent-bot crawl`, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from conftest import FIXTURES, require_shared
from fakes.portal_server import PortalServer, page
from ita_rent_bot.cli import app
from ita_rent_bot.config import Settings
from samples.pages import Flat, subito_page

from .conftest import serve_search_page

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
KEYS = [
    "source", "source_id", "url", "title", "price_eur", "rooms", "area_m2", "city", "zone",
    "address", "latitude", "longitude", "photos", "published_at", "advertiser", "description",
]  # fmt: skip
runner = CliRunner()


def parse(portal: str, path: Path) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["parse", portal, str(path)])
    lines = [orjson.loads(line) for line in result.stdout.splitlines() if line]
    return result.exit_code, lines, result.stderr


def test_parse_prints_one_json_object_per_listing() -> None:
    code, lines, stderr = parse("subito", SAMPLES / "subito_gallery.html")

    assert code == 0
    assert stderr == ""
    assert [list(line) for line in lines] == [KEYS] * 3
    assert lines[0] == {
        "source": "subito",
        "source_id": "700000001",
        "url": "https://www.subito.it/appartamenti/trilocale-bolognina-bologna-800000001.htm",
        "title": "Trilocale Bolognina",
        "price_eur": 1100,
        "rooms": 3,
        "area_m2": 80,
        "city": "bologna",
        "zone": None,
        "address": "Via di Corticella, Bologna",
        "latitude": 44.5124,
        "longitude": 11.3499,
        "photos": [
            "https://images.sbito.it/api/v1/sbt-ads-images-pro/images/cc/cc000001"
            "?rule=gallery-desktop-2x-auto"
        ],
        "published_at": "2026-07-01T10:00:00+00:00",
        "advertiser": "agency",
        "description": "Trilocale con balcone.",
    }


def test_parse_counts_damaged_cards_on_stderr() -> None:
    code, lines, stderr = parse("immobiliare", SAMPLES / "immobiliare_page.html")

    assert code == 0
    assert len(lines) == 3
    assert stderr == "skipped 1 damaged card(s)\n"


@pytest.mark.parametrize(
    ("portal", "sample"),
    [
        ("subito", "idealista_cards.html"),
        ("idealista", "subito_list.html"),
        ("immobiliare", "idealista_api_search.json"),
        ("idealista_api", "immobiliare_search_list.json"),
        ("idealista", "datadome_challenge.html"),
    ],
)
def test_parse_of_another_document_exits_2_with_one_line(portal: str, sample: str) -> None:
    result = runner.invoke(app, ["parse", portal, str(SAMPLES / sample)])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {SAMPLES / sample} is not a result page of ")


def test_parse_errors_are_one_line(tmp_path: Path) -> None:
    unknown = runner.invoke(app, ["parse", "tecnocasa", str(SAMPLES / "subito_list.html")])
    missing = runner.invoke(app, ["parse", "subito", str(tmp_path / "nope.html")])

    assert (unknown.exit_code, missing.exit_code) == (2, 2)
    assert unknown.stderr.startswith("error: unknown portal 'tecnocasa'; use one of: subito,")
    nope = tmp_path / "nope.html"
    assert missing.stderr == f"error: cannot read {nope}: No such file or directory\n"


@pytest.mark.parametrize(
    ("portal", "path", "count"),
    [
        ("subito", "subito/search_roma_affitto_appartamenti.html", 39),
        ("subito", "subito/hades_search_appartamenti_umbria_sale.json", 3),
        ("immobiliare", "immobiliare/api_search_list_roma_rent.json", 25),
        ("idealista", "idealista/search_roma_rent_cards_1-15.html", 15),
        ("idealista_api", "idealista_api/search_rent_alicante_p2.json", 50),
        ("idealista_api", "idealista_api/search_rent_alicante_since_p1.json", 3),
    ],
)
def test_parse_every_real_page(portal: str, path: str, count: int) -> None:
    code, lines, stderr = parse(portal, require_shared(FIXTURES / path))

    assert (code, len(lines), stderr) == (0, count, "")
    assert all(list(line) == KEYS for line in lines)


async def run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """The real command in a subprocess, while this test's event loop serves the fake portal."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from ita_rent_bot.cli import app; app()", *args,
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def cli_env(settings: Settings) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {
        **keep,
        "DATABASE_URL": settings.database_url,
        "SUBITO_BASE_URL": settings.subito_base_url,
        "CRAWL_MIN_HOST_INTERVAL_SECONDS": "0",
        "CRAWL_MAX_PAGES": "2",
        "LOG_LEVEL": "WARNING",
    }


async def test_crawl_once_stores_and_says_what_it_found(
    sqlite_engine: AsyncEngine, portal: PortalServer, crawl_settings: Settings, tmp_path: Path
) -> None:
    serve_search_page(
        portal, crawl_settings, source="subito", city="roma", page=1,
        reply=page(subito_page([Flat("1"), Flat("2")], total_pages=1)),
    )  # fmt: skip

    code, out, err = await run_cli(
        "crawl", "subito", "--city", "Roma", "--once", env=cli_env(crawl_settings), cwd=tmp_path
    )
    again = await run_cli(
        "crawl", "subito", "--city", "roma", "--once", env=cli_env(crawl_settings), cwd=tmp_path
    )

    assert (code, err) == (0, ""), err
    assert out == (
        "subito roma: ok, 1 page(s), found 2, new 2, stored 2 "
        "(first crawl of this target: recorded without notifying)\n"
    )
    assert again[1] == "subito roma: ok, 1 page(s), found 2, new 0, stored 2\n"


async def test_crawl_without_a_schema_fails_with_one_line(
    portal: PortalServer, crawl_settings: Settings, tmp_path: Path
) -> None:
    env = cli_env(crawl_settings) | {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}

    code, out, err = await run_cli(
        "crawl", "subito", "--city", "roma", "--once", env=env, cwd=tmp_path
    )

    assert (code, out) == (2, "")
    assert err == "error: the database has no schema yet; run `ita-rent-bot migrate` first\n"
    assert portal.requests == []


async def test_crawl_of_a_blocked_portal_exits_non_zero(
    sqlite_engine: AsyncEngine, portal: PortalServer, crawl_settings: Settings, tmp_path: Path
) -> None:
    code, out, _ = await run_cli(
        "crawl", "subito", "--city", "roma", "--once", env=cli_env(crawl_settings), cwd=tmp_path
    )

    assert code == 1
    assert out.startswith("subito roma: failing, 0 page(s), found 0")
    assert "HTTP 404" in out
