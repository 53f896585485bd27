"""`decisions templates check`: templates and the model must not drift apart silently.

Two checks per template: the top-level names it uses against the names the record provides
(and, in reverse, every required field shown somewhere), then a render of a "maximal" record,
with every optional field filled, under StrictUndefined, which catches a misspelt nested field
(section.headng) that the first check cannot see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta

from .model import Decision
from .problems import RecordError
from .project import Project
from .render.docx import ENVIRONMENT, render_docx
from .render.html import environment, render_html

# Names in each document's context that come from required fields: every paper must show them.
REQUIRED = {
    "decision": ("reference", "subject", "report_of", "date", "sections", "recommendation", "sign_offs"),
    "spec": ("reference", "title", "funding_line", "parts", "timetable", "show_stoppers", "criteria"),
}
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
                for missing in REQUIRED[document]:
                    if missing not in used:
                        problems.append(TemplateProblem(template, f"does not show the required field '{missing}'"))
            if used <= provided:
                try:
                    if template.suffix == ".docx":
                        render_docx(template, context, properties(decision, project.office), project.office, project.root)
                    else:
                        render_html(folder / template.name, {**context, "snippet": ""})  # shared ones load from above
                except RecordError as exc:
                    problems += [TemplateProblem(template, p.message) for p in exc.problems]
    return list(dict.fromkeys(problems))
