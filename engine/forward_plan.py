"""The forward plan: notice of the decisions to come (issue 12, point 8).

An office that keeps one names its file once, in office.yaml, with its notice period:

    forward_plan: {file: forward-plan.yaml, notice_days: 28}

and the file lists its entries: what will be decided (the matter), by whom, the month it is
expected, whether it is a key decision, who to contact, the day the entry was first published,
and, where the decision will be taken in private, why (never what is confidential: the entry
itself is always public):

    entries:
      - id: FP/2026/014
        matter: Renewal of the victims' referral and assessment service from April 2027
        expected: 2027-03
        key_decision: true
        contact: Head of Commissioning, commissioning@anyshire-pcc.example
        published: 2026-11-02
        private: Paragraph 3 of Schedule 12A, Local Government Act 1972 (commercial terms)

The data flows one way: the plan is read with the office (`load_office`), so `check`, the
rules and `publish` all see the one reading; a decision names its entry (`forward_plan:
FP/2026/014`), and the rules hold a key decision to its entry's notice (forward-plan,
forward-plan-notice, forward-plan-key in rules.py); the register lists the entries, each with
the decisions in the register that name it (`write_forward_plan`, called by publish.py).

Notice is counted in clear days, as the Local Authorities (Executive Arrangements) (Meetings and
Access to Information) (England) Regulations 2012 count the 28 days of a notice of key
decisions: neither the day the entry is published nor the day of the decision counts, so an
entry published on 1 March gives notice for a decision taken on 30 March or later.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from .model import Day, Flag, Line, Model, Month, PlanId, Text, YEARS, FIRST_YEAR, LAST_YEAR
from .problems import Problem, RecordError
from .yaml_source import Loc, Source, _message, read_yaml, validate

if TYPE_CHECKING:
    from .publish import RegisterEntry, _Site

DEFAULT_FILE = "forward-plan.yaml"
DEFAULT_NOTICE_DAYS = 28
MAX_MATTER = 2000  # a forward plan's matter says in a few lines what will be decided
MAX_REASON = 1000
_MONTH_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}")
ENTRY_FIELDS = "id, matter, decision_maker, expected, key_decision, contact, published and private"


def _expected(value: Any) -> Any:
    """The month a decision is expected in, as YYYY-MM: never a day (a plan gives the month),
    nor a number."""
    if isinstance(value, dt.date):
        raise ValueError("give the month alone, as YYYY-MM, e.g. 2027-03: a forward plan gives the month a decision is expected in")
    if not isinstance(value, str) or not _MONTH_TEXT.fullmatch(value):
        raise ValueError("write the month expected as YYYY-MM, e.g. 2027-03")
    if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(YEARS)
    if not 1 <= int(value[5:]) <= 12:
        raise ValueError("a month is written 01 to 12 after the year, e.g. 2027-03")
    return {"year": int(value[:4]), "month": int(value[5:])}


Expected = Annotated[Month, BeforeValidator(_expected)]


class PlanEntry(Model):
    """One decision to come, as the forward plan gives notice of it."""

    id: PlanId = Field(description="The office's own identifier, e.g. FP/2026/014; a decision names it as `forward_plan:`")
    matter: Annotated[Text, StringConstraints(max_length=MAX_MATTER)] = Field(description="What will be decided")
    decision_maker: Line | None = Field(None, description="Who will take it; default: the office's commissioner role")
    expected: Expected = Field(description="The month the decision is expected in, YYYY-MM")
    key_decision: Flag = Field(description="Whether it is a key decision: true or false")
    contact: Line = Field(description="Who to ask about it, e.g. a role and an e-mail address")
    published: Day = Field(description="The day the entry was first published on the plan, YYYY-MM-DD")
    private: Annotated[Text, StringConstraints(max_length=MAX_REASON)] | None = Field(None, description=(
        "Why it will be taken in private (e.g. the paragraph of exempt information), where it will be; never the "
        "confidential matter itself"))

    @property
    def anchor(self) -> str:
        return anchor(self.id)


class PlanFile(Model):
    """forward-plan.yaml: its entries, in any order."""

    entries: list[PlanEntry] = Field(description="The decisions to come; `entries: []` for a plan with none")


def anchor(plan_id: str) -> str:
    """The entry's place on the register's page (entry-fp-2026-014): one for each id, which is
    why two ids written alike (FP/2026/014, fp-2026-014) are refused."""
    return "entry-" + re.sub(r"[^a-z0-9]+", "-", plan_id.lower(), flags=re.ASCII).strip("-")


@dataclass(frozen=True)
class Plan:
    """The office's forward plan as read: its file (as office.yaml names it), notice period and entries."""

    file: str
    notice_days: int
    entries: tuple[PlanEntry, ...]

    def entry(self, plan_id: str) -> PlanEntry | None:
        return next((e for e in self.entries if e.id == plan_id), None)

    def first_day(self, entry: PlanEntry) -> dt.date:
        """The first day a decision may be taken with the notice the entry gives: notice_days
        clear days after the entry was published."""
        return entry.published + dt.timedelta(days=self.notice_days + 1)

    def known(self, plan_id: str) -> str:
        """What the plan holds that a decision may have meant by an id it does not hold."""
        ids = [e.id for e in self.entries]
        if not ids:
            return f"{self.file} has no entries yet: add the decision's entry there"
        alike = [e.id for e in self.entries if anchor(e.id) == anchor(plan_id)]
        close = alike or difflib.get_close_matches(plan_id, ids, n=2, cutoff=0.8)  # a plan's ids are alike: only the closest
        listed = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        return (f"did you mean {' or '.join(close)}? " if close else "") + f"(its entries: {listed})"


