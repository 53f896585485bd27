"""Every field `as_printed` accepts is shown as printed on the paper (Word and web), and a field
the paper does not print from the record is refused, so a correction never silently vanishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.papers import render_sources
from engine.project import Project
from engine.records import read_record

from .support import make_project
from .text import docx_text, html_text, normalise

RECORD = """\
kind: grants_round
reference: PCC/D/140
subject: Awards 2023-24
report_of: Police and Crime Commissioner
author: {name: A. Author, role: Officer}
date: 2023-09-06
status: approved
funding:
  - {recipient: Org, service: Work, fund: CSF, budget_code: B1, amount: 1000, financial_year: 2023-24, period: {start: 2023-10-01, end: 2024-03-31}}
  - {recipient: Two, service: Years, fund: CSF, per_year: [{financial_year: 2023-24, amount: 500}]}
sections:
  - heading: Heading
    content:
      - caption: Figures
        columns: [{heading: Line}, {heading: Amount, type: money}]
        rows: [[A, 1000.00], [B, 500.00]]
        total: [Total, 1500.00]
links: [{relation: amends, reference: PCC/D/100, title: Linked, date: 2023-01-01}]
documents: [{label: Appendix A, title: A document}]
recommendation: {heading: Recommendation, text: To note, bullets: [A bullet]}
approval: {role: Commissioner, name: Festus Akinbusoye, date: 2023-09-07, statement: Approved., signature: Held, heading: Approval}
sign_offs: [{role: Chief Finance Officer, name: B. Treasurer, statement: Consulted., date: 2023-09-07}]
after_approval: [{heading: Afterwards, content: [Words.]}]
publication: {part: public, protective_marking: OFFICIAL}
as_printed:
{entries}
"""

FIELDS = ["reference", "subject", "date", "report_of", "author.name", "author.role", "publication.protective_marking",
          "recommendation.text", "recommendation.heading", "recommendation.bullets[0]",
          "approval.date", "approval.heading", "approval.name", "approval.role", "approval.signature", "approval.statement",
          "sign_offs[0].date", "sign_offs[0].name", "sign_offs[0].role", "sign_offs[0].statement",
          "documents[0].label", "documents[0].title", "links[0].reference", "links[0].title", "links[0].date",
          "sections[0].heading", "after_approval[0].heading",
          "sections[0].content[0].rows[1][1]", "sections[0].content[0].total[1]",
          "funding[0].amount", "funding[0].budget_code", "funding[0].fund", "funding[0].recipient", "funding[0].service",
          "funding[0].period.start", "funding[0].period.end", "funding[1].per_year[0].amount"]


def marker(field: str) -> str:
    return "PRINTED" + "".join(c for c in field.upper() if c.isalnum())


def write(project: Project, fields: list[str]) -> Path:
    entries = "\n".join(f"  - {{field: '{f}', printed: {marker(f)}, note: as the paper printed it}}" for f in fields)
    path = project.root / "records" / "2021-2024" / "PCC-D-140.yaml"
    path.write_text(RECORD.replace("{entries}", entries), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("printed"))


def test_every_field_kept_as_printed_is_printed(project: Project) -> None:
    record = read_record(write(project, FIELDS), project.office)
    assert record.ok and not record.problems, [str(p) for p in record.problems]
    files = render_sources(record.decision, project, ["docx", "html"]).files
    for text in (normalise(docx_text(files["docx"])), normalise(html_text(files["html"]))):
        missing = [f for f in FIELDS if marker(f) not in text]
        assert missing == [], missing


@pytest.mark.parametrize("field", ["sections[0].content[0].caption", "sections[0].content[0].columns[0].heading",
                                   "funding[0].financial_year", "kind", "status"])
def test_a_field_the_paper_does_not_print_from_is_refused(project: Project, field: str) -> None:
    record = read_record(write(project, [field]), project.office)
    assert [p.message for p in record.problems] == [
        f"the paper does not print {field} from the record (the narrative is kept as published already); keep as printed "
        "a field the paper shows, e.g. date, funding[0].amount or a table's total [as-printed]"]
