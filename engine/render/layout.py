"""The paper as the office lays it out: the layout's blocks (engine/layout.py) filled from the
decision, as one ordered list of elements that the Word and the web templates both walk.

An element is a dict with a `type` and what that type shows; the templates know each type once
and take the order and presence of everything from this list, so a paper's form is changed in
office.yaml alone and its Word, PDF and web forms cannot drift apart. Element types:

    draft_mark {text}                      letterhead {logo, lines, contact, name}
    title {text}                           banner {text}
    notice {label, text}                   markings {text, label, reason}
    fields {form, rows: [{label, value, emphasis}]}
    funding {text}                         section {heading, level, content}
    references {heading, entries}          recommendation {heading, text, bullets}
    heading {text}                         sign_off {role, lines: [{label, text}], date_line...}
    text {text, emphasis}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..layout import (PLACEHOLDER, AfterApproval, Banners, Confidentiality, Corrections, Documents, DraftMark, Fields, FixedText,
                      FormTitle, Funding, Letterhead, Links, Markings, RecommendationBlock, Running, Sections, SignOffs)
from ..model import NOT_STATED, Approval, Decision, Status
from ..office import CONSTRAINABLE, Office
from .context import (Printed, block as content_block, documents_of, funding_line, house_date, links_of, recommendation_of, sections_of,
                      sign_offs_of)

CHECKED, UNCHECKED = "☒", "☐"


def office_value(value: object, office: Office) -> str:
    """An office field's value as the paper prints it: a date in the house style, yes or no."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return house_date(value, office)
    return "" if value is None else str(value)


def field_values(decision: Decision, office: Office, printed: Printed, public: bool = False) -> dict[str, str]:
    """Every field a layout may name, as the paper prints it; "" where the paper has none, and
    on a public paper for an office field the office keeps internal (`public: false`)."""
    author = decision.author
    kind = office.all_kinds.get(decision.kind)
    values = {
        "reference": printed("reference", decision.reference),
        "subject": printed("subject", decision.subject),
        "report_of": printed("report_of", decision.report_of) if decision.report_of else "",
        "author": ", ".join(printed(f"author.{k}", v) for k, v in (("name", author.name), ("role", author.role)) if v)
                  if author else "",
        "author_name": printed("author.name", author.name) if author and author.name else "",
        "author_role": printed("author.role", author.role) if author and author.role else "",
        "date": printed("date", house_date(decision.date, office)),
        "protective_marking": printed("publication.protective_marking", decision.publication.protective_marking or ""),
        "kind": kind.label if kind else decision.kind,
        "office": office.name,
        "commissioner": office.sign_off.commissioner_role,
    }
    for name, declared in office.fields.items():
        if name not in CONSTRAINABLE:
            values[name] = "" if public and not declared.public else office_value(decision.fields.get(name), office)
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """A layout text with each {field} replaced by the field's value."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)


def _filled(template: str, values: dict[str, str]) -> str:
    """The text, or "" when every field it names is empty (never a label with nothing after it)."""
    names = PLACEHOLDER.findall(template)
    if names and not any(values.get(n) for n in names):
        return ""
    return fill(template, values)


def _sign_off(entry: dict[str, Any], block: SignOffs, draft: bool) -> dict[str, Any]:
    """One sign-off block's lines: comments, name, signature (the record's, else the layout's
    'signed copy held' wording on an approved paper, else a draft's line to sign on) and date."""
    lines = []
    if entry["statement"]:
        lines.append({"label": block.statement_label or "", "text": entry["statement"]})
    if entry["name"]:
        lines.append({"label": block.name_label, "text": entry["name"]})
    signature = entry["signature"] or (block.signature if not draft else None)
    if signature:
        lines.append({"label": block.signature_label, "text": signature})
    elif draft:
        lines.append({"label": block.signature_label, "text": block.signature_line})
    elif block.blank_signature:
        lines.append({"label": block.signature_label, "text": ""})
    if entry["date_line"]:
        lines.append({"label": block.date_label, "text": entry["date"]})
    return {"type": "sign_off", "role": f"{entry['role']}{block.role_suffix}", "lines": lines}


