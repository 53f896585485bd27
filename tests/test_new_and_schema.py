"""`decisions new` and `decisions schema`."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.kinds import ENGINE_KINDS, Kind
from engine.office import load_office
from engine.records import read_record
from engine.schema import schema_data, schema_text
from engine.yaml_source import read_yaml

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
    # The office last used PCC/D/127 in the term (office.yaml's last_used), beyond the archive's PCC/D/102.
    created = records / "2021-2024" / "PCC-D-128.yaml"
    assert out.strip() == str(created)
    text = created.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "\nreference: PCC/D/128 " in text and "\n    financial_year: 2023-24 " in text
    code, out = run("check", str(created))
    assert code == 1
    # A draft's unfilled placeholder is an error, every one of them, the kind's first; nothing
    # else is reported (the skeleton is otherwise a valid record of the model).
    fields = [line.split(": ")[2] for line in out.splitlines()[:-1]]
    assert fields == ["kind", "subject", "funding[0].recipient", "funding[0].service", "funding[0].fund",
                      "funding[0].budget_code", "funding[0].amount", "route_to_market.bidding_limit", "history[0].date",
                      "history[1].date", "history[2].received", "sections[0].content[0]", "sections[1].content[0]",
                      "recommendation"], out
    assert all(": placeholder not filled in: TODO" in line for line in out.splitlines()[:-1]), out
    assert f"{created}:10:1: error: subject: placeholder not filled in: TODO: subject" in out


def test_the_skeleton_filled_in_checks_clean(tmp_path: Path) -> None:
    """What new writes is the new model's shape: filling in the placeholders (and leaving out
    the optional recipient) is all a record needs; the commented fields are left as notes."""
    records = tmp_path / "records"
    code, out = run("new", "--date", "2023-10-02", "--records", str(records))
    assert code == 0, out
    created = Path(out.strip())
    text = created.read_text(encoding="utf-8")
    filled = {"kind": "funding_allocation", "subject": "Allocation of MoJ Funding for Victim Support 2023-2024",
              "recipient": "Changing Lives", "service": "Victim Support", "fund": "MoJ", "budget_code": "B992",
              "amount": "30000", "-": "A paragraph.", "bidding_limit": "30000", "recommendation": "To note decision",
              "opportunity_released": "2023-06-01", "response_deadline": "2023-07-03", "received": "0"}
    lines: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("TODO"):  # words: the block's line under its `>-`
            field = lines[-1].split("#")[0].split(">-")[0].strip().removeprefix("- ").rstrip(":") or "-"
            line = line[: line.index("TODO")] + filled[field]
        elif '"TODO' in line:  # a number, a date or a choice, in quotes
            key = line[: line.index('"TODO')]
            field = key.strip().removeprefix("-").strip().rstrip(":")
            if field == "date":
                field = lines[-1].split("event:")[1].split("#")[0].strip()
            line = key + filled[field]
        lines.append(line)
    created.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run("check", str(created))
    assert out.endswith("1 record checked: 0 errors, 0 warnings\n"), out
    # The recipient is optional: a line without one checks clean too.
    start = next(i for i, line in enumerate(lines) if line.startswith("  - recipient:"))
    without = lines[:start] + ["  - " + lines[start + 2].lstrip()] + lines[start + 3:]
    created.write_text("\n".join(without) + "\n", encoding="utf-8")
    code, out = run("check", str(created))
    assert out.endswith("1 record checked: 0 errors, 0 warnings\n"), out


def test_new_starts_a_record_of_a_kind_with_the_facts_it_expects(tmp_path: Path) -> None:
    records = tmp_path / "records"
    code, out = run("new", "--date", "2024-01-15", "--kind", "policy_or_governance", "--records", str(records))
    assert code == 0, out
    text = Path(out.strip()).read_text(encoding="utf-8")
    assert "\nkind: policy_or_governance " in text and "funding:" not in text and "route_to_market:" not in text
    code, out = run("new", "--date", "2024-01-15", "--kind", "precept_and_budget", "--records", str(records))
    text = Path(out.strip()).read_text(encoding="utf-8")
    assert out.strip().endswith("PCC-D-129.yaml") and "\nkind: precept_and_budget " in text
    assert 'financial_year: "TODO: the financial year the decision is for, e.g. 2023-24"' in text
    code, out = run("new", "--date", "2024-01-15", "--kind", "contract_award", "--records", str(records))
    text = Path(out.strip()).read_text(encoding="utf-8")
    assert "funding:" in text and "route_to_market:" in text
    code, out = run("new", "--date", "2024-01-15", "--kind", "nonsense", "--records", str(records))
    assert code == 1 and out.startswith("error: 'nonsense' is not a kind of decision") and out.count("\n") == 1, out


def test_new_in_a_new_term_follows_what_the_office_last_used_there(tmp_path: Path) -> None:
    """Numbering restarts each term (tests/test_references.py shows it with an office that has
    no last_used); Bedfordshire had published up to PCC/D/028 in its 2024-2028 term, which the
    engine does not hold, so new never offers PCC/D/001 again."""
    records = tmp_path / "records"
    (records / "2021-2024").mkdir(parents=True)
    shutil.copy(SEED, records / "2021-2024")
    code, out = run("new", "--date", "2024-06-01", "--records", str(records))
    assert code == 0 and out.strip() == str(records / "2024-2028" / "PCC-D-029.yaml"), out
    code, out = run("new", "--date", "2024-06-02", "--records", str(records))
    assert code == 0, out
    assert out.strip() == str(records / "2024-2028" / "PCC-D-030.yaml")


def test_new_outside_any_term(tmp_path: Path) -> None:
    code, out = run("new", "--date", "2010-01-01", "--records", str(tmp_path))
    assert code == 1
    assert out.startswith("error: no commissioner's term holds 2010-01-01") and out.count("\n") == 1, out


def test_committed_schema_is_current() -> None:
    """The committed schema is the one `decisions schema` writes from the repository's office."""
    assert (ROOT / "schema" / "decision.schema.json").read_text(encoding="utf-8") == \
        schema_text(load_office(ROOT / "office.yaml")), \
        "the model or office.yaml changed: run `decisions schema` and commit schema/decision.schema.json"


