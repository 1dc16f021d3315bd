"""The dashboard as one server-rendered HTML page: plain tables and CSS bars, no JavaScript."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from html import escape

from ita_rent_bot.dashboard.schemas import Dashboard

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}
.bar{display:inline-block;height:.7rem;background:#4a7fd4;vertical-align:middle}
.ok{color:#17803d}.blocked,.failing{color:#b42318}.unknown{color:#777}
.figures span{display:inline-block;margin-right:2rem}.figures b{font-size:1.3rem}
"""


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _cell(content: str, *, left: bool) -> str:
    return f'<td class="l">{content}</td>' if left else f"<td>{content}</td>"


def _table(headers: list[str], rows: list[list[str]], *, left: int = 1) -> str:
    head = "".join(
        f'<th class="l">{escape(h)}</th>' if i < left else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(_cell(c, left=i < left) for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    if not rows:
        body = f'<tr><td class="l" colspan="{len(headers)}">nothing yet</td></tr>'
    return f"<table><tr>{head}</tr>{body}</table>"


def _per_day(data: Dashboard) -> str:
    columns = sorted({(d.channel, d.status) for d in data.deliveries_per_day})
    grid: dict[date, dict[tuple[str, str], int]] = defaultdict(dict)
    for d in data.deliveries_per_day:
        grid[d.day][(d.channel, d.status)] = d.count
    peak = max((sum(v.values()) for v in grid.values()), default=0) or 1
    rows = []
    for day in sorted(grid, reverse=True):
        total = sum(grid[day].values())
        bar = f'<span class="bar" style="width:{round(120 * total / peak)}px"></span> {total}'
        rows.append([day.isoformat(), *(str(grid[day].get(col, 0)) for col in columns), bar])
    headers = ["day (UTC)", *(f"{c} {s}" for c, s in columns), "total"]
    return _table(headers, rows)


def render(data: Dashboard) -> str:
    users = data.users
    stats = data.deliveries
    figures = (
        f"<span>users <b>{users.users}</b> ({users.active} active)</span>"
        f"<span>Telegram on <b>{users.telegram_on}</b></span>"
        f"<span>WhatsApp on <b>{users.whatsapp_on}</b> ({users.whatsapp_linked} linked)</span>"
        f"<span>pending <b>{stats.pending}</b>, oldest {_age(stats.oldest_pending_age_seconds)}"
        "</span>"
    )
    by_status = _table(
        ["channel", "status", "deliveries"],
        [[escape(c.channel), escape(c.status), str(c.count)] for c in stats.counts],
        left=2,
    )
    portals = _table(
        ["portal", "status", "last ok", "failures", "back off until", "last error"],
        [
            [
                escape(p.portal),
                f'<span class="{escape(p.status)}">{escape(p.status)}</span>',
                _when(p.last_ok_at),
                str(p.consecutive_failures),
                _when(p.backoff_until),
                escape((p.last_error or "—")[:200]),
            ]
            for p in data.portals
        ],
        left=2,
    )
    matches = _table(
        ["portal", "matches", "listings"],
        [[escape(m.portal), str(m.matches), str(m.listings)] for m in data.matches_per_portal],
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'>"
        f"<title>ITA_RENT_BOT dashboard</title><style>{_STYLE}</style></head><body>"
        f"<h1>ITA_RENT_BOT</h1><p>{_when(data.generated_at)} · last {data.days} days · "
        "<a href='/api/v1/admin/dashboard'>JSON</a></p>"
        f"<p class='figures'>{figures}</p>"
        f"<h2>Deliveries per day, channel and status</h2>{_per_day(data)}"
        f"<h2>Deliveries by channel and status (all time)</h2>{by_status}"
        f"<h2>Matches per portal (last {data.days} days)</h2>{matches}"
        f"<h2>Portals</h2>{portals}"
        "</body></html>"
    )