def mark_of(decision: Decision, office: Office) -> str:
    """The mark a paper not approved, or no longer in force, carries on its first page, in its
    running header and in its preview's title: a draft's in the layout's own words (else the
    office's), the other statuses' the office's (style.labels); an approved paper's none."""
    status = decision.status
    if status is Status.approved:
        return ""
    if status is Status.draft:
        own = next((b.text for b in office.layout_for(decision).blocks if isinstance(b, DraftMark) and b.text), None)
        return own or office.style.labels.draft
    return str(getattr(office.style.labels, status.value))


def elements_of(decision: Decision, office: Office, public: bool, printed: Printed) -> list[dict[str, Any]]:
    """The paper's elements, in the layout's order; a block with nothing to show gives none."""
    values = field_values(decision, office, printed, public)
    labels = office.style.labels
    sign_offs = sign_offs_of(decision, office, printed)
    approval_shown = decision.approval != NOT_STATED
    out: list[dict[str, Any]] = []
    for block in office.layout_for(decision).blocks:
        if not block.applies(decision.kind):
            continue
        if isinstance(block, DraftMark):
            if mark := mark_of(decision, office):
                out.append({"type": "draft_mark", "text": mark})
        elif isinstance(block, Letterhead):
            lines = list(office.address) if block.address else []
            contact = office.contact if block.contact else None
            name = office.name if block.office_name else None
            logo = bool(block.logo and office.logo)
            if lines or contact or name or logo:
                out.append({"type": "letterhead", "logo": logo, "lines": lines, "contact": contact, "name": name})
        elif isinstance(block, FormTitle):
            if text := _filled(block.text, values):
                out.append({"type": "title", "text": text})
        elif isinstance(block, Banners):
            banners = list(decision.banners)
            if decision.key_decision and "KEY DECISION" not in banners:
                banners.insert(0, "KEY DECISION")
            out += [{"type": "banner", "text": text} for text in banners]
        elif isinstance(block, Confidentiality):
            if decision.publication.part == "part2":
                # Some offices box a Part 2 paper's reason on its first page; the public
                # register never shows the paper at all.
                out.append({"type": "notice", "label": block.label or labels.part2, "text": decision.publication.reason or ""})
        elif isinstance(block, Markings):
            part2 = decision.publication.part == "part2"
            open_box, confidential_box = (UNCHECKED, CHECKED) if part2 else (CHECKED, UNCHECKED)
            out.append({"type": "markings", "open": block.open, "open_box": open_box, "confidential": block.confidential,
                        "confidential_box": confidential_box,
                        "text": f"{block.open} {open_box} {block.confidential} {confidential_box}",
                        "label": block.reason or "", "reason": (decision.publication.reason or "") if part2 else ""})
        elif isinstance(block, Fields):
            rows = [{"label": row.label or "", "value": value, "emphasis": row.emphasis}
                    for row in block.rows if (value := _filled(row.template, values))]
            if rows:
                out.append({"type": "fields", "form": block.form, "rows": rows,
                            "labelled": all(r["label"] for r in rows)})
        elif isinstance(block, Funding):
            out += [{"type": "funding", "text": funding_line(decision, i, office, printed)} for i in range(len(decision.funding))]
        elif isinstance(block, Sections):
            chosen = block.chooses([s.heading for s in decision.sections])
            out += [{"type": "section", **s} for s in sections_of(decision, office, public, printed, "sections", chosen)]
        elif isinstance(block, AfterApproval):
            out += [{"type": "section", **s} for s in sections_of(decision, office, public, printed, "after_approval")]
        elif isinstance(block, (Links, Documents)):
            found = (links_of if isinstance(block, Links) else documents_of)(decision, office, printed)
            if found:
                if block.heading:
                    found["heading"] = f"{block.heading}{office.style.heading_suffix}"
                out.append({"type": "references", **found})
        elif isinstance(block, RecommendationBlock):
            recommendation = recommendation_of(decision, office, printed)
            if recommendation:
                if block.heading and not _own_heading(decision):
                    recommendation["heading"] = block.heading
                out.append({"type": "recommendation", **recommendation})
        elif isinstance(block, SignOffs):
            chosen = [s for s in sign_offs if block.which == "all" or (block.which == "approval") == s["approval"]]
            if chosen:
                # The paper's own approval heading stands over the approval's block (after any
                # officers' blocks); the layout's heading over all the blocks it prints.
                own = _approval_heading(decision, printed) if approval_shown and block.which != "others" else ""
                if block.heading and not own:
                    out.append({"type": "heading", "text": block.heading})
                for entry in chosen:
                    if own and entry["approval"]:
                        out.append({"type": "heading", "text": own})
                    out.append(_sign_off(entry, block, decision.in_draft))
                if block.note and (note := _filled(block.note, values)):
                    out.append({"type": "text", "text": note, "emphasis": "plain"})
        elif isinstance(block, FixedText):
            if text := _filled(block.text, values):
                out.append({"type": "text", "text": text, "emphasis": block.emphasis})
        elif isinstance(block, Corrections):
            out += _corrections(decision, office, block.heading)
    if not any(isinstance(b, Corrections) for b in office.layout_for(decision).blocks):
        out += _corrections(decision, office, None)  # an erratum is never left off the paper
    return out


