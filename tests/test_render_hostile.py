"""Hostile record text: whatever passes `check` renders, in every format, exactly as written.

Each case is the seed record with some of its text replaced, written as YAML and read back
through `check` (so it is a record an officer could write), then rendered as the decision paper
and the specification. Every PDF is converted in one LibreOffice batch."""

from __future__ import annotations

import copy
import io
import os
import re
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml
from click.testing import CliRunner

from engine.cli import main
from engine.papers import DOCUMENTS, Paper, convert_pdfs, render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.pdf import Converter
from engine import writing
from engine.writing import write_atomic

from .support import png
from .conftest import ROOT, SEED
from .text import docx_text, html_text, missing_in_order, normalise, pdf_text

SEED_DATA: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))

# The fields each document shows, by the marker put in front of the text given to each.
DECISION_FIELDS = ["subject", "report_of", "banner", "service", "fund", "budget_code", "heading", "paragraph", "bullet",
                   "recommendation", "approval_role", "approval_name", "approval_statement", "sign_off_role",
                   "sign_off_name", "sign_off_statement", "reason",
                   # what issue 10 added to the paper
                   "recipient", "author_name", "author_role", "protective_marking", "sub_bullet", "table_caption", "column",
                   "cell", "link_title", "document_label", "document_title", "recommendation_heading",
                   "recommendation_bullet", "signature"]
SPEC_FIELDS = ["service", "paragraph", "bullet", "requirement", "eligibility", "show_stopper", "criterion",
               "criterion_description", "response", "contact_role", "contact_name", "contact_email", "note"]
FIELDS = {"decision": DECISION_FIELDS, "spec": SPEC_FIELDS}


def marked(field: str, value: str) -> str:
    """The text given to one field: its name, so that each field's text can be found apart."""
    return f"[{field}] {value}"


def everywhere(value: str, fields: tuple[str, ...]) -> Callable[[dict], None]:
    """An edit putting `value` (marked) into each of the given fields of the seed."""

    def edit(d: dict) -> None:
        v = {f: marked(f, value) for f in fields}
        for key, field in (("subject", "subject"), ("report_of", "report_of"), ("recommendation", "recommendation")):
            if field in v:
                d[key] = v[field]
        if "banner" in v:
            d["banners"] = [v["banner"]]
        line = d["funding"][0]
        for key in ("service", "fund", "budget_code", "recipient"):
            if key in v:
                line[key] = v[key]
        section = d["sections"][0]
        if "heading" in v:
            section["heading"] = d["specification"]["description_section"] = v["heading"]
        section["content"] = [v[f] if f == "paragraph" else {"bullets": [v[f]]} for f in ("paragraph", "bullet") if f in v] + section["content"]
        if "sub_bullet" in v:
            section["content"].append({"bullets": [{"text": "An item", "bullets": [v["sub_bullet"]]}], "numbered": True})
        if any(f in v for f in ("table_caption", "column", "cell")):
            section["content"].append({"caption": v.get("table_caption"), "columns": [{"heading": v.get("column", "Name")},
                                                                                    {"heading": "Amount", "type": "money"}],
                                       "rows": [[v.get("cell", "A row"), 1250]], "total": [None, 1250]})
        if any(f.startswith("approval_") or f == "signature" for f in v):
            d["approval"] = {"role": v.get("approval_role", "Police and Crime Commissioner"), "name": v.get("approval_name", "A Name"),
                             "statement": v.get("approval_statement", "Approved."), "date": "2023-09-07",
                             "signature": v.get("signature")}
            d["waivers"] = []
        if "author_name" in v or "author_role" in v:
            d["author"] = {"name": v.get("author_name"), "role": v.get("author_role")}
        if "link_title" in v:
            d["links"] = [{"relation": "amends", "reference": "PCC/D/001", "title": v["link_title"]}]
        if "document_label" in v or "document_title" in v:
            d["documents"] = [{"label": v.get("document_label"), "title": v.get("document_title", "A document")}]
        if "recommendation_heading" in v or "recommendation_bullet" in v:
            d["recommendation"] = {"heading": v.get("recommendation_heading"), "text": v.get("recommendation"),
                                   "bullets": [v["recommendation_bullet"]] if "recommendation_bullet" in v else []}
        if any(f.startswith("sign_off_") for f in v):
            d["sign_offs"] = [{"role": v.get("sign_off_role", "Chief Finance Officer"), "name": v.get("sign_off_name"),
                               "statement": v.get("sign_off_statement"), "date": "2023-09-07"}]
        if "reason" in v:
            d["publication"] = {"part": "part2", "reason": v["reason"]}
        if "protective_marking" in v:
            d.setdefault("publication", {"part": "public"})["protective_marking"] = v["protective_marking"]
        spec = d["specification"]
        for key, field in (("requirements", "requirement"), ("eligibility", "eligibility"), ("response_must_contain", "response"), ("notes", "note")):
            if field in v:
                spec[key] = [v[field]]
        if "show_stopper" in v:
            spec["show_stoppers"] = [{"requirement": v["show_stopper"]}]
        criterion = spec["evaluation_criteria"][0]
        for key, field in (("criterion", "criterion"), ("description", "criterion_description")):
            if field in v:
                criterion[key] = v[field]
        if any(f.startswith("contact_") for f in v):
            spec["contact"] = {k: v.get(f"contact_{k}", "x") for k in ("role", "name", "email")}

    return edit


