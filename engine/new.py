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
from .model import PaperDate, as_financial_year, earliest, financial_year_bounds, financial_year_of, latest
from .office import CONSTRAINABLE, Office, OfficeField, ReferenceScheme, Term, named_year
from .problems import RecordError, printable
from .records import RECORD_SUFFIXES, record_files
from .writing import write_atomic
from .yaml_source import read_yaml



class NewError(Exception):
    """Why no record can be started, in one line for the user."""


# --- the skeleton ------------------------------------------------------------------------------
#
# Every field an officer fills is in the new record, each with a comment saying what goes there:
# what the decision must give as a TODO that `decisions check` reports until it is filled, what it
# may give as a commented line to use (remove the '# '). Words are written as blocks (`>-`, and the
# words on the lines below it), where '#', ': ' and quotes are kept as typed (the traps of text
# typed plain: engine/yaml_source.py); a number, a date, a code or a choice is written plain, its
# TODO in quotes. What a command writes (the approval) is shown as the command will write it.

NOTE_COLUMN = 34  # where each line's comment starts, so that the comments read as a column

INTRO = """\
# yaml-language-server: $schema={schema}
# A new decision record. Fill in every TODO (`decisions check` reports each one until it is filled).
# Text is written as a block, `>-` and the words on the lines below it, indented: there '#', ': '
# and quotes are kept as typed. A line starting '#' is a note, not part of the record: remove the
# '# ' before a field to give it, and delete what this decision does not have.
"""

KIND_PLACEHOLDER = '"TODO: kind of decision, e.g. funding_allocation (`decisions kinds` lists them)"'
ANY_KIND = ("# Delete the funding, route_to_market and history blocks if this decision has none;\n"
            "# `decisions new --kind KIND` starts a record with the facts its kind expects.")
FUNDING_SECTIONS = [("Description of Service", "TODO: what the service is and why it is needed"),
                    ("Route to Market/Delivery", "TODO: how the provider will be found")]
OTHER_SECTIONS = [("Background", "TODO: what is decided, and why")]


class _Lines:
    """The record's lines, each field's comment in a column."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, code: str, note: str = "") -> None:
        self.lines.append(f"{code:<{NOTE_COLUMN - 2}} # {note}" if note else code)

    def text(self, start: str, words: str, note: str) -> None:
        """Words as a block: the field's name (or a list's dash) and `>-`, the words under it,
        indented past the field's name."""
        indent = len(start) - len(start.lstrip(" "))
        if start.lstrip(" ").startswith("- ") and start.strip() != "-":
            indent += 2  # a field of a list's item: its name stands after the dash
        self.add(f"{start} >-", note)
        self.lines.append(" " * (indent + 2) + words)

    def blank(self) -> None:
        self.lines.append("")


def _expected(office: Office, kind: str | None) -> set[str]:
    """The facts a kind expects, each alternative counted ("funding|route_to_market": both)."""
    if kind is None:
        return {"funding", "route_to_market"}
    return {name for fact in office.all_kinds[kind].expects for name in fact.split("|")}


