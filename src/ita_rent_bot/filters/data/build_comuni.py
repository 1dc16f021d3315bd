"""Rebuild comuni.csv from ISTAT's "Elenco dei comuni italiani" (CSV, cp1252, `;`-separated).

Run when ISTAT publishes a new list: `python -m ita_rent_bot.filters.data.build_comuni FILE`.
The slug rule lives in `cities.slugify`; a name shared by two comuni gets its province code.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from ita_rent_bot.filters.cities import COMUNI_CSV, COMUNI_FIELDS, slugify

# columns of ISTAT's file, by position (their headers contain line breaks)
ISTAT_REGION, ISTAT_PROVINCE_NAME, ISTAT_CAPITAL, ISTAT_PROVINCE = 10, 11, 13, 14
ISTAT_NAME, ISTAT_NAME_ALT = 6, 7


def build(istat_csv: Path, out: Path = COMUNI_CSV) -> int:
    with istat_csv.open(encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    rows = [r for r in rows if len(r) > ISTAT_PROVINCE and r[ISTAT_NAME]]
    counts = Counter(slugify(r[ISTAT_NAME]) for r in rows)
    records = []
    for r in rows:
        slug = slugify(r[ISTAT_NAME])
        if counts[slug] > 1:
            slug = f"{slug}-{r[ISTAT_PROVINCE].lower()}"
        records.append(
            {
                "slug": slug,
                "name": r[ISTAT_NAME],
                "name_alt": r[ISTAT_NAME_ALT],
                "province": r[ISTAT_PROVINCE],
                "province_name": r[ISTAT_PROVINCE_NAME],
                "region": r[ISTAT_REGION],
                "capital": "1" if r[ISTAT_CAPITAL] == "1" else "0",
            }
        )
    if len({rec["slug"] for rec in records}) != len(records):
        raise SystemExit("slug collision after disambiguation")
    records.sort(key=lambda rec: rec["slug"])
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COMUNI_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return len(records)


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]))} comuni written to {COMUNI_CSV}")
