"""`decisions new`: start a record at the next free reference, in the right period and folder.

An office numbers its papers in periods: each commissioner's term (PCC/D/001 restarts in
each), each calendar year (41/2023, PCC/D/2023/08) or each financial year (44/2024-25). The scheme in force on the paper's date says which,
and how the reference is written. The next number is one more than the highest the period has
used: in the records (under any term's folder, since a year spans terms) and in the scheme's
`last_used` (what an office whose archive in the engine is incomplete has already published).
A number whose reference or file already exists is never offered.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .kinds import ENGINE_KINDS
from .model import PaperDate, as_financial_year, earliest, financial_year_of, latest
from .office import CONSTRAINABLE, Office, OfficeField, ReferenceScheme, Term, named_year
from .problems import RecordError, printable
from .writing import write_atomic
from .yaml_source import read_yaml

RECORD_SUFFIXES = (".yaml", ".yml")


class NewError(Exception):
    """Why no record can be started, in one line for the user."""


# --- the skeleton ------------------------------------------------------------------------------

HEAD = """\
# yaml-language-server: $schema={schema}
# Fill in every TODO; `decisions check` reports each one until it is filled.
{comment}kind: {kind}
reference: {reference}
subject: "TODO: subject"
{report_of}date: {date}
status: draft
"""

FUNDING = """
funding:                      # one line per recipient; delete `recipient` where the paper names none
  - recipient: "TODO: the organisation funded, e.g. Leaders Unlocked"
    service: "TODO: service, project or purpose"
    fund: "TODO: fund, e.g. MoJ or Community Safety Fund"
    budget_code: "TODO: budget code, e.g. B992 (or delete this line)"
    amount: "TODO: amount in pounds, e.g. 40000"
    financial_year: {financial_year}
"""

FUNDING_SECTIONS = """
sections:
  - heading: Description of Service
    content:
      - "TODO: what the service is and why it is needed"
  - heading: Route to Market/Delivery
    content:
      - "TODO: how the provider will be found"
"""

OTHER_SECTIONS = """
sections:
  - heading: Background
    content:
      - "TODO: what is decided, and why"
"""

ROUTE = """
route_to_market:
  method: competition         # quotes, direct_award, grant, framework, mini_competition or none
  bidding_limit: "TODO: bidding limit in pounds"
  duration_months: 12
"""

OWN_YEAR = """
financial_year: "TODO: the financial year the decision is for, e.g. {financial_year}"
"""

LINKS = """
links:
  - relation: amends          # supersedes, corrects, cites, varies, follows, companion or related
    reference: "TODO: the other decision's reference, e.g. {example}"
"""

TAIL = """
recommendation: "TODO: the recommendation, e.g. To note decision"
"""

KIND_PLACEHOLDER = '"TODO: kind of decision, e.g. funding_allocation (`decisions kinds` lists them)"'
ANY_KIND = ("# Delete the funding and route_to_market blocks if this decision has none;\n"
            "# `decisions new --kind KIND` starts a record with the facts its kind expects.\n")


def _expected(office: Office, kind: str | None) -> set[str]:
    """The facts a kind expects, each alternative counted ("funding|route_to_market": both)."""
    if kind is None:
        return {"funding", "route_to_market"}
    return {name for fact in office.all_kinds[kind].expects for name in fact.split("|")}


def skeleton(office: Office, reference: str, day: dt.date, schema: str, kind: str | None = None) -> str:
    """A draft record: the core every decision has, and the blocks its kind expects, each
    value to be filled in a TODO placeholder that `decisions check` reports until it is."""
    facts = _expected(office, kind)
    funds = "funding" in facts
    comment = ANY_KIND
    if kind is not None:
        expects = " and ".join(" or ".join(fact.split("|")) for fact in office.all_kinds[kind].expects)
        comment = f"# {office.all_kinds[kind].label}: {'gives ' + expects if expects else 'no fact in particular expected'}.\n"
    # A "Report of" line only where the office's form prints one.
    shown = "report_of" in office.layout_at(day).names()
    text = HEAD.format(schema=schema, comment=comment, kind=_yaml_text(kind) if kind else KIND_PLACEHOLDER,
                       reference=_yaml_text(reference), date=day.isoformat(),
                       report_of="report_of: Police and Crime Commissioner\n" if shown else "")
    if funds:
        text += FUNDING.format(financial_year=financial_year_of(day))
    elif "financial_year" in facts or "precept" in facts:
        text += OWN_YEAR.format(financial_year=financial_year_of(day))
    text += FUNDING_SECTIONS if funds else OTHER_SECTIONS
    if "route_to_market" in facts:
        text += ROUTE
    if "links" in facts:
        text += LINKS.format(example=office.scheme_at(day).example)
    return text + _office_fields(office) + TAIL


_HOW = {"text": "", "date": ", YYYY-MM-DD", "number": ", a whole number", "yes_no": ", true or false"}


def _office_fields(office: Office) -> str:
    """The office's own fields (office.yaml `fields:`), each a TODO; a protective marking the
    office constrains where the record keeps it."""
    def todo(declared: OfficeField) -> str:
        values = f", one of {', '.join(declared.values)}" if declared.values else ""
        return _yaml_text(f"TODO: {declared.label}{values}{_HOW[declared.type]}")
    own = {name: f for name, f in office.fields.items() if name not in CONSTRAINABLE}
    text = "".join(f"\nfields:\n" if i == 0 else "" for i in range(1 if own else 0))
    text += "".join(f"  {name}: {todo(declared)}\n" for name, declared in own.items())
    marking = office.fields.get("protective_marking")
    if marking is not None:
        text += f"\npublication:\n  protective_marking: {todo(marking)}\n"
    return text


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9/._-]*")
_CONSTANTS = {"null", "true", "false"}


def _yaml_text(value: str) -> str:
    """Text as YAML reads it back the same: plain where it starts with a letter (PCC/D/103,
    funding_allocation), quoted where it could be read as a number, a date or a constant
    (41/2023, 2023, true) or holds YAML's own characters."""
    if _PLAIN.fullmatch(value) and value.lower() not in _CONSTANTS:
        return value
    return "'" + value.replace("'", "''") + "'"


