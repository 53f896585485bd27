"""Rules beyond types: what a decision record must satisfy for its facts to agree.

Each rule has a name (used by waivers), a severity and a check that yields (field path, message)
findings. A published historical paper can carry a reasoned waiver for a rule, so the archive can
hold it exactly as it was published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .model import Decision, EventKind, Status, earliest, latest, money
from .office import Office
from .problems import Problem, Severity, field_path
from .yaml_source import Loc, Source

Finding = tuple[Loc, str]
Check = Callable[[Decision, Office, Path], Iterable[Finding]]
# A rule across records: given every record (decision and file), findings as (record index, field, message).
CrossCheck = Callable[[Sequence[tuple[Decision, Path]], Office], Iterable[tuple[int, Loc, str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    summary: str
    check: Check | None = None  # one record
    across: CrossCheck | None = None  # all the records checked together
    unwaivable: str | None = None  # why a waiver cannot apply, for rules that protect the outputs


RULES: dict[str, Rule] = {}


def rule(name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[name] = Rule(name, severity, summary, check=check)
        return check

    return register


def cross_rule(name: str, severity: Severity, summary: str, unwaivable: str | None = None) -> Callable[[CrossCheck], CrossCheck]:
    def register(check: CrossCheck) -> CrossCheck:
        RULES[name] = Rule(name, severity, summary, across=check, unwaivable=unwaivable)
        return check

    return register


# --- the reference -----------------------------------------------------------------------------


@rule("reference-format", Severity.error, "the reference follows the office's pattern")
def _reference_format(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if not office.references.regex.fullmatch(d.reference):
        yield ("reference",), f"'{d.reference}' does not follow the office's pattern; write it like {office.references.example}"


@rule("addendum-parent", Severity.error, "an addendum names its parent, and only an addendum does")
def _addendum_parent(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    m = office.references.regex.fullmatch(d.reference)
    if not m:
        return
    suffix = m.groupdict().get("addendum")
    if suffix:
        parent = d.reference[: -len(suffix)]
        if d.addendum_to is None:
            yield ("reference",), f"{d.reference} is an addendum: add `addendum_to: {parent}`"
        elif d.addendum_to != parent:
            yield ("addendum_to",), f"an addendum's parent is its reference less the letter: {parent}, not {d.addendum_to}"
        elif not (path.parent / f"{office.references.file_stem(parent)}{path.suffix}").exists():
            yield ("addendum_to",), f"the parent paper {parent} is not in {path.parent}"
    elif d.addendum_to is not None:
        yield ("addendum_to",), f"{d.reference} is not an addendum (addenda end in a letter, e.g. {d.addendum_to}a)"


@rule("file-name", Severity.error, "the file is named after the reference")
def _file_name(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    expected = office.references.file_stem(d.reference)
    if path.stem != expected:
        yield ("reference",), f"the file for {d.reference} must be named {expected}{path.suffix}, not {path.name}"


@rule("term", Severity.error, "the paper's date falls in a commissioner's term, and the record sits in that term's folder")
def _term(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    term = office.term_of(d.date)
    if term is None:
        yield ("date",), f"no commissioner's term in the office configuration holds {d.date.isoformat()}"
        return
    folders = {t.name for t in office.terms}
    if path.parent.name in folders and path.parent.name != term.name:
        yield ("date",), f"dated in the {term.name} term, but filed under {path.parent.name}/"


def output_clashes(places: Iterable[tuple[Hashable, str]]) -> dict[Hashable, list[Hashable]]:
    """Who writes the same papers as whom: (who, place) pairs, where a place is the archive
    folder (term/reference-stem) a record's papers go to. Each who that shares its place with
    others gets those others."""
    holders: dict[str, list[Hashable]] = {}
    for who, place in places:
        holders.setdefault(place, []).append(who)
    return {who: [o for o in group if o != who] for group in holders.values() if len(group) > 1 for who in group}


@cross_rule("unique-reference", Severity.error, "no two records write the same papers (one reference, one term)",
            unwaivable="two records with one reference would overwrite each other's papers; give one of them its own reference")
def _unique_reference(records: Sequence[tuple[Decision, Path]], office: Office) -> Iterable[tuple[int, Loc, str]]:
    places = [(index, office.place_of(d.date, d.reference)) for index, (d, _) in enumerate(records)]
    for index, others in output_clashes(places).items():
        d, _ = records[index]  # type: ignore[index]
        term = office.term_name(d.date)
        paths = ", ".join(str(records[o][1]) for o in others)  # type: ignore[index]
        same = all(records[o][0].reference == d.reference for o in others)  # type: ignore[index]
        if same:
            yield index, ("reference",), f"{d.reference} is used in the {term} term by {paths} too"  # type: ignore[misc]
        else:
            yield index, ("reference",), (f"{d.reference} makes the same file names as the reference in {paths} "  # type: ignore[misc]
                                          f"({office.place_of(d.date, d.reference)}); give each paper its own reference")


# --- money and dates ---------------------------------------------------------------------------

_YEAR_IN_TEXT = re.compile(r"\b(20\d\d)[-/](20\d\d|\d\d)\b")


@rule("financial-year", Severity.error, "funding periods lie in their financial year; the subject's year matches the funding")
def _financial_year(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, line in enumerate(d.funding):
        first = int(line.financial_year[:4])
        if line.period is not None:
            begins, ends = dt.date(first, 4, 1), dt.date(first + 1, 3, 31)
            if not (begins <= line.period.start <= ends):
                yield ("funding", index, "period", "start"), (
                    f"{line.period.start.isoformat()} is outside the financial year {line.financial_year} "
                    f"({begins.isoformat()} to {ends.isoformat()})"
                )
    years = {int(line.financial_year[:4]) for line in d.funding}
    if years:
        for m in _YEAR_IN_TEXT.finditer(d.subject):
            first = int(m.group(1))
            if first not in years:
                listed = ", ".join(line.financial_year for line in d.funding)
                yield ("subject",), f"the subject names {m.group(0)} but the funding is for {listed}"


@rule("period-order", Severity.error, "every period ends after it starts")
def _period_order(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, line in enumerate(d.funding):
        if line.period is not None and line.period.end <= line.period.start:
            yield ("funding", index, "period", "end"), (
                f"the period ends ({line.period.end.isoformat()}) before it starts ({line.period.start.isoformat()})"
            )


@rule("bidding-limit", Severity.error, "the bidding limit is not above the funding")
def _bidding_limit(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    rtm = d.route_to_market
    if rtm and rtm.bidding_limit is not None and d.funding and rtm.bidding_limit > d.total_funding:
        yield ("route_to_market", "bidding_limit"), (
            f"the bidding limit {money(rtm.bidding_limit)} is above the funding {money(d.total_funding)}"
        )


_POUNDS = re.compile(r"£\s?(\d[\d,]*(?:\.\d\d)?)(k|m)?\b", re.IGNORECASE)


@rule("amounts-in-text", Severity.warning, "amounts written in the text are amounts the record holds")
def _amounts_in_text(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    known = {line.amount for line in d.funding} | {d.total_funding}
    if d.route_to_market and d.route_to_market.bidding_limit is not None:
        known.add(d.route_to_market.bidding_limit)
    if not d.funding:
        return
    for s_index, section in enumerate(d.sections):
        for b_index, block in enumerate(section.content):
            texts = [block.text] if hasattr(block, "text") else block.bullets
            for text in texts:
                for m in _POUNDS.finditer(text):
                    scale = {"k": 1000, "m": 1_000_000}.get((m.group(2) or "").lower(), 1)
                    amount = Decimal(m.group(1).replace(",", "")) * scale
                    if amount not in known:
                        yield ("sections", s_index, "content", b_index), (
                            f"the text says {m.group(0)}, which is neither a funding amount nor the bidding limit "
                            f"({', '.join(money(a) for a in sorted(known))})"
                        )


# --- the procurement history -------------------------------------------------------------------

_NEEDS = {
    EventKind.applications_received: "received",
    EventKind.show_stopper: "discounted",
    EventKind.evaluation: "evaluated",
    EventKind.opportunity_released: "date",
    EventKind.response_deadline: "date",
    EventKind.meeting: "date",
}


@rule("event-facts", Severity.error, "each kind of event gives the fact that makes it")
def _event_facts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, event in enumerate(d.procurement_history):
        needed = _NEEDS.get(event.event)
        if needed and getattr(event, needed) is None:
            yield ("procurement_history", index), f"a {event.event.value} event needs `{needed}`"


@rule("history-order", Severity.error, "the procurement history is in date order")
def _history_order(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    previous = None
    for index, event in enumerate(d.procurement_history):
        if event.date is None:
            continue
        if previous is not None and latest(event.date) < earliest(previous.date):
            yield ("procurement_history", index, "date"), (
                f"{event.event.value} on {event.date} comes after {previous.event.value} on {previous.date}; "
                "list events in date order"
            )
        previous = event
    for index, event in enumerate(d.procurement_history):
        if event.date is not None and earliest(event.date) > d.date:
            yield ("procurement_history", index, "date"), f"{event.date} is after the paper's date {d.date.isoformat()}"


@rule("response-deadline", Severity.error, "the response deadline is after the opportunity's release")
def _response_deadline(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    released = [e for e in d.procurement_history if e.event is EventKind.opportunity_released and e.date]
    for index, event in enumerate(d.procurement_history):
        if event.event is EventKind.response_deadline and event.date and released:
            release = released[0].date
            if latest(event.date) <= earliest(release):
                yield ("procurement_history", index, "date"), (
                    f"the response deadline {event.date} is not after the release on {release}"
                )


@rule("application-counts", Severity.error, "applications received = discounted at show-stopper + evaluated")
def _application_counts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    received = [(i, e) for i, e in enumerate(d.procurement_history) if e.event is EventKind.applications_received]
    if not received or received[0][1].received is None:
        return
    index, event = received[0]
    discounted = sum(e.discounted or 0 for e in d.procurement_history if e.event is EventKind.show_stopper)
    evaluated = sum(e.evaluated or 0 for e in d.procurement_history if e.event is EventKind.evaluation)
    if event.received != discounted + evaluated:
        yield ("procurement_history", index, "received"), (
            f"{event.received} applications received, but {discounted} discounted at show-stopper "
            f"+ {evaluated} evaluated = {discounted + evaluated}"
        )


# --- approval and publication ------------------------------------------------------------------


@rule("approver-named", Severity.error, "an approved record names its approver")
def _approver_named(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.status is Status.approved and (d.approval is None or not (d.approval.role or d.approval.name)):
        yield ("approval",), "an approved record names its approver: add `approval: {role: ..., name: ...}`"


@rule("approval-dated", Severity.error, "an approved record gives the date of approval")
def _approval_dated(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.status is Status.approved and (d.approval is None or d.approval.date is None):
        yield ("approval", "date") if d.approval else ("status",), "an approved record gives the date of approval"


@rule("approval-after-paper", Severity.error, "no approval or sign-off is dated before the paper")
def _approval_after_paper(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.approval and d.approval.date and d.approval.date < d.date:
        yield ("approval", "date"), f"approved on {d.approval.date.isoformat()}, before the paper's date {d.date.isoformat()}"
    for index, sign_off in enumerate(d.sign_offs):
        if sign_off.date and sign_off.date < d.date:
            yield ("sign_offs", index, "date"), f"signed on {sign_off.date.isoformat()}, before the paper's date {d.date.isoformat()}"


@rule("part2-reason", Severity.error, "a Part 2 decision says why it is withheld")
def _part2_reason(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.publication.part == "part2" and not d.publication.reason:
        yield ("publication", "reason"), "a Part 2 decision says why it is withheld, e.g. the FOI exemption"


# --- the specification ----------------------------------------------------------------------

@rule("spec-weightings", Severity.error, "the evaluation criteria's weightings add up to 100%")
def _spec_weightings(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    spec = d.specification
    if spec and spec.evaluation_criteria:
        total = sum(c.weighting for c in spec.evaluation_criteria)
        if total != 100:
            yield ("specification", "evaluation_criteria"), f"the weightings add up to {total}%, not 100%"


@rule("spec-timetable", Severity.error, "the specification's timetable is in order")
def _spec_timetable(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if not d.specification:
        return
    previous = None
    for stage, when, loc, _ in d.timetable():
        if previous and latest(when) < earliest(previous[1]):  # type: ignore[arg-type]
            yield loc, f"{stage.replace('_', ' ')} on {when} is before {previous[0].replace('_', ' ')} on {previous[1]}"
        previous = (stage, when)


@rule("spec-service-start", Severity.error, "the service starts inside the funding period")
def _spec_service_start(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    spec = d.specification
    if not spec or spec.funding_line >= len(d.funding):
        return
    period = d.funding[spec.funding_line].period
    for index, milestone in enumerate(spec.timetable):
        if milestone.stage.value == "service_start" and period is not None:
            if not (period.start <= earliest(milestone.date) and latest(milestone.date) <= period.end):
                yield ("specification", "timetable", index, "date"), (
                    f"the service starts on {milestone.date}, outside the funding period "
                    f"{period.start.isoformat()} to {period.end.isoformat()}"
                )


@rule("spec-competition", Severity.error, "a competition's specification has show-stoppers and evaluation criteria")
def _spec_competition(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    spec = d.specification
    if spec and d.route_to_market and d.route_to_market.method.value == "competition":
        if not spec.show_stoppers:
            yield ("specification", "show_stoppers"), "a competition needs show-stopper (pass/fail) requirements"
        if not spec.evaluation_criteria:
            yield ("specification", "evaluation_criteria"), "a competition needs evaluation criteria"


@rule("spec-shared-facts", Severity.error, "the facts the specification takes from the paper are there")
def _spec_shared_facts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    spec = d.specification
    if not spec:
        return
    if spec.funding_line >= len(d.funding):
        yield ("specification", "funding_line"), f"the paper has {len(d.funding)} funding line(s); number them from 0"
    headings = [s.heading for s in d.sections if s.heading]
    if spec.description_section is not None and spec.description_section not in headings:
        yield ("specification", "description_section"), (
            f"no section headed '{spec.description_section}' (headings: {', '.join(headings)})"
        )


# --- running them ------------------------------------------------------------------------------


def run_rules(decision: Decision, source: Source, office: Office) -> list[Problem]:
    """Every rule's findings for one record, less those its waivers cover."""
    problems: list[Problem] = []
    used: set[int] = set()
    for index, waiver in enumerate(decision.waivers):
        if waiver.rule not in RULES:
            known = ", ".join(sorted(RULES))
            problems.append(source.problem(("waivers", index, "rule"), f"no rule named '{waiver.rule}' (rules: {known})"))
        elif RULES[waiver.rule].unwaivable:
            problems.append(source.problem(("waivers", index, "rule"),
                                           f"'{waiver.rule}' cannot be waived: {RULES[waiver.rule].unwaivable}"))
            used.add(index)
    for rule_ in RULES.values():
        if rule_.check is None:
            continue
        for loc, message in rule_.check(decision, office, source.path):
            waived = next(
                (
                    i
                    for i, w in enumerate(decision.waivers)
                    if w.rule == rule_.name and (w.field is None or w.field == field_path(loc))
                ),
                None,
            )
            if waived is not None:
                used.add(waived)
                continue
            problems.append(source.problem(loc, f"{message} [{rule_.name}]", rule_.severity, rule_.name))
    for index, waiver in enumerate(decision.waivers):
        if index not in used and waiver.rule in RULES and RULES[waiver.rule].check is not None:
            problems.append(
                source.problem(("waivers", index), f"waiver for '{waiver.rule}' is not needed: the rule holds", Severity.warning)
            )
    return problems


def run_cross_rules(records: Sequence[tuple[Decision, Source]], office: Office) -> dict[int, list[Problem]]:
    """The findings of the rules across records, by record index. None of them can be waived."""
    found: dict[int, list[Problem]] = {}
    pairs = [(decision, source.path) for decision, source in records]
    for rule_ in RULES.values():
        if rule_.across is None:
            continue
        for index, loc, message in rule_.across(pairs, office):
            problem = records[index][1].problem(loc, f"{message} [{rule_.name}]", rule_.severity, rule_.name)
            found.setdefault(index, []).append(problem)
    return found
