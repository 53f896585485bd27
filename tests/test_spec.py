"""Service specifications: rendered from the decision record, sharing its facts."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner

from engine.papers import render_papers
from engine.cli import main
from engine.model import Decision
from engine.project import Project
from engine.records import read_record

from .support import part_of
from .conftest import ROOT, SEED, edit
from .test_render import _struct_types
from .text import docx_text, html_text, pdf_text

FUNDING = "Sexual Exploitation Support – MoJ B992 – £40,000"


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(ROOT / "office.yaml")


@pytest.fixture(scope="module")
def rendered(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The seed's specification and paper, and both again with the amount changed once, in one
    LibreOffice batch per document; the seed's specification twice, for reproducibility."""
    seed = read_record(SEED, project.office).decision
    data = seed.model_dump()
    data["funding"][0]["amount"] = 45000
    data["reference"] = "PCC/D/103"
    more = Decision.model_validate(data)
    data["reference"], data["specification"]["status"] = "PCC/D/104", "draft"
    draft = Decision.model_validate(data)
    out: dict[str, dict[str, bytes]] = {}
    for run in ("first", "second"):
        folder = tmp_path_factory.mktemp(run)
        for document in ("spec", "decision"):
            results = render_papers([seed, more, draft], project, ["docx", "pdf", "html"], folder, document=document)
            for name, (paper, files) in zip(("seed", "more", "draft"), results):
                assert paper.error is None, paper.error
                out[f"{run}:{document}:{name}"] = {part_of(p): p.read_bytes() for p in files}
    return out


READERS = [("docx", docx_text), ("pdf", pdf_text), ("html", html_text)]


@pytest.mark.parametrize("fmt,read", READERS)
def test_specification_agrees_with_the_paper(rendered: dict, fmt: str, read) -> None:
    text = " ".join(read(rendered["first:spec:seed"][fmt]).split())
    for fact in (FUNDING, "Bidding limit: £40,000", "Opportunity released 02/12/2022", "Deadline for responses 09/01/2023",
                 "Length of funding: 12 months, as a pilot", "Decision paper: PCC/D/102",
                 "Male and female victims of sexual exploitation", "A county-wide service across Bedfordshire",
                 "Awareness of local strategies 20% *", "Risk analysis 20% *", "* Not stated in the published decision paper.",
                 "a female-only service does not pass", "Commissioning and Income Generation Lead",
                 # the service description is the paper's own section, word for word
                 "A service to deliver support to improve the welfare of people who are involved in the sex trade"):
        assert fact in text, (fmt, fact)
    paper = " ".join(read(rendered["first:decision:seed"][fmt]).split())
    assert FUNDING in paper


@pytest.mark.parametrize("fmt,read", READERS)
def test_changing_the_amount_once_changes_it_in_both(rendered: dict, fmt: str, read) -> None:
    changed = FUNDING.replace("£40,000", "£45,000")
    for document in ("spec", "decision"):
        text = " ".join(read(rendered[f"first:{document}:more"][fmt]).split())
        assert changed in text and FUNDING not in text, (document, fmt)


@pytest.mark.parametrize("name", ["seed", "draft"])
@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "preview.html"])
def test_specification_renders_to_identical_bytes(rendered: dict, name: str, fmt: str) -> None:
    assert rendered[f"first:spec:{name}"][fmt] == rendered[f"second:spec:{name}"][fmt]


def test_draft_mark_only_on_a_draft_specification(rendered: dict) -> None:
    for fmt, read in READERS:
        assert "DRAFT – NOT APPROVED" not in read(rendered["first:spec:seed"][fmt])
        assert "DRAFT – NOT APPROVED" in read(rendered["first:spec:draft"][fmt])


def test_specification_tables_and_structure(rendered: dict) -> None:
    document = docx.Document(io.BytesIO(rendered["first:spec:seed"]["docx"]))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0] == [["Stage", "Date"], ["Opportunity released", "02/12/2022"], ["Deadline for responses", "09/01/2023"]]
    assert tables[1][0] == ["Requirement (pass or fail)", "Met? Yes / No"] and len(tables[1]) == 2
    assert [row[0] for row in tables[2]] == ["Criterion", "Outcomes", "Objectives", "Sustainability",
                                             "Awareness of local strategies", "Risk analysis"]
    assert all(t.rows[0]._tr.trPr is not None and "tblHeader" in t.rows[0]._tr.trPr.xml for t in document.tables)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["1. The opportunity", "2. The service", "3. Who must be served", "4. Timetable",
                        "5. Show-stopper requirements", "6. Evaluation criteria", "7. What your response must contain", "8. Questions"]
    pdf = pikepdf.open(io.BytesIO(rendered["first:spec:seed"]["pdf"]))
    assert {"/Table", "/TR", "/TD", "/H1", "/H2", "/L"} <= _struct_types(pdf.Root.StructTreeRoot, set())
    assert str(pdf.docinfo["/Title"]) == "Service Specification: Sexual Exploitation Support (PCC/D/102)"
    html = rendered["first:spec:seed"]["html"].decode()
    assert html.count('<th scope="col">') == 6 and "<h1" not in html