# --- what the archive has used ----------------------------------------------------------------

_PAPER_DATE: TypeAdapter[Any] = TypeAdapter(PaperDate)


@dataclass(frozen=True)
class Existing:
    """A record as `new` sees it: its reference, the days its date can mean, the term it names."""

    path: Path
    reference: str
    first: dt.date | None
    last: dt.date | None
    term: str | None


def _days(value: Any) -> tuple[dt.date | None, dt.date | None]:
    try:
        when = _PAPER_DATE.validate_python(value)
    except ValidationError:
        return None, None
    return earliest(when), latest(when)


def _record_files(records: Path) -> list[Path]:
    """Every *.yaml and *.yml under the records folder, any term's; a linked folder once."""
    found: list[Path] = []
    seen = {os.path.realpath(records)}
    for top, folders, files in os.walk(records, followlinks=True):
        unseen = []
        for name in sorted(folders):
            real = os.path.realpath(os.path.join(top, name))
            if real not in seen:
                seen.add(real)
                unseen.append(name)
        folders[:] = unseen
        found.extend(Path(top, name) for name in sorted(files) if os.path.splitext(name)[1] in RECORD_SUFFIXES)
    return found


def existing_records(records: Path) -> list[Existing]:
    """The reference and date of each record that can be read; the others are passed over
    (`decisions check` says what is wrong with them)."""
    out = []
    for path in _record_files(records):
        try:
            data = read_yaml(path).data
        except RecordError:
            continue
        if not isinstance(data, dict):
            continue
        reference = data.get("reference")
        if isinstance(reference, bool) or not isinstance(reference, (str, int)):
            continue
        term = data.get("term")
        first, last = _days(data.get("date"))
        out.append(Existing(path, str(reference), first, last, term if isinstance(term, str) else None))
    return out


# --- periods ------------------------------------------------------------------------------------


def _field(office: Office, index: int, *rest: str | int) -> str:
    loc = "references" + (f"[{index}]" if isinstance(office.references, list) else "")
    for part in rest:
        loc += f"[{part}]" if isinstance(part, int) else f".{part}"
    return loc


def _periods_of(record: Existing, scheme: ReferenceScheme, office: Office, match: re.Match[str]) -> set[str]:
    """The periods a record's number may count in: the year its reference gives; else, numbered
    per term, the term it names; else the periods of its date (both ends of a month or a year);
    else, numbered per term, the term folder it sits in."""
    groups = match.groupdict()
    if scheme.numbering == "calendar_year" and named_year(groups) is not None:
        return {str(named_year(groups))}
    if scheme.numbering == "financial_year" and groups.get("financial_year"):
        year = as_financial_year(groups["financial_year"])
        if year:
            return {year}
    if scheme.numbering == "term" and record.term:
        return {record.term}
    periods = set()
    for day in (record.first, record.last):
        if day is not None:
            term = office.term_of(day)
            if scheme.numbering != "term" or term is not None:
                periods.add(scheme.period_of(day, term.name if term else ""))
    if not periods and scheme.numbering == "term" and office.term_named(record.path.parent.name):
        periods.add(record.path.parent.name)
    return periods


_PERIOD_FIELD = {"calendar_year": "year", "financial_year": "financial_year"}


def check_format_names_period(office: Office, scheme: ReferenceScheme, config: str) -> None:
    """A scheme that restarts each year writes the year: else two papers of one term, a year
    apart, would share a reference and a file."""
    wanted = _PERIOD_FIELD.get(scheme.numbering)
    if wanted and wanted not in {name for _, name, _, _ in string.Formatter().parse(scheme.format) if name}:
        where = _field(office, office.schemes.index(scheme), "format")
        raise NewError(f"{config}: {where}: numbers restart each {scheme.numbering.replace('_', ' ')}, so the reference "
                       f"must say which: add {{{wanted}}} to the format, e.g. {{number:02d}}/{{{wanted}}}")


@dataclass(frozen=True)
class Allocation:
    reference: str
    term: Term
    scheme: ReferenceScheme
    period: str
    path: Path


