"""Papers of every kind: the record's new fields rendered in Word, the PDF and the web snippet.

Each test writes a small record as an officer would (YAML in a throwaway project), reads it
back through `check`, renders it and reads the text back from the files, asserting exact
strings. One record holds most of what the issue adds; smaller ones hold what is left out."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from engine.model import Decision
from engine.papers import convert_pdfs, render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.context import safe_url
from engine.render.docx import word_link, word_table
from engine.render.pdf import Converter

from .support import make_project, replaced
from .text import docx_text, html_text, normalise, pdf_text

# A grants round with most of what the issue adds: an author and a protective marking, funding
# per recipient (one line per year, one with a fund not stated), a heading printed without the
# colon, an empty heading, a level-2 heading, numbered and nested lists, a typed table with its
# total, a confidential table, links printed and not, documents, a recommendation with its own
# heading and the awards generated, a signature as printed, and a value kept as printed.
ROUND = """\
kind: grants_round
reference: PCC/D/120
subject: Community Safety Fund Awards 2023-2024
report_of: Police and Crime Commissioner
author: {name: Molly Slominski, role: Partnerships and Community Safety Officer}
date: 2023-09-06
status: approved
funding:
  - recipient: Surrey Police
    service: Engagement vehicle and e-bikes for Spelthorne
    fund: Community Safety Fund
    budget_code: B410
    amount: 20000
    financial_year: 2023-24
  - recipient: Leaders Unlocked
    service: Surrey Youth Commission on Police and Crime
    fund: not stated
    per_year:
      - {financial_year: 2023-24, amount: 21600}
      - {financial_year: 2024-25, amount: 21600}
    period: {start: 2023-10-01, end: 2025-03-31}
sections:
  - heading: Executive Summary
    content:
      - The fund has £538,000 for the year.
      - numbered: true
        bullets:
          - Applications were sifted.
          - text: Two awards are recommended
            bullets: [one to Surrey Police, one to Leaders Unlocked]
          - The panel met.
      - The second list starts again.
      - numbered: true
        bullets: [Second list's first item, Second list's second item]
  - heading: Applications for the Community Safety Fund
    suffix: ''
  - heading: Surrey Police – Engagement vehicle
    level: 2
    content:
      - To buy an engagement vehicle and e-bikes.
  - heading: Precept notices
    content:
      - caption: Precept due from each billing authority
        columns:
          - {heading: Billing authority}
          - {heading: Due, type: date}
          - {heading: Precept, type: money}
        rows:
          - [Bromsgrove District Council, 2023-04-01, 10029691.88]
          - [Herefordshire Council, 2023-04-01, 18798837.59]
          - [Wyre Forest Council, 2023-04-01, 9188201]
        total: [TOTAL, null, 38016730.47]
      - columns: [{heading: Savings line}, {heading: Saving, type: money}]
        rows: [[Estates, 4030000]]
        confidential: true
      - The table above is Part 2.
links:
  - {relation: amends, reference: PCC/D/083, title: Community Safety Fund 2023-24, date: 2023-03-01, url: 'https://example.org/pcc-d-083/'}
  - {relation: cites, title: Police and Crime Plan 2021-2025, date: 2021-11}
  - {relation: supersedes, reference: PCC/D/070, title: Unprinted Parent, printed: false}
