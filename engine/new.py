"""`decisions new`: start a record at the next free reference of the current term."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .model import financial_year_of
from .office import Office
from .problems import Problem, RecordError, Severity
from .writing import write_atomic
from .yaml_source import read_yaml

SKELETON = """\
# yaml-language-server: $schema={schema}
# Fill in every TODO; `decisions check` reports each one until it is filled.
kind: "TODO: kind of decision, e.g. funding_allocation"
reference: {reference}
subject: "TODO: subject"
report_of: Police and Crime Commissioner
date: {date}
status: draft

funding:
  - service: "TODO: service"
    fund: "TODO: fund, e.g. MoJ or Community Safety Fund"
    budget_code: "TODO: budget code, e.g. B992"
    amount: "TODO: amount in pounds, e.g. 40000"
    financial_year: {financial_year}

sections:
  - heading: Description of Service
    content:
      - "TODO: what the service is and why it is needed"
  - heading: Route to Market/Delivery
    content:
      - "TODO: how the provider will be found"

route_to_market:
  method: competition
  bidding_limit: "TODO: bidding limit in pounds"
  duration_months: 12

recommendation: "TODO: the recommendation, e.g. To note decision"
"""


def next_reference(office: Office, folder: Path) -> str:
    numbers = [0]
    for path in folder.glob("*.y*ml"):
        try:
            reference = read_yaml(path).data.get("reference", "")
        except (RecordError, AttributeError):
            continue
        m = office.references.regex.match(str(reference))
        if m:
            numbers.append(int(m.group("number")))
    return office.references.format.format(number=max(numbers) + 1)


def new_record(office: Office, records: Path, schema: Path, day: dt.date) -> Path:
    term = office.term_of(day)
    if term is None:
        raise RecordError([Problem(Path("office.yaml"), 1, 1, Severity.error, "terms", f"no commissioner's term holds {day.isoformat()}; add it to the office configuration")])
    folder = records / term.name
    folder.mkdir(parents=True, exist_ok=True)
    reference = next_reference(office, folder)
    path = folder / f"{office.references.file_stem(reference)}.yaml"
    text = SKELETON.format(
        schema=Path(os.path.relpath(schema.resolve(), folder.resolve())).as_posix(),
        reference=reference,
        date=day.isoformat(),
        financial_year=financial_year_of(day),
    )
    write_atomic(path, text.encode("utf-8"), exclusive=True)
    return path