DOCXTPL = "{_{ x }_} {_% y %_} {{ z }} {% w %}"

# A subject of 269 characters: the document title "<reference> – <subject>" is 281.
LONG_SUBJECT = ("Allocation of Ministry of Justice Funding for Independent Sexual Violence Advisers, Independent Domestic "
                "Violence Advisers, Children and Young People's Advocacy, Specialist Counselling and Drop-in Support for "
                "Victims of Sexual Exploitation across Bedfordshire 2023-2024")
SERVICES = ["Independent Sexual Violence Advisers", "Independent Domestic Violence Advisers",
            "Children and Young People's Advocacy", "Specialist Counselling for Survivors of Sexual Violence",
            "Drop-in Support for Victims of Sexual Exploitation", "Restorative Justice Service",
            "Stalking Advocacy Service", "Hate Crime Support Service", "Modern Slavery Victim Navigators",
            "Road Traffic Collision Victim Support", "Fraud Victim Outreach", "Male Victims of Domestic Abuse Helpline",
            "Child Sexual Exploitation Missing Persons Workers", "Night-Time Economy Safe Space",
            "Youth Violence Intervention Programme", "Honour-Based Abuse Specialist Caseworkers",
            "Sex Worker Outreach Service", "Victims' Therapeutic Support Hub", "Criminal Justice Navigators",
            "Domestic Abuse Perpetrator Programme"]
FUNDS = ["Ministry of Justice Victims Core Grant", "Ministry of Justice ISVA and IDVA Uplift",
         "Community Safety Fund", "Home Office Serious Violence Duty Grant"]


def funding_lines(count: int) -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        d["funding"] = [{"service": SERVICES[i], "fund": FUNDS[i % len(FUNDS)], "budget_code": f"B9{i:02d}",
                         "amount": 40000 + 1250 * i, "financial_year": "2023-2024"} for i in range(count)]
        # No award may be above the bidding limit: the limit is the largest award.
        d["route_to_market"]["bidding_limit"] = 40000 + 1250 * (count - 1)

    return edit


def forty_sections(d: dict) -> None:
    d["sections"] = d["sections"][:1] + [
        {"heading": f"Heading {i}", "content": [f"Paragraph {i}, the first.", {"bullets": [f"Bullet {i}.1", f"Bullet {i}.2"]},
                                                 f"Paragraph {i}, the last."]}
        for i in range(2, 41)
    ]


# The title "PCC/D/2xx – <subject>" is 255 characters: as many as a Word property holds.
SUBJECT_255 = LONG_SUBJECT[:255 - len("PCC/D/200 – ")]
# A title of 138 characters but 256 UTF-16 code units, which are what Word counts.
EMOJI_SUBJECT = "Support " + "😀" * 118
WHITESPACE = "first\tafter a tab\nsecond line"
EMOJI_SEQUENCES = "flag 🇬🇧 and nurse 👩🏽‍⚕️ end"


def subject(text: str) -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        d["subject"] = text

    return edit


ALL_FIELDS = tuple(dict.fromkeys(DECISION_FIELDS + SPEC_FIELDS))
LONG = " ".join(f"word{i}" for i in range(1000))[:5000].rstrip()
assert len(LONG) == 5000

