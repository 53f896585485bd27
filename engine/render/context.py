"""What the templates see: the decision's facts written out in the house style.

Every output (Word, web, and through Word the PDF) renders from this one context, so a date or
an amount is formatted in one place and the outputs cannot disagree."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ..model import (NOT_STATED, Approval, BulletList, Column, ColumnType, Decision, FundingLine, Item, Link, Month,
                     Quarter, Recommendation, Section, Table, Year, money, stated)
from ..office import DAYS, MONTHS, Office


_OWN = re.compile(r"%%|%[-#][dm]|%[BbAa]")


def portable_strftime(day: dt.date, fmt: str, months: tuple[list[str], list[str]] | None = None,
                      days: tuple[list[str], list[str]] | None = None) -> str:
    """strftime, the same on every platform: %-d and %-m (glibc's) or %#d and %#m (Windows')
    for a day or month without its leading zero ("6 September 2023"), and %B and %b in the
    office's language (months: the names and short forms, January first; default English)
    rather than the machine's locale."""
    names, short = months or MONTHS["en"]
    day_names, day_short = days or DAYS["en"]

    def own(m: re.Match[str]) -> str:
        code = m.group(0)
        if code == "%%":
            return code
        value = {"d": str(day.day), "m": str(day.month), "B": names[day.month - 1], "b": short[day.month - 1],
                 "A": day_names[day.weekday()], "a": day_short[day.weekday()]}[code[-1]]
        return value.replace("%", "%%")

    return day.strftime(_OWN.sub(own, fmt))


def house_date(day: object, office: Office) -> str:
    """A date in the house style; a month as 'November 2021', a year or a quarter as written,
    and nothing at all for a date the paper does not state."""
    if isinstance(day, dt.date):
        return portable_strftime(day, office.style.date_format, office.months, office.days)
    if isinstance(day, Month):
        return portable_strftime(day.first_day, "%B %Y", office.months)
    if isinstance(day, (Year, Quarter)):
        return str(day)
    return ""


# --- as printed ---------------------------------------------------------------------------------


class Printed:
    """What the paper printed in place of a field's value (`as_printed`): the paper renders the
    printed text, while rules and open data use the value meant. Fields are named as check names
    them (date, approval.date, funding[0].amount, funding[0].period.end, reference); the lookups
    here write an index as .0, and either form is read."""

    def __init__(self, decision: Decision | None = None):
        entries = decision.as_printed if decision else []
        self._printed = {_dotted(e.field): e.printed for e in entries}

    def __call__(self, path: str, shown: str) -> str:
        """The printed text for the field at path, else what the engine would show."""
        return self._printed.get(path, shown)


NONE_PRINTED = Printed()


def _dotted(path: str) -> str:
    return re.sub(r"\[(\d+)\]", r".\1", path).strip(".")


# --- money --------------------------------------------------------------------------------------


def fund_of(line: FundingLine) -> str:
    """'MoJ B992'; nothing for a fund the paper does not state."""
    return " ".join(x for x in (line.fund_name, line.budget_code) if x)


def _amount(decision: Decision, index: int, office: Office, printed: Printed) -> tuple[str, str]:
    """A funding line's amount, '£43,200', and what follows it: a line paid by financial year
    gives each year's amount, ' (2023-24: £21,600; 2024-25: £21,600)', a line with a period
    gives it, ', from 01/10/2023 to 31/03/2025'."""
    line = decision.funding[index]
    where = f"funding.{index}"
    details = ""
    if len(line.per_year) > 1:
        years = "; ".join(f"{y.financial_year}: {printed(f'{where}.per_year.{k}.amount', money(y.amount))}"
                          for k, y in enumerate(line.per_year))
        details += f" ({years})"
    if line.period:
        start = printed(f"{where}.period.start", house_date(line.period.start, office))
        end = printed(f"{where}.period.end", house_date(line.period.end, office))
        details += f", from {start} to {end}"
    if len(line.per_year) == 1:  # the line's one amount is its one year's
        return printed(f"{where}.per_year.0.amount", money(line.total)), details
    return printed(f"{where}.amount", money(line.total)), details


def funding_line(decision: Decision, index: int, office: Office, printed: Printed = NONE_PRINTED) -> str:
    """'Sexual Exploitation Support – MoJ B992 – £40,000': the recipient, the service, the fund
    and budget code (left out when not stated) and the amount."""
    line = decision.funding[index]
    where = f"funding.{index}"
    fund = " ".join(x for x in (printed(f"{where}.fund", line.fund_name or ""),
                                printed(f"{where}.budget_code", line.budget_code or "")) if x)
    amount, details = _amount(decision, index, office, printed)
    parts = [printed(f"{where}.recipient", line.recipient or ""), printed(f"{where}.service", line.service), fund, amount]
    return office.style.funding_separator.join(x for x in parts if x) + details


