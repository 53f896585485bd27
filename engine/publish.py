"""`decisions publish`: the public decision register, a static site with nothing confidential.

Only approved decisions are published. Part 2 decisions appear as their reference, title and
the reason they are withheld, and nothing else. Confidential sections and paragraphs are left
out of every public file, the Word and PDF papers included (they are rendered again from the
record without them, so no metadata or hidden text carries them either).

    site/index.html                                the register: filter, sort, search
    site/by/{term,year,fund,kind}/<name>/index.html  the same, one term, financial year, fund or kind
                                                   of decision (no JavaScript needed)
    site/decisions/<term>/<reference>/index.html   a decision: its web snippet and its files
    site/decisions/<term>/<reference>/<reference>.{pdf,docx}
    site/feed.atom  site/decisions.json  site/decisions.csv
    site/assets/register.{css,js}
    site/assets/search-text.js                     the public papers' text, for the index's search
    site/assets/logo.<png|jpg|gif>                 the office's logo, where it has one

Where the register is hosted at an address whose last folder is already `decisions`
(https://example.org/decisions/), the decisions' pages are the term folders at the site's root
(site/<term>/<reference>/), so their addresses never say decisions twice; every other register
keeps site/decisions/<term>/... (see `page_folder`).

The register's own pages write dates the GOV.UK way ("29 November 2026"; a month as "November
2021"); the papers keep the office's own date format.

A decision's page shows its kind, its date as published (a month as "November 2021"; nothing
when the paper gives none), the other forms printed for its reference, the address it was first
published at, and its links to other decisions both ways ("Amends PCC/D/083" on one page,
"Amended by PCC/D/127" on the other); a link to a decision outside the register is text. The
register is in order of the last day a paper's date can mean, undated papers last; the feed dates
an entry by the first day its date can mean (or its approval date), never the clock; a paper with no
date at all is left out of the feed.
The fields of decisions.json and the columns of decisions.csv are listed below, at `facts` and
`CSV_FIELDS`.

URLs come from the term and the reference, which never change once a paper is published. The
site is written to a temporary folder and swapped in whole. Publishing replaces only a folder
that it wrote before (it leaves a mark file in it), an empty one or a new one: never a folder
of records, the archive or the project.

Papers are rendered, converted and written a batch at a time, and only small facts of each
decision are kept for the index pages, so memory does not grow with the archive."""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from .manifest import ManifestError, inside, read_manifest
from . import ledger
from .model import (
    Approval,
    Decision,
    Event,
    EventKind,
    Link,
    Month,
    Period,
    Quarter,
    Year,
    earliest,
    latest,
    money,
    stated,
    stated_date,
)
from .forward_plan import write_forward_plan
from .office import CONSTRAINABLE, Office
from .papers import BATCH, Paper, convert_pdfs, file_stem, profile_pool, render_sources
from .problems import RecordError, failure_line
from .project import MARK, Project, holds
from .records import read_record, read_records
from .render.context import portable_strftime
from .render.context import (
    safe_url as _web_address,  # the one check before a page links an address
)
from .render.html import html_text, render_html
from .render.pdf import Converter
from .writing import write_atomic
from .yaml_source import parse_yaml, validate

MARK_TEXT = b"Written by `decisions publish`, which replaces this folder whole on every run.\n"


@dataclass
class RegisterEntry:
    """One decision as the register shows it."""

    decision: Decision  # its facts: the narrative is read again when its papers are rendered
    place: str  # 2021-2024/pcc-d-102, as in build/
    record: Path  # the record's file
    digest: str  # of the record's text as checked
    files: list[dict[str, Any]] = field(default_factory=list)  # label, href, size
    folder: str = "decisions/"  # where the term folders are, relative to the site: see page_folder
    steps: list[dict[str, str]] = field(default_factory=list)  # from the ledger: corrected, withdrawn... {event, date, note}
    versions: list[ledger.Entry] = field(default_factory=list)  # its earlier sealed versions, oldest first
    seal: ledger.Entry | None = None  # its latest ledger entry: what its public papers were as sealed
    earlier: list[dict[str, Any]] = field(default_factory=list)  # their PDFs as published: label, href, version, event, date

    @property
    def part2(self) -> bool:
        return self.decision.publication.part == "part2"

    @property
    def term(self) -> str:
        return self.place.split("/")[0]

    @property
    def slug(self) -> str:
        return self.place.split("/")[1]

    @property
    def path(self) -> str:
        """The decision's page, relative to the site: decisions/2021-2024/pcc-d-102/ (or
        2021-2024/pcc-d-102/ for a register whose address already ends in /decisions/)"""
        return f"{self.folder}{self.place}/"


# The site's own names at its root: a term folder placed there must not take one.
_SITE_NAMES = {"by", "assets", "index.html", "feed.atom", "decisions.json", "decisions.csv", "forward-plan",
               "forward-plan.json", "forward-plan.csv"}


def page_folder(base_url: str) -> str:
    """Where the decisions' pages go in the site: "decisions/", unless the register's address
    already ends in a folder called decisions (https://example.org/decisions/), when they go at
    its root, so that a page is https://example.org/decisions/2021-2024/pcc-d-102/ rather than
    .../decisions/decisions/.... Every register at any other address keeps its addresses."""
    segments = [s for s in urlsplit(base_url).path.split("/") if s]
    return "" if segments and segments[-1].lower() == "decisions" else "decisions/"


STEP_NAMES = {"corrected": "Corrected", "withdrawn": "Withdrawn", "rescinded": "Rescinded", "superseded": "Superseded"}


def later_steps(entries: list[ledger.Entry]) -> dict[tuple[str, str], list[dict[str, str]]]:
    """Each decision's steps after its approval, from the ledger: corrections and its withdrawal,
    rescission or supersession, with their dates and notes (a Part 2 decision's are not shown)."""
    found: dict[tuple[str, str], list[dict[str, str]]] = {}
    for entry in entries:
        if entry.data["event"] in STEP_NAMES:
            found.setdefault(entry.key, []).append({"event": entry.data["event"], "date": entry.data["date"],
                                                    "note": entry.data["note"]})
    return found


def register_date(day: object, office: Office) -> str:
    """A date as the register's pages write it, the GOV.UK way: 29 November 2026 (no leading
    zero, the month in words, in the office's language); a month as November 2021; a year or a
    quarter as written; nothing for a date the paper does not state. The papers themselves keep
    the office's date format."""
    if isinstance(day, dt.date):
        return portable_strftime(day, "%-d %B %Y", office.months, office.days)
    if isinstance(day, Month):
        return portable_strftime(day.first_day, "%B %Y", office.months)
    if isinstance(day, (Year, Quarter)):
        return str(day)
    return ""


# --- search ---------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def searchable(text: str) -> str:
    """Text as the register's search compares it, the same as register.js's `normal`: lower
    case, accents dropped, curly quotes and dashes plain, "£" dropped and the thousands' commas
    of a number dropped ("£18,500" is 18500, found by 18,500, £18,500 and 18500), one space."""
    text = unicodedata.normalize("NFD", text.lower().translate(_QUOTES))
    text = re.sub("[\u0300-\u036f]", "", text).replace("£", "")
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return " ".join(text.split())


def snippet_text(html: str) -> str:
    """The text a reader sees in a public web snippet, as the search compares it."""
    return searchable(html_text(html))