@pytest.mark.parametrize("office", sorted(p.parent.name for p in (ROOT / "examples").glob("*/office.yaml")))
def test_each_example_offices_schema_is_current_and_its_records_point_at_it(office: str) -> None:
    """An example office's records name its own schema, which lists its own kinds (Bedfordshire's
    decisions_log), so an editor checks them as `decisions check` does."""
    folder = ROOT / "examples" / office
    assert (folder / "schema" / "decision.schema.json").read_text(encoding="utf-8") == \
        schema_text(load_office(folder / "office.yaml")), f"run `decisions --office examples/{office}/office.yaml schema`"
    for record in (folder / "records").rglob("*.yaml"):
        first = record.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/decision.schema.json", record


def test_schema_command_writes_the_projects_schema(tmp_path: Path) -> None:
    code, out = run("schema", "--out", "-")
    assert code == 0 and out == (ROOT / "schema" / "decision.schema.json").read_text(encoding="utf-8")
    # Without an office.yaml (and no --office), the engine's kinds alone.
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "s.json")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "s.json").read_text())["properties"]["kind"]["enum"] == list(ENGINE_KINDS)
    # A named office that is not there is an error, not the engine's schema.
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "nowhere.yaml"), "schema", "--out", "-"])
    assert result.exit_code == 1 and "no office configuration" in result.output


def test_schema_lists_the_kinds_the_offices_own_too(tmp_path: Path) -> None:
    schema = json.loads(schema_text(load_office(ROOT / "office.yaml")))
    assert schema["properties"]["kind"]["enum"] == list(ENGINE_KINDS)
    office = load_office(ROOT / "office.yaml").model_copy(
        update={"kinds": {"estates": Kind(label="Estates", expects=["funding"])}})
    schema = json.loads(schema_text(office))
    assert schema["properties"]["kind"]["enum"] == [*ENGINE_KINDS, "estates"]
    assert "estates: Estates" in schema["properties"]["kind"]["description"]