def award_bullets(decision: Decision, office: Office, printed: Printed = NONE_PRINTED) -> list[str]:
    """The recommendation's list generated from the funding lines, one award a line:
    '£20,000 to Anytown Police for an engagement vehicle'."""
    bullets = []
    for index, line in enumerate(decision.funding):
        where = f"funding.{index}"
        amount, details = _amount(decision, index, office, printed)
        service = printed(f"{where}.service", line.service)
        recipient = printed(f"{where}.recipient", line.recipient or "")
        bullets.append((f"{amount} to {recipient} for {service}" if recipient else f"{amount} for {service}") + details)
    return bullets


# --- the narrative ------------------------------------------------------------------------------


def block(text: str | None = None, bullets: list[Any] | None = None, numbered: bool = False,
          table: dict[str, Any] | None = None, band: str | None = None) -> dict[str, Any]:
    """One block of content as every template takes it: a paragraph {text}, a list {bullets,
    numbered} whose items are {text, bullets} (a bullet list of their own under them), or a
    table; band: the Part 2 band an internal paper prints above a confidential block. Every key
    is always there, so that a template can test any of them."""
    items = None
    if bullets is not None:
        items = [{"text": b.text, "bullets": list(b.bullets)} if isinstance(b, Item) else
                 b if isinstance(b, dict) else {"text": b, "bullets": []} for b in bullets]
    return {"text": text, "bullets": items, "numbered": numbered, "table": table, "band": band}


NUMERIC = {ColumnType.money, ColumnType.number, ColumnType.ratio}


def cell_text(column: Column, cell: object, office: Office) -> str:
    """A table cell as printed: money always to 2 places (£176.33, £10,029,691.88), numbers with
    thousands separated, dates in the house style, an empty cell as nothing."""
    if cell is None or cell == "":
        return ""
    if column.type is ColumnType.money:
        return f"£{Decimal(cell):,.2f}"  # type: ignore[arg-type]
    if column.type is ColumnType.number:
        return f"{cell:,}"
    if column.type is ColumnType.date:
        return house_date(cell, office)
    return str(cell)


def table_of(table: Table, office: Office, printed: Printed = NONE_PRINTED, where: str = "") -> dict[str, Any]:
    """A typed table as the templates take it: caption, columns {heading, type, align}, rows and
    the total row as lists of cells {text, align}; a cell the paper printed otherwise (a total
    it misadded) as printed."""
    columns = [{"heading": c.heading, "type": c.type.value, "align": "right" if c.type in NUMERIC else "left"}
               for c in table.columns]

    def row(cells: list[Any], at: str) -> list[dict[str, str]]:
        return [{"text": printed(f"{at}.{k}", cell_text(c, cell, office)), "align": spec["align"]}
                for k, (c, spec, cell) in enumerate(zip(table.columns, columns, cells))]

    return {"caption": table.caption, "columns": columns, "rows": [row(r, f"{where}.rows.{i}") for i, r in enumerate(table.rows)],
            "total": row(table.total, f"{where}.total") if table.total else None}


def content_of(section: Section, public: bool, office: Office, printed: Printed = NONE_PRINTED,
               where: str = "") -> list[dict[str, Any]]:
    """A section's paragraphs, lists and tables as the templates take them (see `block`);
    public=True leaves out the confidential ones (and all of a confidential section). where:
    the section's field path, e.g. sections.3, for the cells kept as printed."""
    if public and section.confidential:
        return []
    blocks = []
    for index, item in enumerate(section.content):
        if public and item.confidential:
            continue
        # Inside the office, what will be withheld is marked so: a band above each confidential
        # block (a confidential section's band stands above its heading instead).
        band = office.style.labels.part2 if item.confidential and not section.confidential else None
        if isinstance(item, BulletList):
            blocks.append(block(bullets=list(item.bullets), numbered=item.numbered, band=band))
        elif isinstance(item, Table):
            blocks.append(block(table=table_of(item, office, printed, f"{where}.content.{index}"), band=band))
        else:
            blocks.append(block(text=item.text, band=band))
    return blocks