documents:
  - {label: Appendix A, title: Police and Crime Panel response, url: 'https://example.org/appendix-a.pdf'}
  - {title: Treasurer's Budget Report}
recommendation:
  heading: Recommendation
  text: 'The Commissioner agrees these awards:'
  awards: true
approval:
  role: Police and Crime Commissioner
  name: Festus Akinbusoye
  date: 2023-09-07
  signature: Wet signed copy held at the Office of the PCC
publication: {part: public, protective_marking: OFFICIAL}
as_printed:
  - {field: "funding[1].period.end", printed: 31/03/2024, note: The paper misprints the year; the agreement ends in March 2025.}
"""

# A published paper that gives almost nothing: no date, no report-of line, no recommendation,
# no approval block.
BARE = """\
kind: policy_or_governance
reference: PCC/D/121
subject: Temporary departure from the Corporate Governance Framework
date: not stated
term: 2021-2024
status: approved
sections:
  - heading: Executive Summary
    content: [Settlements are decided by the force's Directors this year.]
recommendation: not stated
approval: not stated
"""

FUNDING = [
    "Surrey Police – Engagement vehicle and e-bikes for Spelthorne – Community Safety Fund B410 – £20,000",
    "Leaders Unlocked – Surrey Youth Commission on Police and Crime – £43,200 (2023-24: £21,600; 2024-25: £21,600), "
    "from 01/10/2023 to 31/03/2024",
]
AWARDS = [
    "£20,000 to Surrey Police for Engagement vehicle and e-bikes for Spelthorne",
    "£43,200 to Leaders Unlocked for Surrey Youth Commission on Police and Crime (2023-24: £21,600; 2024-25: £21,600), "
    "from 01/10/2023 to 31/03/2024",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("kinds"))


def record(project: Project, text: str) -> Decision:
    """The record as an officer writes it, read back through check: it must pass."""
    reference = re.search(r"^reference: (\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
    path = project.root / "records" / "2021-2024" / f"{project.office.file_stem(reference)}.yaml"
    path.write_text(text, encoding="utf-8")
    result = read_record(path, project.office)
    assert result.ok, [str(p) for p in result.problems]
    assert result.decision is not None
    return result.decision


def render(project: Project, text: str, public: bool = False) -> dict[str, bytes]:
    return render_sources(record(project, text), project, ["docx", "html"], public=public).files


def styled(data: bytes) -> list[tuple[str, str]]:
    """The Word body's paragraphs as (style, text), tables left out."""
    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]


def lines(text: str) -> list[str]:
    return [normalise(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def round_files(project: Project) -> dict[str, bytes]:
    return render(project, ROUND)


@pytest.fixture(scope="module")
def bare_files(project: Project) -> dict[str, bytes]:
    return render(project, BARE)


# --- the title block ------------------------------------------------------------------------------


def test_title_block_has_author_and_protective_marking(round_files: dict[str, bytes]) -> None:
    block = [(s, t) for s, t in styled(round_files["docx"]) if s == "Title Block"]
    assert block == [("Title Block", "Subject: Community Safety Fund Awards 2023-2024"),
                     ("Title Block", "Report of: Police and Crime Commissioner"),
                     ("Title Block", "Author and Job Role: Molly Slominski, Partnerships and Community Safety Officer"),
                     ("Title Block", "Protective Marking: OFFICIAL"),
                     ("Title Block", "Date: 06/09/2023")]
    html = round_files["html"].decode()
    assert "<div><dt>Author and Job Role:</dt> <dd>Molly Slominski, Partnerships and Community Safety Officer</dd></div>" in html
    assert "<div><dt>Protective Marking:</dt> <dd>OFFICIAL</dd></div>" in html


def test_a_date_not_stated_leaves_no_date_line(bare_files: dict[str, bytes]) -> None:
    block = [t for s, t in styled(bare_files["docx"]) if s == "Title Block"]
    assert block == ["Subject: Temporary departure from the Corporate Governance Framework"]  # no report of, no date
    for text in (docx_text(bare_files["docx"]), html_text(bare_files["html"])):
        assert "Date:" not in text and "Report of:" not in text and "Author" not in text
    assert "<dt>Date:</dt>" not in bare_files["html"].decode()


@pytest.mark.parametrize("written,shown", [("2021-11", "Date: November 2021"), ("2022", "Date: 2022")])
def test_a_month_or_a_year_is_printed_as_the_paper_gives_it(project: Project, written: str, shown: str) -> None:
    files = render(project, replaced(BARE, **{"date: not stated": f"date: {written}"}))
    assert ("Title Block", shown) in styled(files["docx"])
    label, value = shown.split(" ", 1)
    assert f"<div><dt>{label}</dt> <dd>{value}</dd></div>" in files["html"].decode()


# --- approval and recommendation ------------------------------------------------------------------


def test_approval_not_stated_prints_no_sign_off(bare_files: dict[str, bytes]) -> None:
    for text in (docx_text(bare_files["docx"]), html_text(bare_files["html"])):
        assert "I hereby approve" not in text
        assert "Signature" not in text and "Police and Crime Commissioner" not in text.split("Executive Summary")[1]
    assert "dpe-sign-off" not in bare_files["html"].decode()


def test_recommendation_not_stated_prints_nothing(bare_files: dict[str, bytes]) -> None:
    assert [s for s, _ in styled(bare_files["docx"])][-1] == "Normal"  # the last paragraph is the narrative's
    assert styled(bare_files["docx"])[-1][1] == "Settlements are decided by the force's Directors this year."
    assert "dpe-recommendation" not in bare_files["html"].decode()


def test_recommendation_with_its_heading_and_generated_awards(round_files: dict[str, bytes]) -> None:
    paragraphs = styled(round_files["docx"])
    start = paragraphs.index(("Heading 2", "Recommendation"))  # the paper's own heading, without a suffix
    assert paragraphs[start + 1:start + 4] == [("Recommendation", "The Commissioner agrees these awards:"),
                                              ("List Bullet", AWARDS[0]), ("List Bullet", AWARDS[1])]
    html = round_files["html"].decode()
    assert '<h2 class="dpe-heading">Recommendation</h2>' in html
    assert '<ul class="dpe-list dpe-recommendation">\n' + "".join(f"    <li>{a}</li>\n" for a in AWARDS) + "  </ul>" in html


def test_a_plain_recommendation_takes_the_office_heading(project: Project, tmp_path: Path) -> None:
    office = (project.root / "office.yaml").read_text(encoding="utf-8")
    (tmp_path / "office.yaml").write_text(replaced(office, **{"    draft: 'DRAFT – NOT APPROVED'\n": "    draft: 'DRAFT – NOT APPROVED'\n    recommendation: Recommendation\n"}),
                                          encoding="utf-8")
    (tmp_path / "templates").symlink_to(project.root / "templates")
    (tmp_path / "records" / "2021-2024").mkdir(parents=True)
    other = Project.load(tmp_path / "office.yaml")
    files = render(other, replaced(BARE, **{"recommendation: not stated": "recommendation: To note decision"}))
    paragraphs = styled(files["docx"])
    start = paragraphs.index(("Heading 2", "Recommendation"))
    assert paragraphs[start + 1] == ("Recommendation", "To note decision")


def test_a_signature_as_printed_replaces_the_line(round_files: dict[str, bytes]) -> None:
    paragraphs = styled(round_files["docx"])
    start = paragraphs.index(("Sign-off", "Police and Crime Commissioner"))
    assert [t for _, t in paragraphs[start:]] == ["Police and Crime Commissioner", "I hereby approve the recommendations above.",
                                                 "Name: Festus Akinbusoye",
                                                 "Signature: Wet signed copy held at the Office of the PCC", "Date: 07/09/2023"]
    assert ("<p><strong>Signature:</strong> Wet signed copy held at the Office of the PCC</p>\n"
            "    <p><strong>Date:</strong> 07/09/2023</p>") in round_files["html"].decode()


def test_an_approval_date_not_stated_has_no_date_line(project: Project) -> None:
    files = render(project, replaced(ROUND, **{"  date: 2023-09-07\n": "  date: not stated\n"}))
    paragraphs = [t for _, t in styled(files["docx"])]
    assert paragraphs[-2:] == ["Name: Festus Akinbusoye", "Signature: Wet signed copy held at the Office of the PCC"]
    assert "Date: 07/09/2023" not in html_text(files["html"])


# --- funding ------------------------------------------------------------------------------------


def test_funding_lines_per_recipient_and_year(round_files: dict[str, bytes]) -> None:
    assert [t for s, t in styled(round_files["docx"]) if s == "Funding"] == FUNDING
    html = round_files["html"].decode()
    for line in FUNDING:
        assert f'<p class="dpe-funding"><strong>{line}</strong></p>' in html


def test_as_printed_shows_the_printed_value_on_the_paper_only(round_files: dict[str, bytes], project: Project) -> None:
    # The record holds the period meant (to 31/03/2025); the paper printed 31/03/2024.
    for text in (docx_text(round_files["docx"]), html_text(round_files["html"])):
        assert "31/03/2024" in text and "31/03/2025" not in text
    decision = record(project, ROUND)
    assert decision.funding[1].period is not None and decision.funding[1].period.end.isoformat() == "2025-03-31"


def test_as_printed_reference_and_date(project: Project) -> None:
    text = replaced(BARE, **{"date: not stated": "date: 2023-09-06"}) + (
        "as_printed:\n"
        "  - {field: reference, printed: PCC.D.121, note: The paper prints the reference with dots.}\n"
        "  - {field: date, printed: 06/09/2032, note: A misprinted year.}\n")
    files = render(project, text)
    assert ("Heading 1", "Title and Reference – PCC.D.121") in styled(files["docx"])
    assert ("Title Block", "Date: 06/09/2032") in styled(files["docx"])
    assert "<dt>Title and Reference –</dt> <dd><strong>PCC.D.121</strong></dd>" in files["html"].decode()
    document = docx.Document(io.BytesIO(files["docx"]))
    assert document.core_properties.title.startswith("PCC/D/121 – ")  # metadata keeps the value
    assert document.core_properties.created.isoformat().startswith("2023-09-06")


def test_as_printed_reaches_every_field_the_paper_prints(project: Project) -> None:
    text = ROUND + "".join(f"  - {{field: '{field}', printed: '{shown}', note: As printed.}}\n" for field, shown in (
        ("documents[0].title", "Police and Crime Panel response of 2013"), ("links[0].reference", "PCC.D.083"),
        ("sections[0].heading", "EXECUTIVE SUMMARY"), ("approval.date", "7th September 2023"),
        ("funding[0].amount", "£20k"), ("author.role", "Partnerships Officer")))
    files = render(project, text)
    paragraphs = [t for _, t in styled(files["docx"])]
    for expected in ("Appendix A: Police and Crime Panel response of 2013 (https://example.org/appendix-a.pdf)",
                     "Amends PCC.D.083 – Community Safety Fund 2023-24 (01/03/2023) (https://example.org/pcc-d-083/)",
                     "EXECUTIVE SUMMARY", "Date: 7th September 2023", "£20k to Surrey Police for Engagement vehicle and e-bikes for Spelthorne",
                     "Surrey Police – Engagement vehicle and e-bikes for Spelthorne – Community Safety Fund B410 – £20k",
                     "Author and Job Role: Molly Slominski, Partnerships Officer"):
        assert expected in paragraphs, expected
        assert normalise(expected.split(" (https")[0]) in normalise(html_text(files["html"])), expected


def test_an_approval_statement_not_stated_is_left_out(project: Project) -> None:
    files = render(project, replaced(ROUND, **{"  date: 2023-09-07\n": "  date: 2023-09-07\n  statement: not stated\n"}))
    paragraphs = [t for _, t in styled(files["docx"])]
    assert paragraphs[-4:] == ["Police and Crime Commissioner", "Name: Festus Akinbusoye",
                               "Signature: Wet signed copy held at the Office of the PCC", "Date: 07/09/2023"]
    for text in (docx_text(files["docx"]), html_text(files["html"])):
        assert "I hereby approve" not in text and "not stated" not in text


# --- headings and lists ---------------------------------------------------------------------------


def test_headings_suffix_level_and_a_heading_alone(round_files: dict[str, bytes]) -> None:
    headings = [(s, t) for s, t in styled(round_files["docx"]) if s.startswith("Heading")]
    assert headings == [("Heading 1", "Title and Reference – PCC/D/120"), ("Heading 2", "Executive Summary:"),
                        ("Heading 2", "Applications for the Community Safety Fund"),
                        ("Heading 3", "Surrey Police – Engagement vehicle:"), ("Heading 2", "Precept notices:"),
                        ("Heading 2", "Related decisions:"), ("Heading 2", "Background papers:"),
                        ("Heading 2", "Recommendation")]
    paragraphs = styled(round_files["docx"])
    alone = paragraphs.index(("Heading 2", "Applications for the Community Safety Fund"))
    assert paragraphs[alone + 1] == ("Heading 3", "Surrey Police – Engagement vehicle:")  # nothing under it
    html = round_files["html"].decode()
    assert ('<h2 class="dpe-heading">Applications for the Community Safety Fund</h2>\n\n  </section>\n  <section class="dpe-section">\n'
            '    <h3 class="dpe-heading">Surrey Police – Engagement vehicle:</h3>') in html


def _numbering(data: bytes) -> tuple[list[tuple[str, str, str | None, str | None]], dict[str, str]]:
    """Each list paragraph as (style, text, numId, ilvl) as Word reads them, and each numId that
    restarts at 1 with its start."""
    document = docx.Document(io.BytesIO(data))
    found = []
    for p in document.paragraphs:
        if p.style.name.startswith("List"):
            num = p._p.pPr.numPr if p._p.pPr is not None else None
            found.append((p.style.name, p.text, num.numId.val if num is not None else None,
                          num.ilvl.val if num is not None and num.ilvl is not None else None))
    numbering = document.part.numbering_part.element
    restarts = {str(n.numId): n.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val"))
                for n in numbering.num_lst if n.find(qn("w:lvlOverride")) is not None}
    return found, restarts


def test_numbered_and_nested_lists_in_word(round_files: dict[str, bytes]) -> None:
    found, restarts = _numbering(round_files["docx"])
    first, second = found[0][2], found[5][2]
    assert [f[:2] for f in found[:7]] == [
        ("List Number", "Applications were sifted."), ("List Number", "Two awards are recommended"),
        ("List Bullet 2", "one to Surrey Police"), ("List Bullet 2", "one to Leaders Unlocked"),
        ("List Number", "The panel met."), ("List Number", "Second list's first item"), ("List Number", "Second list's second item")]
    # One numbering for each list, each starting at 1; the sub-items on their list's second level.
    assert [f[2:] for f in found[:5]] == [(first, 0), (first, 0), (first, 1), (first, 1), (first, 0)]
    assert [f[2:] for f in found[5:7]] == [(second, 0), (second, 0)]
    assert first != second and restarts[str(first)] == "1" and restarts[str(second)] == "1"
    # The paragraph after a list stands off it as from a paragraph, not a list item.
    after = {p.text: p.paragraph_format.space_after for p in docx.Document(io.BytesIO(round_files["docx"])).paragraphs}
    assert after["The panel met."] == Pt(8) and after["Applications were sifted."] is None


def test_numbered_and_nested_lists_in_html(round_files: dict[str, bytes]) -> None:
    html = round_files["html"].decode()
    assert ('    <ol class="dpe-list">\n      <li>Applications were sifted.</li>\n      <li>Two awards are recommended\n'
            '        <ul class="dpe-list">\n          <li>one to Surrey Police</li>\n          <li>one to Leaders Unlocked</li>\n'
            '        </ul>\n      </li>\n      <li>The panel met.</li>\n    </ol>') in html
    assert html.count('<ol class="dpe-list">') == 2


# --- tables -------------------------------------------------------------------------------------


def _tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


PRECEPTS = [["Billing authority", "Due", "Precept"],
            ["Bromsgrove District Council", "01/04/2023", "£10,029,691.88"],
            ["Herefordshire Council", "01/04/2023", "£18,798,837.59"],
            ["Wyre Forest Council", "01/04/2023", "£9,188,201.00"],  # a money column prints pence
            ["TOTAL", "", "£38,016,730.47"]]


def test_a_table_in_word(round_files: dict[str, bytes]) -> None:
    tables = _tables(round_files["docx"])
    assert tables == [PRECEPTS, [["Savings line", "Saving"], ["Estates", "£4,030,000.00"]]]  # the internal paper holds Part 2
    table = docx.Document(io.BytesIO(round_files["docx"])).tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on every page
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    assert [c.paragraphs[0].style.name for c in table.rows[-1].cells] == ["Table Total"] * 3
    assert [c.paragraphs[0].alignment for c in table.rows[1].cells] == [None, None, WD_ALIGN_PARAGRAPH.RIGHT]  # figures right
    assert ("Table Caption", "Precept due from each billing authority") in styled(round_files["docx"])


def test_only_a_short_row_is_kept_on_one_page() -> None:
    # Word cuts off a row that is kept whole but is taller than a page; a long row may break.
    short, long = {"text": "Short", "align": "left"}, {"text": "word " * 100, "align": "left"}
    table = {"caption": None, "columns": [{"heading": "Name", "type": "text", "align": "left"}],
             "rows": [[short], [long]], "total": None}
    rows = re.findall(r"<w:tr>(<w:trPr>.*?</w:trPr>)", word_table(table))
    assert rows == ["<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>", "<w:trPr><w:cantSplit/></w:trPr>", "<w:trPr></w:trPr>"]


def test_a_table_in_html(round_files: dict[str, bytes]) -> None:
    html = round_files["html"].decode()
    assert ('    <table class="dpe-table">\n      <caption>Precept due from each billing authority</caption>\n'
            '      <thead>\n        <tr><th scope="col">Billing authority</th><th scope="col">Due</th>'
            '<th scope="col" class="dpe-figure">Precept</th></tr>\n      </thead>\n') in html
    assert '<tr><td>Bromsgrove District Council</td><td>01/04/2023</td><td class="dpe-figure">£10,029,691.88</td></tr>' in html
    assert ('      <tfoot>\n        <tr><td><strong>TOTAL</strong></td><td></td>'
            '<td class="dpe-figure"><strong>£38,016,730.47</strong></td></tr>\n      </tfoot>') in html


def test_a_public_paper_leaves_out_a_confidential_table(project: Project) -> None:
    files = render(project, ROUND, public=True)
    assert _tables(files["docx"]) == [PRECEPTS]
    for text in (docx_text(files["docx"]), html_text(files["html"])):
        assert "Savings line" not in text and "£4,030,000.00" not in text and "Estates" not in text
        assert "The table above is Part 2." in text
    assert files["html"].decode().count("<table") == 1


def test_hostile_text_in_a_table_comes_back_as_written(project: Project) -> None:
    hostile = "& < > \" ' {_{ x }_} {{ y }} {% z %} <w:p> end"
    text = replaced(ROUND, **{"[Herefordshire Council,": f"['{hostile.replace(chr(39), chr(39) * 2)}',",
                              "caption: Precept due from each billing authority": "caption: 'A & B <caption> {_% c %_}'"})
    files = render(project, text)
    assert _tables(files["docx"])[0][2][0] == hostile
    assert ("Table Caption", "A & B <caption> {_% c %_}") in styled(files["docx"])
    assert hostile in html_text(files["html"])
    assert "A & B <caption> {_% c %_}" in html_text(files["html"])


# --- links and documents --------------------------------------------------------------------------


def test_printed_links_and_documents(round_files: dict[str, bytes]) -> None:
    paragraphs = styled(round_files["docx"])
    start = paragraphs.index(("Heading 2", "Related decisions:"))
    assert paragraphs[start:start + 6] == [
        ("Heading 2", "Related decisions:"),
        ("List Bullet", "Amends PCC/D/083 – Community Safety Fund 2023-24 (01/03/2023) (https://example.org/pcc-d-083/)"),
        ("List Bullet", "Refers to Police and Crime Plan 2021-2025 (November 2021)"),
        ("Heading 2", "Background papers:"),
        ("List Bullet", "Appendix A: Police and Crime Panel response (https://example.org/appendix-a.pdf)"),
        ("List Bullet", "Treasurer's Budget Report"),
    ]
    body = zipfile.ZipFile(io.BytesIO(round_files["docx"])).read("word/document.xml").decode()
    rels = zipfile.ZipFile(io.BytesIO(round_files["docx"])).read("word/_rels/document.xml.rels").decode()
    rid = re.search(r'Id="(rId\d+)" Type="[^"]+/hyperlink" Target="https://example.org/pcc-d-083/" TargetMode="External"', rels)
    assert rid and f'<w:hyperlink r:id="{rid.group(1)}" w:history="1">' in body
    html = round_files["html"].decode()
    assert '<li><a href="https://example.org/pcc-d-083/">Amends PCC/D/083 – Community Safety Fund 2023-24 (01/03/2023)</a></li>' in html
    assert "<li>Refers to Police and Crime Plan 2021-2025 (November 2021)</li>" in html
    assert '<li><a href="https://example.org/appendix-a.pdf">Appendix A: Police and Crime Panel response</a></li>' in html


def test_a_link_the_paper_does_not_print_is_not_on_it(round_files: dict[str, bytes]) -> None:
    for text in (docx_text(round_files["docx"]), html_text(round_files["html"])):
        assert "PCC/D/070" not in text and "Unprinted Parent" not in text


def test_no_related_decisions_heading_without_printed_links(project: Project) -> None:
    text = ROUND[:ROUND.index("links:")] + ROUND[ROUND.index("recommendation:"):]
    for out in render(project, text).values():
        assert b"Related decisions" not in out and b"Background papers" not in out


def test_only_web_addresses_become_links() -> None:
    assert safe_url("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&c=2"
    for bad in ("javascript:alert(1)", "https://example.org/\" onclick=\"x", "/relative", "ftp://example.org/"):
        assert safe_url(bad) is None, bad
    run = word_link({"url": "javascript:alert(1)", "href": None})
    assert "HYPERLINK" not in run and "javascript:alert(1)" in run


# --- every format at once, and the same bytes twice -------------------------------------------------


def test_the_round_renders_to_the_same_bytes_twice(project: Project, round_files: dict[str, bytes]) -> None:
    assert render(project, ROUND) == round_files


def test_the_pdf_holds_the_tables_lists_and_links(project: Project, tmp_path: Path) -> None:
    paper = render_sources(record(project, ROUND), project, ["docx"])
    convert_pdfs([paper], project, Converter(tmp_path / "profile"))
    assert paper.error is None, paper.error
    text = lines(pdf_text(paper.files["pdf"]))
    for expected in ("Author and Job Role: Molly Slominski, Partnerships and Community Safety Officer",
                     "Protective Marking: OFFICIAL", "Herefordshire Council 01/04/2023 £18,798,837.59",
                     "TOTAL £38,016,730.47", "Applications for the Community Safety Fund",
                     "Signature: Wet signed copy held at the Office of the PCC"):
        assert expected in text, expected
    joined = " ".join(text)
    assert "1. Second list's first item 2. Second list's second item" in joined  # numbering starts again
    with pikepdf.open(io.BytesIO(paper.files["pdf"])) as pdf:
        uris = sorted(str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", []) if "/A" in a)
        assert uris == ["https://example.org/appendix-a.pdf", "https://example.org/pcc-d-083/"]
        types = _structure(pdf.Root.StructTreeRoot, [])
    assert {"/Table", "/TH", "/TD", "/L", "/LI", "/Link"} <= set(types)
    assert types.count("/TH") == 3 + 2  # each table's header row; the confidential one is internal
    assert "/H3" in types or any(t == "/Heading 3" for t in types)


def _structure(node: object, found: list[str]) -> list[str]:
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(str(node.S))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            _structure(kid, found)
    return found


# Cleveland's budget figures in a four-column table: before figures had their own width, the
# money columns were given a share by characters and "£1,510,000.00" broke over two lines.
FIGURES = """\
kind: funding_allocation
reference: PCC/D/121
subject: Budget lines
date: 2023-09-06
status: approved
funding:
  - {service: A fund, fund: not stated, amount: 500000, financial_year: 2023-24}
sections:
  - content:
      - columns:
          - {heading: Budget line}
          - {heading: 2014/15 budget, type: money}
          - {heading: Needed in 2014/15, type: money}
          - {heading: Change during the year}
        rows:
          - [Integrated Offender Management and other budget lines with long names, 1510000, 140000, would not be spent as planned in the year]
          - [Arrest referral, 300000, 140000, need uncertain]
recommendation: To note decision
approval: {date: 2023-09-07}
"""


def test_a_figure_in_a_table_never_breaks_over_two_lines(project: Project, tmp_path: Path) -> None:
    paper = render_sources(record(project, FIGURES), project, ["docx"])
    convert_pdfs([paper], project, Converter(tmp_path / "profile"))
    assert paper.error is None, paper.error
    words = pdf_text(paper.files["pdf"]).split()
    assert words.count("£1,510,000.00") == 1 and words.count("£140,000.00") == 2, words


@pytest.mark.parametrize("fmt,shown", [("%-d %B %Y", "6 September 2023"), ("%#d/%#m/%Y", "6/9/2023"),
                                       ("%d/%m/%Y", "06/09/2023"), ("%-d%%", "6%")])
def test_an_unpadded_day_is_written_the_same_on_every_platform(fmt: str, shown: str) -> None:
    import datetime as dt

    from engine.render.context import portable_strftime

    assert portable_strftime(dt.date(2023, 9, 6), fmt) == shown
