"""A sign-off block is never split across pages (issue 11's point 4, begun here): whatever
text comes before it, its role, statement, name, signature and date land on one page."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from engine.papers import convert_pdfs, render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.pdf import Converter

from .support import make_project

RECORD = """\
kind: policy_or_governance
reference: PCC/D/{number:03d}
subject: Keeping a sign-off block together
date: 2023-09-06
status: draft
sections:
  - heading: Background
    content:
{paragraphs}
recommendation: To note decision
approval: {{role: SIGNOFFROLE Commissioner, name: Festus Akinbusoye, statement: SIGNOFFSTATEMENT I approve.}}
"""


def paper(project: Project, number: int, lines: int):  # type: ignore[no-untyped-def]
    paragraphs = "\n".join(f"      - Paragraph {i} of the background to this decision." for i in range(lines))
    path = project.root / "records" / "2021-2024" / f"PCC-D-{number:03d}.yaml"
    path.write_text(RECORD.format(number=number, paragraphs=paragraphs), encoding="utf-8")
    record = read_record(path, project.office)
    assert record.ok, [str(p) for p in record.problems]
    return render_sources(record.decision, project, ["docx"])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("keep"))


def test_a_sign_off_block_is_never_split_across_pages(project: Project, tmp_path: Path) -> None:
    # From a block that fits on page one to one pushed to page two, a paragraph at a time: one of
    # these puts the page break inside the block unless its lines keep together.
    papers = [paper(project, 200 + n, n) for n in range(10, 40)]
    convert_pdfs(papers, project, Converter(tmp_path / "profile"))
    for n, rendered in zip(range(10, 40), papers):
        assert rendered.error is None, rendered.error
        pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(rendered.files["pdf"])).pages]
        lines = ("SIGNOFFROLE", "SIGNOFFSTATEMENT", "Name: Festus Akinbusoye", "Signature:")
        holding = {i for i, text in enumerate(pages) for line in lines if line in text}
        assert len(holding) == 1, (n, [p[-300:] for p in pages])