def skeleton(office: Office, reference: str, day: dt.date, schema: str, kind: str | None = None) -> str:
    """A draft record: every field an officer fills, each with what goes there; the core every
    decision has and the facts its kind expects as TODO placeholders that `decisions check`
    reports until they are filled, the rest as commented lines to use."""
    facts = _expected(office, kind)
    funds, route = "funding" in facts, "route_to_market" in facts
    year = financial_year_of(day)
    earlier = [(day - dt.timedelta(days=days)).isoformat() for days in (90, 60, 30)]  # examples' dates, before the paper's
    out = _Lines()
    out.lines += INTRO.format(schema=schema).splitlines()
    what_kind = "what kind of decision: `decisions kinds` lists them"
    if kind is None:
        out.lines += ANY_KIND.splitlines()
        out.add(f"kind: {KIND_PLACEHOLDER}", what_kind)
    else:
        expects = " and ".join(" or ".join(fact.split("|")) for fact in office.all_kinds[kind].expects)
        out.lines.append(f"# {office.all_kinds[kind].label}: {'gives ' + expects if expects else 'no fact in particular expected'}.")
        out.add(f"kind: {_yaml_text(kind)}", what_kind)
    out.add(f"reference: {_yaml_text(reference)}", "the next free reference: keep it")
    out.text("subject:", "TODO: subject", "the paper's title, on one line")
    if "report_of" in office.layout_at(day).names():  # a "Report of" line only where the office's form prints one
        out.add("report_of: Police and Crime Commissioner", "as the paper's \"Report of\" line prints it")
    out.add("# author: {name: A Name, role: Commissioning Officer}", "who wrote the paper, where it names them")
    out.add(f"date: {day.isoformat()}", "the paper's date, YYYY-MM-DD")
    out.add("status: draft", "`decisions submit`, then `decisions approve`, move it on")
    out.add("key_decision: false", "true for a key decision")
    if office.forward_plan is not None:
        out.add("# forward_plan: FP/2026/014", f"a key decision's entry in the forward plan ({office.forward_plan.file})")
    if "links" in facts:
        out.add("# addendum_to: " + office.scheme_at(day).example, "an addendum: its parent's reference")
    _office_fields(office, out)

    if funds:
        out.blank()
        out.add(f"# funds: [{{name: Community Safety Fund, available: 538000, financial_year: {year}}}]",
                "the funds awarded from, with what each has")
        out.add("# award_groups: [{name: Small grants up to £5000, up_to: 5000}]", "groups of awards, as the paper lists them")
        out.add("funding:", "money given: one line per recipient")
        out.text("  - recipient:", "TODO: the organisation funded, e.g. Leaders Unlocked", "who is given it (delete where the paper names none)")
        out.text("    service:", "TODO: service, project or purpose", "as the paper names it")
        out.add("    # purpose: Drop-in sessions for young people", "what the money is for, where the paper says more")
        out.text("    fund:", "TODO: fund, e.g. MoJ or Community Safety Fund", "the fund it comes from")
        out.add('    budget_code: "TODO: budget code, e.g. B992 (or delete this line)"', "where the paper gives one")
        out.add('    amount: "TODO: amount in pounds, e.g. 40000"', "pounds: a plain number, no £ or commas")
        out.add(f"    financial_year: {year}", "the financial year of the amount")
        out.add(f"    # period: {{start: {day.isoformat()}, end: {financial_year_bounds(year)[1].isoformat()}}}",
                "the dates the money covers, where the paper gives them")
        out.add("    # group: Small grants up to £5000", "the award group it is listed under (award_groups)")
        out.add("  # - {service: Another service, fund: MoJ, per_year: [{financial_year: " + year + ", amount: 20000}]}",
                "another line; per_year: a sum for each year")
    elif "financial_year" in facts or "precept" in facts:
        out.blank()
        out.add(f'financial_year: "TODO: the financial year the decision is for, e.g. {year}"', "2023-24, 2023/24 or 2023-2024")
    if "precept" in facts:
        out.add(f"# precept: {{financial_year: {year}, band_d: 264.50, increase: 14.84, increase_percent: 5.94}}",
                "the precept's facts")
    if not ({"funding", "financial_year", "precept"} & facts):
        out.blank()
        out.add(f"# financial_year: {year}", "the year the decision is for, apart from any funding line")
    out.add("# amounts: [{label: Contingency, amount: 5000, financial_year: " + year + "}]",
            "other sums the paper states: thresholds, budgets")

    if route:
        out.blank()
        out.add("route_to_market:", "how the provider is found")
        out.add("  method: competition", "quotes, direct_award, grant, framework, mini_competition or none")
        out.add('  bidding_limit: "TODO: bidding limit in pounds"', "the most one bid may ask for")
        out.add("  # awards: 8", "a round: how many awards it may make")
        out.add("  duration_months: 12", "how long the service runs")
        out.add("  pilot: false", "true for a pilot")
        out.add("  # long_term_considerations: [Funding beyond the pilot]", "in brief: the words stay in sections")
        out.lines.append("# A competition's service specification goes under `specification:` (README, \"The service specification\").")

    out.blank()
    meeting = f"{{event: meeting, date: {earlier[2]}, name: Business Coordination Board}}"
    if route:
        out.add("history:", "what led to it, in date order: delete the events it did not have")
        out.add("  - event: opportunity_released", "the competition opened")
        out.add('    date: "TODO: the day it opened, YYYY-MM-DD"', "a day, a month (2023-07) or a quarter (Q2 2023-24)")
        out.add("  - event: response_deadline", "bids were due")
        out.add('    date: "TODO: the deadline, YYYY-MM-DD"', "after the opening")
        out.add("  - event: applications_received", "the bids received")
        out.add('    received: "TODO: how many bids, e.g. 4"', "= those failing a show-stopper + those evaluated")
        out.add("  # - {event: show_stopper, discounted: 1}", "bids failing a show-stopper requirement")
        out.add("  # - {event: evaluation, evaluated: 3, participants: [{role: Commissioning Manager}]}", "bids evaluated, and by whom")
        out.add("  # - {event: award, organisations: [Leaders Unlocked]}", "who was awarded, where no funding line names them")
        out.add(f"  # - {meeting}", "a meeting or panel that considered it")
    else:
        out.add("# history:", "what led to it, in date order: meetings, consultations, votes")
        out.add(f"#   - {meeting}", "a meeting or panel that considered it")
        out.add(f"#   - {{event: consultation, date: {earlier[0]}, until: {earlier[1]}, responses: 120, result: Most supported it}}",
                "a consultation")

    out.blank()
    out.add("sections:", "the paper's words, section by section")
    for heading, todo in FUNDING_SECTIONS if funds else OTHER_SECTIONS:
        out.add(f"  - heading: {heading}", "as printed, without the office's heading suffix")
        out.add("    content:", "paragraphs, each a block like this one")
        out.text("      -", todo, "a paragraph")
    out.add("      # - {text: Words left out of what is published., confidential: true}", "a Part 2 paragraph")
    out.add("      # - bullets: [A risk, Another risk]", "a list")

    out.blank()
    out.add("# police_and_crime_plan: [{number: '1', title: Protecting the vulnerable}]", "the Plan's priorities it serves")
    out.add("# partners: [A partner organisation]", "who the provider works with")
    if "links" in facts:
        out.add("links:", "decisions this one amends, supersedes, corrects, cites, varies or follows")
        out.add("  - relation: amends", "supersedes, corrects, cites, varies, follows, companion or related")
        out.add(f"    reference: {_yaml_text('TODO: the other decision' + chr(39) + 's reference, e.g. ' + office.scheme_at(day).example)}",
                "its reference")
    else:
        out.add(f"# links: [{{relation: cites, reference: {_yaml_text(office.scheme_at(day).example)}}}]",
                "decisions this one amends, supersedes, cites...")
    out.add("# documents: [{title: Needs assessment, label: Appendix A}]", "appendices and background papers")

    out.blank()
    out.text("recommendation:", "TODO: the recommendation, e.g. To note decision", "what the Commissioner is asked to decide")

    out.blank()
    term = office.term_of(day)
    approver = term.commissioner if term is not None else "A Name"
    out.add(f"# approval: {{name: {approver}, date: {day.isoformat()}, signature: Signed by the Commissioner}}",
            "written by `decisions approve`")
    out.add("# sign_offs: [{role: Chief Finance Officer, name: A Name, date: " + day.isoformat() + "}]",
            "sign-offs beyond the Commissioner's")
    out.add("publication:", "what the register publishes")
    out.add("  part: public", "or part2: the whole paper withheld, with why")
    out.add("  # reason: Commercially sensitive until the contract is signed", "part2: why it is withheld")
    out.add("  # foi_exemption: Section 43 (commercial interests)", "part2: the FOI exemption")
    marking = office.fields.get("protective_marking")
    if marking is not None:
        out.add(f"  protective_marking: {_todo(marking)}", "as printed on the paper")
    else:
        out.add("  # protective_marking: OFFICIAL", "as printed, e.g. OFFICIAL or OFFICIAL-SENSITIVE")
    return "\n".join(out.lines) + "\n"


