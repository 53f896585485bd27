"""House style as data: each office's paper takes its form from office.yaml alone.

Each example office under examples/ (Bedfordshire, Surrey in its two forms, West Mercia,
Cleveland, Cambridgeshire, Kent) lays its paper out in its `layout:`, and the Word, PDF and web
papers all render from that one list of elements (engine/render/layout.py). These tests read the
real outputs back as a reader gets them and hold them to the published order of each office's
form (from the office.yaml layout comments and the transcriptions' STRUCTURE sections, written
out here so that the test stands without ../shared), to each other (Word and web show every
element of the layout, in its order), and to the offices' independence: no Bedfordshire wording
in another office's paper, no office-specific template files, no office named in the engine.

One LibreOffice batch converts every example paper (about 1.5 s).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.model import Decision
from engine.papers import render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.context import document_properties, paper_context
from engine.render.docx import render_docx
from engine.render.html import render_html
from engine.render.layout import witnesses
from engine.render.pdf import Converter, finish_pdf

from .conftest import ROOT
from .text import docx_text, html_text, normalise, pdf_text

EXAMPLES = ROOT / "examples"
OFFICES = ("bedfordshire", "surrey", "west-mercia", "cleveland", "cambridgeshire", "kent")
OTHERS = tuple(o for o in OFFICES if o != "bedfordshire")
ROOT_PROJECT = "(root)"  # the repository's own office.yaml and records/


# --- reading the offices and their papers -----------------------------------------------------------


def office_yaml(office: str) -> Path:
    return ROOT / "office.yaml" if office == ROOT_PROJECT else EXAMPLES / office / "office.yaml"


@cache
def project(office: str) -> Project:
    return Project.load(office_yaml(office))


def records_of(office: str) -> list[Path]:
    return sorted(project(office).records.rglob("*.yaml"))


ALL_RECORDS = [(office, path) for office in (*OFFICES, ROOT_PROJECT) for path in records_of(office)]
EXAMPLE_RECORDS = [(office, path) for office, path in ALL_RECORDS if office != ROOT_PROJECT]


def record_id(office: str, path: Path) -> str:
    return f"{office}:{path.parent.name}/{path.stem}"


@cache
def decision(office: str, path: Path) -> Decision:
    record = read_record(path, project(office).office)
    assert record.ok, [str(p) for p in record.problems]
    assert record.decision is not None
    return record.decision


@cache
def sources(office: str, path: Path) -> dict[str, bytes]:
    """The record's Word paper and web fragment, as `render_sources` gives them."""
    return render_sources(decision(office, path), project(office), ["docx", "html"]).files


def word_body(data: bytes) -> str:
    """The Word paper's body text, paragraph by paragraph and a table's cells in reading order,
    without the running header and footer (which repeat the office and the reference)."""
    document = docx.Document(io.BytesIO(data))
    parts = []
    for block in document.element.body.iterchildren():
        texts = [t.text or "" for t in block.iter() if t.tag.endswith("}t")]
        if block.tag.endswith("}p"):
            parts.append("".join(texts))
        elif block.tag.endswith("}tbl"):
            parts.append(" ".join(texts))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, Path], bytes]:
    """Every example record's finished PDF, converted in one LibreOffice batch."""
    folder = tmp_path_factory.mktemp("house-style")
    paths = []
    for index, (office, path) in enumerate(EXAMPLE_RECORDS):
        paths.append(folder / f"{index:03d}.docx")
        paths[-1].write_bytes(sources(office, path)["docx"])
    results = Converter(folder / "profile").convert(paths)
    finished = {}
    for (office, path), result in zip(EXAMPLE_RECORDS, results):
        assert isinstance(result, bytes), f"{record_id(office, path)}: {result}"
        properties = document_properties(decision(office, path), project(office).office)
        finished[(office, path)] = finish_pdf(result, properties)
    return finished


# --- order -------------------------------------------------------------------------------------------


def first_out_of_order(text: str, expected: list[str]) -> str | None:
    """Where `expected` stops reading in order in `text` (whitespace made single): the first
    string not found after the previous one's place, said with what is there instead; None when
    every string follows the one before it."""
    text = normalise(text)
    position, previous = 0, "the start"
    for item in expected:
        wanted = normalise(item)
        found = text.find(wanted, position)
        if found < 0:
            where = text.find(wanted)
            if where < 0:
                return f"{item!r} is not there at all (after {previous!r}: {text[position:position + 120]!r}…)"
            return f"{item!r} is there, but before {previous!r}, not after it: …{text[max(0, where - 60):where + len(wanted) + 60]!r}…"
        position, previous = found + len(wanted), item
    return None


