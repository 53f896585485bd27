"""The README's guide to adopting the engine works as written: from an empty folder, its
office.yaml, `schema`, `new`, `check` and `build` give a paper in the new office's layout, with
no template and no code of its own."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.papers import render_sources
from engine.project import Project
from engine.records import read_record

from .support import ROOT
from .text import docx_text, html_text, missing_in_order, normalise

README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = README[README.index("## Adopting the engine in a new office"):]
# Step 1's commands as a reader copies them from the rendered README: the list item's
# indentation gone.
STEP_ONE = textwrap.dedent(re.search(r"\n   ```sh\n(.*?)\n   ```\n", GUIDE, re.S).group(1))  # type: ignore[union-attr]

# What the officer types in place of each TODO the skeleton leaves.
FILLED = {
    "TODO: subject": "Publication of stop and search data",
    "TODO: what is decided, and why": "The force will publish its stop and search data each month.",
    "TODO: Originator": "Chief Executive",
    "'TODO: Protective Marking, one of OFFICIAL, OFFICIAL-SENSITIVE'": "OFFICIAL",
    "TODO: the recommendation, e.g. To note decision": "That the Commissioner approves monthly publication.",
}


def test_the_adoption_guide_gives_a_paper_in_the_new_offices_layout(tmp_path: Path) -> None:
    """A governance team following the README gets a paper in its own form, configuration alone."""
    subprocess.run(["bash", "-e", "-c", STEP_ONE], cwd=tmp_path, check=True)
    tmp_path = tmp_path / "anyshire"
    office = ["--office", str(tmp_path / "office.yaml")]
    runner = CliRunner()
    result = runner.invoke(main, [*office, "schema"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, [*office, "new", "--kind", "policy_or_governance", "--date", "2026-11-20"])
    assert result.output.strip().endswith("records/2024-2028/01-2026.yaml"), result.output
    record = tmp_path / "records" / "2024-2028" / "01-2026.yaml"
    result = runner.invoke(main, [*office, "check"])
    assert result.exit_code == 1
    assert "error: fields.originator: placeholder not filled in: TODO: Originator" in result.output, result.output
    text = record.read_text(encoding="utf-8")
    assert "report_of" not in text  # the office's form has no "Report of" line
    for todo, fact in FILLED.items():
        assert todo in text, todo
        text = text.replace(todo, fact)
    assert "TODO:" not in text
    record.write_text(text, encoding="utf-8")
    result = runner.invoke(main, [*office, "check"])
    assert result.output.endswith("1 record checked: 0 errors, 0 warnings\n"), result.output

    project = Project.load(tmp_path / "office.yaml")
    files = render_sources(read_record(record, project.office).decision, project, ["docx", "html"]).files
    for paper in (docx_text(files["docx"]), html_text(files["html"])):
        flat = normalise(paper)
        order = ["DRAFT – NOT APPROVED", "Record of Decision", "Reference: 01/2026", "Title: Publication of stop and search data",
                 "Originator: Chief Executive", "Protective Marking: OFFICIAL", "Date: 20 November 2026", "Background",
                 "The force will publish", "Recommendation", "That the Commissioner approves monthly publication.", "Approval",
                 "Police and Crime Commissioner for Anyshire", "Comments: I approve the recommendation above.",
                 "All decisions are published in the decision register."]
        assert missing_in_order(flat, order) == [], flat
    # Step 5: approved, and published.
    record.write_text(text.replace("status: draft", "status: approved") + "approval: {name: Alex Example, date: 2026-11-21}\n",
                      encoding="utf-8")
    result = runner.invoke(main, [*office, "check"])
    assert result.output.endswith("1 record checked: 0 errors, 0 warnings\n"), result.output
    result = runner.invoke(main, [*office, "publish"])
    assert result.exit_code == 0 and "published 1, withheld (Part 2) 0, not approved 0, failed 0" in result.output, result.output
    index = (tmp_path / "build" / "site" / "index.html").read_text(encoding="utf-8")
    assert "<p>Office of the Police and Crime Commissioner for Anyshire</p>" in index  # no address: no ", " after the name
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".docx", ".j2") and "build" not in p.parts]
    assert os.listdir(tmp_path) and not (tmp_path / "templates").exists()