def test_schema_describes_the_record_and_records_point_to_it() -> None:
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    assert {"kind", "reference", "subject", "report_of", "date", "funding", "sections"} <= set(schema["required"]) | set(schema["properties"])
    for record in (ROOT / "records").rglob("*.yaml"):
        first = record.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        target = (record.parent / first.split("=", 1)[1]).resolve()
        assert target == (ROOT / "schema" / "decision.schema.json").resolve()


def test_kinds_lists_each_kind_for_an_officer_to_pick(tmp_path: Path) -> None:
    code, out = run("kinds")
    assert code == 0, out
    for name, kind in ENGINE_KINDS.items():
        assert name in out and kind.label in out
    assert "precept-band-d" in out and "Every other rule applies to every kind" in out
    code, out = run("kinds", "--format", "json")
    listed = json.loads(out)
    assert [k["kind"] for k in listed] == list(ENGINE_KINDS)
    assert next(k for k in listed if k["kind"] == "contract_award")["expects"] == [["funding"], ["route_to_market"]]


def test_kinds_shows_the_offices_own_and_never_reads_its_text_as_markup(tmp_path: Path) -> None:
    text = (ROOT / "office.yaml").read_text(encoding="utf-8")
    text += ("kinds:\n  estates:\n    label: '[b]Estates[/b]'\n"
             "    description: Land and buildings\n    expects: [funding]\n")
    (tmp_path / "office.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "kinds"])
    assert result.exit_code == 0, result.output
    assert "estates" in result.output and "[b]Estates[/b]" in result.output and "(office's own)" in result.output
    assert "\x1b" not in result.output
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "kinds", "--format", "json"])
    assert json.loads(result.output)[-1] == {"kind": "estates", "label": "[b]Estates[/b]", "description": "Land and buildings",
                                             "source": "office", "expects": [["funding"]], "rules": []}


# --- the schema is JSON Schema 2020-12, and real records validate against it ----------------------

CHECKER = """
import json, sys
import jsonschema
schema, instances = json.load(sys.stdin)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
print(json.dumps({name: [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
                  for name, data in instances.items()}))
"""


def validate_with_jsonschema(schema: dict[str, Any], instances: dict[str, Any]) -> dict[str, list[str]]:
    """Each instance's errors against the schema, by the jsonschema package, after checking the
    schema itself against the 2020-12 meta-schema. The engine does not depend on jsonschema:
    the project's Python is used if it has it, else a system Python that does; else the test
    is skipped."""
    payload = json.dumps([schema, instances])
    pythons = [sys.executable, *(p for p in (shutil.which("python3"), "/usr/bin/python3") if p)]
    for python in dict.fromkeys(pythons):
        probe = subprocess.run([python, "-c", "import jsonschema"], check=False, capture_output=True)
        if probe.returncode == 0:
            done = subprocess.run([python, "-c", CHECKER], check=False, input=payload, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)
    pytest.skip("jsonschema is not installed for any Python here")