def first_unshown(text: str, elements: list[dict[str, Any]]) -> str | None:
    """The first element whose texts a reader does not find, in the layout's order, in `text`
    (whitespace made single): its type and the missing text; None when every element is shown."""
    text = normalise(text)
    position = 0
    for index, element in enumerate(elements):
        for witness in witnesses(element):
            wanted = normalise(witness)
            found = text.find(wanted, position)
            if found < 0:
                how = "out of the layout's order" if wanted in text else "not shown"
                return f"element {index} ({element['type']}): {witness!r} {how}"
            position = found + len(wanted)
    return None


@dataclass(frozen=True)
class Form:
    office: str
    record: str  # under examples/<office>/records/
    order: tuple[str, ...]  # as the office's published form prints them, top to bottom

    @property
    def path(self) -> Path:
        return EXAMPLES / self.office / "records" / self.record

    @property
    def id(self) -> str:
        return f"{self.office}:{self.record}"


BEDFORDSHIRE_FIELDS = ("Title and Reference –", "Subject:", "Report of:", "Date:")

FORMS = [
    # PCC/D/102's form (the layout comment), with the banners and approval PCC/D/032 prints: the
    # site header (HQ address), the banner lines, Title and Reference / Subject / Report of / Date,
    # "Summary:", "Recommendation:" "To note decision", the signatory line, the approval formula.
    Form("bedfordshire", "2021-2024/PCC-D-032.yaml", (
        "Bedfordshire Police Headquarters", "Bridgebury House, Woburn Road, Kempston, Bedfordshire, MK43 9AX",
        "Office of the Bedfordshire Police and Crime Commissioner", "KEY DECISION",
        "POLICE AND CRIME COMMISSIONER FOR BEDFORDSHIRE", "Title and Reference – PCC/D/032",
        "Subject: Halt – Commissioning Process", "Report of: Office of the Police and Crime Commissioner",
        "Date: 13/11/2021", "Summary:", "commissioning (grant) process is paused", "Recommendation:",
        "To note decision", "Bedfordshire Police and Crime Commissioner", "I hereby approve the recommendations above.")),
    # PCC/D/127: the four fields, unheaded paragraphs, "To note decision", signatory, formula.
    Form("bedfordshire", "2021-2024/PCC-D-127.yaml", (
        "Title and Reference – PCC/D/127",
        "Subject: Amendment to Terms of Reference for Chief Constable One to One Accountability Meetings",
        "Report of: Police and Crime Commissioner", "Date: 09/02/2024", "six-weekly", "To note decision",
        "Bedfordshire Police and Crime Commissioner", "I hereby approve the recommendations above.")),
    # PCC/D/037: banner lines, the four fields, "Summary:", then its bulleted account.
    Form("bedfordshire", "2021-2024/PCC-D-037.yaml", (
        "KEY DECISION", "POLICE AND CRIME COMMISSIONER FOR BEDFORDSHIRE", "Title and Reference – PCC.D.037",
        "Subject: Funded Services 2022 – 2023", "Report of: Police and Crime Commissioner", "Date: 04/03/2022",
        "Summary:", "The opportunity was announced in September 2021.", "Domestic Violence",
        "A separate paper on the same agenda")),
    # Surrey's 2021 form: the form's title line, the subject, "Decision number:", "Author and Job
    # Role:", "Protective Marking:", "Executive Summary:", the award groups, and the register line.
    Form("surrey", "2021-2024/048-2021.yaml", (
        "Police and Crime Commissioner for Surrey – Decision Making Record",
        "Community Safety Applications – November 2021", "Decision number: 048/2021",
        "Author and Job Role: Sarah Haywood, Commissioning and Policy Lead for Community Safety",
        "Protective Marking: Official", "Executive Summary:", "Applications for Core Service Awards over £5000",
        "Surrey Police – Engagement vehicle and e-bikes for Spelthorne",
        "Applications for Small Grant Awards up to £5000 – Community Safety Fund",
        "Runnymede Neighbourhood Watch – Social media project with a university")),
    # (Its approval block and the register line under it were not seen, so neither is printed.)
    # Surrey's later form: "number – subject" on one line, the author, the marking, the summary,
    # the applications, "Recommendation", "Police and Crime Commissioner Approval" (role, name,
    # signature, date), the register line, then "Areas of consideration" and "Consultation".
    Form("surrey", "2021-2024/20-2023.yaml", (
        "20/2023 – Community Safety Fund Applications and Children and Young People Applications: September 2023",
        "Author and Job Role: Molly Slominski, Partnerships and Community Safety Officer",
        "Protective Marking: Official", "Executive Summary:", "Applications for the Children & Young People's Fund",
        "Leaders Unlocked – Surrey Youth Commission on Police and Crime", "Recommendation",
        "£43,200 to Leaders Unlocked", "Police and Crime Commissioner Approval",
        "Police and Crime Commissioner for Surrey", "Lisa Townsend", "Signature:",
        "Wet signed copy held at Office of the PCC", "Date:", "07 September 2023",
        "All decisions must be added to the decision register", "Areas of consideration", "Consultation",
        "Lead officers were consulted")),
    # West Mercia's "Record of Decision": "Title:", "Ref:", EXECUTIVE SUMMARY, PROPOSAL (its two
    # tables), "APPROVAL OF West Mercia Police and Crime Commissioner".
    Form("west-mercia", "2021-2024/PCC-D-2023-08.yaml", (
        "Record of Decision", "Title: Setting the Budget 2023-2024", "Ref: PCC/D/2023/08", "EXECUTIVE SUMMARY",
        "PROPOSAL", "A 6/9 £176.33", "H 18/9 £529.00", "Bromsgrove DC £10,029,691.88", "TOTAL £122,124,490.35",
        "APPROVAL OF West Mercia Police and Crime Commissioner")),
    Form("west-mercia", "2024-2028/PCC-D-2025-01.yaml", (
        "Record of Decision", "Title: Temporary departure from Corporate Governance Framework",
        "Ref: PCC/D/2025/01", "EXECUTIVE SUMMARY", "PROPOSAL", "An allocation of £1.8m")),
    # Cleveland's decision notice: "Decision 65-2014", the subject, the year; the summary; the
    # attached papers.
    Form("cleveland", "2012-2016/65-2014.yaml", (
        "Decision 65-2014", "Subject: PCC's Community Safety Fund", "Date: 2014",
        "Decision 65-2014. Establishment of the PCC's Community Safety Fund", "modelled on the Property Act Fund",
        "Decision record", "Guidance notes", "Application form")),
    # Cambridgeshire's web decision: the title; the date line; "Decision"; "Decision Summary",
    # then "These allocations are hereby approved as follows:" and the allocations.
    Form("cambridgeshire", "2012-2016/CPCC-2015-045.yaml", (
        "Road Casualty Reduction and Support Fund", "December 17th, 2015", "Decision",
        "To use the first tranche of the Road Casualty Reduction and Support Fund.", "Decision Summary",
        "27 August 2015", "These allocations are hereby approved as follows:", "Speedwatch support: £14k",
        "Brake (charity), reimbursement for family support packs: £1k")),
    # Kent's Record of Decision (the office.yaml layout comment).
    Form("kent", "2024-2028/OPCC-D-036-25.yaml", (
        "Record of Decision", "ORIGINATOR:", "Chief Executive", "REFERENCE:", "OPCC.D.036.25", "TITLE:",
        "Chief Constable appointment: Retire and Rehire scheme", "OPEN ☒ CONFIDENTIAL ☐", "Reason if Confidential:",
        "EXECUTIVE SUMMARY", "RECOMMENDATION", "Not applicable as direct decision for the PCC.", "DECISION",
        "Chief Finance Officer:", "Comments:", "Chief Executive:", "POLICE AND CRIME COMMISSIONER FOR KENT")),
]

