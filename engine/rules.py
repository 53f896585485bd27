"""Rules beyond types: what a decision record must satisfy for its facts to agree.

Each rule has a name (used by waivers), a severity and a check that yields (field path, message)
findings. A published historical paper can carry a reasoned waiver for a rule, so the archive can
hold it exactly as it was published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from .model import (
    LAST_YEAR,
    NOT_STATED,
    LinkRelation,
    Approval,
    BulletList,
    FundingLine,
    ColumnType,
    Decision,
    EventKind,
    Paragraph,
    Recommendation,
    Status,
    as_financial_year,
    earliest,
    financial_year_bounds,
    financial_year_name,
    financial_year_of,
    latest,
    money,
    stated,
    stated_date,
)
from .kinds import ENGINE_KINDS, KIND_ONLY_RULES
from . import layout, ledger
from .office import CONSTRAINABLE, Office, OfficeField, named_year
from .problems import Problem, Severity, field_path
from .yaml_source import PLACEHOLDER, Loc, Source

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


def rule(name: str, severity: Severity, summary: str, unwaivable: str | None = None) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[name] = Rule(name, severity, summary, check=check, unwaivable=unwaivable)
        return check

    return register


def cross_rule(name: str, severity: Severity, summary: str, unwaivable: str | None = None) -> Callable[[CrossCheck], CrossCheck]:
    def register(check: CrossCheck) -> CrossCheck:
        RULES[name] = Rule(name, severity, summary, across=check, unwaivable=unwaivable)
        return check

    return register


# --- the reference -----------------------------------------------------------------------------


@rule("reference-format", Severity.error, "the reference follows the office's pattern in use on the paper's date, and names its year")
def _reference_format(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    scheme = office.scheme_for(d.reference, d.first_day)
    if scheme is None:
        later = next((s for s in office.schemes if s.regex.fullmatch(d.reference)), None)
        if later is not None and later.since is not None:
            yield ("reference",), (f"'{d.reference}' is written as the office wrote references from {later.since.isoformat()}, "
                                   f"after the paper's date; write it like {office.scheme_at(d.first_day).example}")
        else:
            yield ("reference",), f"'{d.reference}' does not follow the office's pattern; write it like {office.scheme_at(d.first_day).example}"
        return
    # A year in the reference is the paper's (or the one before: a number given in December, a
    # paper dated in January).
    groups = scheme.regex.fullmatch(d.reference).groupdict()  # type: ignore[union-attr]
    fy = groups.get("financial_year")
    if fy:
        if as_financial_year(fy) is None:
            yield ("reference",), f"{d.reference} names {fy}, which is not a financial year (one year to the next, e.g. 2024-25)"
            return
    first, last = d.first_day, d.last_day
    if first is None or last is None:
        term = office.term_for(d)  # an undated paper: its term bounds the year its reference names
        if term is not None:
            first, last = term.start - dt.timedelta(days=366), term.end or dt.date(LAST_YEAR, 12, 31)
            named = named_year(groups) or (int(fy[:4]) if fy else None)
            if named is not None and not first.year <= named <= last.year:
                yield ("reference",), (f"{d.reference} names the year {named}, outside the {term.name} term the paper "
                                       "is filed in; correct the reference or the term")
        return
    years = {first.year, last.year}
    named = named_year(groups)
    if named is not None:
        if not any(0 <= y - named <= 1 for y in years):
            yield ("reference",), f"{d.reference} names the year {named}, but the paper is dated {stated_date(d.date)}; correct one of them"
    if groups.get("financial_year"):
        named_fy = groups["financial_year"][:4]
        if named_fy.isdigit() and not any(0 <= int(financial_year_of(day)[:4]) - int(named_fy) <= 1 for day in (first, last)):
            yield ("reference",), (f"{d.reference} names the financial year {groups['financial_year']}, but the paper is dated "
                                   f"{stated_date(d.date)}; correct one of them")


@rule("addendum-parent", Severity.error, "an addendum names its parent, and only an addendum does")
def _addendum_parent(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    scheme = office.scheme_for(d.reference, d.first_day)
    if scheme is None:
        return
    m = scheme.regex.fullmatch(d.reference)
    suffix = m.groupdict().get("addendum") if m else None
    if suffix:
        parent = d.reference[: -len(suffix)]
        if d.addendum_to is None:
            yield ("reference",), f"{d.reference} is an addendum: add `addendum_to: {parent}`"
        elif d.addendum_to != parent:
            yield ("addendum_to",), f"an addendum's parent is its reference less the letter: {parent}, not {d.addendum_to}"
    elif d.addendum_to is not None:
        yield ("addendum_to",), f"{d.reference} is not an addendum (addenda end in a letter, e.g. {d.addendum_to}a)"


@rule("file-name", Severity.error, "the file is named after the reference")
def _file_name(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    expected = office.file_stem(d.reference)
    if path.stem != expected:
        yield ("reference",), f"the file for {d.reference} must be named {expected}{path.suffix}, not {path.name}"


@rule("term", Severity.error, "the paper falls in a commissioner's term, and the record sits in that term's folder")
def _term(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    names = ", ".join(t.name for t in office.terms)
    if d.term is not None:
        term = office.term_named(d.term)
        if term is None:
            yield ("term",), f"no term is named '{d.term}' in the office configuration (terms: {names})"
            return
        first, last = d.first_day, d.last_day
        if first is not None and last is not None and not (term.holds(first) or term.holds(last)):
            yield ("term",), f"the paper's date {stated_date(d.date)} is outside the {term.name} term"
    else:
        term = office.term_for(d)
        if term is None:
            if d.first_day is None:
                yield ("date",), f"the date is not stated, so name the commissioner's term: add `term:` (terms: {names})"
            elif office.term_of(d.first_day) is None and office.term_of(d.last_day) is None:
                yield ("date",), f"no commissioner's term in the office configuration holds {stated_date(d.date)}"
            else:
                yield ("date",), (f"{stated_date(d.date)} spans more than one commissioner's term: give the month or day, "
                                  f"or name the term with `term:` (terms: {names})")
            return
    folders = {t.name for t in office.terms}
    if path.parent.name in folders and path.parent.name != term.name:
        yield ("date",), (f"dated in the {term.name} term, but filed under {path.parent.name}/: move the file to "
                          f"{term.name}/, or correct the date")


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
    places = [(index, office.place_of(d)) for index, (d, _) in enumerate(records)]
    for index, others in output_clashes(places).items():
        d, _ = records[index]  # type: ignore[index]
        term = office.term_name(d)
        paths = ", ".join(str(records[o][1]) for o in others)  # type: ignore[index]
        same = all(records[o][0].reference == d.reference for o in others)  # type: ignore[index]
        if same:
            yield index, ("reference",), f"{d.reference} is used in the {term} term by {paths} too"  # type: ignore[misc]
        else:
            yield index, ("reference",), (f"{d.reference} makes the same file names as the reference in {paths} "  # type: ignore[misc]
                                          f"({office.place_of(d)}); give each paper its own reference")


# --- kinds ------------------------------------------------------------------------------------


@rule("kind", Severity.error, "the kind of decision is one the engine or the office declares")
def _kind(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.kind not in office.all_kinds:
        own = f"; the office's own: {', '.join(sorted(office.kinds))}" if office.kinds else ""
        yield ("kind",), (f"'{d.kind}' is not a kind of decision: use one of the engine's ({', '.join(ENGINE_KINDS)}){own}, "
                          "or declare it under `kinds:` in office.yaml")


_MAY_BE_NOT_STATED = {"financial_year"}  # the facts a kind can expect that may be 'not stated'


def _given(d: Decision, fact: str) -> bool:
    """A fact is given when it has a value; 'not stated' counts, as the paper's own answer."""
    return getattr(d, fact) not in (None, [])