def sections_of(decision: Decision, office: Office, public: bool, printed: Printed = NONE_PRINTED,
                field: str = "sections", chosen: range | None = None) -> list[dict[str, Any]]:
    """Each section's heading (with the office's suffix, or its own), level and content. A
    heading printed with nothing under it stands alone; a section whose content is all left out
    of a public paper is left out whole. field: the sections, or those after the approval;
    chosen: the indexes of those to give (the layout's `from` and `until`), else all."""
    sections = []
    for index, section in enumerate(getattr(decision, field)):
        if chosen is not None and index not in chosen:
            continue
        content = content_of(section, public, office, printed, f"{field}.{index}")
        if not content and (section.content or (public and section.confidential)):
            continue
        heading = None
        if section.heading:
            suffix = office.style.heading_suffix if section.suffix is None else section.suffix
            heading = printed(f"{field}.{index}.heading", f"{section.heading}{suffix}")
        band = office.style.labels.part2 if section.confidential and not public else None
        sections.append({"heading": heading, "level": section.level, "content": content, "band": band})
    return sections


def recommendation_of(decision: Decision, office: Office, printed: Printed = NONE_PRINTED) -> dict[str, Any] | None:
    """The recommendation: its heading (the paper's own, else the office's, or none), text and
    bullets, the awards generated from the funding lines among them; None when the paper states
    no recommendation, so that nothing at all is printed."""
    rec = decision.recommendation
    if rec == NOT_STATED:
        return None
    heading = office.style.labels.recommendation
    if isinstance(rec, Recommendation):
        bullets = [printed(f"recommendation.bullets.{i}", b) for i, b in enumerate(rec.bullets)]
        bullets += award_bullets(decision, office, printed) if rec.awards else []
        return {"heading": printed("recommendation.heading", rec.heading) if rec.heading else heading,
                "text": printed("recommendation.text", rec.text) if rec.text else "", "bullets": bullets}
    return {"heading": heading, "text": printed("recommendation", rec), "bullets": []}


# --- links and documents ------------------------------------------------------------------------

RELATIONS = {"amends": "Amends", "supersedes": "Supersedes", "corrects": "Corrects", "cites": "Refers to",
             "varies": "Varies", "follows": "Follows", "companion": "Issued with", "related": "Related to"}
_SAFE_URL = re.compile(r"(?i)https?://[^\s\x00-\x1f\x7f\"'<>\\]+", re.ASCII)


def safe_url(url: str | None) -> str | None:
    """A URL the papers and the register may make a link of: http or https, as the model takes
    them, nothing that could run script (javascript:) or break out of an attribute; any other
    is shown as text only. The model refuses such addresses already: this is the second lock."""
    return url if url and _SAFE_URL.fullmatch(url) else None


def link_text(link: Link, office: Office, printed: Printed = NONE_PRINTED, where: str = "") -> str:
    """'Amends PCC/D/083 – Community Safety Fund 2023-24 (06/09/2023)'; an unnumbered paper by
    its title and date."""
    parts = (("reference", link.reference), ("title", link.title))
    name = " – ".join(printed(f"{where}.{field}", value) for field, value in parts if value)
    when = printed(f"{where}.date", house_date(link.date, office)) if link.date else ""
    return f"{RELATIONS[link.relation.value]} {name}" + (f" ({when})" if when else "")


def _reference(text: str, url: str | None) -> dict[str, Any]:
    return {"text": text, "url": url, "href": safe_url(url)}