# The PDF's text comes back as a reader's tools extract it. Where the house font has no glyph,
# LibreOffice draws the character in a fallback font as a run of its own after the line's text:
# Kent's "OPEN ☒ CONFIDENTIAL ☐" (Liberation Sans has no ☒ or ☐; DejaVu Sans draws them) reads
# "OPEN CONFIDENTIAL ☒ ☐". The PDF's order is checked without the marks; the marks themselves by
# test_kents_pdf_prints_the_ticked_box_on_the_open_line.
PDF_MARKS = {"OPEN ☒ CONFIDENTIAL ☐": ("OPEN", "CONFIDENTIAL")}


def test_every_example_office_has_a_form_here() -> None:
    """Users need every office's form held to its published order: none is left out here, and
    each record named below exists (a renamed record cannot silently drop its office's check)."""
    assert {form.office for form in FORMS} == set(OFFICES)
    assert {form.record for form in FORMS if form.office == "surrey"} == {"2021-2024/048-2021.yaml", "2021-2024/20-2023.yaml"}
    for form in FORMS:
        assert form.path.is_file(), form.path


@pytest.mark.parametrize("form", FORMS, ids=[f.id for f in FORMS])
def test_the_word_paper_keeps_the_published_order(form: Form) -> None:
    """Users need the Word paper to read top to bottom as the office's own form does: its
    fields, headings and sign-off blocks in the published order."""
    problem = first_out_of_order(word_body(sources(form.office, form.path)["docx"]), list(form.order))
    assert problem is None, f"{form.id}, Word: {problem}"


