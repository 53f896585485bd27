"""What the templates see: the decision's facts written out in the house style.

Every output (Word, web, and through Word the PDF) renders from this one context, so a date or
an amount is formatted in one place and the outputs cannot disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..model import NOT_STATED, Approval, BulletList, Decision, FundingLine, Month, Quarter, Recommendation, Section, Status, Year, money, stated
from ..office import Office


def house_date(day: object, office: Office) -> str:
    """A date in the house style; a month as 'November 2021', a year or a quarter as written,
    and nothing at all for a date the paper does not state."""
    if isinstance(day, dt.date):
        return day.strftime(office.style.date_format)
    if isinstance(day, Month):
        return day.first_day.strftime("%B %Y")
    if isinstance(day, (Year, Quarter)):
        return str(day)
    return ""


def fund_of(line: FundingLine) -> str:
    """'MoJ B992'; nothing for a fund the paper does not state."""
    return " ".join(x for x in (line.fund_name, line.budget_code) if x)


def funding_line(decision: Decision, index: int, office: Office) -> str:
    """'Sexual Exploitation Support – MoJ B992 – £40,000'"""
    line = decision.funding[index]
    sep = office.style.funding_separator
    parts = [line.recipient, line.service, fund_of(line), money(line.total)]
    return sep.join(x for x in parts if x)


def content_of(section: Section, public: bool) -> list[dict[str, Any]]:
    """A section's paragraphs and bullet lists as the templates take them, {text} or {bullets};
    public=True leaves out the confidential ones (and all of a confidential section)."""
    if public and section.confidential:
        return []
    return [
        {"text": None, "bullets": list(block.bullets)} if isinstance(block, BulletList) else {"text": block.text, "bullets": None}
        for block in section.content
        if not (public and block.confidential)
    ]


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


def paper_context(decision: Decision, office: Office, public: bool = False) -> dict[str, Any]:
    """The template context for a decision paper; public=True leaves out confidential content."""
    style = office.style
    sections = []
    for section in decision.sections:
        content = content_of(section, public)
        if content:
            heading = f"{section.heading}{style.heading_suffix}" if section.heading else None
            sections.append({"heading": heading, "content": content})

    sign_offs = [
        {"role": s.role, "name": s.name, "statement": s.statement or "", "date": house_date(s.date, office)}
        for s in decision.sign_offs
    ]
    approval = decision.approval if isinstance(decision.approval, Approval) else None
    if decision.approval != NOT_STATED:  # a published paper whose approval block is not shown prints none
        sign_offs.append(
            {
                "role": (approval.role if approval and approval.role else office.sign_off.commissioner_role),
                "name": stated(approval.name) if approval else None,
                "statement": (approval.statement if approval and approval.statement else office.sign_off.statement),
                "date": house_date(approval.date if approval else None, office),
            }
        )
    banners = list(decision.banners)
    if decision.key_decision and "KEY DECISION" not in banners:
        banners.insert(0, "KEY DECISION")
    return {
        **_house(office),
        "draft": decision.status is not Status.approved,
        "status": decision.status.value,
        "page_heading": f"{decision.reference}: {decision.subject}",
        "reference": decision.reference,
        "subject": decision.subject,
        "report_of": decision.report_of,
        "date": house_date(decision.date, office),
        "banners": banners,
        # Surrey and Kent box a Part 2 paper's reason on its first page; the public register
        # never shows the paper at all.
        "confidentiality": decision.publication.reason if decision.publication.part == "part2" else None,
        "funding": [funding_line(decision, i, office) for i in range(len(decision.funding))],
        "sections": sections,
        "recommendation": recommendation_text(decision),
        "sign_offs": sign_offs,
    }


def recommendation_text(decision: Decision) -> str:
    rec = decision.recommendation
    if rec == NOT_STATED:
        return ""
    if isinstance(rec, Recommendation):
        return rec.text or ""
    return rec


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
    if isinstance(value, Month):
        return value.first_day.strftime("%B %Y")
    return house_date(value, office)  # type: ignore[arg-type]


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

    description = [block for section in decision.sections if section.heading == spec.description_section
                   for block in content_of(section, public)]
    if spec.requirements:
        description += [{"text": words.requirements_intro, "bullets": None}, {"text": None, "bullets": list(spec.requirements)}]

    parts: list[dict[str, Any]] = [
        {"heading": words.opportunity, "kind": "text", "content": [{"text": None, "bullets": opportunity}]},
        {"heading": words.service, "kind": "text", "content": description},
        {"heading": words.eligibility, "kind": "text", "content": [{"text": None, "bullets": list(spec.eligibility)}] if spec.eligibility else []},
        {"heading": words.timetable, "kind": "timetable", "content": []},
        {"heading": words.show_stoppers, "kind": "show_stoppers", "content": [{"text": words.show_stoppers_intro, "bullets": None}]},
        {"heading": words.criteria, "kind": "criteria", "content": [{"text": words.criteria_intro, "bullets": None}]},
        {"heading": words.response, "kind": "text", "content": [{"text": None, "bullets": list(spec.response_must_contain)}] if spec.response_must_contain else []},
    ]
    if spec.contact:
        who = ", ".join(x for x in (spec.contact.role, spec.contact.name, spec.contact.email) if x)
        parts.append({"heading": words.questions, "kind": "text", "content": [{"text": f"{words.questions_intro} {who}.", "bullets": None}]})
    present = {"timetable": rows, "show_stoppers": spec.show_stoppers, "criteria": spec.evaluation_criteria}
    parts = [p for p in parts if (p["content"] if p["kind"] == "text" else present[p["kind"]])]
    for number, part in enumerate(parts, start=1):
        part["number"] = number
    unstated = any(not r["stated"] for r in rows) or any(not c.stated for c in spec.evaluation_criteria) \
        or any(not s.stated for s in spec.show_stoppers)
    return {
        **_house(office),
        "draft": spec.status != "released",
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
