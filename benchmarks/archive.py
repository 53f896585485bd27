"""Generate a realistic archive of decision records for benchmarks (never into records/).

Each record is the seed paper (about 14 KB of YAML, three pages) with its own reference, date,
subject and amount, so that every file differs as real papers do."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"
SERVICES = ["Sexual Exploitation Support", "Domestic Abuse Outreach", "Youth Diversion", "Rural Crime Advice",
            "Hate Crime Advocacy", "Restorative Justice", "Stalking Advocacy", "Knife Crime Education"]


TERMS = [("2016-2021", dt.date(2017, 6, 1)), ("2021-2024", dt.date(2022, 6, 1)), ("2024-2028", dt.date(2025, 6, 1))]
PER_TERM = 900


def make_archive(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write count records under folder/<term>/ (up to 900 a term) and return their paths."""
    rng = random.Random(seed)
    text = SEED.read_text(encoding="utf-8")
    paths = []
    for index in range(count):
        term, first_day = TERMS[(index // PER_TERM) % len(TERMS)]
        number = index % PER_TERM + 1
        day = first_day + dt.timedelta(days=(number * 7) % 600)
        amount = rng.randrange(5, 80) * 1000
        service = rng.choice(SERVICES)
        before = lambda days: (day - dt.timedelta(days=days)).isoformat()  # noqa: E731
        changes = {
            "date: 2022-11\n": f"date: {before(300)[:7]}\n",
            "date: 2022-12-02": f"date: {before(240)}",
            "date: 2023-01-09": f"date: {before(200)}",
            "date: 2023-03-30": f"date: {before(100)}",
            "\ndate: 2023-09-06": f"\ndate: {day.isoformat()}",
            "reference: PCC/D/102": f"reference: PCC/D/{number:03d}",
            "Sexual Exploitation Support 2023-2024": f"{service} {number}",
            "  - service: Sexual Exploitation Support": f"  - service: {service}",
            "    amount: 40000": f"    amount: {amount}",
            "  bidding_limit: 40000": f"  bidding_limit: {amount}",
            "bidding limit of £40,000": f"bidding limit of £{amount:,}",
        }
        # One pass, so that no replacement is caught by a later one.
        record = re.sub("|".join(map(re.escape, changes)), lambda m: changes[m.group(0)], text)
        path = folder / term / f"PCC-D-{number:03d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record, encoding="utf-8")
        paths.append(path)
    return paths