def load_plan(path: Path, file: str, notice_days: int, today: dt.date | None = None) -> Plan:
    """Read and check the forward plan; raise RecordError with every problem, each located in
    the file (its line and field), as `check` prints them."""
    source = read_yaml(path)  # the record's reader: 1 MB at most, no anchors or tags, no control characters
    plan = _validated(source)
    today = today or dt.date.today()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(plan.entries):
        key = anchor(entry.id)
        if key in seen:
            first = plan.entries[seen[key]]
            same = "is given twice" if first.id == entry.id else f"is the same id as {first.id}, written another way"
            line = source.locate(("entries", seen[key], "id"))[0]
            problems.append(source.problem(("entries", index, "id"), f"{entry.id} {same} (line {line}); give each entry its own id"))
        else:
            seen[key] = index
        if entry.published > today:
            problems.append(source.problem(("entries", index, "published"), (
                f"{entry.published.isoformat()} is after today ({today.isoformat()}): `published` is the day the entry was "
                "first published; add the entry on that day")))
        if entry.expected.last_day < entry.published:
            problems.append(source.problem(("entries", index, "expected"), (
                f"expected in {entry.expected}, before the entry was published on {entry.published.isoformat()}: a forward "
                "plan gives notice of decisions to come; correct the month or the day")))
    if problems:
        raise RecordError(problems)
    return Plan(file, notice_days, tuple(plan.entries))


def _validated(source: Source) -> PlanFile:
    if not isinstance(source.data, dict):
        raise RecordError([source.problem((), "a forward plan is `entries:` with a list of entries under it (each with "
                                               f"{ENTRY_FIELDS}), not a single value or a list")])

    def message(error: dict[str, Any], loc: Loc) -> str:
        if error["type"] == "extra_forbidden":
            return (f"unknown field: an entry has {ENTRY_FIELDS}" if len(loc) > 1
                    else "unknown field: a forward plan has `entries:` only")
        return _message(error)

    return validate(source, PlanFile, message=message)  # the records' way: the traps of text typed by hand too


# --- the register -----------------------------------------------------------------------------------

# forward-plan.json: {"notice_days": 28, "entries": [row, ...]}, soonest expected first; each row:
#   id, matter, decision_maker (the office's commissioner role where the entry names none),
#   expected (2027-03), key_decision, contact, published (2026-11-02), private (true or false),
#   private_reason (why it will be taken in private, or null), url (the entry on the register's
#   page), decisions: the register's decisions that name the entry [{reference, url}] (a Part 2
#   decision's page too: it shows nothing confidential).
# forward-plan.csv: the same, a column each, in this order; decisions as "reference url", joined
#   with "; ". New columns are only ever added at the end.
CSV_FIELDS = ["id", "matter", "decision_maker", "expected", "key_decision", "contact", "published", "private",
              "private_reason", "url", "decisions"]


def _listed(plan: Plan, entries: list["RegisterEntry"]) -> list[tuple[PlanEntry, list["RegisterEntry"]]]:
    """Each entry, soonest expected first, with the register's decisions that name it."""
    named: dict[str, list["RegisterEntry"]] = {}
    for e in entries:
        if e.decision.forward_plan is not None:
            named.setdefault(e.decision.forward_plan, []).append(e)
    order = sorted(plan.entries, key=lambda e: (e.expected.first_day, e.published, e.id))
    return [(e, sorted(named.get(e.id, []), key=lambda d: (d.decision.reference, d.term))) for e in order]


def _row(entry: PlanEntry, decisions: list["RegisterEntry"], base_url: str, commissioner_role: str) -> dict[str, Any]:
    return {
        "id": entry.id, "matter": entry.matter, "decision_maker": entry.decision_maker or commissioner_role,
        "expected": str(entry.expected), "key_decision": entry.key_decision, "contact": entry.contact,
        "published": entry.published.isoformat(), "private": entry.private is not None, "private_reason": entry.private,
        "url": f"{base_url}forward-plan/index.html#{entry.anchor}",
        "decisions": [{"reference": d.decision.reference, "url": base_url + d.path} for d in decisions],
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    from .publish import _cell

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "decisions": "; ".join(f"{d['reference']} {d['url']}" for d in row["decisions"])}
        writer.writerow({name: _cell("" if cells[name] is None else str(cells[name])) for name in CSV_FIELDS})
    return buffer.getvalue()


def write_forward_plan(site: "_Site", entries: list["RegisterEntry"]) -> None:
    """The register's forward plan: its page (forward-plan/index.html, the decisions to come,
    soonest first, then those taken, latest first), forward-plan.json and forward-plan.csv.
    Nothing where the office keeps no plan."""
    from .publish import _contact, register_date
    from .writing import write_atomic

    office = site.office
    plan = office.plan
    if plan is None:
        return
    listed = _listed(plan, entries)
    role = office.sign_off.commissioner_role
    rows = [_row(entry, decisions, site.base_url, role) for entry, decisions in listed]
    shown = [{**row, "anchor": entry.anchor, "expected": register_date(entry.expected, office),
              "published": register_date(entry.published, office), "contact": _contact(entry.contact),
              "decisions": [{"reference": d.decision.reference, "path": d.path} for d in decisions]}
             for row, (entry, decisions) in zip(rows, listed)]
    to_come = [r for r in shown if not r["decisions"]]
    taken = [r for r in reversed(shown) if r["decisions"]]
    site.page("forward-plan.html.j2", "forward-plan/index.html", heading="Forward plan", to_come=to_come, taken=taken,
              notice_days=plan.notice_days)
    data = {"notice_days": plan.notice_days, "entries": rows}
    write_atomic(site.root / "forward-plan.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    write_atomic(site.root / "forward-plan.csv", _csv(rows).encode("utf-8"))
