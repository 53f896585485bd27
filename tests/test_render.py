"""Decision papers: Word, PDF and web outputs rendered for real and read back."""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner

from engine.papers import render_papers
from engine.cli import main
from engine.model import Decision
from engine.project import Project
from engine.records import read_record
from engine.render.pdf import ConversionError, Converter, ProfilePool
from engine.template_check import check_templates

from .support import fake_soffice, part_of, png
from .conftest import REFERENCE_TEXT, ROOT, SEED, SHARED_REFERENCE
from .text import docx_text, html_text, missing_in_order, pdf_text, published_lines

DRAFT = "DRAFT – NOT APPROVED"


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(ROOT / "office.yaml")


def seed(project: Project) -> Decision:
    record = read_record(SEED, project.office)
    assert record.ok, record.problems
    return record.decision


def variant(decision: Decision, **changes: object) -> Decision:
    return Decision.model_validate({**decision.model_dump(), **changes})


@pytest.fixture(scope="module")
def rendered(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The seed, a draft of it and a paper full of awkward text, rendered twice in one batch each."""
    paper = seed(project)
    tricky_sections = [{"heading": "Risks & <select> \"quotes\"", "content": [
        "Smith & Sons <select> said \"no\" & 'yes' – fine.\nSecond line of the same paragraph.",
        {"bullets": ["A & B", "<b>not bold</b>"]},
    ]}]
    decisions = {
        "approved": paper,
        "draft": variant(paper, reference="PCC/D/100", status="draft"),
        "tricky": variant(paper, reference="PCC/D/101", subject="Tom & Jerry <script>alert(1)</script>",
                          sections=tricky_sections, status="submitted"),
    }
    outputs: dict[str, dict[str, bytes]] = {}
    for run in ("first", "second"):
        out = tmp_path_factory.mktemp(run)
        for (name, decision), (result, files) in zip(decisions.items(), render_papers(list(decisions.values()), project, ["docx", "pdf", "html"], out)):
            assert result.error is None, result.error
            outputs[f"{run}:{name}"] = {part_of(p): p.read_bytes() for p in files}
    return outputs


# --- fidelity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,read", [("docx", docx_text), ("pdf", pdf_text), ("html", html_text)])
def test_every_published_sentence_comes_back_in_order(rendered: dict, fmt: str, read) -> None:
    text = read(rendered["first:approved"][fmt])
    assert missing_in_order(text, published_lines()) == []


def test_reference_copy_is_the_shared_one() -> None:
    if not SHARED_REFERENCE.exists():
        pytest.skip("no ../shared/reference beside this checkout")
    assert REFERENCE_TEXT.read_bytes() == SHARED_REFERENCE.read_bytes()


def test_the_fidelity_check_can_fail(rendered: dict) -> None:
    text = docx_text(rendered["first:approved"]["docx"])
    lines = published_lines()
    assert missing_in_order(text, list(reversed(lines[:3]))) != []
    assert missing_in_order(text.replace("bidding limit", "bid limit"), lines) != []


# --- reproducible bytes and drafts ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["approved", "draft", "tricky"])
@pytest.mark.parametrize("fmt", ["docx", "pdf", "html", "preview.html"])
def test_rendering_twice_gives_identical_bytes(rendered: dict, name: str, fmt: str) -> None:
    assert rendered[f"first:{name}"][fmt] == rendered[f"second:{name}"][fmt]


def test_draft_mark_only_on_drafts(rendered: dict) -> None:
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text), ("html", html_text)):
        assert DRAFT not in read(rendered["first:approved"][fmt]), fmt
        assert DRAFT in read(rendered["first:draft"][fmt]), fmt
    # On every page of a draft PDF, not just the first.
    reader = pypdf.PdfReader(io.BytesIO(rendered["first:draft"]["pdf"]))
    assert all(DRAFT in page.extract_text() for page in reader.pages)
    assert b"dpe-decision--draft" in rendered["first:draft"]["html"]


# --- Word -----------------------------------------------------------------------------------------


def test_word_uses_real_styles_and_metadata(rendered: dict) -> None:
    document = docx.Document(io.BytesIO(rendered["first:approved"]["docx"]))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "Description of Service:") in styled
    assert ("Heading 2", "Route to Market/Delivery:") in styled
    assert ("List Bullet", "Robbery/counterfeit payment") in styled
    assert ("Funding", "Sexual Exploitation Support – MoJ B992 – £40,000") in styled
    assert sum(style == "List Bullet" for style, _ in styled) == 17
    assert not any("{{" in text or "{%" in text for _, text in styled)
    props = document.core_properties
    assert props.title == "PCC/D/102 – Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024"
    assert props.author == "Office of the Bedfordshire Police and Crime Commissioner"
    assert props.created.isoformat() == "2023-09-06T00:00:00+00:00"
    footer = document.sections[0].footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_word_zip_entries_have_fixed_dates(rendered: dict) -> None:
    entries = zipfile.ZipFile(io.BytesIO(rendered["first:approved"]["docx"])).infolist()
    assert {e.date_time for e in entries} == {(1980, 1, 1, 0, 0, 0)}


def test_user_text_is_escaped_and_keeps_line_breaks(rendered: dict) -> None:
    files = rendered["first:tricky"]
    text = docx_text(files["docx"])
    assert "Smith & Sons <select> said \"no\" & 'yes' – fine." in text
    assert "Second line of the same paragraph." in text  # not swallowed by the <select>
    assert "<b>not bold</b>" in text and "Risks & <select> \"quotes\":" in text
    body = zipfile.ZipFile(io.BytesIO(files["docx"])).read("word/document.xml").decode()
    assert "fine.</w:t><w:br/><w:t xml:space=\"preserve\">Second line" in body
    html = files["html"].decode()
    assert "Smith &amp; Sons &lt;select&gt; said &#34;no&#34; &amp; &#39;yes&#39; – fine.<br>\nSecond line" in html
    assert "<script" not in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "Tom &amp; Jerry &lt;script&gt;" in files["preview.html"].decode()
    assert "Smith & Sons <select> said \"no\"" in pdf_text(files["pdf"])
    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf:
        title = str(pdf.docinfo["/Title"])
    assert title == "PCC/D/101 – Tom & Jerry <script>alert(1)</script>"


# --- PDF ------------------------------------------------------------------------------------------


def _struct_types(node: object, found: set[str]) -> set[str]:
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.add(str(node.S))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            _struct_types(kid, found)
    return found


def test_pdf_is_tagged_pdfa_with_language_and_metadata(rendered: dict) -> None:
    reader = pypdf.PdfReader(io.BytesIO(rendered["first:approved"]["pdf"]))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    meta = reader.metadata
    assert meta.title == "PCC/D/102 – Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024"
    assert meta.author == "Office of the Bedfordshire Police and Crime Commissioner"
    assert meta.subject.startswith("Decision paper PCC/D/102")
    assert "MoJ" in meta["/Keywords"]
    assert "PCC/D/102 – Allocation of MoJ Funding" in xmp  # not escaped twice
    assert "/DocChecksum" not in reader.trailer


def test_pdf_structure_has_headings_and_lists(rendered: dict) -> None:
    pdf = pikepdf.open(io.BytesIO(rendered["first:approved"]["pdf"]))
    types = _struct_types(pdf.Root.StructTreeRoot, set())
    assert {"/H1", "/H2", "/L", "/LI", "/LBody"} <= types
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap", {})
    standard = {"/Document", "/P", "/H1", "/H2", "/L", "/LI", "/LBody", "/Lbl", "/Span", "/Standard", "/Title", "/Sect", "/Div"}
    assert all(t in standard or t in role_map for t in types), types - standard - set(role_map)


def test_pdf_is_a4_in_one_font_family(rendered: dict) -> None:
    pdf = pikepdf.open(io.BytesIO(rendered["first:approved"]["pdf"]))
    fonts = set()
    for page in pdf.pages:
        assert [round(float(v)) for v in page.MediaBox] == [0, 0, 595, 842]
        for font in page.Resources.get("/Font", {}).values():
            fonts.add(re.sub(r"^/[A-Z]{6}\+", "", str(font.BaseFont)))
            assert "/FontFile2" in font.get("/FontDescriptor", {}) or "/DescendantFonts" in font
    assert fonts == {"LiberationSans", "LiberationSans-Bold"}, fonts


# --- LibreOffice missing, failing, hanging, and run twice at once -------------------------------


def test_missing_libreoffice_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", str(SEED), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == ("error: LibreOffice is not installed (no `soffice` on PATH): install the Debian package "
                             "libreoffice-writer-nogui, or run `make build`, which installs it\n")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_hanging_libreoffice_is_stopped_within_the_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_soffice(tmp_path / "bin", "sleep 60")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    paper = tmp_path / "a.docx"
    paper.write_bytes(b"PK")
    [result] = Converter(tmp_path / "profile", timeout=1).convert([paper])
    assert isinstance(result, ConversionError)
    assert str(result) == "LibreOffice did not finish within 1 s and was stopped"


def test_libreoffice_that_writes_nothing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_soffice(tmp_path / "bin", "exit 0")  # soffice exits 0 when an input is missing
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    paper = tmp_path / "a.docx"
    paper.write_bytes(b"PK")
    assert [str(r) for r in Converter(tmp_path / "profile").convert([paper])] == ["LibreOffice wrote no PDF"]


def test_profiles_are_never_shared(tmp_path: Path) -> None:
    pool = ProfilePool(tmp_path)
    with pool.lease() as first, pool.lease() as second:
        assert first.profile != second.profile
    with pool.lease() as again:
        assert again.profile == first.profile  # reused once free


def test_a_profile_stays_taken_while_its_libreoffice_runs(tmp_path: Path) -> None:
    import subprocess

    pool = ProfilePool(tmp_path)
    with pool.lease() as first:
        child = subprocess.Popen(["sleep", "30"], pass_fds=(first.lock.fileno(),))  # a LibreOffice that outlives us
    try:
        with pool.lease() as second:
            assert second.profile != first.profile
    finally:
        child.kill()
        child.wait()
    with pool.lease() as third:
        assert third.profile == first.profile


def test_two_conversions_at_once_both_succeed(project: Project, rendered: dict, tmp_path: Path) -> None:
    paper = tmp_path / "p.docx"
    paper.write_bytes(rendered["first:approved"]["docx"])
    pool = ProfilePool(tmp_path / "profiles")
    results: list[object] = []

    def convert() -> None:
        with pool.lease() as lease:
            results.extend(Converter.leased(lease).convert([paper]))

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [isinstance(r, bytes) and r.startswith(b"%PDF-") for r in results] == [True, True]


# --- the web snippet ------------------------------------------------------------------------------


def test_snippet_is_safe_to_paste_into_wordpress(rendered: dict) -> None:
    html = rendered["first:approved"]["html"].decode()
    assert "<script" not in html.lower() and not re.search(r"\son\w+=", html)
    assert "<h1" not in html and "<h2 class=\"dpe-heading\">Description of Service:</h2>" in html
    classes = set(re.findall(r'class="([^"]+)"', html))
    assert all(name.startswith("dpe-") for value in classes for name in value.split())
    assert html.count("<li>") == 17 and "<dl class=\"dpe-facts\">" in html
    assert "<dt>Title and Reference –</dt> <dd><strong>PCC/D/102</strong></dd>" in html
    preview = rendered["first:approved"]["preview.html"].decode()
    assert preview.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in preview and html in preview


# --- the command and the template check ----------------------------------------------------------


def test_render_command_writes_the_formats_asked_for(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", "PCC/D/102",
                                       "--format", "html,docx", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(tmp_path / "pcc-d-102.docx"), str(tmp_path / "pcc-d-102.internal.html"),
                                          str(tmp_path / "pcc-d-102.internal-preview.html")]


def test_render_reports_record_errors_like_check(seed_copy: Path, tmp_path: Path) -> None:
    seed_copy.write_text(seed_copy.read_text(encoding="utf-8").replace("    received: 3", "    received: 4"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", str(seed_copy), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.startswith(f"{seed_copy}:239:5: error: history[5].received:")
    assert not (tmp_path / "o").exists()


def test_render_unknown_reference_and_format(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--office", str(ROOT / "office.yaml"), "render", "PCC/D/999"])
    assert result.exit_code == 1 and result.output.startswith("error: no record 'PCC/D/999' under ")
    result = runner.invoke(main, ["--office", str(ROOT / "office.yaml"), "render", "PCC/D/102", "--format", "odt"])
    assert result.exit_code == 2  # a usage error, as click gives for every bad option
    assert result.output.splitlines()[-1] == "Error: Invalid value for '--format': unknown format odt; choose from docx, pdf, html"


def test_templates_match_the_model(project: Project) -> None:
    assert check_templates(project) == []


def test_template_check_finds_drift(project: Project, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "office.yaml", tmp_path / "office.yaml")
    snippet = tmp_path / "templates" / "decision" / "snippet.html.j2"
    source = snippet.read_text(encoding="utf-8")
    snippet.write_text(source.replace("{% for el in elements %}", "{% for el in paper_elements %}"), encoding="utf-8")
    (tmp_path / "templates" / "decision" / "decision.docx").unlink()
    problems = [str(p) for p in check_templates(Project.load(tmp_path / "office.yaml"))]
    folder = tmp_path / "templates" / "decision"
    assert problems == [
        f"{folder / 'decision.docx'}: error: template not found",
        f"{folder / 'snippet.html.j2'}: error: uses 'paper_elements', which the decision does not provide",
        f"{folder / 'snippet.html.j2'}: error: does not show the required field 'elements'",
    ]
    # A misspelt field of an element, which only a render finds.
    snippet.write_text(source.replace("<dd>{% if row.emphasis != \"plain\" %}<strong>{{ row.value }}", "<dd>{% if row.emphasis != \"plain\" %}<strong>{{ row.valeu }}"),
                       encoding="utf-8")
    problems = [str(p) for p in check_templates(Project.load(tmp_path / "office.yaml"))]
    assert problems[1:] == [f"{folder / 'snippet.html.j2'}: error: the template uses a field the record does not have: 'dict object' has no attribute 'valeu'"]
    # A kind of element the template no longer draws: the Word paper would have it, the web one not.
    snippet.write_text(source.replace('<p class="dpe-banner"><strong>{{ el.text }}</strong></p>', ""), encoding="utf-8")
    problems = [str(p) for p in check_templates(Project.load(tmp_path / "office.yaml"))]
    assert problems[1:] == [f"{folder / 'snippet.html.j2'}: error: does not show the banner element's 'KEY DECISION' "
                            "(draw every element type the layout gives)"]


def _ordered_soffice(tmp_path: Path, bad: str, failure: str, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """A stand-in LibreOffice that converts its inputs in order, as the real one does, and runs
    `failure` (a shell command) on the paper named `bad`. Returns papers a, b, <bad>, c."""
    good = pikepdf.new()
    good.add_blank_page()
    good.save(tmp_path / "good.pdf")
    fake_soffice(tmp_path / "bin", f"""
out=""; prev=""
for arg in "$@"; do
  if [ "$prev" = "--outdir" ]; then out="$arg"; fi
  prev="$arg"
done
for arg in "$@"; do
  case "$arg" in
    *.docx)
      if [ "$(readlink "$arg")" = "{tmp_path / (bad + '.docx')}" ]; then {failure}; fi
      cp "{tmp_path / 'good.pdf'}" "$out/$(basename "$arg" .docx).pdf" ;;
  esac