def scheme_in_force(office: Office, day: dt.date) -> ReferenceScheme:
    scheme = office.scheme_at(day)
    if scheme.since is not None and day < scheme.since:
        raise NewError(f"no reference scheme is in force on {day.isoformat()}: the first the office configuration "
                       f"gives is used from {scheme.since.isoformat()}; give another --date, or add the scheme "
                       "the office used then to the office configuration")
    return scheme


def allocate(office: Office, records: Path, day: dt.date, config: str = "office.yaml") -> Allocation:
    """The next free reference for a paper dated day, and the file it is written to."""
    term = office.term_of(day)
    if term is None:
        terms = ", ".join(f"{t.name} from {t.start.isoformat()}" + (f" to {t.end.isoformat()}" if t.end else "")
                          for t in office.terms)
        raise NewError(f"no commissioner's term holds {day.isoformat()} ({config} has {terms}); "
                       "give another --date, or add the term to the office configuration")
    scheme = scheme_in_force(office, day)
    check_format_names_period(office, scheme, config)
    period = scheme.period_of(day, term.name)
    # Numbers are counted across the schemes that number the same way: an office that changed
    # how it writes its references (048/2021, then 20/2023) kept counting in its periods.
    alike = [s for s in office.schemes if s.numbering == scheme.numbering]
    highest = 0
    for other in alike:
        for used in other.last_used:
            if other.period_named(used.period, {t.name for t in office.terms}) == period:
                highest = max(highest, used.number)
    records_there = existing_records(records) if records.is_dir() else []
    taken: set[str] = set()
    for record in records_there:
        for other in alike:
            match = other.regex.fullmatch(record.reference)
            if match and period in _periods_of(record, other, office, match):
                taken.add(record.reference)
                number = match.group("number") or ""
                if number.isdigit():  # a pattern may let other characters through; they are no number
                    highest = max(highest, int(number))
                break
    folder = records / term.name
    # What a new file must not clash with: any record's reference in this period, a file of
    # the same name (whatever its case, as the archive's folders are lower case) in the folder.
    in_folder = {office.file_stem(r.reference).lower() for r in records_there if r.path.parent == folder}
    if folder.is_dir():
        in_folder |= {p.stem.lower() for p in folder.iterdir() if p.suffix in RECORD_SUFFIXES}
    number = highest + 1
    for _ in range(10_000):
        reference = scheme.write(number, day, term.name)
        stem = office.file_stem(reference)
        if reference not in taken and stem.lower() not in in_folder:
            break
        number += 1
    else:
        raise NewError(f"no free reference in {period} after {number - 1}")  # pragma: no cover - 10,000 clashes
    if not reference.isprintable():
        where = _field(office, office.schemes.index(scheme), "format")
        raise NewError(f"{config}: {where}: the format writes {printable(reference)!r}, with a line break or "
                       "control character; a reference is one line of text")
    if not scheme.regex.fullmatch(reference):
        where = _field(office, office.schemes.index(scheme), "format")
        if number > 1 and scheme.regex.fullmatch(scheme.write(1, day, term.name)):
            raise NewError(f"{config}: {where}: the next number in {period}, {printable(reference)}, does not fit the "
                           f"pattern '{printable(scheme.pattern)}': numbers up to {number - 1} are used; widen the pattern "
                           "(and the format) to allow more")
        raise NewError(f"{config}: {where}: the format writes '{printable(reference)}', which the pattern "
                       f"'{printable(scheme.pattern)}' does not match; make the format and the pattern agree")
    if not stem:
        raise NewError(f"{config}: the reference {printable(reference)!r} makes no file name: give it letters or digits")
    return Allocation(reference, term, scheme, period, folder / f"{stem}.yaml")


def new_record(office: Office, records: Path, schema: Path, day: dt.date, kind: str | None = None,
               config: str = "office.yaml") -> Path:
    """Write a draft record at the next free reference for a paper dated day; its path."""
    if kind is not None and kind not in office.all_kinds:
        own = f"; the office's own: {', '.join(office.kinds)}" if office.kinds else ""
        raise NewError(f"'{printable(kind)}' is not a kind of decision: use one of the engine's "
                       f"({', '.join(ENGINE_KINDS)}){own} (`decisions kinds` describes them)")
    if records.exists() and not records.is_dir():
        raise NewError(f"{printable(str(records))} is not a folder; give the records folder with --records")
    allocation = allocate(office, records, day, config)
    folder = allocation.path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        relative = os.path.relpath(schema.resolve(), folder.resolve())
    except OSError as exc:
        raise NewError(f"cannot make the folder {printable(str(folder))}: {exc.strerror or exc}") from None
    text = skeleton(office, allocation.reference, day, Path(relative).as_posix(), kind)
    try:
        write_atomic(allocation.path, text.encode("utf-8"), exclusive=True)
    except FileExistsError:
        raise NewError(f"{printable(str(allocation.path))} appeared while it was being written; run `decisions new` again") from None
    except OSError as exc:
        raise NewError(f"cannot write {printable(str(allocation.path))}: {exc.strerror or exc}") from None
    return allocation.path