# Text for the fields the papers show: name: (text, fields). The 5,000 characters go into the
# service on its own: the specification's running header shows it on every page.
HOSTILE: dict[str, tuple[str, tuple[str, ...]]] = {
    "5000_characters": (LONG, tuple(f for f in ALL_FIELDS if f != "service")),
    "5000_character_service": (LONG, ("service",)),
    "non_bmp": ("emoji 😀 and mathematical 𝕏 end", ALL_FIELDS),
    "right_to_left": ("Hebrew עברית and Arabic العربية end", ALL_FIELDS),
    "combining_marks": ("e\u0301 n\u0303 Z\u0336\u0336 a\u0308 end", ALL_FIELDS),
    "xml_special": ("& < > \" ' &amp; &#38; <w:p> <![CDATA[ x ]]> ]]> end", ALL_FIELDS),
    "percent_and_braces": ("a lone % and { and } and }} {{ and %} {% and {# not a comment #} end", ALL_FIELDS),
    "docxtpl_escapes": (DOCXTPL, ALL_FIELDS),  # in the running header and footer too
}

# name: (edit of the seed's data, documents to render)
CASES: dict[str, tuple[Callable[[dict], None], tuple[str, ...]]] = {
    "docxtpl": (everywhere(DOCXTPL, ("subject", "paragraph", "bullet")), ("decision", "spec")),
    "long_subject": (subject(LONG_SUBJECT), ("decision",)),
    "six_funding_lines": (funding_lines(6), ("decision", "spec")),
    "twenty_funding_lines": (funding_lines(20), ("decision", "spec")),
    "forty_sections": (forty_sections, ("decision", "spec")),
    "title_of_255": (subject(SUBJECT_255), ("decision",)),
    "title_of_256": (subject(LONG_SUBJECT[:len(SUBJECT_255) + 1]), ("decision",)),
    "title_of_255_utf16": (subject(EMOJI_SUBJECT), ("decision",)),
    "tab_and_newline": (everywhere(WHITESPACE, ("paragraph", "bullet")), ("decision", "spec")),
    "emoji_sequences": (everywhere(EMOJI_SEQUENCES, ALL_FIELDS), ("decision", "spec")),
    **{name: (everywhere(value, fields), ("decision", "spec")) for name, (value, fields) in HOSTILE.items()},
}


def hostile_record(folder: Path, number: int, edit: Callable[[dict], None], project: Project) -> Any:
    """The seed as PCC/D/<number>, edited, written as YAML and read back: it must pass check."""
    data = copy.deepcopy(SEED_DATA)
    data["reference"] = f"PCC/D/{number:03d}"
    edit(data)
    path = folder / "records" / "2021-2024" / f"PCC-D-{number:03d}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf")), encoding="utf-8")
    record = read_record(path, project.office)
    assert record.ok, [str(p) for p in record.problems]
    return record.decision


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(ROOT / "office.yaml")


@pytest.fixture(scope="module")
def rendered(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Paper | str]:
    """Each case's documents, rendered in every format; a failure is kept as its message, so
    that it fails its own tests rather than all of them."""
    folder = tmp_path_factory.mktemp("hostile")
    results: dict[tuple[str, str], Paper | str] = {}
    for number, (name, (edit, documents)) in enumerate(CASES.items(), start=200):
        decision = hostile_record(folder, number, edit, project)
        for document in documents:
            try:
                results[name, document] = render_sources(decision, project, ["docx", "pdf", "html"], document=document)
            except Exception as exc:  # noqa: BLE001  (kept for the case's own tests to report)
                results[name, document] = f"{type(exc).__name__}: {exc}"
    papers = [p for p in results.values() if isinstance(p, Paper)]
    convert_pdfs(papers, project, Converter(folder / "profile"))
    return results


def files(rendered: dict, case: str, document: str = "decision") -> dict[str, bytes]:
    paper = rendered[case, document]
    assert isinstance(paper, Paper), paper
    assert paper.error is None, paper.error
    return paper.files


FALLBACK_FONT = {"non_bmp", "title_of_255_utf16"}  # cases with characters the house font lacks