def _references(heading: str, office: Office, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A list of references under its heading (with the office's heading suffix), or None."""
    return {"heading": f"{heading}{office.style.heading_suffix}", "entries": entries} if entries else None


def links_of(decision: Decision, office: Office, printed: Printed = NONE_PRINTED) -> dict[str, Any] | None:
    """The decisions the paper names as amended, superseded, cited...; a link the paper does not
    print (printed: false) is the register's alone."""
    entries = [_reference(link_text(link, office, printed, f"links.{i}"), link.url)
               for i, link in enumerate(decision.links) if link.printed]
    return _references(office.style.labels.links, office, entries)


def documents_of(decision: Decision, office: Office, printed: Printed = NONE_PRINTED) -> dict[str, Any] | None:
    """Appendices and background papers: 'Appendix A: Police and Crime Panel response'."""
    entries = []
    for i, document in enumerate(decision.documents):
        title = printed(f"documents.{i}.title", document.title)
        label = printed(f"documents.{i}.label", document.label) if document.label else None
        entries.append(_reference(f"{label}: {title}" if label else title, document.url))
    return _references(office.style.labels.documents, office, entries)


# --- the context --------------------------------------------------------------------------------


def _house(office: Office) -> dict[str, Any]:
    """What every document's templates take from the office."""
    style = office.style
    return {
        "labels": style.labels.model_dump(),
        "office": {"name": office.name, "address": list(office.address), "contact": office.contact},
        "logo": None,  # the Word renderer puts the picture here
        "language": office.language,
        "style": {"font": style.font, "heading_colour": style.heading_colour, "accent_colour": style.accent_colour},
    }


def sign_offs_of(decision: Decision, office: Office, printed: Printed = NONE_PRINTED) -> list[dict[str, Any]]:
    """Each sign-off block: role, statement, name, signature (e.g. 'Wet signed copy held...',
    else a line to sign on) and date. A date not stated has no line at all; a date not yet
    given has an empty one, to be filled in. An approval not stated prints no block."""
    sign_offs = [
        {"role": printed(f"sign_offs.{i}.role", s.role), "name": printed(f"sign_offs.{i}.name", s.name) if s.name else None,
         "statement": printed(f"sign_offs.{i}.statement", s.statement) if s.statement else "", "signature": None,
         "date": printed(f"sign_offs.{i}.date", house_date(s.date, office)), "date_line": True, "approval": False}
        for i, s in enumerate(decision.sign_offs)
    ]
    if decision.approval == NOT_STATED:  # a published paper whose approval block is not shown prints none
        return sign_offs
    approval = decision.approval if isinstance(decision.approval, Approval) else None
    name = stated(approval.name) if approval else None
    date = approval.date if approval else None
    sign_offs.append({
        "role": printed("approval.role", approval.role if approval and approval.role else office.sign_off.commissioner_role),
        "name": printed("approval.name", name) if name else None,
        "statement": _statement(approval, office, printed),
        "signature": printed("approval.signature", approval.signature) if approval and approval.signature else None,
        "date": printed("approval.date", house_date(date, office)),
        "date_line": date != NOT_STATED,
        "approval": True,
    })
    return sign_offs


def _statement(approval: Approval | None, office: Office, printed: Printed) -> str:
    """The approval's words: the paper's own, else the office's; none where the paper prints the
    block without them (a statement 'not stated')."""
    statement = approval.statement if approval else None
    if statement == NOT_STATED:
        return ""
    return printed("approval.statement", statement) if statement else office.sign_off.statement or ""


def paper_context(decision: Decision, office: Office, public: bool = False) -> dict[str, Any]:
    """The template context for a decision paper: the paper's elements in the office's layout
    (engine/render/layout.py) and its running header and footer; public=True leaves out
    confidential content. Values the paper printed otherwise than the record holds them
    (`as_printed`) are shown as printed."""
    from .layout import elements_of, field_values, mark_of, running  # the layout builds on this module

    printed = Printed(decision)
    values = field_values(decision, office, printed, public)
    mark = mark_of(decision, office)
    return {
        **_house(office),
        "draft": bool(mark),  # the web page's class
        "mark": mark,  # DRAFT – NOT APPROVED, FOR DECISION, WITHDRAWN...: the pages' running mark, the preview's title
        "status": decision.status.value,
        "page_heading": f"{values['reference']}: {values['subject']}",
        "reference": values["reference"],
        "subject": values["subject"],
        "elements": elements_of(decision, office, public, printed),
        "header": running(office.layout_for(decision).header, values),
        "footer": running(office.layout_for(decision).footer, values),
    }


def document_properties(decision: Decision, office: Office) -> dict[str, Any]:
    """Title, author, subject and keywords for .docx core properties and PDF metadata.

    The timestamp comes from the record (approval, else the paper's date), never the clock, so
    that rebuilding gives the same bytes."""
    keywords = ["decision paper", decision.reference]
    for line in decision.funding:
        keywords += [x for x in (line.fund_name, line.service, *line.years) if x]
    when = decision.approved_on or decision.first_day or dt.date(1970, 1, 1)
    return {
        "title": f"{decision.reference} – {decision.subject}",
        "author": office.author,
        "subject": f"Decision paper {decision.reference}: {decision.subject}",
        "keywords": ", ".join(dict.fromkeys(keywords)),
        "language": office.language,
        "timestamp": dt.datetime(when.year, when.month, when.day, tzinfo=dt.timezone.utc),
        "status": decision.status.value,
        "reference": decision.reference,
    }


STAGE_NAMES = {
    "opportunity_released": "Opportunity released",
    "clarification_deadline": "Deadline for clarification questions",
    "response_deadline": "Deadline for responses",
    "evaluation": "Evaluation",
    "award": "Award",
    "service_start": "Service starts",
}
METHOD_NAMES = {"competition": "Competition", "quotes": "Quotes", "direct_award": "Direct award", "grant": "Grant",
                "framework": "Framework", "none": "None"}


def _when(value: object, office: Office) -> str:
    return house_date(value, office)


def spec_context(decision: Decision, office: Office, public: bool = False) -> dict[str, Any]:
    """The template context for the service specification. Every fact it shares with the
    decision paper is read from the decision here, so the two cannot disagree."""
    spec = decision.specification
    assert spec is not None
    words = office.style.spec
    line = decision.funding[spec.funding_line]
    rtm = decision.route_to_market
    rows = [{"stage": STAGE_NAMES[stage], "date": _when(when, office), "stated": stated}
            for stage, when, _, stated in decision.timetable()]
    deadline = next((_when(w, office) for s, w, _, _ in decision.timetable() if s == "response_deadline"), "")
    bidding_limit = money(rtm.bidding_limit) if rtm and rtm.bidding_limit is not None else ""

    opportunity = [f"Service: {line.service}", f"Funding: {fund_of(line)}, {money(line.total)}, financial year {', '.join(line.years)}"]
    if bidding_limit:
        opportunity.append(f"Bidding limit: {bidding_limit}")
    if rtm:
        opportunity.append(f"Route to market: {METHOD_NAMES[rtm.method.value]}")
        if rtm.duration_months:
            opportunity.append(f"Length of funding: {rtm.duration_months} months{', as a pilot' if rtm.pilot else ''}")
    opportunity.append(f"Decision paper: {decision.reference}")

    description = [b for section in decision.sections if section.heading == spec.description_section
                   for b in content_of(section, public, office)]
    if spec.requirements:
        description += [block(text=words.requirements_intro), block(bullets=list(spec.requirements))]

    parts: list[dict[str, Any]] = [
        {"heading": words.opportunity, "kind": "text", "content": [block(bullets=opportunity)]},
        {"heading": words.service, "kind": "text", "content": description},
        {"heading": words.eligibility, "kind": "text", "content": [block(bullets=list(spec.eligibility))] if spec.eligibility else []},
        {"heading": words.timetable, "kind": "timetable", "content": []},
        {"heading": words.show_stoppers, "kind": "show_stoppers", "content": [block(text=words.show_stoppers_intro)]},
        {"heading": words.criteria, "kind": "criteria", "content": [block(text=words.criteria_intro)]},
        {"heading": words.response, "kind": "text", "content": [block(bullets=list(spec.response_must_contain))] if spec.response_must_contain else []},
    ]
    if spec.contact:
        who = ", ".join(x for x in (spec.contact.role, spec.contact.name, spec.contact.email) if x)
        parts.append({"heading": words.questions, "kind": "text", "content": [block(text=f"{words.questions_intro} {who}.")]})
    present = {"timetable": rows, "show_stoppers": spec.show_stoppers, "criteria": spec.evaluation_criteria}
    parts = [p for p in parts if (p["content"] if p["kind"] == "text" else present[p["kind"]])]
    for number, part in enumerate(parts, start=1):
        part["number"] = number
    unstated = any(not r["stated"] for r in rows) or any(not c.stated for c in spec.evaluation_criteria) \
        or any(not s.stated for s in spec.show_stoppers)
    return {
        **_house(office),
        "draft": spec.status != "released",
        "mark": office.style.labels.draft if spec.status != "released" else "",
        "reference": decision.reference,
        "title": words.title.format(service=line.service),
        "page_heading": words.title.format(service=line.service),
        "invitation": words.invitation,
        "funding_line": funding_line(decision, spec.funding_line, office),
        "bidding_limit": bidding_limit,
        "response_deadline": deadline,
        "parts": parts,
        "timetable": rows,
        "show_stoppers": [{"requirement": s.requirement, "stated": s.stated} for s in spec.show_stoppers],
        "criteria": [{"criterion": c.criterion, "description": c.description, "weighting": f"{c.weighting}%", "stated": c.stated}
                     for c in spec.evaluation_criteria],
        "notes": ([words.not_stated] if unstated else []) + list(spec.notes),
    }


def spec_properties(decision: Decision, office: Office) -> dict[str, Any]:
    spec = decision.specification
    assert spec is not None
    line = decision.funding[spec.funding_line]
    title = office.style.spec.title.format(service=line.service)
    properties = document_properties(decision, office)
    properties.update(
        title=f"{title} ({decision.reference})",
        subject=f"{office.style.spec.invitation}: {line.service}, {money(line.total)}",
        keywords=", ".join(dict.fromkeys(["service specification", decision.reference, line.fund_name or "", line.service, *line.years])),
        status=spec.status,
    )
    return properties