def test_render_command_for_a_specification(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", "PCC/D/102", "--document", "spec",
                                       "--format", "html", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(tmp_path / "pcc-d-102-spec.internal.html"), str(tmp_path / "pcc-d-102-spec.internal-preview.html")]


def test_render_spec_of_a_record_without_one(seed_copy: Path, tmp_path: Path) -> None:
    text = seed_copy.read_text(encoding="utf-8")
    seed_copy.write_text(text[: text.index("# The specification the paper")], encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", str(seed_copy), "--document", "spec"])
    assert result.exit_code == 1
    assert result.output == f"error: {seed_copy}: PCC/D/102 has no specification (add `specification:` to the record)\n"


# --- the rules: each fails here, and passes on the seed (test_records.test_seed_record_is_clean) --


def check(path: Path) -> str:
    return CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "check", str(path)]).output


SPEC_RULES = [
    ("    - {criterion: Outcomes, weighting: 20, stated: false}", "    - {criterion: Outcomes, weighting: 25, stated: false}",
     "error: specification.evaluation_criteria: the weightings add up to 105%, not 100% [spec-weightings]"),
    ("  funding_line: 0", "  funding_line: 0\n  timetable:\n    - {stage: clarification_deadline, date: 2022-11-20}",
     "error: specification.timetable[0].date: clarification deadline on 2022-11-20 is before opportunity released on 2022-12-02"),
    ("  funding_line: 0", "  funding_line: 0\n  timetable:\n    - {stage: award, date: 2022-12-20}",
     "error: specification.timetable[0].date: award on 2022-12-20 is before response deadline on 2023-01-09 [spec-timetable]"),
    ("    financial_year: 2023-2024\n", "    financial_year: 2023-2024\n    period: {start: 2023-10-01, end: 2024-03-31}\n",
     None),  # a funding period alone is fine; the next case adds a service start outside it
    ("  show_stoppers:\n    - requirement: The service supports both male and female victims, as the MoJ grant agreement with the OPCC requires (a female-only service does not pass)\n",
     "", "error: specification.show_stoppers: a competition needs show-stopper (pass/fail) requirements [spec-competition]"),
    ("  funding_line: 0", "  funding_line: 1", "error: specification.funding_line: the paper has 1 funding line(s); number them from 0"),
    ("  description_section: Description of Service", "  description_section: Service Description",
     "error: specification.description_section: no section headed 'Service Description'"),
    ("  bidding_limit: 40000", "  bidding_limit: 39999", "error: funding[0].amount: the award of £40,000 is above the bidding limit of £39,999"),
    ("  funding_line: 0", "  funding_line: 0\n  amount: 40000", "error: specification.amount: unknown field"),
]


@pytest.mark.parametrize("old,new,expected", SPEC_RULES, ids=[str(i) for i in range(len(SPEC_RULES))])
def test_specification_rules(seed_copy: Path, old: str, new: str, expected: str | None) -> None:
    edit(seed_copy, old, new)
    out = check(seed_copy)
    if expected is None:
        assert out.endswith("0 errors, 0 warnings\n"), out
    else:
        assert expected in out, out


def test_service_start_inside_the_funding_period(seed_copy: Path) -> None:
    edit(seed_copy, "    financial_year: 2023-2024\n", "    financial_year: 2023-2024\n    period: {start: 2023-10-01, end: 2024-03-31}\n")
    edit(seed_copy, "  funding_line: 0", "  funding_line: 0\n  timetable:\n    - {stage: service_start, date: 2024-04-01}")
    assert "error: specification.timetable[0].date: the service starts on 2024-04-01, outside the funding period 2023-10-01 to 2024-03-31 [spec-service-start]" in check(seed_copy)
    edit(seed_copy, "date: 2024-04-01", "date: 2023-10-01")
    assert check(seed_copy).endswith("0 errors, 0 warnings\n")