done""")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    papers = []
    for name in ("a", "b", bad, "c"):
        (tmp_path / f"{name}.docx").write_bytes(b"PK")
        papers.append(tmp_path / f"{name}.docx")
    return papers


def test_a_paper_that_hangs_libreoffice_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = _ordered_soffice(tmp_path, "hang", "sleep 60", monkeypatch)
    results = Converter(tmp_path / "profile", timeout=1).convert(papers)
    assert [isinstance(r, bytes) for r in results] == [True, True, False, True]
    assert str(results[2]) == "LibreOffice did not finish within 1 s and was stopped"


def test_house_style_comes_from_the_office_configuration(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "logo.png").write_bytes(png(40, 20))
    office = (ROOT / "office.yaml").read_text(encoding="utf-8")
    office = (office.replace("logo: null", "logo: logo.png").replace("font: Liberation Sans", "font: Carlito")
              .replace("heading_colour: 1F3864", "heading_colour: 7B2C83").replace("date_format: '%d/%m/%Y'", "date_format: '%d %B %Y'")
              .replace("contact: null", "contact: 'Telephone 01234 842064'"))
    (tmp_path / "office.yaml").write_text(office, encoding="utf-8")
    other = Project.load(tmp_path / "office.yaml")
    [(paper, files)] = render_papers([seed(other)], other, ["docx"], tmp_path / "out")
    data = files[0].read_bytes()
    parts = zipfile.ZipFile(io.BytesIO(data))
    assert any(name.startswith("word/media/") and name.endswith(".png") for name in parts.namelist())
    body = parts.read("word/document.xml").decode()
    assert 'descr="Office of the Bedfordshire Police and Crime Commissioner logo"' in body
    styles = parts.read("word/styles.xml").decode()
    assert 'w:ascii="Carlito"' in styles and "Liberation Sans" not in styles and 'w:val="7B2C83"' in styles
    text = docx_text(data)
    assert "Date: 06 September 2023" in text and "Telephone 01234 842064" in text


def test_a_part2_paper_carries_its_confidentiality_box(project: Project) -> None:
    from engine.papers import render_sources

    paper = seed(project)
    part2 = variant(paper, publication={"part": "part2", "reason": "Exempt under section 43 (commercial interests)"})
    files = render_sources(part2, project, ["docx", "html"]).files
    assert "PART 2 – NOT FOR PUBLICATION: Exempt under section 43 (commercial interests)" in docx_text(files["docx"])
    assert "<strong>PART 2 – NOT FOR PUBLICATION:</strong> Exempt under section 43" in files["html"].decode()
    assert "PART 2" not in docx_text(render_sources(paper, project, ["docx"]).files["docx"])


def test_a_missing_template_is_one_line(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "office.yaml", tmp_path / "office.yaml")
    (tmp_path / "templates" / "decision" / "decision.docx").unlink()
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "render", str(SEED), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"{tmp_path / 'templates' / 'decision' / 'decision.docx'}:1:1: error: template not found\n"
    assert not (tmp_path / "out").exists()


def test_a_paper_that_crashes_libreoffice_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = _ordered_soffice(tmp_path, "crash", 'echo "Segmentation fault"; exit 139', monkeypatch)
    results = Converter(tmp_path / "profile").convert(papers)
    assert [isinstance(r, bytes) for r in results] == [True, True, False, True]
    assert str(results[2]) == "LibreOffice failed (exit 139): Segmentation fault"


def test_template_check_follows_the_layout(tmp_path: Path) -> None:
    """A field the office chose not to show is no error (Kent's form prints no date: `templates
    check` once said it 'does not show the required field date'); a field the layout names that
    the paper lacks still is, named where the layout names it."""
    from click.testing import CliRunner

    from engine.cli import main

    kent = ROOT / "examples" / "kent" / "office.yaml"
    assert "field: date" not in kent.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(kent), "templates", "check"])
    assert result.exit_code == 0 and result.output == "templates checked: 0 problems\n", result.output
    office = tmp_path / "office.yaml"
    office.write_text(kent.read_text(encoding="utf-8").replace("{label: 'TITLE:', field: subject}", "{label: 'TITLE:', field: title}"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office), "templates", "check"])
    assert result.exit_code == 1
    assert result.output.startswith(f"{office}:") and "layout.blocks[2].fields.rows[2]: '{title}' is not a field of the paper" in result.output, result.output