def _amounts(d: Decision) -> list[Decimal]:
    """Every sum a public decision's facts state, as its open data gives them."""
    sums: list[Decimal | None] = [d.total_funding] if d.funding else []
    for line in d.funding:
        sums += [line.total, *(y.amount for y in line.per_year)]
    sums += [f.available for f in d.funds]
    sums += [x for g in d.award_groups for x in (g.over, g.up_to)]
    sums += [a.amount for a in d.amounts]
    if d.route_to_market is not None:
        sums.append(d.route_to_market.bidding_limit)
    if d.precept is not None:
        p = d.precept
        sums += [p.band_d, p.increase, p.net_revenue_budget, p.total_precept]
    return list(dict.fromkeys(x for x in sums if x is not None))


def search_facts(d: Decision, part2: bool) -> str:
    """What the index's search finds a decision by, besides its paper's text: its reference and
    the other forms printed for it, subject, kind, funds, recipients, budget codes and amounts
    ("18500", found however the amount is written). A Part 2 decision by its reference and
    subject only, all that is published of it."""
    if part2:
        return searchable(f"{d.reference} {d.subject}")
    codes = [line.budget_code for line in d.funding if line.budget_code] + [f.budget_code for f in d.funds if f.budget_code]
    words = [d.reference, *d.aliases, d.subject, *d.fund_names, *d.recipients, *dict.fromkeys(codes),
             *(money(x) for x in _amounts(d))]
    return searchable(" ".join(str(w) for w in words if w))


def _favicon(colour: str) -> str:
    """A small icon for the browser's tab, a page in the office's colour, as a data: address."""
    colour = colour if re.fullmatch(r"[0-9A-Fa-f]{6}", colour) else "1F3864"
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='6' fill='#{colour}'/>"
           "<path d='M9 6h10l5 5v15H9z' fill='#fff'/>"
           f"<path d='M12 15h9M12 19h9M12 23h6' stroke='#{colour}' stroke-width='2'/></svg>")
    return "data:image/svg+xml," + quote(svg, safe="/:=' ")


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _contact(text: str | None) -> Markup | None:
    """The office's contact line as the register's footer shows it, its e-mail addresses links."""
    if not text:
        return None
    out, at = [], 0
    for m in _EMAIL.finditer(text):
        out += [escape(text[at:m.start()]), Markup('<a href="mailto:{0}">{0}</a>').format(m.group(0))]
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


# A logo the register shows: a picture a browser shows and nothing that could run (an SVG can).
_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"GIF87a": ".gif", b"GIF89a": ".gif"}


def _logo(data: bytes) -> str | None:
    return next((suffix for magic, suffix in _LOGO_TYPES.items() if data.startswith(magic)), None)


