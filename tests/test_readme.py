"""The README's short record of each kind checks clean: the docs start from working examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.kinds import ENGINE_KINDS
from engine.records import read_record

from .support import ROOT, make_project

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```yaml\n(.*?)```", README[README.index("<!-- kind examples"):README.index("<!-- end of kind examples -->")], re.S)


def test_the_readme_shows_a_record_of_each_kind() -> None:
    kinds = [re.match(r"kind: (\w+)", text).group(1) for text in EXAMPLES]  # type: ignore[union-attr]
    assert kinds == list(ENGINE_KINDS)


@pytest.mark.parametrize("text", EXAMPLES, ids=[re.match(r"kind: (\w+)", t).group(1) for t in EXAMPLES])  # type: ignore[union-attr]
def test_each_kinds_example_checks_clean(tmp_path: Path, text: str) -> None:
    project = make_project(tmp_path)
    reference = re.search(r"^reference: (.+)$", text, re.M).group(1)  # type: ignore[union-attr]
    day = re.search(r"^date: (\d{4}-\d\d-\d\d)$", text, re.M).group(1)  # type: ignore[union-attr]
    import datetime as dt

    term = project.office.term_of(dt.date.fromisoformat(day))
    assert term is not None
    path = tmp_path / "records" / term.name / f"{project.office.file_stem(reference)}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    record = read_record(path, project.office)
    assert record.ok and not record.problems, [str(p) for p in record.problems]
