"""Hostile and careless input to the office's layout and fields (office.yaml `layout:` and
`fields:`, engine/layout.py; a record's `fields:`; month names; two-digit years in references).

Every case runs through the real CLI, in a throwaway copy of the project. A bad value gets one
located line, file:line:col: error: field: message, and exit 1; never a traceback (nor
"unexpected ... This is a bug in the engine"), a text that silently vanishes from the paper, a
half-written file, or a confidential word in public output. A layout's text names fields of
the paper and nothing else: it cannot reach into Python."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner

from engine.cli import main

from .conftest import ROOT, SEED
from .text import docx_text, html_text, normalise

MARKER = "ZZQ-LAYOUT-CONFIDENTIAL-7731"
SECRET_HEADING = f"Commercial terms {MARKER}"
KENT = ROOT / "examples" / "kent"
KENT_RECORD = Path("records") / "2024-2028" / "OPCC-D-036-25.yaml"


# --- a throwaway project ---------------------------------------------------------------------------


def without(text: str, *keys: str) -> str:
    """office.yaml's text with these top-level keys (and everything indented under them) left out."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.strip() and not line[0].isspace():
            skipping = any(line.startswith(f"{key}:") for key in keys)
        if not skipping:
            out.append(line)
    return "".join(out)


def root_office() -> str:
    return (ROOT / "office.yaml").read_text(encoding="utf-8")


def office_with(*, layout: str | None = None, extra: str = "", drop: tuple[str, ...] = ()) -> str:
    """The root office.yaml, its layout replaced by `layout` (a whole `layout:` key), with `extra`
    top-level keys added at the end."""
    text = root_office()
    if layout is not None:
        text = without(text, "layout")
    text = without(text, *drop) if drop else text
    return text.rstrip("\n") + "\n\n" + (layout or "") + extra


def project(folder: Path, office: str | None = None) -> Path:
    """office.yaml (the root one unless given), the seed record and the templates; the office's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "office.yaml"
    path.write_text(root_office() if office is None else office, encoding="utf-8")
    (folder / "records" / "2021-2024").mkdir(parents=True)
    shutil.copy(SEED, folder / "records" / "2021-2024" / SEED.name)
    (folder / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    return path


def seed_of(office: Path) -> Path:
    return office.parent / "records" / "2021-2024" / SEED.name


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def give_fields(record: Path, fields: str) -> None:
    """Add `fields:` (its indented lines as given) to a record, after its publication."""
    edit(record, "publication:\n  part: public\n", "publication:\n  part: public\n\nfields:\n" + fields)


def run(office: Path, *args: str) -> tuple[int, list[str]]:
    """The CLI's exit code and output lines; never a traceback, in plain sight or in disguise."""
    result = CliRunner().invoke(main, ["--office", str(office), *args])
    assert "Traceback" not in result.output, result.output
    assert "This is a bug" not in result.output, result.output
    assert not re.search(r"\bunexpected [A-Z]\w*(Error|Exception)", result.output), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output.splitlines()


def line_of(path: Path, needle: str) -> int:
    """The 1-based line that starts (after its indentation) with needle; there must be one."""
    found = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.lstrip().startswith(needle)]
    assert len(found) == 1, f"{needle!r} starts {len(found)} lines of {path}"
    return found[0]


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if ": error: " in line or ": warning: " in line]


def refused_at_load(office: Path, message: str, at: str | None = None) -> str:
    """`check` refuses office.yaml with one located line holding message; at: the text that
    starts the line it must point to."""
    code, lines = run(office, "check")
    assert code == 1, lines
    assert len(lines) == 1, lines
    [line] = lines
    assert line.startswith(f"{office}:"), line
    assert ": error: " in line and message in line, line
    if at is not None:
        assert line.startswith(f"{office}:{line_of(office, at)}:"), f"{line}\n(expected at the line starting {at!r})"
    return line


def one_record_error(office: Path, message: str, at: str | None = None) -> str:
    """`check` finds one problem in the seed record, holding message, located in it."""
    code, lines = run(office, "check")
    assert code == 1, lines
    found = problems(lines)
    assert len(found) == 1, lines
    [line] = found
    record = seed_of(office)
    assert line.startswith(f"{record}:") and ": error: " in line and message in line, line
    if at is not None:
        assert line.startswith(f"{record}:{line_of(record, at)}:"), f"{line}\n(expected at the line starting {at!r})"
    return line


def render(office: Path, reference: str = "PCC/D/102", formats: str = "docx,html") -> Path:
    out = office.parent / "out"
    code, lines = run(office, "render", reference, "--format", formats, "--out", str(out))
    assert code == 0, lines
    return out


def papers(out: Path, stem: str = "pcc-d-102") -> dict[str, str]:
    """The Word and the web paper's text, as a reader gets it."""
    return {"docx": normalise(docx_text((out / f"{stem}.docx").read_bytes())),
            "html": normalise(html_text((out / f"{stem}.internal.html").read_bytes()))}


def in_order(text: str, *parts: str) -> bool:
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


# --- the layout's blocks: one located line for each mistake ---------------------------------------

B = "layout:\n  blocks:\n"
# What every layout must have: a place to say a paper is a draft, and one to say it is Part 2.
SAFE = "    - draft_mark\n    - confidentiality\n"


def rows(*row: str) -> str:
    return B + "    - fields:\n        rows:\n" + "".join(f"          - {r}\n" for r in row)


def text_block(text: str) -> str:
    return B + f"    - text: '{text}'\n"


def footer(page_numbers: str) -> str:
    return B + "    - sections\n" + f"  footer: {{left: '{{reference}}', page_numbers: '{page_numbers}'}}\n"


BRACES = "braces name a field, e.g. {reference} or {subject}"