def pdf_text_by_position(data: bytes) -> str:
    """The PDF's text in the order it is laid out on the page (poppler's pdftotext).

    LibreOffice draws a line's characters in the house font first and those it takes from a
    fallback font (an emoji, 𝕏) after them, so pypdf, reading in drawing order, puts them at
    the end of the line; poppler reads by position."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


_TEXTS: dict[tuple[int, str, str], dict[str, str]] = {}


def texts(rendered: dict, case: str, document: str = "decision") -> dict[str, str]:
    """The text a reader gets from each format, its white space made single spaces (read once:
    reading a long PDF takes seconds)."""
    key = (id(rendered), case, document)
    if key not in _TEXTS:
        out = files(rendered, case, document)
        read_pdf = pdf_text_by_position if case in FALLBACK_FONT else pdf_text
        _TEXTS[key] = {"docx": normalise(docx_text(out["docx"])), "pdf": normalise(read_pdf(out["pdf"])),
                       "html": normalise(html_text(out["html"]))}
    return _TEXTS[key]


# --- docxtpl's own escapes in record text ------------------------------------------------------


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_docxtpl_escapes_in_record_text_come_out_as_written(rendered: dict, document: str) -> None:
    # docxtpl turns {_{ }_} {_% %_} in whatever it renders into {{ }} {% %}: in the Word paper
    # (and so the PDF) but not the web page, which then disagreed.
    for fmt, text in texts(rendered, "docxtpl", document).items():
        for field in ("subject", "paragraph", "bullet") if document == "decision" else ("paragraph", "bullet"):
            assert marked(field, DOCXTPL) in text, (fmt, field)


# --- long titles and many funding lines: Word's 255-character document properties -------------


def utf16_length(text: str) -> int:
    """Length as Word counts it."""
    return len(text.encode("utf-16-le")) // 2


def assert_metadata(paper: Paper, project: Project) -> None:
    """The PDF's metadata is the whole of each value; Word's document properties (255 UTF-16
    code units at most) the whole value when it fits, else its start, ending in "…"."""
    expected = paper.properties(project.office)
    core = docx.Document(io.BytesIO(paper.files["docx"])).core_properties
    for name, value in (("title", core.title), ("subject", core.subject), ("keywords", core.keywords)):
        full = expected[name]
        if utf16_length(full) <= 255:
            assert value == full, name
        else:
            assert value.endswith("…") and full.startswith(value[:-1]), (name, value)
            assert 200 <= utf16_length(value) <= 255, (name, value)
    with pikepdf.open(io.BytesIO(paper.files["pdf"])) as pdf:
        info = pdf.docinfo
        assert (str(info.Title), str(info.Subject), str(info.Keywords)) == (expected["title"], expected["subject"], expected["keywords"])
        xmp = pdf.open_metadata()
        assert (xmp["dc:title"], xmp["dc:description"], xmp["pdf:Keywords"]) == (expected["title"], expected["subject"], expected["keywords"])


def test_a_subject_whose_title_passes_255_characters_renders(rendered: dict, project: Project) -> None:
    paper = rendered["long_subject", "decision"]
    for fmt, text in texts(rendered, "long_subject").items():
        assert LONG_SUBJECT in text, fmt
    assert len(paper.properties(project.office)["title"]) > 255
    assert_metadata(paper, project)


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_six_funding_lines_render(rendered: dict, project: Project, document: str) -> None:
    paper = rendered["six_funding_lines", document]
    text = texts(rendered, "six_funding_lines", document)
    if document == "decision":
        for fmt in text:
            for i in range(6):
                assert f"{SERVICES[i]} – {FUNDS[i % len(FUNDS)]} B9{i:02d} – £{40000 + 1250 * i:,}" in text[fmt], (fmt, i)
        assert len(paper.properties(project.office)["keywords"]) > 255
    assert_metadata(paper, project)


# --- every field the papers show, with hostile text ---------------------------------------------


def shown_in_pdf(value: str, text: str, furniture: int = 40) -> bool:
    """Whether the PDF's text holds value, white space aside (a line may wrap where the value has
    no space: "<!" then "[CDATA["), whole except that where a table cell runs over a page break
    the table's repeated header row and the row's other cells (at most `furniture` characters)
    come between its parts, each part after such a break resuming with its next 20 characters."""
    want, have = re.sub(r"\s+", "", value), re.sub(r"\s+", "", text)
    start = have.find(want[:20])
    while start >= 0:
        i, at = 0, start
        while True:
            while i < len(want) and at < len(have) and want[i] == have[at]:
                i, at = i + 1, at + 1
            if i == len(want):
                return True
            anchor = want[i:i + 20]
            at = have.find(anchor, at, at + furniture + len(anchor))
            if at < 0:
                break
        start = have.find(want[:20], start + 1)
    return False


@pytest.mark.parametrize("document", ["decision", "spec"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_every_field_shows_hostile_text_in_every_format(rendered: dict, project: Project, case: str, document: str) -> None:
    found = texts(rendered, case, document)
    value, fields = HOSTILE[case]
    expected = {field: marked(field, value) for field in FIELDS[document] if field in fields}
    missing = {fmt: [f for f, value in expected.items() if not (shown_in_pdf(value, text) if fmt == "pdf" else normalise(value) in text)]
               for fmt, text in found.items()}
    assert missing == {"docx": [], "pdf": [], "html": []}
    assert_metadata(rendered[case, document], project)


def test_the_pdf_check_can_fail() -> None:
    value = marked("paragraph", LONG)
    assert shown_in_pdf(value, f"before {value} after")
    assert shown_in_pdf(value, value.replace("word500 ", "word500\nCriterion Weighting\n"))  # a repeated table header
    assert not shown_in_pdf(value, value.replace("word500 ", ""))  # a word lost
    assert not shown_in_pdf(value, value.replace("word500", "word50"))  # a character lost
    assert not shown_in_pdf(value, value.replace("word500 ", "word500 " + "x" * 41))  # more than furniture between
    assert not shown_in_pdf(value, value[:-1])  # cut short


# --- more cases: funding lines, sections, the 255 boundary, white space, emoji sequences -----------


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_twenty_funding_lines_render(rendered: dict, project: Project, document: str) -> None:
    text = texts(rendered, "twenty_funding_lines", document)
    lines = [f"{SERVICES[i]} – {FUNDS[i % len(FUNDS)]} B9{i:02d} – £{40000 + 1250 * i:,}" for i in range(20)]
    if document == "decision":
        for fmt in text:
            assert missing_in_order(text[fmt], lines) == [], fmt
    else:
        for fmt in text:
            assert lines[0] in text[fmt], fmt
    assert_metadata(rendered["twenty_funding_lines", document], project)


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_forty_sections_render(rendered: dict, project: Project, document: str) -> None:
    text = texts(rendered, "forty_sections", document)
    if document == "decision":
        lines = [line for i in range(2, 41) for line in
                 (f"Heading {i}:", f"Paragraph {i}, the first.", f"Bullet {i}.1", f"Bullet {i}.2", f"Paragraph {i}, the last.")]
    else:  # the specification shows the section that describes the service, the first
        lines = [normalise(SEED_DATA["sections"][0]["content"][0])]
    for fmt in text:
        assert missing_in_order(text[fmt], lines) == [], fmt
    assert_metadata(rendered["forty_sections", document], project)


@pytest.mark.parametrize("case,cut", [("title_of_255", False), ("title_of_256", True), ("title_of_255_utf16", True)])
def test_word_properties_hold_255_utf16_code_units(rendered: dict, project: Project, case: str, cut: bool) -> None:
    paper = rendered[case, "decision"]
    full = paper.properties(project.office)["title"]
    title = docx.Document(io.BytesIO(paper.files["docx"])).core_properties.title
    assert (title != full) is cut
    assert_metadata(paper, project)
    for fmt, text in texts(rendered, case).items():
        assert shown_in_pdf(paper.decision.subject, text) if fmt == "pdf" else paper.decision.subject in text, fmt


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_a_tab_and_a_line_break_in_a_paragraph(rendered: dict, document: str) -> None:
    out = files(rendered, "tab_and_newline", document)
    shown = [p.text for p in docx.Document(io.BytesIO(out["docx"])).paragraphs]
    pdf = pdf_text(out["pdf"])
    for field in ("paragraph", "bullet"):
        assert marked(field, WHITESPACE) in shown, field  # python-docx reads <w:tab/> as \t, <w:br/> as \n
        assert f"[{field}] first\tafter a tab<br>\nsecond line" in out["html"].decode()
        # A tab jumps to the next tab stop, which in a bullet can be a hair's breadth away.
        assert shown_in_pdf(marked(field, WHITESPACE), pdf)
        assert re.search(rf"\[{field}\] first\s*after a tab\nsecond line", pdf), field


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_emoji_sequences_render(rendered: dict, document: str) -> None:
    # Word and the web page hold them exactly. The PDF can only draw what the installed fonts
    # have: with no emoji font (fonts-noto-color-emoji) a flag or a nurse comes out as boxes or
    # loose pieces, but the paper converts and the words around them are there.
    text = texts(rendered, "emoji_sequences", document)
    for field in FIELDS[document]:
        for fmt in ("docx", "html"):
            assert marked(field, EMOJI_SEQUENCES) in text[fmt], (fmt, field)
        assert f"[{field}] flag" in text["pdf"], field


# --- written files follow the umask -------------------------------------------------------------


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_written_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    (tmp_path / "old.pdf").write_bytes(b"old")
    (tmp_path / "old.pdf").chmod(0o600)
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.pdf", b"new")
        write_atomic(tmp_path / "old.pdf", b"replaced")
        write_atomic(tmp_path / "PCC-D-001.yaml", b"new", exclusive=True)
        result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "render", "PCC/D/102",
                                           "--format", "docx,html", "--out", str(tmp_path / "out")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    written = [tmp_path / "new.pdf", tmp_path / "old.pdf", tmp_path / "PCC-D-001.yaml",
               *(Path(line) for line in result.output.splitlines())]
    assert {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in written} == {path.name: oct(mode) for path in written}


def test_without_proc_the_umask_read_at_import_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing, "_umask_from_proc", lambda: None)  # not Linux
    monkeypatch.setattr(writing, "_IMPORT_UMASK", 0o027)
    write_atomic(tmp_path / "paper.pdf", b"x")
    assert stat.S_IMODE((tmp_path / "paper.pdf").stat().st_mode) == 0o640


# --- python-docx's private package writer, which engine/render/docx.py calls ----------------------

PACKAGE_WRITER_CHANGED = (
    "python-docx {version}: engine/render/docx.py's _fixed_bytes repeats what python-docx's "
    "OpcPackage.save and PackageWriter.write do (docx/opc/package.py, docx/opc/pkgwriter.py), with a "
    "zip writer of fixed dates, through PackageWriter's private methods. {problem}. Make _fixed_bytes "
    "do what this version's save does, then move the python-docx pin in pyproject.toml to this version."
)


def _package_writer_problem(problem: str) -> str:
    from importlib.metadata import version

    return PACKAGE_WRITER_CHANGED.format(version=version("python-docx"), problem=problem)


def test_python_docx_package_writer_is_the_one_docx_py_was_written_for() -> None:
    import inspect

    from docx.opc.pkgwriter import PackageWriter

    expected = {"_write_content_types_stream": ["phys_writer", "parts"], "_write_pkg_rels": ["phys_writer", "pkg_rels"],
                "_write_parts": ["phys_writer", "parts"], "write": ["pkg_file", "pkg_rels", "parts"]}
    for name, parameters in expected.items():
        method = inspect.getattr_static(PackageWriter, name, None)
        assert isinstance(method, staticmethod), _package_writer_problem(f"PackageWriter.{name} is no longer a static method")
        found = list(inspect.signature(method.__func__).parameters)
        assert found == parameters, _package_writer_problem(f"PackageWriter.{name} now takes ({', '.join(found)})")


@pytest.mark.parametrize("document", ["decision", "spec"])
def test_fixed_bytes_hold_what_python_docx_saves(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: str) -> None:
    """_fixed_bytes must write the same zip members, in the same order, with the same contents
    and compression as python-docx's own Document.save() of the same rendered document (a
    paper with a logo, so a picture part too): only the entries' dates and attributes differ."""
    from engine.render import docx as word

    (tmp_path / "logo.png").write_bytes(png(40, 20))
    office = project.office.model_copy(update={"logo": Path("logo.png")})
    saved: dict[str, bytes] = {}
    fixed_bytes = word._fixed_bytes

    def both(rendered_document: Any) -> bytes:
        saved["ours"] = fixed_bytes(rendered_document)
        buffer = io.BytesIO()
        rendered_document.save(buffer)
        saved["python-docx"] = buffer.getvalue()
        return saved["ours"]

    monkeypatch.setattr(word, "_fixed_bytes", both)
    decision = read_record(SEED, office).decision
    make_context, properties, template = DOCUMENTS[document]
    word.render_docx(project.templates(document) / template, make_context(decision, office), properties(decision, office),
                     office, tmp_path)

    ours, theirs = (zipfile.ZipFile(io.BytesIO(saved[k])) for k in ("ours", "python-docx"))
    assert [e.filename for e in ours.infolist()] == [e.filename for e in theirs.infolist()], \
        _package_writer_problem("The package's members differ from what Document.save() writes")
    assert "word/media/image1.png" in ours.namelist()
    for mine, its in zip(ours.infolist(), theirs.infolist()):
        assert (mine.compress_type, ours.read(mine)) == (its.compress_type, theirs.read(its)), \
            _package_writer_problem(f"{mine.filename} differs from what Document.save() writes")
    assert {e.date_time for e in ours.infolist()} == {word.ZIP_EPOCH}


def test_a_file_system_without_modes_still_gets_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(fd: int, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")  # e.g. a vfat or SMB mount

    monkeypatch.setattr(writing.os, "fchmod", refuse)
    write_atomic(tmp_path / "paper.pdf", b"whole")
    assert (tmp_path / "paper.pdf").read_bytes() == b"whole" and [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]
