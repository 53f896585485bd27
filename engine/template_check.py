"""`decisions templates check`: templates, the layout and the model must not drift apart silently.

Three checks per template: the top-level names it uses against the names the context provides
(and, in reverse, the ones every paper needs); a render of a "maximal" record, with every
optional field filled, under StrictUndefined, which catches a misspelt nested field (el.headng)
that the first check cannot see; and, for the decision paper, that the Word and the web
template each draw every element of the office's layout, and of a layout with every kind of
block, in the layout's order. What the layout itself names is checked when office.yaml is
read: a field the layout names that the paper lacks is an error there; a field the office
chose not to show is none."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx import Document as DocxDocument
from docxtpl import DocxTemplate
from jinja2 import meta

from .layout import Layout
from .model import Decision
from .office import Office
from .problems import RecordError
from .project import Project
from .render.docx import ENVIRONMENT, render_docx
from .render.html import environment, html_text, render_html
from .render.layout import witnesses

# Names in each document's context that every paper must show. The decision paper's are its
# elements, in the office's layout, and (Word's alone: a web page has no pages) its running
# header and footer.
REQUIRED = {
    ("decision", ".docx"): ("elements", "header", "footer"),
    ("decision", ".j2"): ("elements",),
    ("spec", ".docx"): ("reference", "title", "funding_line", "parts", "timetable", "show_stoppers", "criteria"),
    ("spec", ".j2"): ("reference", "title", "funding_line", "parts", "timetable", "show_stoppers", "criteria"),
}

# A layout with every kind of block, each branch of the templates' drawing of it taken once.
EVERY_BLOCK = Layout.model_validate({"blocks": [
    "draft_mark", "letterhead", {"form_title": "Form {reference}"}, "banners", "confidentiality", "markings",
    {"fields": {"rows": [{"label": "Reference:", "field": "reference", "emphasis": "heading"}, {"value": "{reference} – {subject}", "emphasis": "heading"},
                         {"label": "Strong:", "field": "subject", "emphasis": "strong"}, {"field": "report_of", "emphasis": "strong"},
                         {"label": "Author:", "field": "author"}, {"field": "date"}]}},
    {"fields": {"rows": [{"label": "Reference:", "field": "reference"}, {"label": "Subject:", "field": "subject", "emphasis": "strong"}]}},
    {"fields": {"form": "table", "rows": [{"label": "ORIGINATOR:", "field": "report_of"}, {"label": "TITLE:", "field": "subject", "emphasis": "strong"}]}},
    "funding", {"sections": {"until": "Sub-heading"}}, "links", "documents", {"recommendation": "Recommendation"},
    {"sections": {"from": "Sub-heading"}},
    {"sign_offs": {"which": "others", "role_suffix": ":", "statement_label": "Comments:", "blank_signature": True}},
    {"sign_offs": {"which": "approval", "heading": "Approval"}}, {"text": "A fixed text"}, {"text": {"text": "Strong text", "emphasis": "strong"}},
    "after_approval"],
    "header": {"left": "{office}", "right": "{reference}", "lines": ["OFFICIAL"]},
    "footer": {"left": "{reference}", "page_numbers": "Page {page} of {pages}", "lines": ["A footer line"]}})
TEMPLATE_ONLY = {"snippet"}  # given to the preview page by the renderer, not by the record


@dataclass(frozen=True)
class TemplateProblem:
    template: Path
    message: str

    def __str__(self) -> str:
        return f"{self.template}: error: {self.message}"


def maximal_decision() -> Decision:
    """A decision with every optional field filled, so that every branch of a template renders."""
    day = dt.date(2023, 9, 6)
    return Decision.model_validate(
        {
            "kind": "commissioning",
            "reference": "PCC/D/999a",
            "addendum_to": "PCC/D/999",
            "subject": "Every field & <every> \"branch\"",
            "report_of": "Chief Executive",
            "author": {"name": "Name", "role": "Officer"},
            "date": day,
            "banners": ["PART 2"],
            "key_decision": True,
            "status": "draft",
            "funding": [
                {"service": "A", "fund": "MoJ", "budget_code": "B1", "amount": "1250.50", "financial_year": "2023-24",
                 "period": {"start": dt.date(2023, 10, 1), "end": dt.date(2024, 3, 31)}},
                {"service": "B", "fund": "Community Safety Fund", "amount": 10, "financial_year": "2023-24"},
                {"recipient": "C", "service": "D", "fund": "not stated",
                 "per_year": [{"financial_year": "2023-24", "amount": 5}, {"financial_year": "2024-25", "amount": 5}]},
            ],
            "sections": [
                {"heading": "Heading", "content": ["One\nline break", {"bullets": ["a", {"text": "b", "bullets": ["c"]}]},
                                                   {"text": "Part 2", "confidential": True},
                                                   {"bullets": ["1", "2"], "numbered": True}]},
                {"content": ["Untitled"], "confidential": True},
                {"heading": "Alone", "suffix": ""},
                {"heading": "Sub-heading", "level": 2, "content": [
                    {"caption": "Caption", "columns": [{"heading": "Name"}, {"heading": "Amount", "type": "money"},
                                                       {"heading": "Ratio", "type": "ratio"}, {"heading": "Count", "type": "number"},
                                                       {"heading": "Due", "type": "date"}],
                     "rows": [["A", 1, "6/9", 2, day], ["B", None, None, None, None]], "total": ["Total", 1, None, 2, None]}]},
            ],
            "police_and_crime_plan": [{"number": "1", "title": "Priority"}],
            "partners": ["Partner"],
            "route_to_market": {"method": "competition", "bidding_limit": 10, "duration_months": 12, "pilot": True,
                                "long_term_considerations": ["Later"]},
            "history": [{"event": "meeting", "date": "2023-03", "organisations": ["Org"], "by": "Lead",
                                     "note": "Note", "reason": "Reason"}],
            "links": [{"relation": "amends", "reference": "PCC/D/998", "title": "Parent", "date": day, "url": "https://example.org/"},
                      {"relation": "cites", "title": "Unnumbered"},
                      {"relation": "supersedes", "reference": "PCC/D/997", "printed": False}],
            "documents": [{"label": "Appendix A", "title": "Report", "url": "https://example.org/a.pdf"}, {"title": "Plain"}],
            "recommendation": {"heading": "Recommendation", "text": "Approve", "bullets": ["One"], "awards": True},
            "approval": {"role": "Commissioner", "name": "Name", "date": day, "statement": "Approved.",
                         "signature": "Wet signed copy held"},
            "sign_offs": [{"role": "Chief Finance Officer", "name": "Name", "statement": "Consulted.", "date": day}],
            "publication": {"part": "part2", "reason": "Section 43", "foi_exemption": "Section 43", "protective_marking": "OFFICIAL"},
            "as_printed": [{"field": "funding[0].period.end", "printed": "31/03/2023", "note": "Misprinted."}],
            "specification": {
                "status": "draft", "funding_line": 0, "description_section": "Heading",
                "requirements": ["Requirement"], "eligibility": ["Everyone"],
                "timetable": [{"stage": "clarification_deadline", "date": "2023-03-01", "stated": False},
                              {"stage": "service_start", "date": "2023-10-01"}],
                "show_stoppers": [{"requirement": "Must", "stated": False}],
                "evaluation_criteria": [{"criterion": "Quality", "weighting": 100, "description": "How good", "stated": False}],
                "response_must_contain": ["A plan"], "contact": {"role": "Lead", "name": "Name", "email": "a@example.org"},
                "notes": ["A note"],
            },
            "waivers": [{"rule": "term", "reason": "A waiver for the check."}],
        }
    )


def _docx_names(template: Path) -> set[str]:
    return set(DocxTemplate(template).get_undeclared_template_variables(ENVIRONMENT))


def _html_names(template: Path) -> set[str]:
    env = environment(template.parent)
    source = template.read_text(encoding="utf-8")
    return set(meta.find_undeclared_variables(env.parse(source)))


def check_templates(project: Project) -> list[TemplateProblem]:
    from .papers import DOCUMENTS, PREVIEW

    decision = maximal_decision()
    problems: list[TemplateProblem] = []
    for document, (make_context, properties, word_template) in DOCUMENTS.items():
        folder = project.templates(document)
        context = make_context(decision, project.office)
        provided = set(context) | TEMPLATE_ONLY
        templates = {folder / word_template: _docx_names, folder / "snippet.html.j2": _html_names,
                     folder.parent / PREVIEW: _html_names}
        drawn: dict[Path, bool] = {}
        for template, names_of in templates.items():
            if not template.is_file():
                problems.append(TemplateProblem(template, "template not found"))
                continue
            try:
                used = names_of(template)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(TemplateProblem(template, f"template syntax error: {exc.message}"))
                continue
            for unknown in sorted(used - provided):
                problems.append(TemplateProblem(template, f"uses '{unknown}', which the {document} does not provide"))
            if template.name != PREVIEW:  # the preview shows the snippet, which shows the fields
                for missing in REQUIRED[(document, template.suffix)]:
                    if missing not in used:
                        problems.append(TemplateProblem(template, f"does not show the required field '{missing}'"))
            if used <= provided:
                try:
                    _render(template, folder, context, properties(decision, project.office), project.office, project.root)
                    drawn[template] = template.name != PREVIEW
                except RecordError as exc:
                    problems += [TemplateProblem(template, p.message) for p in exc.problems]
        if document == "decision":
            for template in (t for t, ok in drawn.items() if ok):
                problems += _draws_every_element(template, folder, decision, project, make_context, properties)
    return list(dict.fromkeys(problems))


def _render(template: Path, folder: Path, context: dict[str, Any], properties: dict[str, Any], office: Office,
            root: Path) -> str:
    """The template rendered with the context, as text a reader gets."""
    if template.suffix == ".docx":
        return word_text(render_docx(template, context, properties, office, root))
    return html_text(render_html(folder / template.name, {**context, "snippet": ""}))  # shared ones load from above


def _draws_every_element(template: Path, folder: Path, decision: Decision, project: Project, make_context: Any,
                         properties: Any) -> list[TemplateProblem]:
    """The template shows every element of the office's layouts, and of a layout with every
    kind of block, each in its place: what it leaves out or misplaces is named."""
    problems = []
    for layout in [*project.office.layouts, EVERY_BLOCK]:
        office = project.office.model_copy(update={"layout": layout})
        context = make_context(decision, office)
        try:
            text = normalise(_render(template, folder, context, properties(decision, office), office, project.root))
        except RecordError as exc:
            return [TemplateProblem(template, p.message) for p in exc.problems]
        problem = _first_missing(text, context["elements"])
        if problem:  # the first only: what follows a missing element would be misplaced too
            problems.append(TemplateProblem(template, problem))
    return problems


def _first_missing(text: str, elements: list[dict[str, Any]]) -> str | None:
    position = 0
    for element in elements:
        for witness in witnesses(element):
            found = text.find(normalise(witness), position)
            if found < 0:
                if normalise(witness) in text:
                    return f"shows the {element['type']} element's '{witness}' out of the layout's order"
                return f"does not show the {element['type']} element's '{witness}' (draw every element type the layout gives)"
            position = found + len(normalise(witness))
    return None


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def word_text(data: bytes) -> str:
    """A .docx's body text, paragraph by paragraph (a table's cells in reading order)."""
    document = DocxDocument(io.BytesIO(data))
    parts = []
    for block in document.element.body.iterchildren():
        parts.append(" ".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    return "\n".join(parts)
