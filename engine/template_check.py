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
from .render.context import document_properties, paper_context
from .render.docx import ENVIRONMENT, render_docx
from .render.html import environment, render_html

# Names in the context that come from required fields: every paper must show them.
REQUIRED = ("reference", "subject", "report_of", "date", "sections", "recommendation", "sign_offs")
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
            "reference": "PCC/D/999a",
            "addendum_to": "PCC/D/999",
            "subject": "Every field & <every> \"branch\"",
            "report_of": "Chief Executive",
            "date": day,
            "banners": ["PART 2"],
            "key_decision": True,
            "status": "draft",
            "funding": [
                {"service": "A", "fund": "MoJ", "budget_code": "B1", "amount": "1250.50", "financial_year": "2023-2024",
                 "period": {"start": dt.date(2023, 10, 1), "end": dt.date(2024, 3, 31)}},
                {"service": "B", "fund": "Community Safety Fund", "amount": 10, "financial_year": "2023-2024"},
            ],
            "sections": [
                {"heading": "Heading", "content": ["One\nline break", {"bullets": ["a", "b"]},
                                                   {"text": "Part 2", "confidential": True}]},
                {"content": ["Untitled"], "confidential": True},
            ],
            "police_and_crime_plan": [{"number": "1", "title": "Priority"}],
            "partners": ["Partner"],
            "route_to_market": {"method": "competition", "bidding_limit": 10, "duration_months": 12, "pilot": True,
                                "long_term_considerations": ["Later"]},
            "procurement_history": [{"event": "meeting", "date": "2023-03", "organisations": ["Org"], "by": "Lead",
                                     "note": "Note", "reason": "Reason"}],
            "recommendation": "Approve",
            "approval": {"role": "Commissioner", "name": "Name", "date": day, "statement": "Approved."},
            "sign_offs": [{"role": "Chief Finance Officer", "name": "Name", "statement": "Consulted.", "date": day}],
            "publication": {"part": "part2", "reason": "Section 43", "foi_exemption": "Section 43"},
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
    folder = project.templates("decision")
    decision = maximal_decision()
    context = paper_context(decision, project.office)
    provided = set(context) | TEMPLATE_ONLY
    problems: list[TemplateProblem] = []
    templates = {"decision.docx": _docx_names, "snippet.html.j2": _html_names, "preview.html.j2": _html_names}
    used_anywhere: set[str] = set()
    for name, names_of in templates.items():
        template = folder / name
        if not template.is_file():
            problems.append(TemplateProblem(template, "template not found"))
            continue
        try:
            used = names_of(template)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(template, f"template syntax error: {exc.message}"))
            continue
        used_anywhere |= used
        for unknown in sorted(used - provided):
            problems.append(TemplateProblem(template, f"uses '{unknown}', which the record does not provide"))
        if name != "preview.html.j2":  # the preview shows the snippet, which shows the fields
            for missing in REQUIRED:
                if missing not in used:
                    problems.append(TemplateProblem(template, f"does not show the required field '{missing}'"))
        if used <= provided:
            try:
                if name.endswith(".docx"):
                    render_docx(template, context, document_properties(decision, project.office), project.office, project.root)
                else:
                    render_html(template, {**context, "snippet": ""})
            except RecordError as exc:
                problems += [TemplateProblem(template, p.message) for p in exc.problems]
    return problems
