"""The record model, the YAML reader's errors and the rules, through `decisions check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.office import Office
from engine.records import find_records, read_records

from .conftest import ROOT, SEED, edit


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "check", *args])
    return result.exit_code, result.output


def archive_is_clean() -> str:
    """What `check` says of the office's archive, however many papers it holds."""
    count = len(find_records([ROOT / "records"]))
    return f"{count} record{'s' * (count != 1)} checked: 0 errors, 0 warnings\n"


def test_the_archive_is_clean() -> None:
    code, out = check(str(ROOT / "records"))
    assert out.endswith(archive_is_clean())
    assert code == 0


def test_console_script_runs_from_project_folder() -> None:
    done = subprocess.run([Path(sys.executable).parent / "decisions", "check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == archive_is_clean()


# Each single wrong fact gives an error that names the field, at the line of that field.
WRONG_FACTS = [
    ("reference: PCC/D/102", "reference: PCC/D/10", "reference", "does not follow the office's pattern"),
    ("subject: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024",
     "subject: Allocation of MoJ Funding for Sexual Exploitation Support 2024-2025", "subject", "the subject names 2024-2025"),
    ("report_of: Police and Crime Commissioner", "report_of: ''", "report_of", "at least 1 character"),
    ("kind: commissioning", "kind: procurement", "kind", "'procurement' is not a kind of decision"),
    ("date: 2023-09-06", "date: 2023-02-30", "date", "day value is outside expected range"),
    ("date: 2023-09-06", "date: 2025-09-06", "date", "dated in the 2024-2028 term, but filed under 2021-2024/"),
    ("status: approved", "status: aproved", "status", "Input should be 'draft'"),
    ("    amount: 40000", "    amount: 40000.10000001", "funding[0].amount", "no more than 2 decimal places"),
    ("    amount: 40000", "    amount: \"£40k\"", "funding[0].amount", "write pounds as a plain number"),
    ("    amount: 40000", "    amount: 45000", "funding[0].amount", "the award of £45,000 is above the bidding limit of £40,000"),
    ("    financial_year: 2023-2024", "    financial_year: 2023-2025", "funding[0].financial_year", "so 2023-24"),
    ("  bidding_limit: 40000", "  bidding_limit: 35000", "funding[0].amount", "above the bidding limit of £35,000"),
    ("  duration_months: 12", "  duration_months: twelve", "route_to_market.duration_months", "valid integer"),
    ("  method: competition", "  method: auction", "route_to_market.method", "Input should be 'competition'"),
    ("    date: 2022-12-02", "    date: 2023-02-02", "history[4].date", "list events in date order"),
    ("    date: 2023-01-09", "    date: 2022-11-30", "history[4].date", "not after the release"),
    ("    received: 3", "    received: 4", "history[5].received", "2 discounted at show-stopper + 1 evaluated = 3"),
    ("    discounted: 2", "    discounted: 1", "history[5].received", "1 discounted"),
    ("    date: 2023-03-30", "    date: 2023-09-30", "history[9].date", "after the paper's date"),
    ("  - event: meeting", "  - event: meeting_held", "history[9].event", "Input should be"),
    ("    date: 2023-03-30\n", "", "history[9]", "a meeting event gives `date` [event-facts]"),
    ("  part: public", "  part: part2", "publication.reason", "says why it is withheld"),
    ("kind: commissioning", "kind: commissioning\nwaivers:\n  - rule: approval-date\n    reason: A reason long enough", "waivers[0].rule", "no rule named 'approval-date'"),
    ("recommendation: To note decision", "recommendation: TODO", "recommendation", "placeholder not filled in"),
    ("    amount: 40000", "    amount: TODO", "funding[0].amount", "placeholder not filled in: TODO"),
    ("  date: not stated", "  date: 2023-09-01", "approval.date", "before the paper's date"),
    ("  date: not stated", "  date: 2099-09-01", "approval.date", "an approval cannot be dated ahead"),
    ("  date: not stated", "  date: 2023-09-07\n  name: Kathryn Holloway", "approval.name",
     "Kathryn Holloway was not the commissioner on 2023-09-07: Festus Akinbusoye was"),
    ("  date: not stated", "  date: not known", "approval.date", "write dates as YYYY-MM-DD"),
]


@pytest.mark.parametrize("old,new,field,message", WRONG_FACTS, ids=[w[2] + ":" + w[1].strip()[:24] for w in WRONG_FACTS])
def test_a_wrong_fact_is_reported_at_its_field_and_line(seed_copy: Path, old: str, new: str, field: str, message: str) -> None:
    edit(seed_copy, old, new)
    code, out = check(str(seed_copy))
    assert code == 1, out
    text = seed_copy.read_text(encoding="utf-8").splitlines()
    lines = [line for line in out.splitlines() if f": error: {field}: " in line and message in line]
    assert len(lines) == 1, out
    line_no = int(lines[0].split(":")[1])
    # The line is the field's own, or (for a missing field) its parent's; a list item's is its "- " line.
    names = [part.split("[")[0] for part in field.split(".")]
    line = text[line_no - 1]
    assert any(f"{name}:" in line for name in names) or (field.endswith("]") and line.lstrip().startswith("- ")), (lines[0], line)


def test_every_problem_is_reported_not_just_the_first(seed_copy: Path) -> None:
    edit(seed_copy, "status: approved", "status: aproved")
    edit(seed_copy, "    amount: 40000", "    amount: lots")
    edit(seed_copy, "report_of:", "reportof:")
    code, out = check(str(seed_copy))
    assert code == 1
    assert out.splitlines() == [
        f"{seed_copy}:5:1: error: reportof: unknown field; check its spelling against the schema (`decisions schema`)",
        f"{seed_copy}:7:1: error: status: Input should be 'draft', 'submitted', 'approved', 'declined', 'withdrawn', 'rescinded' or 'superseded' (got 'aproved')",
        f"{seed_copy}:13:5: error: funding[0].amount: Input should be a valid decimal (got 'lots'); "
        "write pounds as a plain number such as 40000 or 1250.50, without £, commas or k",
        "1 record checked: 3 errors, 0 warnings",
    ]


def test_json_format(seed_copy: Path) -> None:
    edit(seed_copy, "    received: 3", "    received: 4")
    code, out = check("--format", "json", str(seed_copy))
    data = json.loads(out)
    assert code == 1
    assert data["errors"] == 1 and data["warnings"] == 0 and data["records"] == 1
    assert data["problems"][0]["field"] == "history[5].received"
    assert data["problems"][0]["rule"] == "application-counts"
    assert data["problems"][0]["severity"] == "error"


# --- bad input: one located line, exit 1, no traceback ------------------------------------------


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", ":1:1: error: empty file: expected a record (see `decisions new`)"),
        (b"reference: [PCC/D/102\n", ":2:1: error: malformed YAML: while parsing a flow sequence, did not find expected ',' or ']'"),
        (b"reference: PCC/D/102\n\tsubject: x\n", ":2:1: error: tab character in indentation; indent with spaces"),
        (b"reference: PCC/D/102\nsubject: a\nsubject: b\n", ":3:1: error: subject: duplicate key 'subject' (first given on line 2); give each field once"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ":1:1: error: binary file, not a YAML record"),
        (b"subject: caf\xe9\n", ":1:13: error: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
        (b"- a\n- b\n", ":1:1: error: a record is a set of fields (reference: ..., subject: ...), not a single value or a list"),
        (b"subject: x\n" + b"#" * 1_100_000 + b"\n", ":1:1: error: file is 1.1 MB; a record must be under 1 MB"),
    ],
    ids=["empty", "malformed", "tab", "duplicate-key", "binary", "not-utf8", "list", "too-large"],
)
def test_bad_input_gets_one_located_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "PCC-D-103.yaml"
    path.write_bytes(content)
    code, out = check(str(path))
    assert code == 1
    assert out.splitlines()[0] == f"{path}{expected}"
    assert "Traceback" not in out


def test_directory_without_records(tmp_path: Path) -> None:
    code, out = check(str(tmp_path))
    assert code == 1
    assert out.strip() == f"{tmp_path}:1:1: error: no records (*.yaml) in this directory"


def test_missing_office_configuration(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "check", str(SEED)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path / 'office.yaml'}: no office configuration here; run from the project folder or pass --office"


# --- rules that need more than one edit ----------------------------------------------------------


def test_references_are_unique_within_a_term(seed_copy: Path, office: Office) -> None:
    twin = seed_copy.with_name("PCC-D-102a.yaml")
    twin.write_text(seed_copy.read_text(encoding="utf-8"), encoding="utf-8")
    records = read_records([seed_copy.parent], office)
    messages = [str(p) for r in records for p in r.problems if p.rule == "unique-reference"]
    assert len(messages) == 2
    assert f"PCC/D/102 is used in the 2021-2024 term by {twin} too [unique-reference]" in messages[0]


def test_same_number_in_another_term_is_fine(seed_copy: Path, office: Office) -> None:
    other = seed_copy.parent.parent / "2024-2028" / seed_copy.name
    other.parent.mkdir()
    other.write_text(seed_copy.read_text(encoding="utf-8").replace("date: 2023-09-06", "date: 2025-01-10"), encoding="utf-8")
    records = read_records([seed_copy.parent.parent], office)
    assert [p for r in records for p in r.problems if p.rule == "unique-reference"] == []


def test_addendum_names_its_parent(seed_copy: Path) -> None:
    addendum = seed_copy.with_name("PCC-D-102a.yaml")
    addendum.write_text(seed_copy.read_text(encoding="utf-8").replace("reference: PCC/D/102", "reference: PCC/D/102a"), encoding="utf-8")
    code, out = check(str(addendum))
    assert "error: reference: PCC/D/102a is an addendum: add `addendum_to: PCC/D/102` [addendum-parent]" in out
    edit(addendum, "reference: PCC/D/102a", "reference: PCC/D/102a\naddendum_to: PCC/D/102")
    code, out = check(str(addendum))
    assert out.endswith("1 record checked: 0 errors, 0 warnings\n"), out
    seed_copy.unlink()  # a parent outside the archive (an office's older papers) is not an error
    code, out = check(str(addendum))
    assert out.endswith("1 record checked: 0 errors, 0 warnings\n"), out


def test_file_name_agrees_with_reference(seed_copy: Path) -> None:
    renamed = seed_copy.rename(seed_copy.with_name("decision.yaml"))
    code, out = check(str(renamed))
    assert "the file for PCC/D/102 must be named PCC-D-102.yaml, not decision.yaml [file-name]" in out


def test_period_must_end_after_it_starts_and_lie_in_its_financial_year(seed_copy: Path) -> None:
    edit(seed_copy, "    financial_year: 2023-2024\n", "    financial_year: 2023-2024\n    period:\n      start: 2023-10-01\n      end: 2023-03-31\n")
    code, out = check(str(seed_copy))
    assert (":17:7: error: funding[0].period.end: the period ends (2023-03-31) before it starts (2023-10-01); if the paper "
            "misprints it, put the date meant here and the printed one in `as_printed` [period-order]") in out
    edit(seed_copy, "      end: 2023-03-31", "      end: 2024-03-31")
    code, out = check(str(seed_copy))
    assert code == 0, out
    edit(seed_copy, "      start: 2023-10-01", "      start: 2024-10-01")
    code, out = check(str(seed_copy))
    assert "funding[0].period.start: 2024-10-01 is outside the financial year 2023-24 (2023-04-01 to 2024-03-31)" in out


def test_approved_record_names_approver_and_date(seed_copy: Path) -> None:
    edit(seed_copy, "  date: not stated   # the published paper does not give the date the Commissioner signed it\n", "")
    code, out = check(str(seed_copy))
    assert ("error: approval.date: an approved record gives the date of approval (`approval: {date: YYYY-MM-DD}`), "
            "or `date: not stated` for a published paper that does not show it [approval-dated]") in out
    edit(seed_copy, "  role: Bedfordshire Police and Crime Commissioner", "  role: Bedfordshire Police and Crime Commissioner\n  date: 2023-09-07")
    code, out = check(str(seed_copy))
    assert code == 0, out
    edit(seed_copy, "approval:\n  role: Bedfordshire Police and Crime Commissioner\n  date: 2023-09-07\n", "")
    code, out = check(str(seed_copy))
    assert "error: approval: an approved record names its approver" in out
    edit(seed_copy, "publication:", "approval: not stated\n\npublication:")  # a published paper without its approval block
    code, out = check(str(seed_copy))
    assert code == 0, out


WAIVER = "waivers:\n  - rule: approval-dated\n    reason: The published paper does not state the date on which the Commissioner signed it.\n"


def test_an_unneeded_waiver_is_a_warning(seed_copy: Path) -> None:
    edit(seed_copy, "  date: not stated", "  date: 2023-09-07")
    seed_copy.write_text(seed_copy.read_text(encoding="utf-8") + WAIVER, encoding="utf-8")
    code, out = check(str(seed_copy))
    assert code == 0
    assert "warning: waivers[0]: waiver for 'approval-dated' is not needed: the rule holds" in out


def test_a_waiver_needs_a_reason(seed_copy: Path) -> None:
    seed_copy.write_text(seed_copy.read_text(encoding="utf-8") + WAIVER.replace(
        "The published paper does not state the date on which the Commissioner signed it.", "''"), encoding="utf-8")
    code, out = check(str(seed_copy))
    assert "error: waivers[0].reason: String should have at least 10 characters" in out


def test_amount_in_text_that_the_record_does_not_hold_is_a_warning(seed_copy: Path) -> None:
    edit(seed_copy, "bidding limit of £40,000", "bidding limit of £45,000")
    code, out = check(str(seed_copy))
    assert code == 0
    assert ("warning: sections[3].content[0]: the text says £45,000, which the record holds nowhere (it holds £40,000): add the "
            "amount to the funding, a fund, the route to market or a table, or correct the text [amounts-in-text]") in out


def test_bullet_lists_and_confidential_paragraphs(seed_copy: Path, office: Office) -> None:
    edit(seed_copy, "      - >-\n          The provider will be required", "      - text: Part 2 detail.\n        confidential: true\n      - >-\n          The provider will be required")
    record = read_records([seed_copy], office)[0]
    assert record.ok, record.problems
    section = record.decision.sections[2]
    assert section.content[0].confidential and section.content[0].text == "Part 2 detail."
    bullets = record.decision.sections[0].content[-1]
    assert bullets.bullets[0] == "Robbery/counterfeit payment" and len(bullets.bullets) == 17
