"""Another office's papers, by configuration alone: its references, labels, dates, sign-offs."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.papers import render_sources
from engine.project import Project
from engine.records import read_record

from .conftest import ROOT
from .text import docx_text, html_text

DATA = ROOT / "tests" / "data"


def another_office(tmp_path: Path) -> Project:
    shutil.copy(DATA / "another-office.yaml", tmp_path / "office.yaml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "records" / "2024-2028").mkdir(parents=True)
    shutil.copy(DATA / "DEC-0042.yaml", tmp_path / "records" / "2024-2028")
    return Project.load(tmp_path / "office.yaml")


def test_another_offices_record_checks_clean(tmp_path: Path) -> None:
    another_office(tmp_path)
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "check"])
    assert result.output.endswith("1 record checked: 0 errors, 0 warnings\n"), result.output
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "new", "--date", "2025-03-01"])
    assert result.output.strip().endswith("records/2024-2028/DEC-0043.yaml"), result.output


def test_another_offices_own_kind(tmp_path: Path) -> None:
    """The office's own kind is a kind like the engine's: listed, in its schema, and a record
    of it that lacks what it expects is told so."""
    project = another_office(tmp_path)
    office = ["--office", str(tmp_path / "office.yaml")]
    result = CliRunner().invoke(main, [*office, "kinds", "--format", "json"])
    assert {"kind": "estates", "label": "Estates", "description": "The police estate, its buildings and land",
            "source": "office", "expects": [["funding"]], "rules": []} in json.loads(result.output)
    result = CliRunner().invoke(main, [*office, "schema", "--out", "-"])
    assert "estates" in json.loads(result.output)["properties"]["kind"]["enum"]
    result = CliRunner().invoke(main, [*office, "new", "--date", "2025-03-01", "--kind", "estates"])
    assert result.exit_code == 0, result.output
    assert "\nkind: estates " in Path(result.output.strip()).read_text(encoding="utf-8")
    record = tmp_path / "records" / "2024-2028" / "DEC-0042.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text[: text.index("funding:")] + text[text.index("sections:"):], encoding="utf-8")
    checked = read_record(record, project.office)
    assert [p.rule for p in checked.problems] == ["kind-facts"], checked.problems


def test_another_offices_paper(tmp_path: Path) -> None:
    project = another_office(tmp_path)
    record = read_record(tmp_path / "records" / "2024-2028" / "DEC-0042.yaml", project.office)
    assert record.ok, record.problems
    files = render_sources(record.decision, project, ["docx", "html"]).files
    for text in (docx_text(files["docx"]), html_text(files["html"])):
        flat = " ".join(text.split())
        for expected in ("Police Headquarters", "Office of the Police and Crime Commissioner for Anyshire",
                         "KEY DECISION", "CONFIDENTIAL: Commercially sensitive until contracts are signed.",
                         "Decision number: DEC-0042", "Title: Estates strategy 2025-2026", "Report by: Chief Executive",
                         "Date of decision: 03 February 2025", "Estates review | Police Fund | £125,000.50",
                         "Financial implications", "Legal implications", "Equality implications",
                         "Recommendation That the Commissioner approves the review.",
                         "Chief Finance Officer I have been consulted", "B. Treasurer",
                         "Chief Executive I have been consulted", "C. Executive",
                         "Police and Crime Commissioner for Anyshire I approve the recommendation set out above.",
                         "A. Commissioner", "10 February 2025"):
            assert expected in flat, expected
        assert "Financial implications:" not in flat  # no heading suffix in this house style
        assert flat.index("Chief Finance Officer") < flat.index("Chief Executive I have") < flat.index("I approve the recommendation")
    styles = zipfile.ZipFile(io.BytesIO(files["docx"])).read("word/styles.xml").decode()
    assert 'w:ascii="Carlito"' in styles and 'w:color="004B3A"' in styles and "1F3864" not in styles
