"""What the templates see: the decision's facts written out in the house style.

Every output (Word, web, and through Word the PDF) renders from this one context, so a date or
an amount is formatted in one place and the outputs cannot disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..model import BulletList, Decision, Status, money
from ..office import Office


def house_date(day: dt.date | None, office: Office) -> str:
    return day.strftime(office.style.date_format) if day else ""


def funding_line(decision: Decision, index: int, office: Office) -> str:
    """'Sexual Exploitation Support – MoJ B992 – £40,000'"""
    line = decision.funding[index]
    sep = office.style.funding_separator
    fund = f"{line.fund} {line.budget_code}" if line.budget_code else line.fund
    return f"{line.service}{sep}{fund}{sep}{money(line.amount)}"


def paper_context(decision: Decision, office: Office, public: bool = False) -> dict[str, Any]:
    """The template context for a decision paper; public=True leaves out confidential content."""
    style = office.style
    sections = []
    for section in decision.sections:
        if public and section.confidential:
            continue
        content = []
        for block in section.content:
            if public and block.confidential:
                continue
            if isinstance(block, BulletList):
                content.append({"text": None, "bullets": list(block.bullets)})
            else:
                content.append({"text": block.text, "bullets": None})
        if content:
            heading = f"{section.heading}{style.heading_suffix}" if section.heading else None
            sections.append({"heading": heading, "content": content})

    sign_offs = [
        {"role": s.role, "name": s.name, "statement": s.statement or "", "date": house_date(s.date, office)}
        for s in decision.sign_offs
    ]
    approval = decision.approval
    sign_offs.append(
        {
            "role": (approval.role if approval and approval.role else office.sign_off.commissioner_role),
            "name": approval.name if approval else None,
            "statement": (approval.statement if approval and approval.statement else office.sign_off.statement),
            "date": house_date(approval.date if approval else None, office),
        }
    )
    banners = list(decision.banners)
    if decision.key_decision and "KEY DECISION" not in banners:
        banners.insert(0, "KEY DECISION")
    return {
        "draft": decision.status is not Status.approved,
        "status": decision.status.value,
        "labels": style.labels.model_dump(),
        "office": {"name": office.name, "address": list(office.address), "contact": office.contact},
        "logo": None,
        "reference": decision.reference,
        "subject": decision.subject,
        "report_of": decision.report_of,
        "date": house_date(decision.date, office),
        "banners": banners,
        "funding": [funding_line(decision, i, office) for i in range(len(decision.funding))],
        "sections": sections,
        "recommendation": decision.recommendation,
        "sign_offs": sign_offs,
        "language": office.language,
        "style": {"font": style.font, "heading_colour": style.heading_colour, "accent_colour": style.accent_colour},
    }


def document_properties(decision: Decision, office: Office) -> dict[str, Any]:
    """Title, author, subject and keywords for .docx core properties and PDF metadata.

    The timestamp comes from the record (approval, else the paper's date), never the clock, so
    that rebuilding gives the same bytes."""
    keywords = ["decision paper", decision.reference]
    for line in decision.funding:
        keywords += [line.fund, line.service, line.financial_year]
    when = decision.approval.date if decision.approval and decision.approval.date else decision.date
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