@pytest.mark.parametrize("form", FORMS, ids=[f.id for f in FORMS])
def test_the_web_paper_keeps_the_published_order(form: Form) -> None:
    """Users need the web paper (the HTML fragment) in the published order too."""
    problem = first_out_of_order(html_text(sources(form.office, form.path)["html"]), list(form.order))
    assert problem is None, f"{form.id}, web: {problem}"


@pytest.mark.parametrize("form", FORMS, ids=[f.id for f in FORMS])
def test_the_pdf_keeps_the_published_order(form: Form, pdfs: dict[tuple[str, Path], bytes]) -> None:
    """Users need the PDF, the paper most often published, in the published order too."""
    order = [part for item in form.order for part in PDF_MARKS.get(item, (item,))]
    problem = first_out_of_order(pdf_text(pdfs[(form.office, form.path)]), order)
    assert problem is None, f"{form.id}, PDF: {problem}"


def test_the_order_check_can_fail() -> None:
    """Users need the order checks above to fail on a paper out of its form's order: Kent's Word
    paper read against its order with two sign-off blocks swapped, or the other box ticked."""
    form = next(f for f in FORMS if f.office == "kent")
    text = word_body(sources(form.office, form.path)["docx"])
    assert first_out_of_order(text, list(form.order)) is None
    order = list(form.order)
    i, j = order.index("Chief Finance Officer:"), order.index("Chief Executive:")
    order[i], order[j] = order[j], order[i]
    assert "before" in (first_out_of_order(text, order) or ""), order
    ticked = [("OPEN ☐ CONFIDENTIAL ☒" if item == "OPEN ☒ CONFIDENTIAL ☐" else item) for item in form.order]
    assert "not there at all" in (first_out_of_order(text, ticked) or "")


def test_bedfordshire_papers_all_print_the_four_fields_in_order() -> None:
    """Users need every Bedfordshire paper, whatever its body, to open with Title and Reference,
    Subject, Report of and Date, in that order (the transcriptions' STRUCTURE, every paper)."""
    for path in records_of("bedfordshire"):
        files = sources("bedfordshire", path)
        for kind, text in (("Word", word_body(files["docx"])), ("web", html_text(files["html"]))):
            problem = first_out_of_order(text, list(BEDFORDSHIRE_FIELDS))
            assert problem is None, f"{path.name}, {kind}: {problem}"