@rule("kind-facts", Severity.error, "a decision gives the facts its kind expects")
def _kind_facts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    kind = office.all_kinds.get(d.kind)
    if kind is None:
        return
    for fact in kind.expects:
        options = fact.split("|")
        if not any(_given(d, option) for option in options):
            wanted = " or ".join(f"`{o}`" for o in options)
            label = kind.label.lower()
            unstated = [o for o in options if o in _MAY_BE_NOT_STATED]
            hint = f" (`{unstated[0]}: not stated` where a published paper does not say)" if unstated else ""
            yield (options[0],), f"{'an' if label[0] in 'aeiou' else 'a'} {label} decision gives {wanted}: add it{hint}"


def _number_key(d: Decision, office: Office) -> tuple[str, str] | None:
    """(period, the reference with its number written without leading zeros): 048/2021 and
    48/2021 are one number. A scheme that numbers each term counts in the term; one that numbers
    each year writes the year in the reference, so one reference is one number in any term."""
    scheme = office.scheme_for(d.reference, d.first_day)
    m = scheme.regex.fullmatch(d.reference) if scheme else None
    if scheme is None or m is None or not (m.group("number") or "").isdigit():
        return None
    start, end = m.span("number")
    period = office.term_name(d) if scheme.numbering == "term" else "any term"
    return period, d.reference[:start] + str(int(m.group("number"))) + d.reference[end:]


@cross_rule("one-number", Severity.error, "a number is used once in a period, however it is written",
            unwaivable="two papers with one number are two papers with one reference")
def _one_number(records: Sequence[tuple[Decision, Path]], office: Office) -> Iterable[tuple[int, Loc, str]]:
    keys: dict[tuple[str, str], list[int]] = {}
    for index, (d, _) in enumerate(records):
        key = _number_key(d, office)
        if key is not None:
            keys.setdefault(key, []).append(index)
    for group in keys.values():
        for index in group:
            d = records[index][0]
            # One reference written twice in one term is unique-reference's to report.
            others = [o for o in group if o != index and not (records[o][0].reference == d.reference
                                                              and office.place_of(records[o][0]) == office.place_of(d))]
            if others:
                paths = ", ".join(f"{records[o][1]} ({records[o][0].reference})" for o in others)
                yield index, ("reference",), (f"{d.reference} is the same number as {paths}; give each paper its own "
                                              f"number (`decisions new` gives the next free one)")