# (what, layout, the line the error points to starts with, the error's field and message)
BAD_LAYOUTS = [
    ("not a block name", B + "    - sections\n    - sectionz\n", "- sectionz",
     "layout.blocks[1]: 'sectionz' is not a block of the layout; the blocks are: draft_mark, letterhead"),
    ("a block name in capitals", B + "    - Sections\n", "- Sections", "layout.blocks[0]: 'Sections' is not a block of the layout"),
    ("an empty block name", B + "    - ''\n", "- ''", "layout.blocks[0]: '' is not a block of the layout"),
    ("a block given as a list", B + "    - sections\n    - [links, documents]\n", "- [links",
     "layout.blocks[1]: write a block as its name (e.g. - sections) or its name and options"),
    ("a block given as a number", B + "    - 7\n", "- 7", "layout.blocks[0]: write a block as its name (e.g. - sections)"),
    ("a block given as null", B + "    - ~\n", "- ~", "layout.blocks[0]: write a block as its name (e.g. - sections)"),
    ("a block given as true", B + "    - true\n", "- true", "layout.blocks[0]: write a block as its name (e.g. - sections)"),
    ("a block given as an empty mapping", B + "    - {}\n", "- {}", "layout.blocks[0]: write a block as its name"),
    ("a block named by a number", B + "    - 7: sections\n", "- 7:", "layout.blocks[0]: field names must be text, not 7"),
    ("options not a mapping", B + "    - sections: [from, until]\n", "- sections:",
     "layout.blocks[0]: 'sections' takes its options as a set of fields under its name, or none"),
    ("a short block's option as a list", B + "    - form_title: [Record, of, Decision]\n", "- form_title:",
     "layout.blocks[0].form_title: Input should be a valid string"),
    ("type written inside options", B + "    - sections: {type: links}\n", "- sections:",
     "layout.blocks[0]: a block's name says its type: leave `type:` out"),
    ("type written inside a short block's options", B + "    - text: {type: text, text: Hello}\n", "- text:",
     "layout.blocks[0]: a block's name says its type: leave `type:` out"),
    ("two keys at the block's level", B + "    - text: All decisions go on the register\n      emphasis: strong\n", "- text: All",
     "layout.blocks[0]: give the options of 'text' under its name, e.g. - text: {emphasis: ...}"),
    ("an option the block does not have", B + "    - sections: {form: table}\n", "- sections:",
     "layout.blocks[0].sections.form: unknown field"),
    ("an emphasis a fixed text does not have", B + "    - text: {text: Hello, emphasis: heading}\n", "- text:",
     "layout.blocks[0].text.emphasis: Input should be 'plain' or 'strong'"),
    ("sign-offs for nobody", B + "    - sign_offs: everyone\n", "- sign_offs:",
     "layout.blocks[0].sign_offs: Input should be 'all', 'approval' or 'others'"),
    ("an empty fixed text", B + "    - text: ''\n", "- text:", "layout.blocks[0].text: String should have at least 1 character"),
    ("a fixed text with nothing", B + "    - text:\n", "- text:", "layout.blocks[0].text: empty: write the text here (null and ~ are read as empty too: put them in quotes if they are the text)"),
    ("no blocks", "layout:\n  blocks: []\n", "blocks:", "layout.blocks: List should have at least 1 item"),
    ("blocks as a mapping", "layout:\n  blocks: {sections: {}}\n", "blocks:", "layout.blocks: Input should be a valid list"),
    ("a layout as a word", "layout: sections\n", "layout:", "layout: write this as a set of fields"),
    ("no rows", B + "    - fields: {rows: []}\n", "- fields:", "layout.blocks[0].fields.rows: List should have at least 1 item"),
    ("rows as a mapping", B + "    - fields: {rows: {label: 'Subject:', field: subject}}\n", "- fields:",
     "layout.blocks[0].fields.rows: Input should be a valid list"),
    ("a row with field and value", rows("{label: 'Subject:', field: subject, value: '{subject}'}"), "- {label: 'Subject:'",
     "layout.blocks[0].fields.rows[0]: give a row either `field:` (e.g. field: subject) or `value:`"),
    ("a row with neither field nor value", rows("{field: reference}", "{label: 'Subject:'}"), "- {label: 'Subject:'",
     "layout.blocks[0].fields.rows[1]: give a row either `field:` (e.g. field: subject) or `value:`"),
    ("a row's field in braces", rows("{field: '{subject}'}"), "- {field:",
     "layout.blocks[0].fields.rows[0]: '{subject}' is not a field's name: lower case letters, digits and '_'"),
    ("a row's field in capitals", rows("{field: Subject}"), "- {field:", "layout.blocks[0].fields.rows[0]: 'Subject' is not a field's name"),
    ("a row's field a dunder", rows("{field: __class__}"), "- {field:", "layout.blocks[0].fields.rows[0]: '__class__' is not a field's name"),
    ("a row's value a number", rows("{value: 7}"), "- {value:", "layout.blocks[0].fields.rows[0].value: Input should be a valid string"),
    ("a label on two lines", rows("{label: \"Sub\\nject:\", field: subject}"), "- {label:",
     "layout.blocks[0].fields.rows[0].label: write the label on one line, without line breaks or tabs"),
    ("a label with a tab", rows("{label: \"Sub\\tject:\", field: subject}"), "- {label:",
     "layout.blocks[0].fields.rows[0].label: write the label on one line"),
    ("a NUL in a fixed text", B + "    - text: \"All\\0decisions\"\n", "- text:",
     "layout.blocks[0].text: the control character U+0000 is not allowed"),
    # Braces name a field of the paper and nothing else: no stray brace, no escape, no attribute,
    # index, position, conversion or format spec.
    ("a stray opening brace", text_block("Decisions { register"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a stray closing brace", text_block("Decisions } register"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a doubled brace", text_block("{{reference}}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("an attribute", text_block("{reference.__class__}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("an index", text_block("{subject[0]}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a position", text_block("{0}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("empty braces", text_block("{}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a format spec", text_block("{reference:>999999}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a conversion", text_block("{reference!r}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("a field in capitals", text_block("{Reference}"), "- text:", f"layout.blocks[0].text: {BRACES}"),
    ("an attribute in a row's value", rows("{value: '{office.__class__}'}"), "- {value:", f"layout.blocks[0].fields.rows[0].value: {BRACES}"),
    ("an attribute in a form title", B + "    - form_title: '{subject.upper}'\n", "- form_title:", f"layout.blocks[0].form_title: {BRACES}"),
    ("a conversion in a form title's text", B + "    - form_title: {text: '{subject!s}'}\n", "- form_title:",
     f"layout.blocks[0].form_title.text: {BRACES}"),
    ("an attribute in the header", B + "    - sections\n  header: {left: '{office.name}'}\n", "header:", f"layout.header.left: {BRACES}"),
    ("a stray brace in a footer line", B + "    - sections\n  footer: {lines: ['{x']}\n", "footer:", f"layout.footer.lines[0]: {BRACES}"),
    # Page numbers: {page} once, {pages} at most once, nothing else in braces.
    ("page numbers without {page}", footer("Page of {pages}"), "footer:",
     "layout.footer: page_numbers names {page} and may name {pages}, e.g. 'Page {page} of {pages}'"),
    ("page numbers with {page} twice", footer("Page {page} of {page}"), "footer:",
     "layout.footer: page_numbers names {page} once and {pages} at most once"),
    ("page numbers with {pages} twice", footer("{page} / {pages} / {pages}"), "footer:",
     "layout.footer: page_numbers names {page} once and {pages} at most once"),
    ("page numbers naming another field", footer("Page {page} of {reference}"), "footer:",
     "layout.footer: page_numbers names {page} and may name {pages}"),
    ("page numbers with a format spec", footer("Page {page} of {pages:>999}"), "footer:",
     "layout.footer: page_numbers names {page} and may name {pages}"),
    ("page numbers with an attribute", footer("Page {page.__class__}"), "footer:",
     "layout.footer: page_numbers names {page} and may name {pages}"),
    ("page numbers on two lines", B + "    - sections\n  footer: {page_numbers: \"Page {page}\\nof {pages}\"}\n", "footer:",
     "layout.footer.page_numbers: write the page numbers on one line"),
    # Layouts by date.
    ("an empty list of layouts", "layout: []\n", "layout:", "layout: give at least one layout"),
    ("a later layout without since", "layout:\n  - blocks: [draft_mark, confidentiality, sections]\n  - blocks: [draft_mark, confidentiality, sections, links]\n", "layout:",
     "layout: each layout after the first says from when the office used it (`since:`)"),
    ("layouts out of order", ("layout:\n  - blocks: [draft_mark, confidentiality, sections]\n  - since: 2023-01-01\n    blocks: [draft_mark, confidentiality, sections]\n"
                              "  - since: 2022-01-01\n    blocks: [draft_mark, confidentiality, sections]\n"), "layout:",
     "layout: list the layouts in the order the office used them, each `since` later than the last"),
    ("two layouts since the same day", ("layout:\n  - blocks: [draft_mark, confidentiality, sections]\n  - since: 2023-01-01\n    blocks: [draft_mark, confidentiality, sections]\n"
                                        "  - since: 2023-01-01\n    blocks: [draft_mark, confidentiality, sections, links]\n"), "layout:",
     "layout: list the layouts in the order the office used them, each `since` later than the last"),
    ("a since that is no day", "layout:\n  - blocks: [draft_mark, confidentiality, sections]\n  - since: 2023-02-30\n    blocks: [draft_mark, confidentiality, sections]\n", "- since:",
     "layout[1].since: Input should be a valid date"),
]


@pytest.mark.parametrize("what,layout,at,message", BAD_LAYOUTS, ids=[b[0] for b in BAD_LAYOUTS])
def test_a_bad_layout_is_one_located_error(tmp_path: Path, what: str, layout: str, at: str, message: str) -> None:
    office = project(tmp_path, office_with(layout=layout))
    refused_at_load(office, message, at)


UNKNOWN_FIELD = "'{nosuch}' is not a field of the paper; the fields are author, author_name"

# (what, layout, the line naming the field starts with)
NAMING_NO_FIELD = [
    ("a row's value", rows("{label: 'Ref:', field: reference}", "{label: 'Who:', value: 'By {nosuch}'}"), "- {label: 'Who:'"),
    ("a row's field", rows("{label: 'Ref:', field: reference}", "{label: 'Who:', field: nosuch}"), "- {label: 'Who:'"),
    ("a fixed text", B + "    - sections\n    - text: 'Sent by {nosuch}'\n", "- text:"),
    ("the header", B + "    - sections\n  header: {left: '{nosuch}'}\n", "header:"),
    ("the later of two layouts", ("layout:\n  - blocks: [draft_mark, confidentiality, sections]\n  - since: 2023-01-01\n    blocks:\n"
                                  "      - form_title: 'Record of {nosuch}'\n"), "- form_title:"),
]


@pytest.mark.parametrize("what,layout,at", NAMING_NO_FIELD, ids=[n[0] for n in NAMING_NO_FIELD])
def test_a_layout_naming_no_field_is_refused(tmp_path: Path, what: str, layout: str, at: str) -> None:
    office = project(tmp_path, office_with(layout=layout))
    refused_at_load(office, UNKNOWN_FIELD)


@pytest.mark.parametrize("what,layout,at", NAMING_NO_FIELD, ids=[n[0] for n in NAMING_NO_FIELD])
def test_a_layout_naming_no_field_is_located_where_it_names_it(tmp_path: Path, what: str, layout: str, at: str) -> None:
    """The error points at the text naming the field, not at the top of office.yaml."""
    office = project(tmp_path, office_with(layout=layout))
    refused_at_load(office, "'{nosuch}' is not a field of the paper", at)


def test_a_layout_fills_fields_and_cannot_reach_into_python(tmp_path: Path) -> None:
    layout = rows("{value: 'Ref {reference} of {office}', emphasis: heading}", "{label: 'Subject:', field: subject}") + \
        "    - sections\n    - recommendation\n    - sign_offs\n    - text: 'Signed for {commissioner}'\n" + SAFE
    office = project(tmp_path / "good", office_with(layout=layout))
    out = render(office)
    for kind, text in papers(out).items():
        assert "Ref PCC/D/102 of Office of the Bedfordshire Police and Crime Commissioner" in text, kind
        assert "Signed for Bedfordshire Police and Crime Commissioner" in text, kind
        assert "{" not in text and "<class" not in text and "object at 0x" not in text, kind
    # The same layout reaching for the office's object, its class or its dictionary is refused.
    for n, reach in enumerate(("{office.__class__}", "{office.__dict__}", "{reference.__init__.__globals__}", "{__class__}")):
        evil = project(tmp_path / f"evil{n}", office_with(layout=rows(f"{{value: '{reach}'}}")))
        refused_at_load(evil, f"layout.blocks[0].fields.rows[0].value: {BRACES}", "- {value:")
        assert not (evil.parent / "out").exists()


def test_a_bad_layout_writes_nothing(tmp_path: Path) -> None:
    office = project(tmp_path, office_with(layout=text_block("{reference.__class__}")))
    out = tmp_path / "out"
    code, lines = run(office, "render", "PCC/D/102", "--out", str(out))
    assert code == 1 and len(lines) == 1 and BRACES in lines[0], lines
    assert not out.exists() or list(out.iterdir()) == []
    code, lines = run(office, "publish")
    assert code == 1 and len(lines) == 1 and BRACES in lines[0], lines
    assert not (tmp_path / "build" / "site").exists()
    code, lines = run(office, "build", "-j", "1")
    assert code == 1 and len(lines) == 1 and BRACES in lines[0], lines
    assert [p for p in (tmp_path / "build").rglob("*") if p.is_file()] == []


def test_a_huge_label_is_printed_whole_without_a_hang(tmp_path: Path) -> None:
    label = "L" * 9_991 + " Subject:"  # 10,000 characters
    office = project(tmp_path, office_with(layout=rows("{label: 'Ref:', field: reference}", f"{{label: '{label}', field: subject}}")
                                           + "    - sections\n    - recommendation\n    - sign_offs\n" + SAFE))
    code, lines = run(office, "check")
    assert code == 0, lines
    out = render(office, formats="docx,html,pdf")
    for kind, text in papers(out).items():
        assert f"{label} Allocation of MoJ Funding" in text, kind
    assert (out / "pcc-d-102.pdf").read_bytes().startswith(b"%PDF")


# --- sections from and until --------------------------------------------------------------------


def test_sections_until_a_heading_no_paper_has_prints_them_all(tmp_path: Path) -> None:
    office = project(tmp_path, office_with(layout=B + "    - sections: {until: No Such Heading}\n    - recommendation\n    - sign_offs\n" + SAFE))
    assert run(office, "check")[0] == 0
    for kind, text in papers(render(office)).items():
        assert in_order(text, "Description of Service", "Police and Crime Plan", "Long Term Considerations",
                        "In November 2022", "To note decision"), kind


def test_sections_split_at_a_heading_print_each_once_in_order(tmp_path: Path) -> None:
    """Kent's form: the sections up to one heading, the form's own block, then the rest."""
    office = project(tmp_path, office_with(layout=B + "    - sections: {until: route to market/delivery}\n"
                                           "    - text: THE FORM'S OWN LINE\n    - sections: {from: ROUTE TO MARKET/DELIVERY}\n"
                                           "    - recommendation\n    - sign_offs\n" + SAFE))
    for kind, text in papers(render(office)).items():
        assert in_order(text, "Considerations of Partnership Work", "THE FORM'S OWN LINE", "Route to Market/Delivery",
                        "Long Term Considerations"), kind
        assert text.count("Description of Service") == 1 and text.count("Route to Market/Delivery") == 1, kind


def test_sections_from_a_heading_no_paper_has_do_not_vanish_silently(tmp_path: Path) -> None:
    """The layout's only sections block starts at a heading the paper lacks: the paper would print
    none of its narrative. That loss must be reported, not rendered."""
    office = project(tmp_path, office_with(layout=B + "    - sections: {from: Nosuch}\n    - recommendation\n"))
    code, lines = run(office, "check")
    assert code == 1 and problems(lines), lines
    assert any("Nosuch" in line or "sections" in line for line in problems(lines)), lines


# --- the office's fields ------------------------------------------------------------------------


def fields_office(fields: str, layout: str | None = None) -> str:
    return office_with(layout=layout, extra="\nfields:\n" + fields)


# (what, the office's fields, the line the error points to starts with, the error's field and message)
BAD_FIELDS = [
    ("a name in capitals", "  Originator: {label: Originator}\n", None,
     "fields: 'Originator': a field's name is lower case letters, digits and '_', e.g. originator"),
    ("a name starting with a digit", "  1x: {label: X}\n", None, "fields: '1x': a field's name is lower case letters"),
    ("a dunder name", "  __class__: {label: X}\n", None, "fields: '__class__': a field's name is lower case letters"),
    ("a name with a dot", "  a.b: {label: X}\n", None, "fields: 'a.b': a field's name is lower case letters"),
    ("the engine's subject", "  subject: {label: Subject}\n", None,
     "fields: 'subject' is one of the engine's fields already; give the office's field another name"),
    ("the engine's reference", "  reference: {label: Reference}\n", None, "fields: 'reference' is one of the engine's fields already"),
    ("the engine's office", "  office: {label: Office}\n", None, "fields: 'office' is one of the engine's fields already"),
    ("values on a number", "  budget: {label: Budget, type: number, values: ['1', '2']}\n", "budget:",
     "fields.budget: only a text field lists its values"),
    ("values on a yes or no", "  urgent: {label: Urgent, type: yes_no, values: ['yes']}\n", "urgent:",
     "fields.urgent: only a text field lists its values"),
    ("an empty list of values", "  originator: {label: Originator, values: []}\n", "originator:",
     "fields.originator.values: List should have at least 1 item"),
    ("a type the engine lacks", "  originator: {label: Originator, type: money}\n", "originator:",
     "fields.originator.type: Input should be 'text', 'date', 'number' or 'yes_no'"),
    ("no label", "  originator: {type: text}\n", "originator:", "fields.originator.label: required field is missing"),
    ("a label on two lines", "  originator: {label: \"Origi\\nnator\"}\n", "originator:",
     "fields.originator.label: write the label on one line"),
    ("a field as a word", "  originator: Originator\n", "originator:", "fields.originator: write this as a set of fields"),
    ("fields as a list", None, "fields:", "fields: write this as a set of fields (name: value, one a line), not a single value or a list"),
]


@pytest.mark.parametrize("what,fields,at,message", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_a_bad_office_field_is_one_located_error(tmp_path: Path, what: str, fields: str | None, at: str | None, message: str) -> None:
    text = office_with(extra="\nfields: [originator, budget]\n") if fields is None else fields_office(fields)
    office = project(tmp_path, text)
    refused_at_load(office, message, at)


@pytest.mark.parametrize("name,kind", [("protective_marking", "date"), ("report_of", "yes_no"), ("protective_marking", "number")])
def test_an_engine_field_keeps_its_type_when_the_office_constrains_it(tmp_path: Path, name: str, kind: str) -> None:
    """protective_marking and report_of are the engine's text fields: an office may list their
    values or require them, but declaring one a date (or yes or no, or a number) would fail every
    record; office.yaml is what is wrong, and says so when it is read."""
    office = project(tmp_path, fields_office(f"  {name}: {{label: Constrained, type: {kind}}}\n"))
    refused_at_load(office, f"fields: '{name}' is the engine's own text field: the office may give its label, values and "
                            "whether it is required, not another type", "fields:")


def test_style_labels_that_moved_to_the_layout_say_so(tmp_path: Path) -> None:
    for label in ("reference", "subject", "report_of", "date", "author", "protective_marking"):
        text = root_office().replace("    draft: 'DRAFT – NOT APPROVED'\n", f"    draft: 'DRAFT – NOT APPROVED'\n    {label}: 'Label:'\n")
        office = project(tmp_path / label, text)
        line = refused_at_load(office, f"style.labels: {label}: these are now the labels of the layout's title block: "
                                       "give each as a row's `label:` under layout: blocks: - fields: rows:", "labels:")
        assert "layout" in line


# --- month names --------------------------------------------------------------------------------

FRENCH = "[janvier, février, mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, décembre]"


def in_language(language: str, month_names: str | None = None, date_format: str = "%-d %B %Y") -> str:
    text = root_office().replace("language: en-GB", f"language: {language}")
    style = f"  date_format: '{date_format}'\n" + (f"  month_names: {month_names}\n" if month_names is not None else "")
    return text.replace("  date_format: '%d/%m/%Y'\n", style)


def test_a_language_the_engine_does_not_know_needs_month_names(tmp_path: Path) -> None:
    office = project(tmp_path, in_language("fr-FR"))
    refused_at_load(office, "style: the engine knows the months' names in English (en) and Welsh (cy), not in the office's "
                            "language 'fr-FR': give them, January first, as style.month_names")


def test_a_language_without_month_names_is_located_at_the_language_or_the_style(tmp_path: Path) -> None:
    office = project(tmp_path, in_language("fr-FR"))
    line = refused_at_load(office, "language 'fr-FR'")
    allowed = {line_of(office, "language:"), line_of(office, "style:")}
    assert any(line.startswith(f"{office}:{n}:") for n in allowed), f"{line}\n(expected at line {sorted(allowed)})"


@pytest.mark.parametrize("names,message", [
    ("[" + ", ".join(f"m{i}" for i in range(11)) + "]", "style.month_names: List should have at least 12 items after validation, not 11"),
    ("[" + ", ".join(f"m{i}" for i in range(13)) + "]", "style.month_names: List should have at most 12 items after validation, not 13"),
    ("[]", "style.month_names: List should have at least 12 items"),
    ("janvier", "style.month_names: Input should be a valid list"),
    ("[janvier, février, mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, '']",
     "style.month_names[11]: String should have at least 1 character"),
])
def test_month_names_are_twelve(tmp_path: Path, names: str, message: str) -> None:
    office = project(tmp_path, in_language("fr-FR", names))
    refused_at_load(office, message, "month_names:")


def test_month_names_print_in_the_office_language(tmp_path: Path) -> None:
    office = project(tmp_path / "fr", in_language("fr-FR", FRENCH))
    for kind, text in papers(render(office)).items():
        assert "6 septembre 2023" in text and "September" not in text, kind
    office = project(tmp_path / "cy", in_language("cy"))
    for kind, text in papers(render(office)).items():
        assert "6 Medi 2023" in text and "September" not in text, kind
    # A month name with a strftime code in it is printed as written, never run.
    odd = FRENCH.replace("septembre", "'%Y sept'")
    office = project(tmp_path / "odd", in_language("fr-FR", odd))
    for kind, text in papers(render(office)).items():
        assert "6 %Y sept 2023" in text, kind


# --- a record's fields --------------------------------------------------------------------------

OFFICE_FIELDS = ("  originator: {label: Originator, values: [Chief Executive, Chief Finance Officer]}\n"
                 "  budget_holder: {label: Budget holder}\n"
                 "  reviewed: {label: Reviewed, type: date}\n"
                 "  lines: {label: Budget lines, type: number}\n"
                 "  urgent: {label: Urgent, type: yes_no}\n"
                 "  sponsor: {label: Sponsor, required: true}\n"
                 "  protective_marking: {label: Protective marking, values: [OFFICIAL, OFFICIAL-SENSITIVE]}\n")
SPONSOR = "  sponsor: Chief Executive\n"

# (what, the record's fields, the line the error points to starts with, the error's field and message)
BAD_RECORD_FIELDS = [
    ("an undeclared field", SPONSOR + "  nosuch: x\n", "nosuch:",
     "fields.nosuch: 'nosuch' is not one of the office's fields: office.yaml `fields:` declares originator, budget_holder"),
    ("an engine field under fields", SPONSOR + "  subject: x\n", "subject: x", "fields.subject: 'subject' is not one of the office's fields"),
    ("a constrained engine field under fields", SPONSOR + "  protective_marking: OFFICIAL\n", "protective_marking:",
     "fields.protective_marking: 'protective_marking' is not one of the office's fields (write it at `publication.protective_marking`)"),
    ("a date for text", SPONSOR + "  budget_holder: 2023-09-06\n", "budget_holder:", "fields.budget_holder: Budget holder is a line of text"),
    ("a number for text", SPONSOR + "  budget_holder: 42\n", "budget_holder:", "fields.budget_holder: Budget holder is a line of text"),
    ("yes or no for text", SPONSOR + "  budget_holder: true\n", "budget_holder:", "fields.budget_holder: Budget holder is a line of text"),
    ("text for yes or no", SPONSOR + "  urgent: 'yes'\n", "urgent:", "fields.urgent: Urgent is true or false"),
    ("a number for yes or no", SPONSOR + "  urgent: 1\n", "urgent:", "fields.urgent: Urgent is true or false"),
    ("a bool for a number", SPONSOR + "  lines: true\n", "lines:", "fields.lines: Budget lines is a whole number"),
    ("text for a number", SPONSOR + "  lines: three\n", "lines:", "fields.lines: Budget lines is a whole number"),
    ("text for a date", SPONSOR + "  reviewed: soon\n", "reviewed:", "fields.reviewed: Reviewed is a date, YYYY-MM-DD"),
    ("a day that is no day", SPONSOR + "  reviewed: 2023-02-30\n", "reviewed:", "fields.reviewed: Reviewed is a date, YYYY-MM-DD"),
    ("a month for a date", SPONSOR + "  reviewed: 2023-02\n", "reviewed:", "fields.reviewed: Reviewed is a date, YYYY-MM-DD"),
    ("a time for a date", SPONSOR + "  reviewed: 2023-09-06 10:00:00\n", "reviewed:", "fields.reviewed: Reviewed is a date, YYYY-MM-DD"),
    ("a value not among the values", SPONSOR + "  originator: Chief Constable\n", "originator:",
     "fields.originator: Originator is one of Chief Executive, Chief Finance Officer (got 'Chief Constable')"),
    ("a value in another case", SPONSOR + "  originator: chief executive\n", "originator:",
     "fields.originator: write it as the office does: Chief Executive"),
    ("a value in capitals", SPONSOR + "  originator: CHIEF FINANCE OFFICER\n", "originator:",
     "fields.originator: write it as the office does: Chief Finance Officer"),
    ("a required field missing", "  budget_holder: Head of Finance\n", "fields:",
     "fields.sponsor: the office's papers carry Sponsor: give it under `fields:`, e.g. sponsor: ..."),
    ("a NUL in a value", SPONSOR + "  budget_holder: \"Head\\0of Finance\"\n", "budget_holder:",
     "fields.budget_holder: the control character U+0000 is not allowed"),
]


def fields_project(folder: Path, record_fields: str | None) -> Path:
    office = project(folder, fields_office(OFFICE_FIELDS))
    if record_fields is not None:
        give_fields(seed_of(office), record_fields)
    return office


def test_a_record_with_good_fields_passes(tmp_path: Path) -> None:
    office = fields_project(tmp_path, SPONSOR + "  originator: Chief Executive\n  budget_holder: Head of Finance\n"
                                               "  reviewed: 2023-09-01\n  lines: 3\n  urgent: false\n")
    assert run(office, "check") == (0, ["1 record checked: 0 errors, 0 warnings"])


@pytest.mark.parametrize("what,fields,at,message", BAD_RECORD_FIELDS, ids=[b[0] for b in BAD_RECORD_FIELDS])
def test_a_bad_record_field_is_one_located_error(tmp_path: Path, what: str, fields: str, at: str, message: str) -> None:
    office = fields_project(tmp_path, fields)
    one_record_error(office, message, at)


@pytest.mark.parametrize("what,fields,message", [
    ("fields as a list", "fields: [sponsor]\n", "fields: write this as a set of fields (name: value, one a line), not a single value or a list"),
    ("fields as a word", "fields: sponsor\n", "fields: write this as a set of fields"),
    ("fields as nothing", "fields:\n", "fields: write this as a set of fields"),
])
def test_record_fields_not_a_mapping_is_one_located_error(tmp_path: Path, what: str, fields: str, message: str) -> None:
    office = fields_project(tmp_path, None)
    edit(seed_of(office), "publication:\n  part: public\n", "publication:\n  part: public\n\n" + fields)
    one_record_error(office, message, "fields:")


def test_a_constrained_engine_field_is_checked_where_the_record_keeps_it(tmp_path: Path) -> None:
    office = fields_project(tmp_path / "case", SPONSOR)
    edit(seed_of(office), "  part: public\n", "  part: public\n  protective_marking: official\n")
    one_record_error(office, "publication.protective_marking: write it as the office does: OFFICIAL", "protective_marking:")
    office = fields_project(tmp_path / "other", SPONSOR)
    edit(seed_of(office), "  part: public\n", "  part: public\n  protective_marking: SECRET\n")
    one_record_error(office, "publication.protective_marking: Protective marking is one of OFFICIAL, OFFICIAL-SENSITIVE (got 'SECRET')",
                     "protective_marking:")


# One bad value, one line: the engine must not answer with an error for every type a field could
# have been (a boolean, a date, a whole number and a string), burying the one that matters.
ONE_LINE = [
    ("a fraction for a number", SPONSOR + "  lines: 1.5\n", "lines:", "fields.lines"),
    ("a number too big", SPONSOR + "  lines: 1000000000000000000000000000000\n", "lines:", "fields.lines"),
    ("a list for text", SPONSOR + "  budget_holder: [Head, of, Finance]\n", "budget_holder:", "fields.budget_holder"),
    ("a mapping for text", SPONSOR + "  budget_holder: {name: Head}\n", "budget_holder:", "fields.budget_holder"),
    ("text on two lines", SPONSOR + "  budget_holder: \"Head of\\nFinance\"\n", "budget_holder:", "fields.budget_holder"),
    ("an empty value", SPONSOR + "  budget_holder: ''\n", "budget_holder:", "fields.budget_holder"),
    ("no value", SPONSOR + "  budget_holder:\n", "budget_holder:", "fields.budget_holder"),
    ("not stated", SPONSOR + "  budget_holder: not stated\n", "budget_holder:", "fields.budget_holder"),
]


@pytest.mark.parametrize("what,fields,at,field", ONE_LINE, ids=[b[0] for b in ONE_LINE])
def test_a_value_of_no_type_is_one_line_not_one_per_type(tmp_path: Path, what: str, fields: str, at: str, field: str) -> None:
    office = fields_project(tmp_path, fields)
    line = one_record_error(office, f"{field}: ", at)
    assert "Input should be a valid boolean" not in line and "write dates as YYYY-MM-DD" not in line, line


def test_a_record_field_name_gets_a_plain_message(tmp_path: Path) -> None:
    """A misspelt name gets words, not a regular expression."""
    office = fields_project(tmp_path, SPONSOR + "  Budget_Holder: Head of Finance\n")
    line = one_record_error(office, "fields.Budget_Holder: ", "Budget_Holder:")
    assert "String should match pattern" not in line and "^[a-z]" not in line, line


# --- two-digit years in references (Kent's OPCC.D.036.25) ---------------------------------------


def kent(folder: Path, reference: str = "OPCC.D.036.25", date: str | None = None) -> Path:
    """A copy of the Kent example; its one record renamed to `reference`, dated `date`."""
    folder.mkdir(parents=True, exist_ok=True)
    office = folder / "office.yaml"
    office.write_text((KENT / "office.yaml").read_text(encoding="utf-8").replace("../../templates/", "templates/"), encoding="utf-8")
    (folder / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    stem = reference.replace(".", "-")
    target = folder / KENT_RECORD.parent / f"{stem}.yaml"
    target.parent.mkdir(parents=True)
    text = (KENT / KENT_RECORD).read_text(encoding="utf-8").replace("reference: OPCC.D.036.25\n", f"reference: {reference}\n")
    if date is not None:
        assert text.count("\ndate: not stated\n") == 1
        text = text.replace("\ndate: not stated\n", f"\ndate: {date}\n")
    target.write_text(text, encoding="utf-8")
    return office


@pytest.mark.parametrize("reference,date", [("OPCC.D.036.25", "2025-02-04"), ("OPCC.D.036.24", "2025-01-10"), ("OPCC.D.036.25", None)])
def test_a_two_digit_year_agreeing_with_the_date_passes(tmp_path: Path, reference: str, date: str | None) -> None:
    office = kent(tmp_path, reference, date)
    assert run(office, "check") == (0, ["1 record checked: 0 errors, 0 warnings"])


@pytest.mark.parametrize("reference,date,message", [
    ("OPCC.D.036.22", "2025-02-04", "reference: OPCC.D.036.22 names the year 2022, but the paper is dated 2025-02-04; correct one of them"),
    ("OPCC.D.036.26", "2025-02-04", "reference: OPCC.D.036.26 names the year 2026, but the paper is dated 2025-02-04"),
    ("OPCC.D.036.99", "2025-02-04", "reference: OPCC.D.036.99 names the year 2099, but the paper is dated 2025-02-04"),
    ("OPCC.D.036.19", None, "reference: OPCC.D.036.19 names the year 2019, outside the 2024-2028 term the paper is filed in"),
])
def test_a_two_digit_year_disagreeing_with_the_date_is_one_located_error(tmp_path: Path, reference: str, date: str | None, message: str) -> None:
    office = kent(tmp_path, reference, date)
    code, lines = run(office, "check")
    assert code == 1, lines
    [line] = problems(lines)
    record = office.parent / KENT_RECORD.parent / f"{reference.replace('.', '-')}.yaml"
    assert line.startswith(f"{record}:{line_of(record, 'reference:')}:") and message in line, line


@pytest.mark.parametrize("format,message", [
    ("OPCC.D.{number:03d}.{short_year:d}", "references.format: not a reference format: Unknown format code 'd'"),
    ("OPCC.D.{number:03d}.{short_year.real}", "references.format: a reference format takes {number} and may take {year}, {short_year}"),
    ("OPCC.D.{number:03d}.{short_year[0]}", "references.format: a reference format takes {number}"),
    ("OPCC.D.{number:03d}.{short_year:>30}", "references.format: {short_year:>30} pads to 30 characters"),
    ("OPCC.D.{number:03d}.{short_year!r}", "references: the format writes \"OPCC.D.001.'24'\", which the pattern does not match"),
])
def test_a_bad_short_year_format_is_refused(tmp_path: Path, format: str, message: str) -> None:
    office = kent(tmp_path)
    edit(office, "  format: 'OPCC.D.{number:03d}.{short_year}'", f"  format: '{format}'")
    refused_at_load(office, message)


# --- office fields where the layout puts them, and in open data ---------------------------------

FORM = (B + "    - draft_mark\n    - letterhead\n    - confidentiality\n"
        "    - fields:\n        rows:\n"
        "          - {label: 'Title and Reference –', field: reference, emphasis: heading}\n"
        "          - {label: 'Subject:', field: subject}\n"
        "          - {label: 'Date:', field: date}\n"
        "          - {label: 'Originator:', field: originator}\n"
        "          - {label: 'Urgent:', field: urgent}\n"
        "          - {label: 'Reviewed:', field: reviewed}\n"
        "          - {label: 'Budget lines:', field: lines}\n"
        "          - {label: 'Internal note:', field: internal}\n"
        "    - funding\n"
        f"    - sections: {{until: '{SECRET_HEADING}'}}\n"
        "    - text: 'Fixed text of the form for {reference}, from {originator}'\n"
        f"    - sections: {{from: '{SECRET_HEADING}'}}\n"
        "    - recommendation\n    - sign_offs\n    - after_approval\n"
        "  header: {left: '{office}', right: '{originator}'}\n"
        "  footer: {left: '{reference}', page_numbers: 'Page {page} of {pages}'}\n")
FORM_FIELDS = ("  originator: {label: Originator, values: [Chief Executive, Chief Finance Officer, '" + f"Agent {MARKER}" + "']}\n"
               "  urgent: {label: Urgent, type: yes_no}\n"
               "  reviewed: {label: Reviewed, type: date}\n"
               "  lines: {label: Budget lines, type: number}\n"
               "  internal: {label: Internal note, public: false}\n")
SECRET_SECTION = f"  - heading: {SECRET_HEADING}\n    confidential: true\n    content:\n      - The rate is {MARKER}.\n"
SECRET_PARAGRAPH = f"      - text: Part 2 detail {MARKER} in a paragraph.\n        confidential: true\n"


def form_project(folder: Path) -> Path:
    office = project(folder, fields_office(FORM_FIELDS, FORM))
    record = seed_of(office)
    give_fields(record, f"  originator: Chief Executive\n  urgent: false\n  reviewed: 2023-09-01\n  lines: 3\n  internal: Kept in {MARKER}\n")
    edit(record, "  - heading: Long Term Considerations\n", SECRET_SECTION + "  - heading: Long Term Considerations\n")
    edit(record, "      - >-\n          The provider will be required", SECRET_PARAGRAPH + "      - >-\n          The provider will be required")
    return office


def test_office_fields_print_where_the_layout_puts_them(tmp_path: Path) -> None:
    office = form_project(tmp_path)
    assert run(office, "check")[0] == 0
    out = render(office)
    for kind, text in papers(out).items():
        assert in_order(text, "Subject:", "Allocation of MoJ Funding", "Date:", "06/09/2023", "Originator:", "Chief Executive",
                        "Urgent:", "No", "Reviewed:", "01/09/2023", "Budget lines:", "3", "Internal note:", f"Kept in {MARKER}",
                        "Sexual Exploitation Support – MoJ B992",
                        "Considerations of Partnership Work", "Route to Market/Delivery",
                        "Fixed text of the form for PCC/D/102, from Chief Executive", "Long Term Considerations", "To note decision"), kind
    # The internal paper keeps the confidential section, after the form's own line.
    assert in_order(papers(out)["html"], "Fixed text of the form", SECRET_HEADING, f"The rate is {MARKER}.", "Long Term Considerations")
    header = " ".join(p.text for p in docx.Document(io.BytesIO((out / "pcc-d-102.docx").read_bytes())).sections[0].header.paragraphs)
    assert "Chief Executive" in header


def test_a_field_the_record_does_not_give_leaves_its_row_out(tmp_path: Path) -> None:
    office = project(tmp_path, fields_office(FORM_FIELDS, FORM))
    give_fields(seed_of(office), "  originator: Chief Finance Officer\n")
    assert run(office, "check")[0] == 0
    for kind, text in papers(render(office)).items():
        assert "Originator: Chief Finance Officer" in text, kind
        assert "Urgent:" not in text and "Reviewed:" not in text and "Budget lines:" not in text, kind


def test_a_field_value_is_text_never_markup(tmp_path: Path) -> None:
    office = project(tmp_path, fields_office("  budget_holder: {label: '<b>Budget</b> holder & co'}\n",
                                             rows("{label: '<i>Holder</i>:', field: budget_holder}", "{field: reference}")
                                             + "    - sections\n    - recommendation\n    - sign_offs\n" + SAFE))
    give_fields(seed_of(office), "  budget_holder: '<script>alert(1)</script> & \"Co\" ]]>'\n")
    out = render(office)
    html = (out / "pcc-d-102.internal.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>Holder" not in html
    for kind, text in papers(out).items():
        assert "<i>Holder</i>: <script>alert(1)</script> & \"Co\" ]]>" in text, kind


def test_kent_prints_its_originator_in_the_table(tmp_path: Path) -> None:
    office = kent(tmp_path)
    out = render(office, "OPCC.D.036.25")
    document = docx.Document(io.BytesIO((out / "opcc-d-036-25.docx").read_bytes()))
    cells = [[cell.text.strip() for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["ORIGINATOR:", "Chief Executive"] in cells and ["REFERENCE:", "OPCC.D.036.25"] in cells, cells
    assert cells.index(["ORIGINATOR:", "Chief Executive"]) < cells.index(["REFERENCE:", "OPCC.D.036.25"])
    html = (out / "opcc-d-036-25.internal.html").read_text(encoding="utf-8")
    assert "<table" in html
    assert in_order(normalise(html_text(html.encode())), "Record of Decision", "ORIGINATOR:", "Chief Executive", "REFERENCE:",
                    "OPCC.D.036.25", "TITLE:")


def readable(site: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the site as text a reader or a machine could get at."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".pdf":
            reader = pypdf.PdfReader(io.BytesIO(data))
            yield path, "\n".join(page.extract_text() for page in reader.pages) + json.dumps(
                {k: str(v) for k, v in (reader.metadata or {}).items()}) + data.decode("latin-1")
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                yield path, "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
        else:
            yield path, data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register published by `decisions publish`: PCC/D/102 public, with office fields, a
    confidential section that the layout's `from` and `until` name, and a confidential
    paragraph; PCC/D/104 Part 2, its originator a confidential word."""
    office = form_project(tmp_path_factory.mktemp("register"))
    seed = seed_of(office).read_text(encoding="utf-8")
    part2 = (seed.replace("reference: PCC/D/102", "reference: PCC/D/104")
             .replace("  part: public\n", "  part: part2\n  reason: Exempt under section 43 (commercial interests) of the Freedom of Information Act\n")
             .replace("  originator: Chief Executive\n", f"  originator: Agent {MARKER}\n"))
    (seed_of(office).parent / "PCC-D-104.yaml").write_text(part2, encoding="utf-8")
    assert run(office, "check") == (0, ["2 records checked: 0 errors, 0 warnings"])
    code, lines = run(office, "publish")
    assert code == 0 and lines[-1].startswith("published 1, withheld (Part 2) 1, not approved 0, failed 0"), lines
    return office.parent / "build" / "site"


def test_open_data_carries_the_office_fields(site: Path) -> None:
    decisions = {d["reference"]: d for d in json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]}
    assert decisions["PCC/D/102"]["fields"] == [
        {"name": "originator", "label": "Originator", "value": "Chief Executive"},
        {"name": "urgent", "label": "Urgent", "value": False},
        {"name": "reviewed", "label": "Reviewed", "value": "2023-09-01"},
        {"name": "lines", "label": "Budget lines", "value": 3}]
    assert "fields" not in decisions["PCC/D/104"]
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8")))}
    assert rows["PCC/D/102"]["fields"] == "Originator: Chief Executive; Urgent: no; Reviewed: 2023-09-01; Budget lines: 3"
    assert rows["PCC/D/104"]["fields"] == ""


def test_the_public_paper_prints_the_fields_and_the_form_in_order(site: Path) -> None:
    folder = site / "decisions" / "2021-2024" / "pcc-d-102"
    texts = {"html": normalise(html_text((folder / "index.html").read_bytes())),
             "docx": normalise(docx_text((folder / "pcc-d-102.docx").read_bytes()))}
    for kind, text in texts.items():
        assert in_order(text, "Originator:", "Chief Executive", "Urgent:", "No", "Reviewed:", "01/09/2023", "Budget lines:", "3",
                        "The provider will be required", "Fixed text of the form for PCC/D/102, from Chief Executive",
                        "Long Term Considerations", "To note decision"), kind


def test_no_confidential_word_reaches_public_output_through_the_layout(site: Path) -> None:
    scanned = list(readable(site))
    assert {".html", ".json", ".csv", ".atom", ".pdf", ".docx"} <= {p.suffix for p, _ in scanned}
    assert [str(p.relative_to(site)) for p, text in scanned if MARKER in text] == []
    # The check can fail: the word is in the records and the office's layout that were published.
    records = site.parent.parent / "records" / "2021-2024"
    assert MARKER in (records / "PCC-D-102.yaml").read_text() and MARKER in (records / "PCC-D-104.yaml").read_text()
    assert MARKER in (site.parent.parent / "office.yaml").read_text()


def test_a_part2_paper_gives_no_field_to_the_register(site: Path) -> None:
    folder = site / "decisions" / "2021-2024" / "pcc-d-104"
    assert [p.name for p in folder.iterdir()] == ["index.html"]
    page = normalise(html_text((folder / "index.html").read_bytes()))
    assert "Originator" not in page and "Agent" not in page


# --- from the hostile review of the layout ---------------------------------------------------------


@pytest.mark.parametrize("layout,message", [
    (B + "    - confidentiality\n    - sections\n", "layout: the layout needs a draft_mark block (a draft must say it is one), for papers of every kind"),
    (B + "    - draft_mark: {kinds: [commissioning]}\n    - confidentiality\n    - sections\n",
     "layout: the layout needs a draft_mark block (a draft must say it is one), for papers of every kind"),
    (B + "    - draft_mark\n    - sections\n",
     "layout: the layout needs a confidentiality or markings block (a Part 2 paper must say it is one), for papers of every kind"),
], ids=["no draft mark", "a draft mark for one kind only", "no Part 2 marking"])
def test_every_form_says_draft_and_part_2(tmp_path: Path, layout: str, message: str) -> None:
    """A draft, or a Part 2 paper, that does not say so is the most dangerous paper there is:
    every layout has a place for both, or office.yaml is refused."""
    refused_at_load(project(tmp_path, office_with(layout=layout)), message, "layout:")


def test_the_layout_rule_cannot_be_waived(tmp_path: Path) -> None:
    """A waiver cannot let a paper leave out what its record states."""
    office = project(tmp_path, office_with(layout=B + SAFE + "    - sections\n    - sign_offs\n"))
    record = seed_of(office)
    record.write_text(record.read_text(encoding="utf-8") + "\nwaivers:\n  - rule: layout-shows\n"
                      "    reason: The office's form has no recommendation at all, so it is left out.\n", encoding="utf-8")
    code, lines = run(office, "check")
    assert code == 1, lines
    assert any("'layout-shows' cannot be waived: the papers would leave out, or print twice" in line for line in lines), lines
    assert any("recommendation: the office's layout prints the recommendation nowhere" in line for line in lines), lines


def test_what_the_layout_prints_twice_is_an_error(tmp_path: Path) -> None:
    office = project(tmp_path, office_with(layout=B + SAFE + "    - sections\n    - sections: {from: Long Term Considerations}\n"
                                           "    - recommendation\n    - sign_offs\n    - sign_offs\n"))
    code, lines = run(office, "check")
    assert code == 1
    assert any("the section 'Long Term Considerations' is printed 2 times by the office's layout's sections blocks" in line
               for line in lines), lines
    assert any("approval: the office's layout prints the approval 2 times" in line for line in lines), lines


@pytest.mark.parametrize("running,message", [
    ("  header: {left: '{office}', page_numbers: 'Page {page}'}\n", "layout: header: page numbers go in the footer"),
    ("  footer: {right: Right, page_numbers: 'Page {page} of {pages}'}\n",
     "the page numbers stand at the right: give `right` or `page_numbers`, not both"),
    ("  footer: {page_numbers: '{pages} pages, this is {page}'}\n", "page_numbers names {page} before {pages}"),
], ids=["page numbers in the header", "right beside page numbers", "pages before page"])
def test_running_lines_print_what_they_say(tmp_path: Path, running: str, message: str) -> None:
    refused_at_load(project(tmp_path, office_with(layout=B + SAFE + "    - sections\n" + running)), message)


@pytest.mark.parametrize("block,message", [
    ("    - text: \"One line\\nand another\"\n", "on one line"),
    ("    - fields: {form: table, rows: [{field: reference}]}\n", "a title block in table form gives each row a label"),
], ids=["a line break in a fixed text", "a table row without a label"])
def test_layout_texts_draw_alike_in_word_and_on_the_web(tmp_path: Path, block: str, message: str) -> None:
    """What Word and the web page would draw differently is refused: a line break (a break in
    Word, none on the web), a table's row with no label (an empty first column)."""
    refused_at_load(project(tmp_path, office_with(layout=B + SAFE + block + "    - sections\n")), message)


@pytest.mark.parametrize("style,message", [
    ("  date_format: '%Q %Y'\n", "date_format: '%Q' is not a date's part"),
    ("  date_format: '%d %H:%M'\n", "date_format: '%H' is not a date's part"),
], ids=["an unknown code", "a time of day"])
def test_a_date_format_gives_only_a_dates_parts(tmp_path: Path, style: str, message: str) -> None:
    text = root_office().replace("  date_format: '%d/%m/%Y'\n", style)
    refused_at_load(project(tmp_path, text), message)


def test_a_welsh_office_names_its_days_in_welsh(tmp_path: Path) -> None:
    office = project(tmp_path, in_language("cy-GB", date_format="%A %-d %B %Y"))
    assert run(office, "check")[0] == 0
    for kind, text in papers(render(office)).items():
        assert "Dydd Mercher 6 Medi 2023" in text, kind


def test_a_fixed_text_whose_fields_are_empty_is_left_out(tmp_path: Path) -> None:
    """'Decision date: {date}' on a paper whose date is not stated would be a label with
    nothing after it: the line is left out."""
    office = project(tmp_path, office_with(layout=B + SAFE + "    - sections\n    - recommendation\n    - sign_offs\n"
                                           "    - text: 'Author: {author}'\n    - text: 'Decided by {commissioner}'\n"))
    for kind, text in papers(render(office)).items():
        assert "Author:" not in text and "Decided by Bedfordshire Police and Crime Commissioner" in text, kind


def test_the_papers_own_approval_heading_stands_over_the_approval(tmp_path: Path) -> None:
    """A record's approval heading heads the commissioner's block, not the officers' before it."""
    office = project(tmp_path, office_with(layout=B + SAFE + "    - sections\n    - recommendation\n    - sign_offs\n"))
    record = seed_of(office)
    text = record.read_text(encoding="utf-8")
    assert "\napproval:\n" in text
    record.write_text(text.replace("\napproval:\n", "\nsign_offs:\n  - role: Chief Finance Officer\n    name: A. Treasurer\n"
                                   "\napproval:\n  heading: Commissioner's Approval\n", 1), encoding="utf-8")
    for kind, paper in papers(render(office)).items():
        assert in_order(paper, "Chief Finance Officer", "A. Treasurer", "Commissioner's Approval",
                        "Bedfordshire Police and Crime Commissioner"), (kind, paper[-400:])


def test_an_undated_paper_takes_the_form_of_its_references_year(tmp_path: Path) -> None:
    """An office's form changed on a day; a paper whose date is not stated takes the form of the
    year its reference names (Surrey's 048/2021: the 2021 form), not the latest."""
    shutil.copytree(ROOT / "examples" / "surrey", tmp_path / "surrey", ignore=shutil.ignore_patterns("build", "ledger.jsonl"))
    record = tmp_path / "surrey" / "records" / "2021-2024" / "048-2021.yaml"
    edit(record, "date: 2021-11              # \"November 2021\": the day is not seen\n", "date: not stated\nterm: 2021-2024\n")
    office = tmp_path / "surrey" / "office.yaml"
    out = render(office, "048/2021")
    for kind, text in papers(out, "048-2021").items():
        assert "Police and Crime Commissioner for Surrey – Decision Making Record" in text and "Decision number: 048/2021" in text, kind


def test_a_logo_that_is_no_picture_is_named(tmp_path: Path) -> None:
    office = project(tmp_path, root_office().replace("logo: null ", "logo: logo.png "))
    (tmp_path / "logo.png").write_text("not a picture", encoding="utf-8")
    code, lines = run(office, "render", "PCC/D/102", "--format", "docx", "--out", str(tmp_path / "out"))
    assert code == 1 and lines == [f"{office}:1:1: error: logo: the logo logo.png is not a picture Word can show: "
                                   "give a PNG, JPEG, GIF, BMP or TIFF"], lines
    assert not (tmp_path / "out" / "pcc-d-102.docx").exists()


@pytest.mark.parametrize("block,message", [
    ("    - funding: {kinds: [estates]}\n", "layout: the funding block names the kind 'estates', which is neither the engine's nor the office's"),
    ("    - funding: {kinds: []}\n", "List should have at least 1 item"),
], ids=["an unknown kind", "no kind at all"])
def test_a_block_for_some_kinds_names_real_kinds(tmp_path: Path, block: str, message: str) -> None:
    refused_at_load(project(tmp_path, office_with(layout=B + SAFE + block + "    - sections\n")), message)


def test_funding_lines_may_be_left_out_but_never_printed_twice(tmp_path: Path) -> None:
    """A form without funding lines keeps them in the register alone; two funding blocks would
    print each amount twice."""
    rest = "    - sections\n    - recommendation\n    - sign_offs\n"
    assert run(project(tmp_path / "none", office_with(layout=B + SAFE + rest)), "check")[0] == 0
    code, lines = run(project(tmp_path / "twice", office_with(layout=B + SAFE + "    - funding\n    - funding\n" + rest)), "check")
    assert code == 1 and any("funding: the office's layout prints the funding lines 2 times" in line for line in lines), lines