_HOW = {"text": "", "date": ", YYYY-MM-DD", "number": ", a whole number", "yes_no": ", true or false"}


def _todo(declared: OfficeField) -> str:
    """An office field's placeholder, for a value that is not words: quoted, replaced whole."""
    values = f", one of {', '.join(declared.values)}" if declared.values else ""
    return _yaml_text(f"TODO: {declared.label}{values}{_HOW[declared.type]}")


def _office_fields(office: Office, out: _Lines) -> None:
    """The office's own fields (office.yaml `fields:`), each a TODO: words as a block, a choice,
    a date, a number or true or false in quotes. A protective marking the office constrains is
    kept under publication."""
    own = {name: f for name, f in office.fields.items() if name not in CONSTRAINABLE}
    if not own:
        return
    out.add("fields:", "the office's own (office.yaml `fields:`)")
    for name, declared in own.items():
        note = (declared.description or f"the paper's {declared.label}") + ("" if declared.required else " (or delete this line)")
        if declared.type == "text" and not declared.values:
            out.text(f"  {name}:", f"TODO: {declared.label}", note)
        else:
            out.add(f"  {name}: {_todo(declared)}", note)


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


def existing_records(records: Path) -> list[Existing]:
    """The reference and date of each record that can be read; the others are passed over
    (`decisions check` says what is wrong with them)."""
    out = []
    for path in record_files(records):
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