def _pdf_lines_with(data: bytes, words: tuple[str, ...]) -> dict[str, list[float]]:
    """For each of `words`, the heights (y) on page one of the text runs that hold it."""
    found: dict[str, list[float]] = {w: [] for w in words}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        for word in words:
            if word in text:
                found[word].append(round(float(tm[5]) * float(cm[3]) + float(cm[5]), 1))

    pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_kents_pdf_prints_the_ticked_box_on_the_open_line(pdfs: dict[tuple[str, Path], bytes]) -> None:
    """Users need Kent's PDF to show which box is ticked: ☒ and ☐ are drawn, once each, ☒ first,
    on the line of OPEN and CONFIDENTIAL (the text extraction reads them after the line's words:
    see PDF_MARKS); and, where poppler's pdftotext is installed, its reading of the page layout
    gives "OPEN ☒ CONFIDENTIAL ☐" as the form prints it."""
    data = pdfs[("kent", EXAMPLES / "kent" / "records" / "2024-2028" / "OPCC-D-036-25.yaml")]
    text = normalise(pdf_text(data))
    assert text.count("☒") == 1 and text.count("☐") == 1, text
    assert text.index("☒") < text.index("☐") < text.index("Reason if Confidential:"), text
    lines = _pdf_lines_with(data, ("OPEN", "☒", "☐"))
    assert lines["OPEN"] and lines["☒"] and lines["☐"], lines
    assert set(lines["☒"]) <= set(lines["OPEN"]) and set(lines["☐"]) <= set(lines["OPEN"]), lines
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("no pdftotext (poppler-utils) to read the page's layout")
    laid_out = subprocess.run([pdftotext, "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    assert "OPEN ☒ CONFIDENTIAL ☐" in normalise(laid_out.decode("utf-8")), laid_out.decode("utf-8")[:800]


# --- no Bedfordshire wording in another office's paper ----------------------------------------------------

BEDFORDSHIRE_WORDING = ("Bridgebury House", "Kempston", "Bedfordshire", "Title and Reference",
                        "I hereby approve the recommendations above", "Report of:", "Office of the Bedfordshire",
                        "Woburn Road", "MK43 9AX")
OTHER_RECORDS = [(o, p) for o, p in EXAMPLE_RECORDS if o in OTHERS]


def test_no_other_office_lays_out_bedfordshire_labels() -> None:
    """The wording below is Bedfordshire's only if no other office's layout uses it: were one to
    print "Report of:" itself, the check that follows would be wrong for it."""
    for office in OTHERS:
        layout = office_yaml(office).read_text(encoding="utf-8")
        layout = "\n".join(line.split("#", 1)[0] for line in layout.splitlines())  # not the comments
        used = [w for w in BEDFORDSHIRE_WORDING if w in layout]
        assert not used, f"{office}'s office.yaml uses {used}"


@pytest.mark.parametrize(("office", "path"), OTHER_RECORDS, ids=[record_id(o, p) for o, p in OTHER_RECORDS])
def test_no_bedfordshire_wording_in_another_offices_papers(office: str, path: Path,
                                                           pdfs: dict[tuple[str, Path], bytes]) -> None:
    """Users of another office need its papers free of Bedfordshire's address, labels and
    approval formula: in the Word paper and the PDF (each with its running header and footer)
    and the web paper and preview. A word the record itself states (Cambridgeshire's "BCH (Bedfordshire,
    Cambridgeshire and Hertfordshire)") may appear as often as the record states it."""
    stated = json.dumps(decision(office, path).model_dump(mode="json"), ensure_ascii=False)
    files = sources(office, path)
    every_page = pypdf.PdfReader(io.BytesIO(pdfs[(office, path)])).pages  # running header and footer too
    texts = {"Word": docx_text(files["docx"]), "PDF": "\n".join(page.extract_text() for page in every_page),
             "web": html_text(files["html"]), "preview": html_text(files["preview.html"])}
    for kind, text in texts.items():
        text = normalise(text)
        leaked = {w: text.count(w) for w in BEDFORDSHIRE_WORDING if text.count(w) > stated.count(w)}
        assert not leaked, f"{record_id(office, path)}, {kind}: Bedfordshire wording {leaked}"


# --- Word and web show the same elements, in the layout's order -----------------------------------------------


@pytest.mark.parametrize(("office", "path"), ALL_RECORDS, ids=[record_id(o, p) for o, p in ALL_RECORDS])
def test_word_and_web_show_every_element_in_order(office: str, path: Path) -> None:
    """Users need the Word (so the PDF) and the web paper to be the same paper: every element
    of the office's layout, each text of it, in the layout's order, in both."""
    elements = paper_context(decision(office, path), project(office).office)["elements"]
    assert elements, "a paper with no elements"
    files = sources(office, path)
    for kind, text in (("Word", word_body(files["docx"])), ("web", html_text(files["html"]))):
        problem = first_unshown(text, elements)
        assert problem is None, f"{record_id(office, path)}, {kind}: {problem}"


KENT = ("kent", EXAMPLES / "kent" / "records" / "2024-2028" / "OPCC-D-036-25.yaml")
SURREY = ("surrey", EXAMPLES / "surrey" / "records" / "2021-2024" / "20-2023.yaml")


def _render_with(office: str, path: Path, elements: list[dict[str, Any]]) -> tuple[str, str]:
    """The Word body and web text of the paper rendered from its context with these elements."""
    p = project(office)
    context = {**paper_context(decision(office, path), p.office), "elements": elements}
    templates = p.templates("decision")
    properties = document_properties(decision(office, path), p.office)
    word = render_docx(templates / "decision.docx", context, properties, p.office, p.root)
    return word_body(word), html_text(render_html(templates / "snippet.html.j2", context).encode("utf-8"))


@pytest.mark.parametrize(("office", "path"), [KENT, SURREY], ids=["kent", "surrey-20-2023"])
def test_the_element_check_fails_when_a_paper_drops_an_element(office: str, path: Path) -> None:
    """Users need the comparison above to catch a paper that leaves a block out: for each
    element whose texts are its own, a web paper rendered without it fails the check, and so
    does a Word paper rendered without the first such element."""
    elements = paper_context(decision(office, path), project(office).office)["elements"]
    _, whole = _render_with(office, path, elements)
    assert first_unshown(whole, elements) is None
    checked = []
    for index, element in enumerate(elements):
        others = [w for i, e in enumerate(elements) if i != index for w in witnesses(e)]
        if not any(w not in " ".join(others) for w in witnesses(element)):
            continue  # every text of it is also another element's: no paper can tell it is gone
        word, web = _render_with(office, path, elements[:index] + elements[index + 1:])
        problem = first_unshown(web, elements)
        assert problem is not None and problem.startswith(f"element {index} "), (index, element["type"], problem)
        if not checked:
            assert first_unshown(word, elements) is not None, (index, element["type"])
        checked.append(element["type"])
    assert {"fields", "section", "sign_off"} <= set(checked), checked


def test_the_element_check_fails_when_a_paper_swaps_two_elements() -> None:
    """Users need the comparison to catch a paper that shows every block but out of the
    layout's order: Kent's web paper with its recommendation and its DECISION heading swapped."""
    office, path = KENT
    elements = paper_context(decision(office, path), project(office).office)["elements"]
    types = [e["type"] for e in elements]
    i = types.index("recommendation")
    swapped = elements[:i] + [elements[i + 1], elements[i]] + elements[i + 2:]
    assert swapped[i]["type"] == "section" and swapped[i]["heading"] == "DECISION", swapped[i]
    _, web = _render_with(office, path, swapped)
    problem = first_unshown(web, elements)
    assert problem is not None and "out of the layout's order" in problem, problem
    assert first_unshown(web, swapped) is None


# --- the offices are configuration alone ----------------------------------------------------------------------

TEMPLATE_SUFFIXES = (".docx", ".dotx", ".docm", ".dotm", ".odt", ".ott", ".j2", ".jinja", ".jinja2", ".html.j2")


def test_no_example_office_has_templates_of_its_own() -> None:
    """Users need an office's form to come from its office.yaml alone: no example office holds a
    Word or Jinja template (build/ folders, git-ignored outputs, aside), and each uses the
    repository's shared templates."""
    own = [str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*")
           if p.is_file() and "build" not in p.relative_to(EXAMPLES).parts and p.name.lower().endswith(TEMPLATE_SUFFIXES)]
    assert own == []
    for office in OFFICES:
        for document in ("decision", "spec"):
            assert project(office).templates(document).resolve() == (ROOT / "templates" / document).resolve(), (office, document)


def test_the_engine_names_no_office() -> None:
    """Users need the engine to hold no office's house style: no office the examples hold is
    named anywhere in engine/ (`git grep -w -i`), so that every office is configuration."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("no git, or not a git checkout")
    result = subprocess.run([git, "grep", "-n", "-w", "-i", "-E",
                             "bedfordshire|surrey|kent|west mercia|cleveland|cambridgeshire", "--", "engine/"],
                            check=False, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout == "", f"engine/ names an office:\n{result.stdout}"


@pytest.mark.parametrize("office", OFFICES)
def test_every_example_offices_records_check_clean(office: str) -> None:
    """Users need each example office's records to check clean against its own office.yaml:
    `decisions --office examples/<office>/office.yaml check` reports every record and 0 errors."""
    count = len(records_of(office))
    result = CliRunner().invoke(main, ["--office", str(office_yaml(office)), "check"])
    last = result.output.strip().splitlines()[-1] if result.output.strip() else ""
    noun = "record" if count == 1 else "records"
    assert re.fullmatch(rf"{count} {noun} checked: 0 errors(, \d+ warnings?)?", last), result.output
    assert result.exit_code == 0, result.output


def test_a_note_under_the_sign_offs_prints_only_with_them() -> None:
    """Surrey's register reminder sits under its approval block: a paper whose approval block was
    not seen (048/2021) prints neither, while 20/2023 prints both."""
    unseen = sources("surrey", EXAMPLES / "surrey" / "records" / "2021-2024" / "048-2021.yaml")
    seen = sources("surrey", EXAMPLES / "surrey" / "records" / "2021-2024" / "20-2023.yaml")
    line = "All decisions must be added to the decision register"
    assert line not in word_body(unseen["docx"]) and line not in unseen["html"].decode()
    assert line in word_body(seen["docx"]) and line in seen["html"].decode()
