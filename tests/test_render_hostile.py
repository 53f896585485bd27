"""Hostile record text: whatever passes `check` renders, in every format, exactly as written.

Each case is the seed record with some of its text replaced, written as YAML and read back
through `check` (so it is a record an officer could write), then rendered as the decision paper
and the specification. Every PDF is converted in one LibreOffice batch."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml

from engine.papers import Paper, convert_pdfs, render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.pdf import Converter

from .conftest import ROOT, SEED
from .text import docx_text, html_text, normalise, pdf_text

SEED_DATA: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))

# The fields each document shows, by the marker put in front of the text given to each.
DECISION_FIELDS = ["subject", "report_of", "banner", "service", "fund", "budget_code", "heading", "paragraph", "bullet",
                   "recommendation", "approval_role", "approval_name", "approval_statement", "sign_off_role",
                   "sign_off_name", "sign_off_statement", "reason"]
SPEC_FIELDS = ["service", "paragraph", "bullet", "requirement", "eligibility", "show_stopper", "criterion",
               "criterion_description", "response", "contact_role", "contact_name", "contact_email", "note"]
FIELDS = {"decision": DECISION_FIELDS, "spec": SPEC_FIELDS}


def marked(field: str, value: str) -> str:
    """The text given to one field: its name, so that each field's text can be found apart."""
    return f"[{field}] {value}"


def everywhere(value: str, fields: tuple[str, ...] = tuple(dict.fromkeys(DECISION_FIELDS + SPEC_FIELDS))) -> Callable[[dict], None]:
    """An edit putting `value` (marked) into each of the given fields of the seed."""

    def edit(d: dict) -> None:
        v = {f: marked(f, value) for f in fields}
        for key, field in (("subject", "subject"), ("report_of", "report_of"), ("recommendation", "recommendation")):
            if field in v:
                d[key] = v[field]
        if "banner" in v:
            d["banners"] = [v["banner"]]
        line = d["funding"][0]
        for key in ("service", "fund", "budget_code"):
            if key in v:
                line[key] = v[key]
        section = d["sections"][0]
        if "heading" in v:
            section["heading"] = d["specification"]["description_section"] = v["heading"]
        section["content"] = [v[f] if f == "paragraph" else {"bullets": [v[f]]} for f in ("paragraph", "bullet") if f in v] + section["content"]
        if any(f.startswith("approval_") for f in v):
            d["approval"] = {"role": v.get("approval_role", "Police and Crime Commissioner"), "name": v.get("approval_name", "A Name"),
                             "statement": v.get("approval_statement", "Approved."), "date": "2023-09-07"}
            d["waivers"] = []
        if any(f.startswith("sign_off_") for f in v):
            d["sign_offs"] = [{"role": v.get("sign_off_role", "Chief Finance Officer"), "name": v.get("sign_off_name"),
                               "statement": v.get("sign_off_statement"), "date": "2023-09-07"}]
        if "reason" in v:
            d["publication"] = {"part": "part2", "reason": v["reason"]}
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

    return edit


def subject(text: str) -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        d["subject"] = text

    return edit

# name: (edit of the seed's data, documents to render)
CASES: dict[str, tuple[Callable[[dict], None], tuple[str, ...]]] = {
    "docxtpl": (everywhere(DOCXTPL, ("subject", "paragraph", "bullet")), ("decision",)),
    "long_subject": (subject(LONG_SUBJECT), ("decision",)),
    "six_funding_lines": (funding_lines(6), ("decision", "spec")),
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


def texts(rendered: dict, case: str, document: str = "decision") -> dict[str, str]:
    """The text a reader gets from each format, its white space made single spaces."""
    out = files(rendered, case, document)
    return {"docx": normalise(docx_text(out["docx"])), "pdf": normalise(pdf_text(out["pdf"])),
            "html": normalise(html_text(out["html"]))}


# --- docxtpl's own escapes in record text ------------------------------------------------------


def test_docxtpl_escapes_in_record_text_come_out_as_written(rendered: dict) -> None:
    # docxtpl turns {_{ }_} {_% %_} in whatever it renders into {{ }} {% %}: in the Word paper
    # (and so the PDF) but not the web page, which then disagreed.
    for fmt, text in texts(rendered, "docxtpl").items():
        for field in ("subject", "paragraph", "bullet"):
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