def _slugs(values: list[str]) -> dict[str, str]:
    """A folder name for each browse value ("MoJ" -> moj): short, ASCII, and one a value. A value
    with no ASCII letters or digits, a long one, or one whose slug another value has already
    taken gets a short hash of the value after it, so two funds never share a page and no name
    passes a file system's limit."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for value in values:
        slug = re.sub(r"[^a-z0-9]+", "-", value.lower(), flags=re.ASCII).strip("-")
        if not slug or len(slug) > 60 or slug in taken:
            digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
            slug = f"{slug[:60].rstrip('-')}-{digest[:10]}".lstrip("-")
            if slug in taken:  # a value that looks like another's hashed slug
                slug = f"{slug[:60].rstrip('-')}-{digest}".lstrip("-")
        slugs[value] = slug
        taken.add(slug)
    return slugs


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


# --- who links to whom --------------------------------------------------------------------------

# A link's relation as the linking page says it, and as the linked page says it back.
RELATIONS: dict[str, tuple[str, str, str]] = {
    # relation: (phrase, inverse phrase, inverse relation in open data)
    "amends": ("Amends", "Amended by", "amended_by"),
    "supersedes": ("Supersedes", "Superseded by", "superseded_by"),
    "corrects": ("Corrects", "Corrected by", "corrected_by"),
    "cites": ("Cites", "Cited by", "cited_by"),
    "varies": ("Varies", "Varied by", "varied_by"),
    "follows": ("Follows", "Followed by", "followed_by"),
    "companion": ("Issued with", "Issued with", "companion"),  # the same both ways
    "related": ("Related to", "Related to", "related"),
}


def _relation(relation: str) -> tuple[str, str, str]:
    """A relation's phrases. One the model gains later, before RELATIONS names it, still reads
    (as its own name) rather than failing the register; a test keeps RELATIONS complete."""
    words = relation.replace("_", " ")
    return RELATIONS.get(relation, (words.capitalize(), f"Linked from ({words})", f"{relation}_by"))


@dataclass
class Linked:
    """One end of a link between two decisions, as a page or a row shows it."""

    relation: str  # amends, ... or amended_by, ...; "addendum" for a parent's addenda
    phrase: str  # Amends, Amended by
    link: Link | None  # the link as the record gives it (None for the far end's side)
    target: RegisterEntry | None  # the other decision, when it is in the register


class Links:
    """The links between the register's decisions, both ways. A link is followed to a decision
    in the register by its reference (in the linking decision's own term first; else in the
    term its date falls in; else the one decision with that reference), and only failing any
    decision with that reference, by another decision's alias: an alias that is another
    decision's reference never takes that decision's links. A link that cannot be followed
    (outside the register, or ambiguous) is shown as text. A Part 2 decision's links are its
    facts, so they are shown nowhere, neither on its page nor at their other ends."""

    def __init__(self, entries: list[RegisterEntry], office: Office):
        self.office = office
        self.by_reference: dict[str, list[RegisterEntry]] = {}
        self.by_alias: dict[str, list[RegisterEntry]] = {}
        for e in entries:
            self.by_reference.setdefault(e.decision.reference, []).append(e)
            if not e.part2:
                for alias in dict.fromkeys(e.decision.aliases):
                    self.by_alias.setdefault(alias, []).append(e)
        self.by_place = {e.place: e for e in entries}
        self.outgoing: dict[str, list[Linked]] = {}
        self.incoming: dict[str, list[Linked]] = {}
        for e in entries:
            if e.part2:
                continue
            mine = self.outgoing.setdefault(e.place, [])
            for link in e.decision.links:
                phrase, inverse, inverse_relation = _relation(link.relation.value)
                target = self.follow(e, link.reference, link.date) if link.reference else None
                mine.append(Linked(link.relation.value, phrase, link, target))
                if target is not None:
                    self.incoming.setdefault(target.place, []).append(Linked(inverse_relation, inverse, None, e))
        # Addenda, as before: an addendum and its parent in one term (its reference says it is one).
        self.parent: dict[str, RegisterEntry] = {}
        for e in entries:
            if e.decision.addendum_to and not e.part2:  # a Part 2 paper's ties are its facts too
                parent = self.by_place.get(f"{e.term}/{office.file_stem(e.decision.addendum_to).lower()}")
                if parent is not None and parent is not e and parent.decision.reference == e.decision.addendum_to:
                    self.parent[e.place] = parent
                    self.incoming.setdefault(parent.place, []).append(Linked("addendum", "Addendum", None, e))

    def follow(self, source: RegisterEntry, reference: str, when: Any) -> RegisterEntry | None:
        for table in (self.by_reference, self.by_alias):
            found = [e for e in table.get(reference, []) if e is not source]
            if not found:
                continue
            if len(found) == 1:
                return found[0]
            same = [e for e in found if e.term == source.term]
            if len(same) == 1:
                return same[0]
            first, last = earliest(when), latest(when)
            if first is not None and last is not None:
                dated = [e for e in found if self._overlaps(e, first, last)]
                if len(dated) == 1:
                    return dated[0]
            return None  # ambiguous: text, never a guess
        return None

    def _overlaps(self, entry: RegisterEntry, first: dt.date, last: dt.date) -> bool:
        d = entry.decision
        if d.first_day is not None and d.last_day is not None:
            return d.first_day <= last and first <= d.last_day
        term = self.office.term_named(entry.term)
        return term is not None and term.start <= last and (term.end is None or first <= term.end)

    def links_of(self, entry: RegisterEntry) -> list[Linked]:
        return self.outgoing.get(entry.place, [])

    def linked_from(self, entry: RegisterEntry) -> list[Linked]:
        """The links to a decision from others, less those it states itself (two papers that each
        say they were issued with the other are one link, shown once)."""
        stated = {(id(x.target), _relation(x.relation)[2]) for x in self.outgoing.get(entry.place, []) if x.target is not None}
        return [x for x in self.incoming.get(entry.place, []) if (id(x.target), x.relation) not in stated]


# --- open data ----------------------------------------------------------------------------------

# decisions.json: {"decisions": [row, ...], "ledger": {entries, head}} (the ledger's length and its
# last entry's hash, where the archive has one), newest first (by the last day a paper's date can
# mean; undated papers last). A fact the paper does not state is null (or an empty list); never
# the words "not stated". Amounts are exact pounds as text ("40000", "264.50"); dates as the
# paper gives them ("2023-03-30", "2021-11", "2014"); financial years as 2024-25.
#
# A Part 2 decision's row has only: reference, date, subject, term, url, part2, withheld_reason.
# A public decision's row has, in this order:
#   reference, aliases (other forms printed for it), date, subject, kind (its name), kind_label,
#   term, url (its register page), published_url (where the office first published it),
#   published_title (that page's title, where it differs from the subject), part2,
#   status, key_decision, protective_marking, report_of,
#   decision_maker ("name, role"), decision_maker_name, decision_maker_role: the approver; where
#     the approval, or the approver's name, is not published, the commissioner of the paper's
#     term (of the approval date's, when known) in the office's commissioner role,
#   financial_year and period (the decision's own: {start, end}),
#   financial_years (every year it touches: its own, its funding lines', its precept's),
#   total_amount, funding: [{recipient, service, purpose, fund, budget_code, amount (the total),
#     per_year: [{financial_year, amount}], financial_years, period, group}],
#   funds (names), fund_envelopes: [{name, available, financial_year, budget_code}],
#   award_groups: [{name, over, up_to, fund}], stated_amounts (other sums the paper states:
#     thresholds, budgets) [{label, amount, financial_year}], recipients, route_to_market, bidding_limit,
#   precept: {financial_year, band_d, increase, increase_percent, net_revenue_budget, total_precept},
#   history: the events that carry facts (consultations, votes, meetings and panels, outcomes,
#     awards, and any event with participants, a vote or responses), each with only the facts
#     it has: event, date, until, name, by, organisations, participants [{name, role,
#     organisation, internal}], responses, votes {in_favour, against, abstained, threshold,
#     threshold_rule, carried}, awarded, result,
#   addendum_to, links: [{relation, reference, title, date, url, register_url}] (register_url
#     when the other decision is in the register), linked_from: [{relation (amended_by, ...,
#     addendum), reference, register_url}], documents: [{title, label, date, url}],
#   steps: what happened after approval, from the ledger [{event (corrected, withdrawn, rescinded,
#     superseded), date, note}],
#   fields: the office's own fields the paper gives (office.yaml `fields:`), less those the office
#     keeps internal (`public: false`) [{name, label, value}].

_HISTORY_EVENTS = {EventKind.consultation, EventKind.vote, EventKind.meeting, EventKind.outcome, EventKind.award}
_EVENT_FACTS = ("until", "name", "by", "organisations", "participants", "responses", "votes", "awarded", "result")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _period(period: Period | None) -> dict[str, str] | None:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None


def decision_maker(d: Decision, office: Office) -> tuple[str | None, str | None]:
    """(name, role) of who made the decision: the approver; where the paper does not publish
    the approval, or the approver's name, the commissioner of its term in the office's
    commissioner role (the `approver-in-office` rule holds the approver to be that commissioner)."""
    commissioner_role = office.sign_off.commissioner_role
    approval = d.approval if isinstance(d.approval, Approval) else None
    role = (approval.role if approval else None) or commissioner_role
    name = stated(approval.name) if approval else None
    if name is None and office.is_commissioner_role(role):
        term = office.term_of(d.approved_on) if d.approved_on else None
        term = term or office.term_for(d)
        name = term.commissioner if term else None
    return name, role


def _event(event: Event) -> dict[str, Any] | None:
    """An event of the history as open data gives it, with only the facts it has; None for
    one that carries none of the facts the register publishes."""
    if event.event not in _HISTORY_EVENTS and not (event.participants or event.votes or event.responses is not None):
        return None
    row: dict[str, Any] = {"event": event.event.value, "date": stated_date(event.date)}
    for name in _EVENT_FACTS:
        value = getattr(event, name)
        if value in (None, []):
            continue
        if name == "until":
            value = stated_date(value)
        elif name == "participants":
            value = [p.model_dump(mode="json", exclude_none=True) for p in value]
        elif name == "votes":
            value = value.model_dump(mode="json")
        row[name] = value
    if row["date"] is None:
        del row["date"]
    return row


def facts(entry: RegisterEntry, base_url: str, office: Office, links: Links | None = None) -> dict[str, Any]:
    """The open-data fields of a decision; a Part 2 decision gives only what may be known."""
    d = entry.decision
    if entry.part2:
        return {"reference": d.reference, "date": stated_date(d.date), "subject": d.subject, "term": entry.term,
                "url": base_url + entry.path, "part2": True, "withheld_reason": d.publication.reason}
    kind = office.all_kinds.get(d.kind)
    name, role = decision_maker(d, office)
    rtm = d.route_to_market

    def register_url(target: RegisterEntry | None) -> str | None:
        return base_url + target.path if target is not None else None

    outgoing = links.links_of(entry) if links else []
    incoming = links.linked_from(entry) if links else []
    return {
        "reference": d.reference,
        "aliases": list(d.aliases),
        "date": stated_date(d.date),
        "subject": d.subject,
        "kind": d.kind,
        "kind_label": kind.label if kind else None,
        "term": entry.term,
        "url": base_url + entry.path,
        "published_url": d.publication.url,
        "published_title": d.publication.title,
        "part2": False,
        "status": d.status.value,
        "key_decision": d.key_decision,
        "protective_marking": d.publication.protective_marking,
        "report_of": d.report_of,
        "decision_maker": ", ".join(x for x in (name, role) if x) or None,
        "decision_maker_name": name,
        "decision_maker_role": role,
        "financial_year": stated(d.financial_year),
        "period": _period(d.period),
        "financial_years": d.financial_years,
        "total_amount": str(d.total_funding) if d.funding else None,
        "funding": [{"recipient": f.recipient, "service": f.service, "purpose": f.purpose, "fund": f.fund_name,
                     "budget_code": f.budget_code, "amount": str(f.total),
                     "per_year": [{"financial_year": y.financial_year, "amount": str(y.amount)} for y in f.per_year],
                     "financial_years": f.years, "period": _period(f.period), "group": f.group} for f in d.funding],
        "funds": d.fund_names,
        "fund_envelopes": [{"name": f.name, "available": _amount(f.available), "financial_year": stated(f.financial_year),
                            "budget_code": f.budget_code} for f in d.funds],
        "award_groups": [{"name": g.name, "over": _amount(g.over), "up_to": _amount(g.up_to), "fund": g.fund} for g in d.award_groups],
        "stated_amounts": [{"label": a.label, "amount": str(a.amount), "financial_year": stated(a.financial_year)} for a in d.amounts],
        "recipients": d.recipients,
        "route_to_market": rtm.method.value if rtm else None,
        "bidding_limit": _amount(rtm.bidding_limit) if rtm else None,
        "precept": None if d.precept is None else {
            "financial_year": d.precept.financial_year, "band_d": str(d.precept.band_d), "increase": _amount(d.precept.increase),
            "increase_percent": _amount(d.precept.increase_percent), "net_revenue_budget": _amount(d.precept.net_revenue_budget),
            "total_precept": _amount(d.precept.total_precept)},
        "history": [e for e in (_event(event) for event in d.history) if e is not None],
        "addendum_to": d.addendum_to,
        "links": [{"relation": x.relation, "reference": x.link.reference, "title": x.link.title, "date": stated_date(x.link.date),
                   "url": x.link.url, "register_url": register_url(x.target)} for x in outgoing if x.link is not None],
        "linked_from": [{"relation": x.relation, "reference": x.target.decision.reference, "register_url": register_url(x.target)}
                        for x in incoming if x.target is not None],
        "documents": [{"title": doc.title, "label": doc.label, "date": stated_date(doc.date), "url": doc.url} for doc in d.documents],
        "steps": list(entry.steps),  # later steps from the ledger: {event, date, note}
        "forward_plan": d.forward_plan,  # the id of its entry on the office's forward plan
        # The paper as it stood before each correction, each at its own address.
        "earlier_versions": [{"version": v["version"], "event": v["event"], "date": v["date"],
                              "url": base_url + entry.path + v["href"] if v["href"] else None} for v in entry.earlier],
        # The office's own fields (office.yaml `fields:`), each by its name and label.
        "fields": [{"name": name, "label": declared.label, "value": _office_value(d.fields.get(name))}
                   for name, declared in office.fields.items()
                   if name not in CONSTRAINABLE and name in d.fields and declared.public],
    }


def _office_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) gets an apostrophe first,
    which spreadsheets show as text (OWASP's advice for CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# decisions.csv: one row a decision, a column for every field of decisions.json, in this order
# (the first sixteen as they have always been; new columns are only ever added at the end).
# Lists are joined with "; "; a nested record is written in words, its parts joined with " – ",
# e.g. funding "Anytown Police – engagement vehicle – Community Safety Fund – £20,000 (2021-22)".
# A fact not stated is an empty cell. decisions.json is the exact form of the same data.
CSV_FIELDS = ["reference", "date", "subject", "decision_maker", "total_amount", "funds", "financial_years", "recipients",
              "route_to_market", "bidding_limit", "status", "key_decision", "term", "part2", "withheld_reason", "url",
              "kind", "kind_label", "aliases", "report_of", "decision_maker_name", "decision_maker_role", "protective_marking",
              "published_url", "financial_year", "period", "funding", "fund_envelopes", "award_groups", "precept", "history",
              "addendum_to", "links", "linked_from", "documents", "published_title", "stated_amounts", "fields", "steps", "earlier_versions", "forward_plan"]

_SEP = " – "


def _pounds(value: str | None) -> str | None:
    return money(Decimal(value)) if value is not None else None


def _csv_period(period: dict[str, str] | None) -> str | None:
    return f"{period['start']} to {period['end']}" if period else None


def _joined(*parts: Any) -> str:
    return _SEP.join(str(p) for p in parts if p not in (None, "", []))


def _csv_funding(f: dict[str, Any]) -> str:
    if f["per_year"]:
        years = ", ".join(f"{y['financial_year']} {_pounds(y['amount'])}" for y in f["per_year"])
    else:
        years = ", ".join(f["financial_years"])
    when = ", ".join(x for x in (years, _csv_period(f["period"])) if x)
    fund = " ".join(x for x in (f["fund"], f["budget_code"]) if x)
    text = _joined(f["recipient"], f["service"], f["purpose"], fund, _pounds(f["amount"]))
    return text + (f" ({when})" if when else "") + (f" [{f['group']}]" if f["group"] else "")


def _csv_envelope(f: dict[str, Any]) -> str:
    name = " ".join(x for x in (f["name"], f["budget_code"]) if x)
    available = f"{_pounds(f['available'])} available" if f["available"] is not None else None
    return _joined(name, available) + (f" ({f['financial_year']})" if f["financial_year"] else "")


def _csv_group(g: dict[str, Any]) -> str:
    bounds = [f"over {_pounds(g['over'])}" if g["over"] is not None else None,
              f"up to {_pounds(g['up_to'])}" if g["up_to"] is not None else None, g["fund"]]
    inside = ", ".join(x for x in bounds if x)
    return g["name"] + (f" ({inside})" if inside else "")


def _csv_precept(p: dict[str, Any]) -> str:
    parts = [f"Band D {_pounds(p['band_d'])}"]
    if p["increase"] is not None:
        parts.append(f"a rise of {_pounds(p['increase'])}" + (f" ({p['increase_percent']}%)" if p["increase_percent"] is not None else ""))
    elif p["increase_percent"] is not None:
        parts.append(f"a rise of {p['increase_percent']}%")
    if p["net_revenue_budget"] is not None:
        parts.append(f"net revenue budget {_pounds(p['net_revenue_budget'])}")
    if p["total_precept"] is not None:
        parts.append(f"total precept {_pounds(p['total_precept'])}")
    return f"{p['financial_year']}: " + ", ".join(parts)


def _csv_event(e: dict[str, Any]) -> str:
    when = " to ".join(x for x in (e.get("date"), e.get("until")) if x)
    head = " ".join(x for x in (e["event"].replace("_", " "), when) if x)
    people = []
    for p in e.get("participants", []):
        side = {True: "internal", False: "external"}.get(p.get("internal"))  # type: ignore[call-overload]
        more = ", ".join(x for x in (p.get("role"), p.get("organisation"), side) if x)
        people.append(f"{p['name']} ({more})" if p.get("name") and more else p.get("name") or more)
    vote = e.get("votes")
    counts = None
    if vote:
        counts = f"{vote['in_favour']} for, {vote['against']} against, {vote['abstained']} abstained"
        if vote["threshold"] is not None:
            counts += f", threshold {vote['threshold']}" + (f" ({vote['threshold_rule']})" if vote["threshold_rule"] else "")
        elif vote["threshold_rule"]:
            counts += f", threshold {vote['threshold_rule']}"
        if vote["carried"] is not None:
            counts += ", carried" if vote["carried"] else ", not carried"
    return _joined(head, e.get("name"), f"by {e['by']}" if e.get("by") else None,
                   ", ".join(e.get("organisations", [])), f"with {', '.join(people)}" if people else None,
                   f"{e['responses']} responses" if "responses" in e else None, counts,
                   f"{e['awarded']} awarded" if "awarded" in e else None, e.get("result"))


def _csv_link(x: dict[str, Any]) -> str:
    return _joined(" ".join(v for v in (x["relation"], x["reference"]) if v), x["title"], x["date"], x["url"], x["register_url"])


def _csv_linked_from(x: dict[str, Any]) -> str:
    return f"{x['relation'].replace('_', ' ')} {x['reference']}"


def _csv_document(x: dict[str, Any]) -> str:
    return _joined(f"{x['label']}: {x['title']}" if x["label"] else x["title"], x["date"], x["url"])


def _csv_stated_amount(x: dict[str, Any]) -> str:
    return _joined(x["label"], _pounds(x["amount"])) + (f" ({x['financial_year']})" if x["financial_year"] else "")


def _csv_office_field(value: dict[str, Any]) -> str:
    """'Originator: Chief Executive'."""
    shown = {True: "yes", False: "no"}.get(value["value"], value["value"]) if isinstance(value["value"], bool) else value["value"]
    return f"{value['label']}: {shown}"


_CSV_WRITERS = {"funding": _csv_funding, "fund_envelopes": _csv_envelope, "award_groups": _csv_group, "history": _csv_event,
                "links": _csv_link, "linked_from": _csv_linked_from, "documents": _csv_document,
                "stated_amounts": _csv_stated_amount, "fields": _csv_office_field,
                "steps": lambda step: f"{step['event']} {step['date']}: {step['note']}",
                "earlier_versions": lambda v: f"version {v['version']} ({v['event']} {v['date']}): {v['url'] or 'not published'}"}


def _csv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "period":
        return _csv_period(value) or ""
    if name == "precept":
        return _csv_precept(value)
    if isinstance(value, list):
        write = _CSV_WRITERS.get(name, str)
        return "; ".join(write(v) for v in value)
    return str(value)


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(_csv_value(k, v)) for k, v in row.items() if k in CSV_FIELDS})
    return buffer.getvalue()


@dataclass
class PublishSummary:
    published: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # Part 2
    skipped: list[str] = field(default_factory=list)  # not approved
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Approved papers whose public papers render differently from their seal: (reference, the seal's date).
    unlike: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"published {len(self.published)}, withheld (Part 2) {len(self.withheld)}, "
                f"not approved {len(self.skipped)}, failed {len(self.failed)}")


class PublishError(Exception):
    """Publishing cannot start: the message says why, in one line."""


def publish(project: Project, out: Path | None = None) -> PublishSummary:
    """Write the public register into out (default: the project's site folder)."""
    project.check_build_dir()
    out = (out or project.site).absolute()
    _refuse_unsafe(project, out)
    with _publishing(out):
        return _publish(project, out)


def _publish(project: Project, out: Path) -> PublishSummary:
    summary = PublishSummary()
    folder = page_folder(project.office.publishing.base_url)
    if not folder:
        clash = sorted(t.name for t in project.office.terms if t.name.lower() in _SITE_NAMES)
        if clash:
            raise PublishError(f"the term {clash[0]} would be a folder beside the register's own {clash[0]} at the root of "
                               f"{project.office.publishing.base_url}; rename the term")
    records = read_records([project.records], project.office, slim=True)
    # (A broken ledger fails every approved record's check: those are not published.)
    sealed, _ = ledger.read_ledger(ledger.ledger_path(project.records))
    steps = later_steps(sealed)
    latest_seals = ledger.latest(sealed)
    entries: list[RegisterEntry] = []
    for record in records:
        if record.decision is None or not record.ok:
            errors = [p for p in record.problems if p.severity.value == "error"]
            name = _relative(project, record.path)
            first = errors[0] if errors else None  # a broken ledger's problem keeps the ledger's own path
            summary.failed.append((name, (str(first.named(Path(name))) if first.path == record.path else str(first))
                                   if first else "unreadable"))
            continue
        d = record.decision
        if not d.was_approved:  # withdrawn, rescinded and superseded decisions stay, at their addresses
            summary.skipped.append(d.reference)
            continue
        place = project.office.place_of(d)
        key = (place.split("/")[0], d.reference)
        entries.append(RegisterEntry(d, place, record.path, record.digest, folder=folder, steps=steps.get(key, []),
                                     versions=ledger.versions(sealed, key)[:-1], seal=latest_seals.get(key)))
    del records, sealed, latest_seals
    # Newest first, by the last day a paper's date can mean; papers whose date is not stated
    # last, by their term, latest first.
    entries.sort(key=lambda e: (e.decision.last_day or dt.date.min, _term_start(project, e.term), e.decision.reference), reverse=True)
    summary.withheld = [e.decision.reference for e in entries if e.part2]

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        (staging / MARK).write_bytes(MARK_TEXT)
        site = _Site(project, staging, entries)
        known = KnownPdfs(project.cache / "public-pdf", project.manifest, project.build)
        public = [e for e in entries if not e.part2]
        with profile_pool(project).lease() as lease:
            converter = Converter.leased(lease)
            for start in range(0, len(public), BATCH):
                _publish_batch(project, public[start:start + BATCH], converter, known, site, summary)
        known.forget_unused()
        published = [e for e in entries if site.published(e)]
        summary.published = [e.decision.reference for e in published if not e.part2]
        if summary.failed and not (summary.published or summary.withheld):
            # Everything failed (a broken template or logo, LibreOffice gone, every record broken
            # by a new rule): keep the register as it was rather than replace it with an empty one.
            raise PublishError(f"no paper could be published ({failure_line(*summary.failed[0])}); "
                               f"the register in {out} is left as it was")
        site.write_pages(published)
        _readable(staging)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _term_start(project: Project, name: str) -> dt.date:
    term = project.office.term_named(name)
    return term.start if term is not None else dt.date.min


def _publish_batch(project: Project, batch: list[RegisterEntry], converter: Converter, known: KnownPdfs, site: _Site,
                   summary: PublishSummary) -> None:
    """Render a batch's public papers (without confidential content), convert them in one
    LibreOffice start (or take PDFs made before from the same .docx), write them, and let their
    bytes go. A decision is published with all its papers or not at all; the earlier versions of
    a corrected paper with it, each at its own address."""
    papers: dict[int, list[Paper]] = {}
    earlier: dict[int, list[tuple[ledger.Entry, int, Paper | None]]] = {}
    for index, entry in enumerate(batch):
        decision = _as_checked(project, entry)
        if decision is None:
            summary.failed.append((site.name(entry), "the record changed while the register was being published; publish again"))
            continue
        spec = decision.specification
        try:
            mine = [render_sources(decision, project, ["docx", "html"], public=True)]
            if spec is not None and spec.status == "released":
                mine.append(render_sources(decision, project, ["docx"], public=True, document="spec"))
        except Exception as exc:  # noqa: BLE001 - one paper must not stop the register updating
            problems = getattr(exc, "problems", None)
            summary.failed.append((site.name(entry), str(problems[0]) if problems else f"cannot render: {exc}"))
            continue
        if entry.seal is not None and _outputs(mine) != entry.seal.data["outputs"]:
            summary.unlike.append((entry.decision.reference, entry.seal.data["date"]))
        site.keep_snippet(entry, mine[0].files.pop("html").decode("utf-8"))
        mine[0].files.pop("preview.html", None)
        papers[index] = mine
        earlier[index] = _earlier_papers(project, entry, decision, site, summary)
    everything = [p for mine in papers.values() for p in mine] + [p for mine in earlier.values() for _, _, p in mine if p]
    todo = []
    for paper in everything:
        pdf = known.get(paper.files["docx"])
        if pdf is None:
            todo.append(paper)
        else:
            paper.files["pdf"] = pdf
    convert_pdfs(todo, project, converter)
    for paper in todo:
        if "pdf" in paper.files:
            known.put(paper.files["docx"], paper.files["pdf"])
    for index, mine in papers.items():
        entry = batch[index]
        failed = [p.error for p in mine if p.error]
        if failed:
            summary.failed.append((site.name(entry), failed[0]))
            continue
        folder = site.root / entry.path
        for paper in mine:
            stem = file_stem(paper, entry.slug)
            what = "decision paper" if paper.document == "decision" else "service specification"
            for suffix, kind in (("pdf", "PDF"), ("docx", "Word")):
                data = paper.files[suffix]
                write_atomic(folder / f"{stem}.{suffix}", data)
                entry.files.append({"label": f"The {what} ({kind}, {_size(len(data))})", "href": f"{stem}.{suffix}", "kind": kind})
        for version, number, paper in earlier[index]:
            if paper is None:
                entry.earlier.append({"label": f"Version {number}: not published", "href": None, "version": number,
                                      "event": version.data["event"], "date": version.data["date"]})
                continue
            if paper.error:  # the current paper is published still: an earlier version is not worth its address
                summary.failed.append((f"{site.name(entry)} (version {number})", paper.error))
                continue
            name = f"{file_stem(paper, entry.slug)}.v{number}.pdf"
            write_atomic(folder / name, paper.files["pdf"])
            label, day = _version_label(version, paper.decision, site.office)
            entry.earlier.append({"label": f"{label} (PDF, {_size(len(paper.files['pdf']))})", "href": name, "version": number,
                                  "event": version.data["event"], "date": day})


def _outputs(mine: list[Paper]) -> dict[str, str]:
    """The SHA-256 of a decision's public papers, named as its seal names them."""
    out = {"docx": mine[0].files["docx"], "html": mine[0].files["html"]}
    out.update({f"{p.document}.docx": p.files["docx"] for p in mine[1:]})
    return {name: hashlib.sha256(data).hexdigest() for name, data in out.items()}


def _earlier_papers(project: Project, entry: RegisterEntry, decision: Decision, site: _Site,
                    summary: PublishSummary) -> list[tuple[ledger.Entry, int, Paper | None]]:
    """The public paper of each earlier version of a corrected decision (decision: as it is now),
    rendered from the text its seal keeps; None for a version withheld. A version is not
    published when its text cannot be read back or is not the version the ledger recorded (its
    fields, reference, term, status and corrections: reported), when it was Part 2 then, when a
    later correction says to withhold it (`decisions correct --withhold-earlier`: it held what
    should not have been published), or when its public paper holds words the decision now
    keeps confidential."""
    out: list[tuple[ledger.Entry, int, Paper | None]] = []
    withhold_until = max((i + 1 for i, c in enumerate(decision.corrections) if c.withhold_earlier), default=0)
    secrets = _confidential_words(decision)
    for number, version in enumerate(entry.versions, start=1):
        name = f"{site.name(entry)} (version {number})"
        try:
            old = validate(parse_yaml(entry.record, version.data["text"].encode("utf-8")), Decision)
        except RecordError as exc:
            summary.failed.append((name, f"the ledger's text of it cannot be read ({exc.problems[0].message})"))
            continue
        steps = [(v.data["date"], v.data["by"], v.data["note"]) for v in entry.versions[1:number]]
        if (ledger.sealed_fields(old) != version.data["fields"] or old.reference != version.data["reference"]
                or site.office.term_name(old) != version.data["term"] or old.status.value != version.data["status"]
                or [(c.date.isoformat(), c.by, c.why) for c in old.corrections] != steps):
            summary.failed.append((name, "the ledger's text of it is not the version the ledger recorded: the ledger was edited"))
            continue
        if old.publication.part == "part2":
            continue
        if number <= withhold_until:
            out.append((version, number, None))
            continue
        try:
            paper = render_sources(old, project, ["docx", "html"], public=True)
        except Exception as exc:  # noqa: BLE001 - as for the current paper
            problems = getattr(exc, "problems", None)
            summary.failed.append((name, str(problems[0]) if problems else f"cannot render: {exc}"))
            continue
        text = snippet_text(paper.files.pop("html").decode("utf-8"))
        paper.files.pop("preview.html", None)
        out.append((version, number, None if any(words in text for words in secrets) else paper))
    return out


def _confidential_words(decision: Decision) -> list[str]:
    """Every text the decision keeps out of its public papers (its confidential sections,
    paragraphs and items), as the search compares text; none too short to tell apart."""
    found: list[str] = []

    def walk(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            secret = secret or value.get("confidential") is True
            for item in value.values():
                walk(item, secret)
        elif isinstance(value, list):
            for item in value:
                walk(item, secret)
        elif secret and isinstance(value, str):
            words = searchable(value)
            if len(words) >= 12:
                found.append(words)

    walk(decision.model_dump(mode="json", include={"sections", "after_approval", "specification"}), False)
    return found


def _version_label(version: ledger.Entry, decision: Decision, office: Office) -> tuple[str, str]:
    """'As approved on 7 September 2023', 'As corrected on 2 October 2023'; and that day (the
    day the version was sealed, where its approval's day is not stated)."""
    if version.data["event"] == "corrected":
        day = dt.date.fromisoformat(version.data["date"])
        return f"As corrected on {register_date(day, office)}", day.isoformat()
    approved = decision.approved_on
    if approved is None:
        return "As approved", version.data["date"]
    return f"As approved on {register_date(approved, office)}", approved.isoformat()


def _relative(project: Project, path: Path) -> str:
    """A record's file as failures name it: relative to the project, as the build does."""
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def _as_checked(project: Project, entry: RegisterEntry) -> Decision | None:
    """The whole decision, read again, if its text is still the text that was checked (and found
    public, approved and clean); None if it changed since."""
    record = read_record(entry.record, project.office)
    if record.source is None or record.decision is None or not record.ok:
        return None
    if hashlib.sha256(record.source.text.encode("utf-8")).hexdigest() != entry.digest:
        return None
    return record.decision


class KnownPdfs:
    """Finished PDFs by the sha256 of the public .docx they were made from. The same .docx always
    makes the same PDF, so one made before need not be made again: the build's PDFs, through its
    manifest (a paper with nothing confidential is the same .docx as the build's), and those that
    publish made itself, kept in `folder` as <docx sha256>-<pdf sha256>.pdf.

    A PDF is reused only when its bytes hash to what was recorded when it was made from that
    .docx: a PDF that `render` rewrote, or that a killed build left newer than its manifest, is
    never taken for the public one. The key is the public .docx, so what is reused was made
    from public content only."""

    def __init__(self, folder: Path, manifest: Path | None = None, archive: Path | None = None):
        self.folder = folder
        self.known: dict[str, list[tuple[Path, str]]] = {}
        self.used: set[str] = set()
        if manifest is not None and archive is not None:
            try:
                entries = read_manifest(manifest)
            except ManifestError:
                entries = {}  # a damaged manifest: make the PDFs again rather than trust it
            for entry in entries.values():
                by_path = {o["path"]: o for o in entry.outputs}
                for path, output in by_path.items():
                    pdf = by_path.get(path[: -len(".docx")] + ".pdf") if path.endswith(".docx") else None
                    target = inside(archive, pdf["path"]) if pdf is not None else None
                    if target is not None:
                        self.known.setdefault(output["sha256"], []).append((target, pdf["sha256"]))  # type: ignore[index]
        if folder.is_dir():
            for path in folder.glob("*.pdf"):
                docx, _, pdf_hash = path.stem.partition("-")
                self.known.setdefault(docx, []).append((path, pdf_hash))

    def get(self, docx: bytes) -> bytes | None:
        key = hashlib.sha256(docx).hexdigest()
        self.used.add(key)
        for path, expected in self.known.get(key, []):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == expected:
                return data
        return None

    def put(self, docx: bytes, pdf: bytes) -> None:
        key, pdf_hash = hashlib.sha256(docx).hexdigest(), hashlib.sha256(pdf).hexdigest()
        path = self.folder / f"{key}-{pdf_hash}.pdf"
        write_atomic(path, pdf)
        self.known.setdefault(key, []).append((path, pdf_hash))

    def forget_unused(self) -> None:
        """Drop the kept PDFs this run did not ask for: their papers changed or went."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.pdf"):
                if path.stem.partition("-")[0] not in self.used:
                    path.unlink(missing_ok=True)


def _refuse_unsafe(project: Project, out: Path) -> None:
    """Publishing replaces `out` whole: refuse any folder that is not the register's own."""
    target = out.resolve()
    mine = {"the project": project.root, "the records": project.records, "the archive": project.build}
    for name, folder in mine.items():
        if holds(target, folder.resolve()):
            raise PublishError(f"{out} holds {name} ({folder}); publish the register into a folder of its own, e.g. {project.site}")
    for name, folder in (("the records", project.records), ("the archive", project.build)):
        if holds(folder.resolve(), target) and target != project.site.resolve():
            raise PublishError(f"{out} is inside {name}; publish the register into {project.site} or a folder of its own")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise PublishError(f"{out} is not a folder")
        if any(target.iterdir()) and not (target / MARK).is_file():
            raise PublishError(f"{out} holds files that `decisions publish` did not write; it replaces the whole folder, "
                               "so give it an empty or new folder, or the one it wrote before")


@contextmanager
def _publishing(out: Path) -> Iterator[None]:
    """One publish at a time per site; sweep what a killed publish left beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with os.fdopen(lock_fd, "r+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish is writing {out}; wait for it") from None
        for leftover in out.parent.glob(f".{out.name}.*"):
            # Only folders publish made: its staging folders start with the mark (or are still
            # empty), and the old site it moves aside has it.
            if leftover.is_dir() and not leftover.is_symlink() and re.fullmatch(rf"\.{re.escape(out.name)}\.(staging-.+|old\.\d+)", leftover.name):
                if (leftover / MARK).is_file() or not any(leftover.iterdir()):
                    shutil.rmtree(leftover, ignore_errors=True)
        yield


class _Site:
    """The register's pages, written into the staging folder as the papers are published."""

    def __init__(self, project: Project, root: Path, entries: list[RegisterEntry]):
        office = project.office
        self.root = root
        self.office = office
        self.templates = project.templates("site")
        self.base_url = office.publishing.base_url
        self.common = {"office": {"name": office.name, "address": list(office.address), "contact": _contact(office.contact),
                                  "logo": self._copy_logo(project), "home_url": _web_address(office.publishing.home_url)},
                       "forward_plan": office.plan is not None,
                       "register": office.publishing.title, "language": office.language,
                       "style": {"heading_colour": office.style.heading_colour}, "favicon": _favicon(office.style.heading_colour)}
        self.links = Links([], office)  # the register's links, once it is known which decisions are in it
        self.project = project
        self.scratch = root / ".snippets"  # removed before the site is swapped in
        self.listings: dict[str, list[dict[str, str]]] = {}

    def _copy_logo(self, project: Project) -> str | None:
        """The office's logo in the site's assets, as the header shows it (relative to the site);
        None where it has none, or where it is not a PNG, JPEG or GIF picture."""
        logo = project.office.logo
        if logo is None:
            return None
        try:
            data = (project.root / logo).read_bytes()
        except OSError:
            return None
        suffix = _logo(data)
        if suffix is None:
            return None
        write_atomic(self.root / "assets" / f"logo{suffix}", data)
        return f"assets/logo{suffix}"

    def _linked(self, entry: RegisterEntry, x: Linked) -> dict[str, Any]:
        """A link as a page shows it: 'Amends PCC/D/083: its title (14/06/2023)', the reference a
        link where the other decision is in the register, and otherwise text, with its address
        (a link only if it is a web address)."""
        target, link = x.target, x.link
        reference = link.reference if link is not None else target.decision.reference if target is not None else None
        title = link.title if link is not None else None
        address = link.url if link is not None and target is None else None
        return {"phrase": x.phrase, "reference": reference, "title": title,
                "date": register_date(link.date, self.office) if link is not None and link.date is not None else "",
                "path": target.path if target is not None else None,
                "url": address, "href": _web_address(address)}

    def view(self, entry: RegisterEntry) -> dict[str, Any]:
        d = entry.decision
        office = self.office
        public = not entry.part2
        parent = self.links.parent.get(entry.place)
        addenda = [x.target for x in self.links.linked_from(entry) if x.relation == "addendum" and x.target is not None]
        kind = office.all_kinds.get(d.kind) if public else None
        last = d.last_day
        return {
            "reference": d.reference, "subject": d.subject, "date": register_date(d.date, office), "iso_date": stated_date(d.date) or "",
            "sort_date": last.isoformat() if last else "", "updated": self._updated(entry),
            "path": entry.path, "part2": entry.part2, "withheld_reason": d.publication.reason,
            "kind": d.kind if kind else "", "kind_label": kind.label if kind else "",
            "amount": money(d.total_funding) if d.funding and public else "",
            "amount_sort": str(d.total_funding) if d.funding and public else "0",
            "funds": d.fund_names if public else [],
            "recipients": d.recipients if public else [],
            "search": search_facts(d, entry.part2),
            "years": d.financial_years if public else [],
            "aliases": list(d.aliases) if public else [],
            "first_published": d.publication.url if public else None,
            "first_published_href": _web_address(d.publication.url) if public else None,
            "published_title": d.publication.title if public else None,
            "term": entry.term, "status": "Part 2: withheld" if entry.part2 else d.status.value.capitalize(),
            "steps": [] if entry.part2 else [{"name": STEP_NAMES[s["event"]], "date": register_date(dt.date.fromisoformat(s["date"]), office),
                                              "note": s["note"]} for s in entry.steps],
            "key_decision": d.key_decision and public,
            "forward_plan": self._plan_entry(d) if public else None,
            "files": entry.files, "earlier": [] if entry.part2 else entry.earlier, "snippet": Markup(self.snippet(entry)),
            "parent": {"reference": parent.decision.reference, "path": parent.path} if parent and public else None,
            "parent_outside": d.addendum_to if d.addendum_to and parent is None and public else None,
            "addenda": [{"reference": a.decision.reference, "path": a.path} for a in addenda],
            "links": [self._linked(entry, x) for x in self.links.links_of(entry)],
            "linked_from": [self._linked(entry, x) for x in self.links.linked_from(entry) if x.relation != "addendum"],
        }

    def _plan_entry(self, d: Decision) -> dict[str, str] | None:
        """The forward plan's entry the decision names: its id, and its place on the plan's page
        (where the office keeps a plan that holds it)."""
        plan = self.office.plan
        entry = plan.entry(d.forward_plan) if plan is not None and d.forward_plan else None
        return {"id": entry.id, "anchor": entry.anchor} if entry is not None else None

    def _updated(self, entry: RegisterEntry) -> str | None:
        """The feed's date for a decision: the first day its date can mean; for a paper whose
        date is not stated, its approval date (a public paper's). None when the record gives no
        date at all: such a paper is left out of the feed (it stays in the register and open
        data) rather than given a date it does not state. Never the clock."""
        d = entry.decision
        # A Part 2 decision's approval is not published: not even its date.
        day = d.first_day or (d.approved_on if not entry.part2 else None)
        # A later step (a correction, a withdrawal...) moves the entry's date on.
        later = [s["date"] for s in entry.steps] if not entry.part2 else []
        dates = ([day.isoformat()] if day else []) + later
        return max(dates) if dates else None

    def name(self, entry: RegisterEntry) -> str:
        return _relative(self.project, entry.record)

    @staticmethod
    def published(entry: RegisterEntry) -> bool:
        return entry.part2 or bool(entry.files)

    def keep_snippet(self, entry: RegisterEntry, html: str) -> None:
        """Park a public web snippet on disk until the pages are written (they link only to
        decisions that were published, known once every batch is done)."""
        write_atomic(self.scratch / f"{entry.slug}.{entry.term}.html", html.encode("utf-8"))

    def snippet(self, entry: RegisterEntry) -> str:
        path = self.scratch / f"{entry.slug}.{entry.term}.html"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def page(self, template: str, path: str, **context: Any) -> None:
        depth = path.count("/")
        html = render_html(self.templates / template, {**self.common, **context, "root": "../" * depth, "listings": self.listings})
        write_atomic(self.root / path, html.encode("utf-8"))

    def write_fragment(self, entry: RegisterEntry) -> None:
        """The public paper as a fragment for a page of the office's own site (its WordPress page):
        the web snippet the register shows, public content only, styled by assets/fragment.css."""
        snippet = self.snippet(entry)
        if entry.part2 or not snippet:
            return
        name = f"{entry.slug}.fragment.html"
        data = (f"<!-- {entry.decision.reference}: the public paper, for a page of the office's site "
                f"(its style: assets/fragment.css). Written by `decisions publish`. -->\n{snippet}\n").encode("utf-8")
        write_atomic(self.root / entry.path / name, data)
        entry.files.append({"label": f"The paper as a web page fragment (HTML, {_size(len(data))})", "href": name, "kind": "HTML"})

    def write_pages(self, entries: list[RegisterEntry]) -> None:
        """A page for each published decision, then the index, browse pages, feed and open data."""
        office = self.office
        self.links = Links(entries, office)
        public = [e for e in entries if not e.part2]
        years = sorted({y for e in public for y in e.decision.financial_years}, reverse=True)
        funds = sorted({f for e in public for f in e.decision.fund_names})
        terms = sorted({e.term for e in entries}, reverse=True)
        kinds = {e.decision.kind: office.all_kinds[e.decision.kind].label for e in public if e.decision.kind in office.all_kinds}
        kinds = dict(sorted(kinds.items(), key=lambda item: (item[1].lower(), item[0])))
        for kind, values in (("term", {t: t for t in terms}), ("year", {y: y for y in years}), ("fund", {f: f for f in funds}),
                             ("kind", kinds)):
            slugs = _slugs(list(values))
            self.listings[kind] = [{"value": value, "label": label, "slug": slugs[value]} for value, label in values.items()]
        views = []
        # The public papers' text for the index's search, written a decision at a time: only the
        # web snippets that the decisions' pages publish, so never a Part 2 paper's.
        text_file = self.root / "assets" / "search-text.js"
        text_file.parent.mkdir(parents=True, exist_ok=True)
        with text_file.open("w", encoding="utf-8") as text:
            text.write("// The text of the register's public papers, as its search compares it (written by `decisions publish`).\n"
                       "window.decisionRegisterText = {\n")
            first = True
            for entry in entries:
                self.write_fragment(entry)
                view = self.view(entry)
                self.page("decision.html.j2", f"{view['path']}index.html", decision=view)
                if not entry.part2 and view["snippet"]:
                    text.write(("" if first else ",\n") + json.dumps(entry.path) + ": " + json.dumps(snippet_text(view["snippet"])))
                    first = False
                views.append({**view, "snippet": ""})
            text.write("\n};\n")
        shutil.rmtree(self.scratch, ignore_errors=True)
        rows = [facts(e, self.base_url, office, self.links) for e in entries]
        self.page("index.html.j2", "index.html", decisions=views, heading=office.publishing.title, filters=True)
        labels = {"term": "commissioner's term", "year": "financial year", "fund": "fund", "kind": "kind of decision"}
        for kind, values in self.listings.items():
            for value in values:
                chosen = [v for v in views if value["value"] in
                          {"term": [v["term"]], "year": v["years"], "fund": v["funds"], "kind": [v["kind"]]}[kind]]
                self.page("index.html.j2", f"by/{kind}/{value['slug']}/index.html", decisions=chosen,
                          heading=f"{office.publishing.title}: {labels[kind]} {value['label']}", filters=False)
        in_feed = [v for v in views if v["updated"]][: office.publishing.feed_entries]
        dated = [v["updated"] for v in views if v["updated"]]
        feed = render_html(self.templates / "feed.atom.j2", {**self.common, "base_url": self.base_url, "decisions": in_feed,
                                                            "updated": max(dated) if dated else "1970-01-01"})
        write_atomic(self.root / "feed.atom", feed.encode("utf-8"))
        # The ledger's length and last hash: once published, an anchor a rewritten ledger cannot match.
        anchor = ledger.head(ledger.ledger_path(self.project.records))
        data = {"decisions": rows, **({"ledger": anchor} if anchor else {})}
        write_atomic(self.root / "decisions.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        write_atomic(self.root / "decisions.csv", _csv(rows).encode("utf-8"))
        for asset in ("register.css", "fragment.css", "register.js"):
            write_atomic(self.root / "assets" / asset, (self.templates / asset).read_bytes())
        write_forward_plan(self, entries)


def _readable(site: Path) -> None:
    """Every file of the site readable by all (0644), every folder open to all (0755): a web
    server running as another user serves it, whatever the umask of whoever published it."""
    for folder, folders, files in os.walk(site):  # (the site holds no links: publish wrote all of it)
        for name in folders:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def _swap_in(staging: Path, out: Path) -> None:
    """Replace the old site with the new one in two renames: a reader sees one or the other."""
    old = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        out.rename(old)
    staging.chmod(0o755)  # mkdtemp's 0700: the site is for a web server to read
    staging.rename(out)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