def _corrections(decision: Decision, office: Office, heading: str | None) -> list[dict[str, Any]]:
    """The corrections as a section: 'Corrected 2 October 2023 by the Governance Officer
    (funding): why'."""
    if not decision.corrections:
        return []
    items = [f"{house_date(c.date, office)}, {c.by} ({', '.join(c.fields)}): {c.why}" for c in decision.corrections]
    title = f"{heading or office.style.labels.corrections}{office.style.heading_suffix}"
    return [{"type": "section", "heading": title, "level": 1, "band": None,
             "content": [content_block(bullets=items)]}]


def _own_heading(decision: Decision) -> bool:
    rec = decision.recommendation
    return bool(getattr(rec, "heading", None))


def _approval_heading(decision: Decision, printed: Printed) -> str:
    approval = decision.approval if isinstance(decision.approval, Approval) else None
    return printed("approval.heading", approval.heading) if approval and approval.heading else ""


def running(part: Running, values: dict[str, str]) -> dict[str, Any]:
    """A running header or footer for the Word paper: left and right texts, the page numbers'
    words around the page fields ('Page ', ' of ', ''), fixed lines."""
    pages: dict[str, Any] = {"before": "", "middle": "", "after": "", "total": False}
    if part.page_numbers:
        before, _, rest = part.page_numbers.partition("{page}")
        middle, total, after = rest.partition("{pages}")
        pages = {"before": before, "middle": middle if total else "", "after": after if total else middle, "total": bool(total)}
    return {"left": _filled(part.left, values) if part.left else "", "right": _filled(part.right, values) if part.right else "",
            "page_numbers": bool(part.page_numbers), "pages": pages,
            "lines": [line for t in part.lines if (line := _filled(t, values))]}


def witnesses(element: dict[str, Any]) -> list[str]:
    """What a reader sees of an element, in order: the texts any rendering of it must show.
    `decisions templates check` and the tests hold the Word and web papers to these, so that
    neither template can leave an element out or put it elsewhere."""
    kind = element["type"]
    texts: list[Any]
    if kind in ("draft_mark", "title", "banner", "funding", "heading", "text"):
        texts = [element["text"]]
    elif kind == "letterhead":
        texts = [*element["lines"], element["contact"], element["name"]]
    elif kind == "notice":
        texts = [element["label"], element["text"]]
    elif kind == "markings":
        texts = [element["text"], element["label"], element["reason"]]
    elif kind == "fields":
        texts = [t for row in element["rows"] for t in (row["label"], row["value"])]
    elif kind == "section":
        texts = [element["band"], element["heading"], *(t for block in element["content"] for t in _block_texts(block))]
    elif kind == "references":
        texts = [element["heading"], *(entry["text"] for entry in element["entries"])]
    elif kind == "recommendation":
        texts = [element["heading"], element["text"], *element["bullets"]]
    elif kind == "sign_off":
        texts = [element["role"], *(t for line in element["lines"] for t in (line["label"], line["text"]))]
    else:
        raise ValueError(f"an element of no known type: {kind}")
    return [str(t) for t in texts if t]


def _block_texts(block: dict[str, Any]) -> list[str]:
    band = [block["band"]] if block["band"] else []
    if block["bullets"] is not None:
        return band + [t for item in block["bullets"] for t in (item["text"], *item["bullets"])]
    if block["table"] is not None:
        table = block["table"]
        rows = table["rows"] + ([table["total"]] if table["total"] else [])
        return band + [table["caption"] or "", *(c["heading"] for c in table["columns"]), *(cell["text"] for row in rows for cell in row)]
    return band + [block["text"]]