def as_json(value: Any) -> Any:
    """Record data as an editor's YAML 1.2 reading gives it to the schema: dates are text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


CORE = {"reference": "PCC/D/150", "subject": "A decision", "report_of": "Police and Crime Commissioner",
        "date": "2023-10-02", "status": "draft", "sections": [{"heading": "Background", "content": ["A paragraph."]}],
        "recommendation": "To note decision"}
# One way to give each fact a kind can expect.
FACTS: dict[str, dict[str, Any]] = {
    "funding": {"funding": [{"recipient": "Changing Lives", "service": "Support", "fund": "MoJ", "amount": 40000,
                             "financial_year": "2023-24"}]},
    "route_to_market": {"route_to_market": {"method": "competition", "bidding_limit": 40000}},
    "precept": {"precept": {"financial_year": "2024-25", "band_d": 264.5, "increase": 14.84}},
    "links": {"links": [{"relation": "amends", "reference": "PCC/D/083"}]},
    "financial_year": {"financial_year": "2023/24"},
}


def record_of_kind(name: str, kind: Kind) -> dict[str, Any]:
    data = {"kind": name, **CORE}
    for fact in kind.expects:
        data.update(FACTS[fact.split("|")[0]])
    return data


def test_schema_is_json_schema_2020_12_and_records_of_every_kind_validate(tmp_path: Path) -> None:
    office = load_office(ROOT / "office.yaml").model_copy(
        update={"kinds": {"estates": Kind(label="Estates", expects=["funding"])}})
    schema = json.loads(schema_text(office))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    instances = {"PCC-D-102": as_json(read_yaml(SEED).data)}
    kinds = {**ENGINE_KINDS, **office.kinds}
    for name, kind in kinds.items():
        data = record_of_kind(name, kind)
        instances[name] = data
        # The same record is a record to the engine too: the model takes it, and its kind's
        # facts are there.
        path = tmp_path / f"{name}.yaml"
        path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
        checked = read_record(path, office)
        assert checked.decision is not None, checked.problems
        assert not [p for p in checked.problems if p.rule in ("kind", "kind-facts")], checked.problems
    instances["unknown kind"] = {**instances["research"], "kind": "nonsense"}
    instances["engine's schema, office's kind"] = instances["estates"]
    instances["unknown field"] = {**instances["research"], "colour": "blue"}
    errors = validate_with_jsonschema(schema, {k: v for k, v in instances.items() if k != "engine's schema, office's kind"})
    assert errors.pop("unknown kind") != []
    assert errors.pop("unknown field") != []
    assert errors == {name: [] for name in errors}, errors
    engine_only = validate_with_jsonschema(json.loads(schema_text()), {"estates": instances["estates"]})
    assert any("kind" in e and "is not one of" in e for e in engine_only["estates"]), engine_only


def test_a_year_alone_validates_against_the_schema() -> None:
    schema = json.loads(schema_text())
    errors = validate_with_jsonschema(schema, {"year": {**record_of_kind("research", ENGINE_KINDS["research"]), "date": 2014}})
    assert errors == {"year": []}


EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/records/**/*.yaml")) if (ROOT / "examples").is_dir() else []
@pytest.mark.parametrize("path", [pytest.param(p, id=p.relative_to(ROOT / "examples").as_posix()) for p in EXAMPLES])
def test_every_corpus_record_validates_against_its_offices_schema(path: Path) -> None:
    """Each corpus record, as an editor would check it against the schema its office writes:
    every field the records use has its place in the schema."""
    assert example_errors()[path] == [], example_errors()[path]


@functools.cache
def example_errors() -> dict[Path, list[str]]:
    """Every corpus record's errors against its office's schema: one jsonschema run per office."""
    offices: dict[Path, list[Path]] = {}
    for path in EXAMPLES:
        office = next(parent / "office.yaml" for parent in path.parents if (parent / "office.yaml").is_file())
        offices.setdefault(office, []).append(path)
    found: dict[Path, list[str]] = {}
    for office, paths in offices.items():
        errors = validate_with_jsonschema(schema_data(load_office(office)), {str(p): as_json(read_yaml(p).data) for p in paths})
        found.update({Path(name): problems for name, problems in errors.items()})
    return found


@pytest.mark.parametrize("kind", list(ENGINE_KINDS))
def test_a_new_record_of_each_kind_lacks_nothing_but_its_placeholders(tmp_path: Path, kind: str) -> None:
    """What check reports of a fresh record is only what the officer has to fill in: never that
    its kind expects a fact the skeleton left out."""
    records = tmp_path / "records"
    code, out = run("new", "--date", "2023-10-02", "--kind", kind, "--records", str(records))
    assert code == 0, out
    code, out = run("check", out.strip())
    problems = out.splitlines()[:-1]
    assert code == 1 and problems and all("placeholder not filled in: TODO" in line for line in problems), out
