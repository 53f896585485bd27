"""`decisions new` and `decisions schema`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.schema import schema_text

from .conftest import ROOT, SEED


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), *args])
    return result.exit_code, result.output


def test_new_takes_the_next_free_reference_and_check_reports_placeholders(tmp_path: Path) -> None:
    records = tmp_path / "records"
    (records / "2021-2024").mkdir(parents=True)
    shutil.copy(SEED, records / "2021-2024")
    code, out = run("new", "--date", "2023-10-02", "--records", str(records))
    assert code == 0, out
    created = records / "2021-2024" / "PCC-D-103.yaml"
    assert out.strip() == str(created)
    text = created.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "reference: PCC/D/103\n" in text and "financial_year: 2023-2024" in text
    code, out = run("check", str(created))
    assert code == 1
    fields = [line.split(": ")[2] for line in out.splitlines()[:-1]]
    assert fields == ["subject", "funding[0].service", "funding[0].fund", "funding[0].budget_code", "funding[0].amount",
                      "sections[0].content[0]", "sections[1].content[0]", "route_to_market.bidding_limit", "recommendation"]
    assert f"{created}:4:1: error: subject: placeholder not filled in: TODO: subject" in out


def test_new_restarts_numbering_in_a_new_term(tmp_path: Path) -> None:
    records = tmp_path / "records"
    (records / "2021-2024").mkdir(parents=True)
    shutil.copy(SEED, records / "2021-2024")
    code, out = run("new", "--date", "2024-06-01", "--records", str(records))
    assert out.strip() == str(records / "2024-2028" / "PCC-D-001.yaml")
    code, out = run("new", "--date", "2024-06-02", "--records", str(records))
    assert out.strip() == str(records / "2024-2028" / "PCC-D-002.yaml")


def test_new_outside_any_term(tmp_path: Path) -> None:
    code, out = run("new", "--date", "2010-01-01", "--records", str(tmp_path))
    assert code == 1
    assert "no commissioner's term holds 2010-01-01" in out


def test_committed_schema_is_current() -> None:
    assert (ROOT / "schema" / "decision.schema.json").read_text(encoding="utf-8") == schema_text(), \
        "the model changed: run `decisions schema` and commit schema/decision.schema.json"


def test_schema_describes_the_record_and_records_point_to_it() -> None:
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    assert {"reference", "subject", "report_of", "date", "funding", "sections"} <= set(schema["required"]) | set(schema["properties"])
    for record in (ROOT / "records").rglob("*.yaml"):
        first = record.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = (record.parent / first.split("=", 1)[1]).resolve()
        assert target == (ROOT / "schema" / "decision.schema.json").resolve()