@rule("aliases", Severity.error, "an alias is another form of the reference, given once")
def _aliases(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    seen: set[str] = set()
    for index, alias in enumerate(d.aliases):
        if alias == d.reference:
            yield ("aliases", index), f"{alias} is the reference itself: list only the other forms the office printed"
        elif alias in seen:
            yield ("aliases", index), f"{alias} is listed twice: give each form once"
        seen.add(alias)


@cross_rule("alias-clash", Severity.error, "an alias names no other paper",
            unwaivable="a link by that alias could lead to either paper")
def _alias_clash(records: Sequence[tuple[Decision, Path]], office: Office) -> Iterable[tuple[int, Loc, str]]:
    owners: dict[str, set[int]] = {}
    for index, (d, _) in enumerate(records):
        for name in {d.reference, *d.aliases}:
            owners.setdefault(name, set()).add(index)
    for index, (d, _) in enumerate(records):
        for a_index, alias in enumerate(d.aliases):
            others = [o for o in owners.get(alias, set()) if o != index
                      and office.term_name(records[o][0]) == office.term_name(d)]
            if others:
                paths = ", ".join(str(records[o][1]) for o in sorted(others))
                yield index, ("aliases", a_index), (f"{alias} also names {paths}; an alias must name one paper, so "
                                                    "remove it from one of them")


# --- money and dates ---------------------------------------------------------------------------

# 2023-2024, 2023/24, 2023-24, 2022 – 2023, and two-digit spans such as 23-25 or 24/25.
_YEAR_IN_TEXT = re.compile(r"(?<![\d£.,])((?:19|20)?\d\d)\s?[-/\u2013]\s?((?:19|20)?\d\d)(?![\d%])")


# Two-digit ranges that are ages, sections or weeks, not financial years.
_NOT_YEARS = re.compile(r"\b(aged?|ages|sections?|weeks?|years?|clauses?|paragraphs?|pages?|rooms?|units?|nos?\.?)\s*$", re.IGNORECASE)
_NOT_YEARS_AFTER = re.compile(r"\s*(-|\s)?(year|yr)s?[ -]?olds?\b|\s*years? of age\b", re.IGNORECASE)


def _years_named(text: str, near: int | None = None) -> Iterable[tuple[str, list[int]]]:
    """The financial years a text names, e.g. 'Funded Services 2022 – 2023' -> [2022];
    'FY24/25' -> [2024]; '23-25' -> [2023, 2024]. Dates such as 13/11 are not years, and two
    digits alone are years only after FY or near the decision's own year (near), so that ages
    16-18 and weeks 10-12 are not read as years."""
    for m in _YEAR_IN_TEXT.finditer(text):
        first, last = m.group(1), m.group(2)
        before = text[max(0, m.start() - 2):m.start()]
        fy = before.upper() == "FY"
        if len(first) == 2 and m.start() > 0 and text[m.start() - 1].isalnum() and not fy:
            continue
        a = int(first) + (2000 if len(first) == 2 else 0)
        b = int(last) + (a // 100 * 100 if len(last) == 2 else 0)
        if not (2000 <= a <= 2099) or not 1 <= b - a <= 5:
            continue
        if len(first) == 2 and not fy and (near is None or abs(a - near) > 3 or _NOT_YEARS.search(text[:m.start()])
                                              or _NOT_YEARS_AFTER.match(text, m.end())):
            continue
        yield m.group(0), list(range(a, b))


@rule("financial-year", Severity.error, "funding periods lie in their financial years; the subject's years match the decision's")
def _financial_year(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, line in enumerate(d.funding):
        if line.period is None or not line.years:
            continue
        years = sorted(line.years)
        first, last = financial_year_bounds(years[0])[0], financial_year_bounds(years[-1])[1]
        if not (first <= line.period.start <= last):
            yield ("funding", index, "period", "start"), (
                f"{line.period.start.isoformat()} is outside the financial year{'s' * (len(years) > 1)} "
                f"{', '.join(years)} ({first.isoformat()} to {last.isoformat()})"
            )
        if len(line.years) > 1 and line.period.end > last:
            yield ("funding", index, "period", "end"), (
                f"the period runs to {line.period.end.isoformat()}, after the last financial year {years[-1]} ends"
            )
    years = {int(y[:4]) for y in d.financial_years}  # the funding's, the decision's own, its period's
    if years:
        for printed, named in _years_named(d.subject, near=min(years)):
            if not any(year in years for year in named):
                yield ("subject",), (f"the subject names {printed} but the decision is for {', '.join(d.financial_years)}; "
                                     "correct the subject or the financial years")


@rule("fund-year", Severity.warning, "a fund's financial year is the decision's")
def _fund_year(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    first, last = d.first_day, d.last_day
    if first is None or last is None or not d.funds:
        return
    current = {financial_year_of(first), financial_year_of(last)}
    # A paper decided in the spring may well be for the coming year.
    coming = {financial_year_name(int(financial_year_of(last)[:4]) + 1)}
    for index, fund in enumerate(d.funds):
        year = stated(fund.financial_year)
        if year and year not in current | coming | set(d.financial_years):
            yield ("funds", index, "financial_year"), (
                f"the fund is for {year} but the paper is dated {stated_date(d.date)} ({', '.join(sorted(current))}): "
                "a stale year from an earlier paper? Correct it, or keep it with a waiver if the paper printed it"
            )


@rule("period-order", Severity.error, "every period ends after it starts")
def _period_order(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    periods = [(("funding", i, "period", "end"), line.period) for i, line in enumerate(d.funding)]
    periods.append((("period", "end"), d.period))
    for loc, period in periods:
        if period is not None and period.end <= period.start:
            yield loc, (f"the period ends ({period.end.isoformat()}) before it starts ({period.start.isoformat()}); "
                        "if the paper misprints it, put the date meant here and the printed one in `as_printed`")


@rule("bidding-limit", Severity.error, "no award is above the bidding limit")
def _bidding_limit(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    rtm = d.route_to_market
    if rtm is None or rtm.bidding_limit is None:
        return
    for index, line in enumerate(d.funding):
        if line.total > rtm.bidding_limit:
            yield ("funding", index, "amount" if line.amount is not None else "per_year"), (
                f"the award of {money(line.total)} is above the bidding limit of {money(rtm.bidding_limit)}"
            )


def _awarded_in(line: "FundingLine", year: str | None) -> Decimal:
    """What a funding line awards in a financial year (all of it where the fund's year is not
    given, or the line's years are not)."""
    if year is None or not line.years:
        return line.total
    if line.per_year:
        return sum((y.amount for y in line.per_year if y.financial_year == year), Decimal(0))
    return line.total if year in line.years else Decimal(0)


@rule("fund-envelope", Severity.error, "the awards from a fund are within what it has available")
def _fund_envelope(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    envelopes: dict[tuple[str, str | None], int] = {}
    for index, fund in enumerate(d.funds):
        key = (fund.name, stated(fund.financial_year))
        if key in envelopes:
            yield ("funds", index), (f"the {fund.name} is given twice{' for ' + key[1] if key[1] else ''} (funds[{envelopes[key]}]): "
                                     "give each fund's envelope once a year")
        envelopes.setdefault(key, index)
    for index, fund in enumerate(d.funds):
        if fund.available is None:
            continue
        year = stated(fund.financial_year)
        yearly = sum(1 for f in d.funds if f.name == fund.name) > 1
        # A line without years counts against a fund's only envelope, never against each of several.
        awarded = sum((_awarded_in(line, year) for line in d.funding if line.fund_name == fund.name
                       and not (yearly and year and not line.years)), Decimal(0))
        if awarded > fund.available:
            when = f" for {year}" if year else ""
            yield ("funds", index, "available"), (f"{money(awarded)} is awarded from the {fund.name}{when}, more than the "
                                                  f"{money(fund.available)} available")
    names = {fund.name for fund in d.funds}
    if names:
        for index, line in enumerate(d.funding):
            if line.fund_name and line.fund_name not in names:
                yield ("funding", index, "fund"), f"'{line.fund_name}' is not one of the decision's funds ({', '.join(sorted(names))}): add it to `funds`, or correct the line's fund"


@rule("award-groups", Severity.error, "each award is listed under a group it fits")
def _award_groups(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    groups = {group.name: group for group in d.award_groups}
    for index, line in enumerate(d.funding):
        if line.group is None:
            if groups:
                yield ("funding", index), f"say which award group it is listed under: add `group:` ({'; '.join(groups)})"
            continue
        group = groups.get(line.group)
        if group is None:
            yield ("funding", index, "group"), f"no award group is named '{line.group}' (award_groups: {'; '.join(groups) or 'none'})"
        elif group.over is not None and line.total <= group.over:
            yield ("funding", index, "group"), f"{money(line.total)} is not over {money(group.over)}, so it is not in '{group.name}': put it in the group it fits, or correct the amount"
        elif group.up_to is not None and line.total > group.up_to:
            yield ("funding", index, "group"), f"{money(line.total)} is over {money(group.up_to)}, so it is not in '{group.name}': put it in the group it fits, or correct the amount"


_POUNDS = re.compile(r"£\s?(\d[\d,]*(?:\.\d+)?)\s?(k|m|million|bn)?\b", re.IGNORECASE)
_PER_ANNUM = re.compile(r"\s*(?:per annum|a year|per year|each year|p\.a\.)", re.IGNORECASE)


def _table_amounts(d: Decision) -> set[Decimal]:
    found: set[Decimal] = set()
    for _, _, block in d.tables:
        for row in block.rows + ([block.total] if block.total else []):
            found |= {Decimal(c) for c, col in zip(row, block.columns) if col.type is ColumnType.money and c not in (None, "")}
    return found


def _texts(d: Decision) -> Iterable[tuple[Loc, str]]:
    for s_index, section in enumerate(d.sections):
        for b_index, block in enumerate(section.content):
            loc: Loc = ("sections", s_index, "content", b_index)
            if isinstance(block, Paragraph):
                yield loc, block.text
            elif isinstance(block, BulletList):
                for item in block.bullets:
                    if isinstance(item, str):
                        yield loc, item
                    else:
                        yield loc, item.text
                        for sub in item.bullets:
                            yield loc, sub
    rec = d.recommendation
    if isinstance(rec, Recommendation):
        if rec.text:
            yield ("recommendation", "text"), rec.text
        for index, bullet in enumerate(rec.bullets):
            yield ("recommendation", "bullets", index), bullet
    elif rec != NOT_STATED:
        yield ("recommendation",), rec


@rule("amounts-in-text", Severity.warning, "amounts written in the text are amounts the record holds")
def _amounts_in_text(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    known: set[Decimal] = set()
    for line in d.funding:
        known |= {line.total} | {y.amount for y in line.per_year}
    if d.funding:
        known.add(d.total_funding)
    if d.route_to_market and d.route_to_market.bidding_limit is not None:
        rtm = d.route_to_market
        known.add(rtm.bidding_limit)
        if rtm.awards:
            known.add(rtm.bidding_limit * rtm.awards)
    known |= {f.available for f in d.funds if f.available is not None}
    known |= {b for g in d.award_groups for b in (g.over, g.up_to) if b is not None}
    if d.precept:
        known |= {v for v in (d.precept.band_d, d.precept.increase, d.precept.net_revenue_budget, d.precept.total_precept) if v is not None}
    known |= {a.amount for a in d.amounts}
    known |= _table_amounts(d)
    if not known:
        return
    for loc, text in _texts(d):
        if "£" not in text:
            continue
        for m in _POUNDS.finditer(text):
            scale = {"k": 1000, "m": 1_000_000, "million": 1_000_000, "bn": 1_000_000_000}.get((m.group(2) or "").lower(), 1)
            figure = Decimal(m.group(1).replace(",", ""))
            amount = figure * scale
            if amount in known:
                continue
            if scale > 1:  # £1.6m is £1,634,000 rounded: allow half a unit of the last figure printed
                half = Decimal(1).scaleb(figure.as_tuple().exponent) * scale / 2
                if any(abs(k - amount) < half for k in known):
                    continue
            if _PER_ANNUM.match(text, m.end()) and any(amount == y.amount for line in d.funding for y in line.per_year):
                continue
            yield loc, (f"the text says {m.group(0).strip()}, which the record holds nowhere "
                        f"(it holds {', '.join(money(a) for a in sorted(known))}): add the amount to the funding, "
                        "a fund, the route to market or a table, or correct the text")


@rule("table-totals", Severity.error, "a table's total row is the sum of its rows")
def _table_totals(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for s_index, b_index, block in d.tables:
        if block.total is not None:
            for c_index, column in enumerate(block.columns):
                printed = block.total[c_index]
                if column.type is not ColumnType.money or printed in (None, ""):
                    continue
                added = sum((Decimal(row[c_index]) for row in block.rows if row[c_index] not in (None, "")), Decimal(0))
                if added != Decimal(printed):
                    yield ("sections", s_index, "content", b_index, "total", c_index), (
                        f"the rows of '{column.heading}' add up to {money(added)}, but the total row says {money(Decimal(printed))}"
                    )


def _ratio(cell: object) -> Decimal | None:
    if isinstance(cell, str) and "/" in cell:
        top, bottom = cell.split("/")
        return Decimal(top) / Decimal(bottom) if int(bottom) else None
    return None


@rule("table-ratios", Severity.error, "in a table with a ratio column, each row's money is the base row's times its ratio")
def _table_ratios(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    """Council tax by band: Band A is 6/9 of Band D, ..., H 18/9; the base row has no ratio."""
    for s_index, b_index, block in d.tables:
        ratio_columns = [i for i, c in enumerate(block.columns) if c.type is ColumnType.ratio]
        money_columns = [i for i, c in enumerate(block.columns) if c.type is ColumnType.money]
        if len(ratio_columns) != 1 or not money_columns:
            continue
        r = ratio_columns[0]
        base = [row for row in block.rows if row[r] in (None, "")]
        if len(base) != 1:
            yield ("sections", s_index, "content", b_index, "rows"), (
                f"a table with a ratio column has one base row, the one without a ratio (Band D); this one has {len(base)}")
            continue
        for m in money_columns:
            if base[0][m] in (None, ""):
                continue
            for row_index, row in enumerate(block.rows):
                ratio = _ratio(row[r])
                if ratio is None or row[m] in (None, ""):
                    continue
                expected = (Decimal(base[0][m]) * ratio).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if Decimal(row[m]) != expected:
                    yield ("sections", s_index, "content", b_index, "rows", row_index, m), (
                        f"{row[r]} of {money(Decimal(base[0][m]))} is {money(expected)}, but the row says {money(Decimal(row[m]))}"
                    )


@rule("precept-band-d", Severity.error, "the precept's rise agrees with its Band D figure")
def _precept_band_d(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    p = d.precept
    if p is None or p.increase is None or p.increase_percent is None:
        return
    before = p.band_d - p.increase
    if before <= 0:
        yield ("precept", "increase"), f"a rise of {money(p.increase)} leaves nothing of the Band D {money(p.band_d)}"
        return
    percent = (p.increase / before * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(percent - p.increase_percent) > Decimal("0.01"):
        yield ("precept", "increase_percent"), (
            f"{money(p.increase)} on {money(before)} is a rise of {percent}%, not {p.increase_percent}%"
        )


@rule("recommended-awards", Severity.error, "a recommendation made of the awards has awards to list")
def _recommended_awards(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    rec = d.recommendation
    if isinstance(rec, Recommendation) and rec.awards and not d.funding:
        yield ("recommendation", "awards"), "`awards: true` lists the funding lines, and there are none: add `funding`, or write the recommendation"


# --- the decision's history --------------------------------------------------------------------

# What makes each kind of event: any one of these facts will do.
_NEEDS: dict[EventKind, tuple[str, ...]] = {
    EventKind.applications_received: ("received",),
    EventKind.show_stopper: ("discounted",),
    EventKind.evaluation: ("evaluated", "participants", "result"),
    EventKind.opportunity_released: ("date",),
    EventKind.response_deadline: ("date",),
    EventKind.meeting: ("date",),
    EventKind.consultation: ("date", "result"),
    EventKind.vote: ("votes", "result"),
}


@rule("event-facts", Severity.error, "each kind of event gives a fact that makes it")
def _event_facts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, event in enumerate(d.history):
        needed = _NEEDS.get(event.event)
        if needed and not any(getattr(event, name) not in (None, []) for name in needed):
            wanted = " or ".join(f"`{name}`" for name in needed)
            name = event.event.value.replace("_", " ")
            yield ("history", index), f"{'an' if name[0] in 'aeiou' else 'a'} {name} event gives {wanted}"


@rule("vote-counts", Severity.error, "a vote's outcome agrees with its counts and threshold")
def _vote_counts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    for index, event in enumerate(d.history):
        vote = event.votes
        if vote is None or vote.threshold is None or vote.carried is None:
            continue
        if (vote.in_favour >= vote.threshold) != vote.carried:
            outcome = "carried" if vote.carried else "not carried"
            yield ("history", index, "votes", "carried"), (
                f"{vote.in_favour} in favour against a threshold of {vote.threshold}, yet the vote is {outcome}: correct the counts, the threshold or `carried`"
            )


@rule("history-order", Severity.error, "the history is in date order, and before the paper")
def _history_order(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    previous = None
    for index, event in enumerate(d.history):
        if event.date is None:
            continue
        if previous is not None and latest(event.date) < earliest(previous.date):
            yield ("history", index, "date"), (
                f"{event.event.value} on {event.date} comes after {previous.event.value} on {previous.date}; "
                "list events in date order"
            )
        previous = event
    last = d.last_day
    for index, event in enumerate(d.history):
        if event.date is not None and last is not None and earliest(event.date) > last:
            yield ("history", index, "date"), f"{event.date} is after the paper's date {stated_date(d.date)}; correct the event's date or the paper's"
        if event.until is not None and event.date is not None and latest(event.until) < earliest(event.date):
            yield ("history", index, "until"), f"the event ends ({event.until}) before it starts ({event.date}); correct `until` or `date`"


@rule("response-deadline", Severity.error, "the response deadline is after the opportunity's release")
def _response_deadline(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    released = [e for e in d.history if e.event is EventKind.opportunity_released and e.date]
    for index, event in enumerate(d.history):
        if event.event is EventKind.response_deadline and event.date and released:
            release = released[0].date
            if latest(event.date) <= earliest(release):
                yield ("history", index, "date"), (
                    f"the response deadline {event.date} is not after the release on {release}"
                )


@rule("application-counts", Severity.error, "applications received = discounted at show-stopper + evaluated")
def _application_counts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    received = [(i, e) for i, e in enumerate(d.history) if e.event is EventKind.applications_received]
    if not received or received[0][1].received is None:
        return
    index, event = received[0]
    discounted = sum(e.discounted or 0 for e in d.history if e.event is EventKind.show_stopper)
    evaluated = sum(e.evaluated or 0 for e in d.history if e.event is EventKind.evaluation)
    if event.received != discounted + evaluated:
        yield ("history", index, "received"), (
            f"{event.received} applications received, but {discounted} discounted at show-stopper "
            f"+ {evaluated} evaluated = {discounted + evaluated}"
        )


# --- links -------------------------------------------------------------------------------------


@cross_rule("links", Severity.error, "a decision does not link to itself")
def _links(records: Sequence[tuple[Decision, Path]], office: Office) -> Iterable[tuple[int, Loc, str]]:
    for index, (d, _) in enumerate(records):
        for l_index, link in enumerate(d.links):
            other_term = link.date is not None and office.term_of(earliest(link.date)) is not office.term_for(d)
            own = {d.reference, *d.aliases}
            if link.reference and link.reference.strip() in own and not other_term:  # numbers restart each term
                yield index, ("links", l_index, "reference"), f"{d.reference} links to itself ({link.relation.value}); name the other decision's reference"
    # A parent or a cited decision outside the archive is not a finding: the register shows the
    # link as text, and links it where both ends are in it.


@cross_rule("superseded", Severity.warning, "a superseded decision and the decision that supersedes it name each other: "
            "the old one's status says superseded, the new one's links say whom it supersedes")
def _superseded(records: Sequence[tuple[Decision, Path]], office: Office) -> Iterable[tuple[int, Loc, str]]:
    in_term: dict[tuple[str, str], list[int]] = {}
    for index, (d, _) in enumerate(records):
        in_term.setdefault((office.term_name(d), d.reference), []).append(index)
    named: set[int] = set()
    for index, (d, _) in enumerate(records):
        if not d.was_approved:  # a draft that will supersede a decision does not yet
            continue
        for l_index, link in enumerate(d.links):
            if link.relation is not LinkRelation.supersedes or not link.reference:
                continue
            # The decision in the term the link's date falls in, else in this one's; else the
            # only decision in the archive with that reference (numbers restart each term).
            dated = office.term_of(earliest(link.date)) if link.date is not None else None
            reference = link.reference.strip()
            found = [i for i in in_term.get((dated.name if dated else office.term_name(d), reference), []) if i != index]
            if not found:  # (a decision never supersedes itself)
                found = [i for (_, ref), indexes in in_term.items() if ref == reference for i in indexes if i != index]
            for other in found if len(found) == 1 else []:
                named.add(other)
                old = records[other][0]
                if old.status is Status.approved:
                    yield index, ("links", l_index, "reference"), (
                        f"{old.reference} is superseded by this decision, but its record still says approved: "
                        f"`decisions status {old.reference} superseded --by NAME --why ...` records it")
    for index, (d, _) in enumerate(records):
        if d.status is Status.superseded and index not in named:
            yield index, ("status",), (
                f"{d.reference} is superseded, but no approved decision checked with it says it supersedes it: give the new "
                f"decision `links: [{{relation: supersedes, reference: {d.reference}}}]`")


# --- approval and publication ------------------------------------------------------------------


def _approval(d: Decision) -> Approval | None:
    return d.approval if isinstance(d.approval, Approval) else None


@rule("approver-named", Severity.error, "an approved record names its approver")
def _approver_named(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if not d.was_approved or d.approval == NOT_STATED:
        return
    if d.approval is None:  # an approval without a role is the office's commissioner's (sign_off.commissioner_role)
        yield ("approval",), ("an approved record names its approver: add `approval: {role: ..., name: ...}`, "
                              "or `approval: not stated` for a published paper whose approval block is not shown")


@rule("approval-dated", Severity.error, "an approved record gives the date of approval")
def _approval_dated(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if not d.was_approved or d.approval == NOT_STATED:
        return
    approval = _approval(d)
    if approval is None or approval.date is None:
        yield ("approval", "date") if approval else ("status",), (
            "an approved record gives the date of approval (`approval: {date: YYYY-MM-DD}`), "
            "or `date: not stated` for a published paper that does not show it")


@rule("approval-after-paper", Severity.error, "no approval or sign-off is dated before the paper, or in the future")
def _approval_after_paper(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    first = d.first_day
    today = dt.date.today()
    approved = d.approved_on
    if approved and first and approved < first:
        yield ("approval", "date"), f"approved on {approved.isoformat()}, before the paper's date {stated_date(d.date)}; correct one of the two dates"
    if approved and approved > today:
        yield ("approval", "date"), f"approved on {approved.isoformat()}, which is after today ({today.isoformat()}); an approval cannot be dated ahead"
    for index, sign_off in enumerate(d.sign_offs):
        if sign_off.date and first and sign_off.date < first:
            yield ("sign_offs", index, "date"), f"signed on {sign_off.date.isoformat()}, before the paper's date {stated_date(d.date)}; correct one of the two dates"
        if sign_off.date and sign_off.date > today:
            yield ("sign_offs", index, "date"), f"signed on {sign_off.date.isoformat()}, which is after today ({today.isoformat()})"


@rule("approver-in-office", Severity.error, "the commissioner who approves is the one in office on the day")
def _approver_in_office(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    """Only for an approval in the commissioner's own role (the office's, or none given): a
    deputy or an acting commissioner signs in a role of their own. A name that shares a word
    with the commissioner's (Mr F Akinbusoye, Festus) is theirs."""
    approval = _approval(d)
    name = stated(approval.name) if approval else None
    approved = d.approved_on
    if not approval or not name or not approved:
        return
    if not office.is_commissioner_role(approval.role):
        return
    term = office.term_of(approved)
    if term is None:
        yield ("approval", "date"), (f"no commissioner's term in the office configuration holds {approved.isoformat()}; "
                                     "correct the date, or add the term to office.yaml")
        return
    # Theirs by the surname (Mr F Akinbusoye), or by a name written alone (Festus); one shared
    # first name is not enough (John Tizard is not John Campion).
    theirs = [w.casefold() for w in re.findall(r"\w{2,}", term.commissioner)]
    given = [w.casefold() for w in re.findall(r"\w{2,}", name)]
    if not (theirs and (theirs[-1] in given or (len(given) == 1 and given[0] in theirs))):
        yield ("approval", "name"), (f"{name} was not the commissioner on {approved.isoformat()}: {term.commissioner} was "
                                     f"({term.name}); correct the name or the date, or give the role they signed in "
                                     "(e.g. Deputy Police and Crime Commissioner)")


@rule("part2-reason", Severity.error, "a Part 2 decision says why it is withheld")
def _part2_reason(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.publication.part == "part2" and not d.publication.reason:
        yield ("publication", "reason"), "a Part 2 decision says why it is withheld, e.g. the FOI exemption"


def _not_stated(value: object, loc: tuple[str | int, ...]) -> Iterable[Loc]:
    if value == NOT_STATED:
        yield loc
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _not_stated(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_stated(item, (*loc, index))


# --- the forward plan ----------------------------------------------------------------------------
# The office's forward plan gives notice of the decisions to come (engine/forward_plan.py); a
# decision names its entry, and a key decision is held to the notice its entry gave.


@rule("forward-plan", Severity.error, "a decision's forward plan entry is one the office's forward plan holds")
def _forward_plan(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if d.forward_plan is None:
        return
    plan = office.plan
    if plan is None:
        yield ("forward_plan",), ("the office keeps no forward plan: name its file in office.yaml "
                                  "(`forward_plan: {file: forward-plan.yaml}`), or leave `forward_plan:` out")
    elif plan.entry(d.forward_plan) is None:
        yield ("forward_plan",), f"{plan.file} has no entry {d.forward_plan}: {plan.known(d.forward_plan)}"


def _clear_days(taken: dt.date, published: dt.date) -> str:
    if taken < published:
        return "before"
    if taken == published:
        return "on the day"
    return f"{(taken - published).days - 1} clear days after"


@rule("forward-plan-notice", Severity.warning, "a key decision approved or submitted is on the forward plan, and taken "
      "the office's notice period (in clear days) after its entry was published")
def _forward_plan_notice(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    plan = office.plan
    if plan is None or not d.key_decision or not (d.was_approved or d.status is Status.submitted):
        return
    notice = f"the office gives {plan.notice_days} clear days' notice of a key decision"
    if d.forward_plan is None:
        yield ("key_decision",), (f"a key decision is given notice on the forward plan: add its entry to {plan.file} and "
                                  "name it here (`forward_plan: ...`); one taken without notice (special urgency) keeps "
                                  "a waiver that says why")
        return
    entry = plan.entry(d.forward_plan)
    if entry is None:
        return  # the forward-plan rule says so
    first = plan.first_day(entry)
    published = entry.published.isoformat()
    if d.was_approved:
        taken = d.approved_on
        if taken is not None and taken < first:
            yield ("approval", "date"), (f"approved on {taken.isoformat()}, {_clear_days(taken, entry.published)} its forward "
                                         f"plan entry {entry.id} was published on {published}: {notice}, so not before "
                                         f"{first.isoformat()}")
    elif dt.date.today() < first:
        yield ("forward_plan",), (f"its forward plan entry {entry.id} was published on {published}: {notice}, so it may be "
                                  f"taken from {first.isoformat()}, not before")


@rule("forward-plan-key", Severity.warning, "a decision and its forward plan entry agree whether it is a key decision")
def _forward_plan_key(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    entry = office.plan.entry(d.forward_plan) if office.plan is not None and d.forward_plan is not None else None
    if entry is None or entry.key_decision == d.key_decision:
        return
    if d.key_decision:
        yield ("key_decision",), (f"this is a key decision, but its forward plan entry {entry.id} says it is not: "
                                  f"correct the entry's `key_decision` in {office.plan.file}, or this one's")  # type: ignore[union-attr]
    else:
        yield ("forward_plan",), (f"its forward plan entry {entry.id} says this is a key decision, and the record does "
                                  f"not: add `key_decision: true`, or correct the entry in {office.plan.file}")  # type: ignore[union-attr]


# --- the office's layout --------------------------------------------------------------------------


@rule("layout-shows", Severity.error, "the office's layout prints everything the paper states, once: each section, the "
      "recommendation, the sign-offs, links, documents, banners and a Part 2 paper's marking",
      unwaivable="the papers would leave out, or print twice, what the record states; correct the office's layout")
def _layout_shows(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    blocks = [b for b in office.layout_for(d).blocks if b.applies(d.kind)]
    of = lambda *kinds: [b for b in blocks if isinstance(b, kinds)]  # noqa: E731
    fix = "correct the office's layout"
    printed: dict[int, int] = {}
    headings = [s.heading for s in d.sections]
    for block in of(layout.Sections):
        for index in block.chooses(headings):  # type: ignore[attr-defined]
            printed[index] = printed.get(index, 0) + 1
    for index, section in enumerate(d.sections):
        what = f"the section '{section.heading}'" if section.heading else "this section"
        if index not in printed:
            how = ", ".join(f"from '{b.start}'" if b.start else f"until '{b.until}'" for b in of(layout.Sections)  # type: ignore[attr-defined]
                            if b.start or b.until)  # type: ignore[attr-defined]
            yield ("sections", index), (f"{what} is printed by no block of the office's layout"
                                        + (f" (its sections blocks print {how})" if how else " (it has no `sections` block)")
                                        + f": {fix}")
        elif printed[index] > 1:
            yield ("sections", index), f"{what} is printed {printed[index]} times by the office's layout's sections blocks: {fix}"
    wanted = [
        (d.after_approval, (layout.AfterApproval,), ("after_approval",), "the sections after the approval", "after_approval"),
        (d.recommendation != NOT_STATED, (layout.RecommendationBlock,), ("recommendation",), "the recommendation", "recommendation"),
        ([x for x in d.links if x.printed], (layout.Links,), ("links",), "the links", "links"),
        (d.documents, (layout.Documents,), ("documents",), "the documents", "documents"),
        (d.banners or d.key_decision, (layout.Banners,), ("banners",) if d.banners else ("key_decision",), "the banners", "banners"),
        (d.publication.part == "part2", (layout.Confidentiality, layout.Markings), ("publication", "part"),
         "that the paper is Part 2", "confidentiality or markings"),
    ]
    for present, kinds, loc, what, block in wanted:
        found = len(of(*kinds))
        if present and not found:
            yield loc, f"the office's layout prints {what} nowhere: add `- {block}` to office.yaml's layout"
        elif present and found > 1:
            yield loc, f"the office's layout prints {what} {found} times: {fix}"
    # Funding lines may be the register's alone (a form without them), but never printed twice.
    if d.funding and len(of(layout.Funding)) > 1:
        yield ("funding",), f"the office's layout prints the funding lines {len(of(layout.Funding))} times: {fix}"
    sign_offs = of(layout.SignOffs)
    for present, which, loc, what in ((d.approval != NOT_STATED, "approval", ("approval",), "the approval"),
                                       (bool(d.sign_offs), "others", ("sign_offs",), "the sign-offs")):
        found = sum(1 for b in sign_offs if b.which in ("all", which))  # type: ignore[attr-defined]
        if present and not found:
            yield loc, f"the office's layout prints {what} nowhere: add `- sign_offs` to office.yaml's layout"
        elif present and found > 1:
            yield loc, f"the office's layout prints {what} {found} times: {fix}"


# --- the seal -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _ledger_at(path: Path, mtime_ns: int, size: int) -> tuple[list[ledger.Entry], list[ledger.LedgerProblem]]:
    return ledger.read_ledger(path)


def ledger_of(record: Path) -> tuple[Path, list[ledger.Entry], list[ledger.LedgerProblem]] | None:
    """The ledger of the archive a record is in (records/ledger.jsonl), read once however many
    records are checked; None where there is none (an archive that has not begun sealing)."""
    # The nearest ledger above the record: a record moved into a folder of its own is still the
    # archive's, and still held to its seal.
    for folder in record.absolute().parents:
        path = folder / ledger.LEDGER
        try:
            stat = path.stat()
        except OSError:
            continue
        return (path, *_ledger_at(path, stat.st_mtime_ns, stat.st_size))
    return None


@rule("sealed", Severity.error, "an approved decision is sealed in the ledger and matches its seal: it changes only "
      "by a correction or by a new decision, and its later status is on the record",
      unwaivable="an approved decision never changes silently")
def _sealed(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    found = ledger_of(path)
    if found is None:
        return
    where, entries, broken = found
    ref = d.reference
    if broken:
        if d.was_approved or d.corrections:  # nothing sealed can be vouched for by a broken ledger
            yield ("status",), (f"{ref} cannot be held to its seal: {where.name} line {broken[0].line} is broken "
                                f"({broken[0].message}); mend the ledger from the repository's history")
        return
    entry = ledger.latest(entries).get((office.term_name(d), ref))
    if entry is None:
        if d.was_approved:
            yield ("status",), (f"{ref} is {d.status.value} but not sealed in {where.name}: `decisions seal {ref}` seals it "
                                "(`decisions approve` seals a decision as it approves it)")
        return
    # Once sealed, always held to the seal, whatever its status now says.
    changed = ledger.changed_fields(d, entry)
    if changed:
        yield (changed[0],), (f"{ref} was sealed on {entry.data['date']} and has changed since: {', '.join(changed)}. An "
                              f"approved decision changes only by a correction (`decisions correct {ref} --by NAME --why "
                              "...`) or by a new decision that amends, supersedes or rescinds it")
    if entry.data["status"] != d.status.value:
        if d.status.value in ("withdrawn", "rescinded", "superseded"):
            how = f"`decisions status {ref} {d.status.value} --by NAME --why ...` records the change"
        else:
            how = f"a decision {entry.data['status']} stays so: put back `status: {entry.data['status']}`"
        yield ("status",), f"{ref} is sealed as {entry.data['status']}, not {d.status.value}: {how}"
    recorded = [e for e in entries if e.key == entry.key and e.data["event"] == "corrected"]
    if len(d.corrections) != len(recorded):
        yield ("corrections",), (f"{ref} has {len(d.corrections)} correction(s), and the ledger {len(recorded)}: a correction is "
                                 f"made with `decisions correct {ref}`, which records it in both")
    else:
        for index, (correction, step) in enumerate(zip(d.corrections, recorded)):
            if (correction.date.isoformat(), correction.by, correction.why) != (step.data["date"], step.data["by"], step.data["note"]):
                yield ("corrections", index), (f"this correction is not the one the ledger recorded on {step.data['date']} "
                                               f"by {step.data['by']}: a correction, once made, is not rewritten")


@rule("signed-copy", Severity.error, "an approval's signed copy is kept beside the record and is the file whose hash the "
      "record gives", unwaivable="a signed copy that is not the one approved is no evidence of approval")
def _signed_copy(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    approval = _approval(d)
    copy = approval.signed_copy if approval else None
    if copy is None:
        return
    file = path.parent / copy.file
    if Path(copy.file).name != copy.file:
        yield ("approval", "signed_copy", "file"), "name the signed copy's file alone: it is kept beside the record"
        return
    try:
        data = file.read_bytes()
    except OSError:
        yield ("approval", "signed_copy", "file"), f"the signed copy {copy.file} is not beside the record: put it back"
        return
    if hashlib.sha256(data).hexdigest() != copy.sha256:
        yield ("approval", "signed_copy", "sha256"), (f"the signed copy {copy.file} is not the one approved (its SHA-256 "
                                                      "differs): put the approved copy back")


# --- the office's own fields ------------------------------------------------------------------


def _wrong_value(declared: OfficeField, value: object) -> str | None:
    """What is wrong with an office field's value, or None."""
    if isinstance(value, str) and PLACEHOLDER.search(value):
        return None  # `decisions new`'s TODO: reported as a placeholder not filled in
    wanted = {"text": str, "date": dt.date, "number": int, "yes_no": bool}[declared.type]
    if not isinstance(value, wanted) or (declared.type == "number" and isinstance(value, bool)):
        how = {"text": "a line of text", "date": "a date, YYYY-MM-DD", "number": "a whole number", "yes_no": "true or false"}
        return f"{declared.label} is {how[declared.type]}"
    if declared.values is not None and value not in declared.values:
        same = next((v for v in declared.values if v.casefold() == str(value).casefold()), None)
        if same is not None:
            return f"write it as the office does: {same}"
        return f"{declared.label} is one of {', '.join(declared.values)} (got {value!r})"
    return None


@rule("office-fields", Severity.error, "the office's own fields (office.yaml `fields:`) are the ones it declares, of their "
      "type and allowed values, and the required ones are given")
def _office_fields(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    own = [name for name in office.fields if name not in CONSTRAINABLE]
    for name, value in d.fields.items():
        if name not in own:
            declared = f"declares {', '.join(own)}" if own else "declares none"
            where = " (write it at `" + ".".join(CONSTRAINABLE[name]) + "`)" if name in CONSTRAINABLE else ""
            yield ("fields", name), f"'{name}' is not one of the office's fields{where}: office.yaml `fields:` {declared}"
    for name, declared in office.fields.items():
        loc: tuple[str, ...] = CONSTRAINABLE.get(name, ("fields", name))
        value: object = d
        for part in loc if name in CONSTRAINABLE else ():
            value = getattr(value, part)
        if name not in CONSTRAINABLE:
            value = d.fields.get(name)
        if value is None:
            if declared.required:
                where = "`" + ".".join(loc) + "`" if name in CONSTRAINABLE else "under `fields:`"
                yield loc, f"the office's papers carry {declared.label}: give it {where}, e.g. {name}: ..."
        elif (problem := _wrong_value(declared, value)) is not None:
            yield loc, problem


@rule("stated-in-drafts", Severity.error, "a draft states its facts: 'not stated' is for published papers")
def _stated_in_drafts(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    if not d.in_draft:  # approved, declined, withdrawn, rescinded and superseded papers are history
        return
    for loc in _not_stated(d, ()):
        yield loc, ("'not stated' is for a published paper that does not give a fact; a paper not yet approved "
                    "gives it (or keeps a TODO placeholder until it is known)")


# --- as printed ----------------------------------------------------------------------------------


@rule("as-printed", Severity.error, "a value kept as printed names a field the record has")
def _as_printed(d: Decision, office: Office, path: Path) -> Iterable[Finding]:
    seen: set[str] = set()
    for index, entry in enumerate(d.as_printed):
        if entry.field in seen:
            yield ("as_printed", index, "field"), f"{entry.field} is given as printed twice: keep one"
        seen.add(entry.field)
        if field_value(d, entry.field) is None:
            yield ("as_printed", index, "field"), f"the record has no value at {entry.field}; name a field as check does, e.g. date or funding[0].period.end"
        elif not _PRINTED_FIELD.fullmatch(entry.field):
            yield ("as_printed", index, "field"), (f"the paper does not print {entry.field} from the record (the narrative is "
                                                   "kept as published already); keep as printed a field the paper shows, "
                                                   "e.g. date, funding[0].amount or a table's total")


_PATH = re.compile(r"[a-z_]+(\[[0-9]+\])*(\.[a-z_]+(\[[0-9]+\])*)*", re.ASCII)


# The fields a paper prints from the record's values, which render/context.py's Printed looks
# up: a value kept as printed must be one of them, or the paper would show the value meant.
_PRINTED_FIELD = re.compile("|".join([
    r"reference|subject|date|report_of|author\.(name|role)|publication\.protective_marking",
    r"recommendation(\.text|\.heading|\.bullets\[\d+\])?",
    r"approval\.(date|heading|name|role|signature|statement)",
    r"sign_offs\[\d+\]\.(date|name|role|statement)",
    r"documents\[\d+\]\.(label|title)",
    r"links\[\d+\]\.(reference|title|date)",
    r"(sections|after_approval)\[\d+\]\.heading",
    r"(sections|after_approval)\[\d+\]\.content\[\d+\]\.(rows\[\d+\]|total)\[\d+\]",
    r"funding\[\d+\]\.(amount|budget_code|fund|recipient|service|period\.(start|end)|per_year\[\d+\]\.amount)",
]), re.ASCII)


def field_value(d: Decision, path: str) -> object | None:
    """The value at a field path as check names it (funding[0].period.end), or None."""
    if not _PATH.fullmatch(path):
        return None
    value: object = d
    for part in path.replace("[", ".").replace("]", "").split("."):
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                return None
            value = value[int(part)]
        elif isinstance(value, BaseModel):
            if part not in type(value).model_fields:
                return None
            value = getattr(value, part)
        else:
            return None
    return value


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
    kind = office.all_kinds.get(decision.kind)
    kind_only = KIND_ONLY_RULES
    for rule_ in RULES.values():
        if rule_.check is None:
            continue
        if rule_.name in kind_only and (kind is None or rule_.name not in kind.rules):
            continue  # a rule only some kinds need, and this decision's kind does not
        for loc, message in rule_.check(decision, office, source.path):
            waived = None if rule_.unwaivable else next(
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
