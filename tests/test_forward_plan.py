"""The forward plan (issue 12, point 8): notice of the decisions to come, kept in the repository
(forward-plan.yaml, named in office.yaml); a decision names its entry; the rules warn of a key
decision taken without notice, or sooner than the office's notice period; the register
publishes the plan as a page and as open data.

The hostile tests come first: whatever forward-plan.yaml holds, `decisions check` answers with
one located line naming the file, its line and field, and exits 1; never a traceback. Then the
rules' messages, word for word; then the register, read back from what publish wrote."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.forward_plan import anchor
from engine.office import load_office
from engine.publish import publish
from engine.records import read_records

from .support import ROOT, write_project
from .test_publish import axe_violations, everything_readable

OFFICE = (ROOT / "office.yaml").read_text(encoding="utf-8")
SETTINGS = "\nforward_plan:\n  file: forward-plan.yaml\n  notice_days: 28\n"
SECRET = "ZZP-SECRET"  # in every fact of a Part 2 decision that names its entry
TODAY = dt.date.today()

PLAN = """\
entries:
  - id: FP/2026/014
    matter: Renewal of the victims' referral and assessment service from April 2027
    expected: 2026-11
    key_decision: true
    contact: Head of Commissioning, commissioning@bedfordshire.example
    published: 2026-10-01
  - id: FP/2026/015
    matter: Sale of the former police house at Ampthill
    decision_maker: Deputy Police and Crime Commissioner
    expected: 2026-11
    key_decision: true
    contact: Chief Finance Officer, 01234 567890
    published: 2026-10-20
    private: Paragraph 3 of Schedule 12A to the Local Government Act 1972 (the financial affairs of a particular person)
  - id: FP/2027/002
    matter: '=HYPERLINK("https://evil.example") Annual grants round 2027-28'
    expected: 2027-03
    key_decision: false
    contact: Grants officer
    published: 2026-11-02
"""


def record(reference: str, *, plan: str | None = None, key: bool = True, status: str = "approved",
           approved: str | None = "2026-11-20", part2: bool = False, subject: str = "Victims' referral service") -> str:
    """A policy decision in the 2024-2028 term, dated 2026-11-02."""
    lines = ["kind: policy_or_governance", f"reference: {reference}", f"subject: {subject}", "date: 2026-11-02",
             f"status: {status}"]
    lines += ["key_decision: true"] if key else []
    lines += [f"forward_plan: {plan}"] if plan else []
    lines += ["sections:", "  - content:", f"      - The decision {SECRET}-NARRATIVE." if part2 else "      - The decision.",
              "recommendation: To approve"]
    if status == "approved" and approved:
        lines += [f"approval: {{name: John Tizard, date: {approved}}}"]
    if part2:
        lines += ["publication:", "  part: part2", "  reason: Exempt under section 43 (commercial interests) of the Freedom of Information Act"]
    return "\n".join(lines) + "\n"


def project_files(root: Path, plan: str | bytes | None = PLAN, settings: str = SETTINGS,
                  records: dict[str, str] | None = None) -> Path:
    """office.yaml (with the settings), forward-plan.yaml (unless None) and the records; the office's path."""
    (root / "office.yaml").write_text(OFFICE + settings, encoding="utf-8")
    if isinstance(plan, bytes):
        (root / "forward-plan.yaml").write_bytes(plan)
    elif plan is not None:
        (root / "forward-plan.yaml").write_text(plan, encoding="utf-8")
    for name, text in (records if records is not None else {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014")}).items():
        path = root / "records" / "2024-2028" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "office.yaml"


def check(office: Path, *paths: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--office", str(office), "check", *paths])
    assert "Traceback" not in result.output and "This is a bug" not in result.output, result.output
    return result.exit_code, result.output.splitlines()


def one_problem(tmp_path: Path, plan: str | bytes, **options: str) -> str:
    """The one line `check` prints for a forward plan it cannot use, with its exit code 1."""
    code, lines = check(project_files(tmp_path, plan, **options))
    assert code == 1, lines
    assert len(lines) == 1, lines
    return lines[0]


def entry(**fields: str) -> str:
    """A plan of one entry: the first of PLAN, with fields replaced (a value of None leaves the field out)."""
    base = {"id": "FP/2026/014", "matter": "Renewal of the victims' service", "expected": "2026-11", "key_decision": "true",
            "contact": "Head of Commissioning", "published": "2026-10-01"}
    base.update(fields)
    return "entries:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in base.items() if v is not None) + "\n"


# --- hostile: forward-plan.yaml -------------------------------------------------------------------------

@pytest.mark.parametrize(("plan", "where", "message"), [
    # Not a mapping: a list, a value, a mapping without entries.
    ("- id: FP/2026/014\n", "1:1", "a forward plan is `entries:` with a list of entries under it"),
    ("just some words\n", "1:1", "a forward plan is `entries:` with a list of entries under it"),
    ("entries: FP/2026/014\n", "1:1: error: entries", "Input should be a valid list"),
    ("entries:\n  - FP/2026/014\n", "2:5: error: entries[0]", "write this as a set of fields (name: value, one a line)"),
    ("entries: []\nplan: []\n", "2:1: error: plan", "unknown field: a forward plan has `entries:` only"),
    ("{}\n", "1:1: error: entries", "required field is missing"),
    # Duplicate ids, however written, and duplicate keys.
    (PLAN + "  - id: FP/2026/014\n    matter: Again\n    expected: 2026-12\n    key_decision: false\n    contact: X\n    published: 2026-10-02\n",
     "22:5: error: entries[3].id", "FP/2026/014 is given twice (line 2); give each entry its own id"),
    (PLAN + "  - id: fp-2026-014\n    matter: Again\n    expected: 2026-12\n    key_decision: false\n    contact: X\n    published: 2026-10-02\n",
     "22:5: error: entries[3].id", "fp-2026-014 is the same id as FP/2026/014, written another way (line 2); give each entry its own id"),
    (entry() + "    matter: Twice\n", "8:5: error: entries[0].matter", "duplicate key 'matter' (first given on line 3)"),
    # Unknown keys and missing ones.
    (entry(matters="A typo"), "8:5: error: entries[0].matters", "unknown field: an entry has id, matter, decision_maker, expected, "
                                                                "key_decision, contact, published and private"),
    (entry(contact=None), "2:5: error: entries[0].contact", "required field is missing"),
    (entry(key_decision=None), "2:5: error: entries[0].key_decision", "required field is missing"),
    # Months, days and flags as YAML tools might misread them.
    (entry(expected="2026-13"), "4:5: error: entries[0].expected", "a month is written 01 to 12 after the year, e.g. 2027-03 (got '2026-13')"),
    (entry(expected="March 2027"), "4:5: error: entries[0].expected", "write the month expected as YYYY-MM, e.g. 2027-03 (got 'March 2027')"),
    (entry(expected="2026-11-15"), "4:5: error: entries[0].expected", "give the month alone, as YYYY-MM, e.g. 2027-03"),
    (entry(expected="202611"), "4:5: error: entries[0].expected", "write the month expected as YYYY-MM, e.g. 2027-03"),
    (entry(expected="2126-11"), "4:5: error: entries[0].expected", "the year must be from 1900 to 2099"),
    (entry(published="2026-02-30"), "7:5: error: entries[0].published", "Input should be a valid date"),
    (entry(published="1 October 2026"), "7:5: error: entries[0].published", "write dates as YYYY-MM-DD, e.g. 2023-09-06"),
    (entry(key_decision="yes"), "5:5: error: entries[0].key_decision", "Input should be a valid boolean (got 'yes'); write true or false"),
    (entry(key_decision="1"), "5:5: error: entries[0].key_decision", "Input should be a valid boolean"),
    # Published in the future; expected before it was published.
    (entry(published="2099-01-01", expected="2099-02"), "7:5: error: entries[0].published",
     f"2099-01-01 is after today ({TODAY.isoformat()}): `published` is the day the entry was first published; add the entry on that day"),
    (entry(expected="2026-09"), "4:5: error: entries[0].expected",
     "expected in 2026-09, before the entry was published on 2026-10-01: a forward plan gives notice of decisions to come; "
     "correct the month or the day"),
    # Text: ids, control characters, line breaks, spaces, length.
    (entry(id="'FP/2026/014<script>'"), "2:5: error: entries[0].id", "a forward plan entry's id is the office's own identifier"),
    (entry(id="'../../etc/passwd'"), "2:5: error: entries[0].id", "a forward plan entry's id is the office's own identifier"),
    (entry(id="14"), "2:5: error: entries[0].id", "14 is read as a number, not as text; put it in quotes ('14') if it is the text"),
    (entry(id="FP/2026/" + "1" * 40), "2:5: error: entries[0].id", "a forward plan entry's id is the office's own identifier"),
    (entry(matter='"Renewal\\x1b[31m of the service"'), "3:13: error: entries[0].matter",
     "the control character U+001B is not allowed in a record"),
    (entry(matter='"Renewal\\u0000"'), "3:13: error: entries[0].matter", "the control character U+0000 is not allowed"),
    (entry(matter="'   '"), "3:5: error: entries[0].matter", "write some text here, not only spaces"),
    (entry(matter="x" * 2001), "3:5: error: entries[0].matter", "String should have at most 2000 characters"),
    (entry(contact='"Head of\\nCommissioning"'), "6:5: error: entries[0].contact", "write the contact on one line"),
    (entry(contact="not stated"), "6:5: error: entries[0].contact", "this field cannot be 'not stated'"),
    # What YAML can do beyond data: anchors (a billion laughs), tags, a second document, depth.
    ("entries:\n  - &a {id: FP/2026/014, matter: x, expected: 2026-11, key_decision: true, contact: y, published: 2026-10-01}\n"
     "  - *a\n", "2:5: error: entries[0]", "anchors (&name) and aliases (*name) are not allowed"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n", "1:4: error: a", "anchors (&name) and aliases (*name) are not allowed"),
    ("entries: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "1:10: error: entries", "YAML tags such as !!python/object/apply:os.system are not allowed"),
    (entry() + "---\nentries: []\n", "8:1", "a second YAML document starts here"),
    ("entries: " + "[" * 60 + "]" * 60 + "\n", "", "nested more than 50 levels deep"),
    ("entries:\n\t- id: FP/2026/014\n", "2:1", "tab character in indentation; indent with spaces"),
])
def test_a_forward_plan_it_cannot_use_is_one_located_line(tmp_path: Path, plan: str, where: str, message: str) -> None:
    line = one_problem(tmp_path, plan)
    assert line.startswith(f"{tmp_path / 'forward-plan.yaml'}:{where}"), line
    assert message in line, line
    assert "\x1b" not in line and "\x00" not in line  # the terminal never gets what the file held raw


def test_a_huge_forward_plan_is_refused_unread(tmp_path: Path) -> None:
    line = one_problem(tmp_path, "entries:\n" + "  - {id: FP/2026/014, matter: " + "x" * 1_100_000 + "}\n")
    assert line == f"{tmp_path / 'forward-plan.yaml'}:1:1: error: file is 1.1 MB; a record must be under 1 MB"


@pytest.mark.parametrize(("plan", "message"), [
    (b"", "empty file"),
    (b"entries: []\n\xff\xfe", "not UTF-8 text (byte 0xff); save the file as UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
])
def test_a_forward_plan_that_is_not_yaml_text_is_one_located_line(tmp_path: Path, plan: bytes, message: str) -> None:
    line = one_problem(tmp_path, plan)
    assert line.startswith(f"{tmp_path / 'forward-plan.yaml'}:") and message in line, line


def test_a_forward_plan_that_is_a_folder_a_pipe_or_a_broken_link_is_one_located_line(tmp_path: Path) -> None:
    import os

    office = project_files(tmp_path, plan=None)
    plan = tmp_path / "forward-plan.yaml"
    for make, message in ((plan.mkdir, "not a regular file"), (lambda: os.mkfifo(plan), "not a regular file"),
                          (lambda: plan.symlink_to(tmp_path / "nowhere.yaml"), "broken symbolic link")):
        make()
        code, lines = check(office)
        assert code == 1 and len(lines) == 1 and lines[0].startswith(f"{plan}:1:1: error: ") and message in lines[0], lines
        plan.rmdir() if plan.is_dir() and not plan.is_symlink() else plan.unlink()


@pytest.mark.parametrize(("settings", "where", "message"), [
    ("\nforward_plan:\n  file: missing-plan.yaml\n", "file", "missing-plan.yaml does not exist: write the forward plan there "
     "(`entries: []` for a plan with no entries yet), or leave `forward_plan:` out of office.yaml"),
    ("\nforward_plan:\n  file: ../outside.yaml\n", "file", "name the forward plan's .yaml file relative to office.yaml, inside the project"),
    ("\nforward_plan:\n  file: /etc/passwd\n", "file", "name the forward plan's .yaml file relative to office.yaml, inside the project"),
    ("\nforward_plan:\n  file: forward-plan.txt\n", "file", "name the forward plan's .yaml file relative to office.yaml"),
    ("\nforward_plan:\n  file: records/forward-plan.yaml\n", "file", "records/ holds the decisions' records only"),
    ("\nforward_plan:\n  notice_days: -1\n", "notice_days", "Input should be greater than or equal to 0"),
    ("\nforward_plan:\n  notice_days: '28'\n", "notice_days", "Input should be a valid integer"),
    ("\nforward_plan:\n  notice_days: 28.0\n", "notice_days", "Input should be a valid integer"),
    ("\nforward_plan:\n  notice_days: 1000\n", "notice_days", "Input should be less than or equal to 365"),
    ("\nforward_plan:\n  days: 28\n", "days", "unknown field"),
    ("\nforward_plan: forward-plan.yaml\n", "", "write this as a set of fields"),
])
def test_forward_plan_settings_it_cannot_use_are_one_line_naming_office_yaml(tmp_path: Path, settings: str, where: str,
                                                                              message: str) -> None:
    line = one_problem(tmp_path, PLAN, settings=settings)
    field = f"forward_plan.{where}" if where else "forward_plan"
    assert re.match(rf"{re.escape(str(tmp_path / 'office.yaml'))}:\d+:\d+: error: {re.escape(field)}: ", line), line
    assert message in line, line


def test_without_settings_there_is_no_plan_whatever_the_folder_holds(tmp_path: Path) -> None:
    office = project_files(tmp_path, plan="not: [a, plan", settings="")
    assert load_office(office).plan is None
    code, lines = check(office)
    assert code == 1 and lines == [  # the record names an entry of a plan the office does not keep
        f"{tmp_path}/records/2024-2028/PCC-D-301.yaml:7:1: error: forward_plan: the office keeps no forward plan: name its "
        "file in office.yaml (`forward_plan: {file: forward-plan.yaml}`), or leave `forward_plan:` out [forward-plan]",
        "1 record checked: 1 error, 0 warnings"], lines


def test_an_empty_plan_and_the_defaults(tmp_path: Path) -> None:
    office = project_files(tmp_path, plan="entries: []\n", settings="\nforward_plan: {}\n", records={})
    (tmp_path / "records" / "2024-2028").mkdir(parents=True)
    (tmp_path / "records" / "2024-2028" / "PCC-D-302.yaml").write_text(record("PCC/D/302", key=False), encoding="utf-8")
    plan = load_office(office).plan
    assert plan is not None and (plan.file, plan.notice_days, plan.entries) == ("forward-plan.yaml", 28, ())
    assert check(office)[0] == 0


# --- the rules ----------------------------------------------------------------------------------------

def problems(tmp_path: Path, records: dict[str, str], plan: str = PLAN, settings: str = SETTINGS) -> list[str]:
    """Every problem `check` finds in the records, as printed, less the file's folder."""
    office = project_files(tmp_path, plan, settings, records)
    found = read_records([tmp_path / "records"], load_office(office))
    return [str(p).replace(f"{tmp_path}/records/2024-2028/", "") for r in found for p in r.problems]


def test_a_decision_on_the_plan_in_time_checks_clean(tmp_path: Path) -> None:
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014")}) == []
    # 28 clear days: published on 1 October, the first day is 30 October.
    on_time = record("PCC/D/301", plan="FP/2026/014", approved="2026-10-30").replace("date: 2026-11-02", "date: 2026-10-02")
    assert problems(tmp_path, {"PCC-D-301.yaml": on_time}) == []


@pytest.mark.parametrize(("named", "hint"), [
    ("fp/2026/014", "did you mean FP/2026/014? (its entries: FP/2026/014, FP/2026/015, FP/2027/002)"),
    ("FP/2026/14", "did you mean FP/2026/014 or FP/2026/015? (its entries: FP/2026/014, FP/2026/015, FP/2027/002)"),
    ("XYZ", "(its entries: FP/2026/014, FP/2026/015, FP/2027/002)"),
])
def test_a_decision_naming_an_entry_the_plan_does_not_hold_is_an_error(tmp_path: Path, named: str, hint: str) -> None:
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan=named, key=False)}) == [
        f"PCC-D-301.yaml:6:1: error: forward_plan: forward-plan.yaml has no entry {named}: {hint} [forward-plan]"]


def test_an_entry_named_in_an_empty_plan(tmp_path: Path) -> None:
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014", key=False)}, plan="entries: []\n") == [
        "PCC-D-301.yaml:6:1: error: forward_plan: forward-plan.yaml has no entry FP/2026/014: forward-plan.yaml has no "
        "entries yet: add the decision's entry there [forward-plan]"]


def test_a_key_decision_without_an_entry_is_warned_of(tmp_path: Path) -> None:
    for status in ("approved", "submitted"):
        assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", status=status)}) == [
            "PCC-D-301.yaml:6:1: warning: key_decision: a key decision is given notice on the forward plan: add its entry to "
            "forward-plan.yaml and name it here (`forward_plan: ...`); one taken without notice (special urgency) keeps a "
            "waiver that says why [forward-plan-notice]"], status
    # A draft is not yet held to it, and an office without a plan keeps no notice.
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", status="draft")}) == []
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301")}, settings="") == []


def test_a_key_decision_taken_sooner_than_the_notice_period_is_warned_of(tmp_path: Path) -> None:
    message = ("PCC-D-301.yaml:12:31: warning: approval.date: approved on {taken}, {when} its forward plan entry FP/2026/014 was "
               "published on 2026-10-01: the office gives 28 clear days' notice of a key decision, so not before 2026-10-30 "
               "[forward-plan-notice]")
    for taken, when in (("2026-10-29", "27 clear days after"), ("2026-10-01", "on the day"), ("2026-09-30", "before")):
        found = problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014", approved=taken).replace(
            "date: 2026-11-02", "date: 2026-09-30")})
        assert found == [message.format(taken=taken, when=when)], found


def test_the_notice_period_is_the_offices(tmp_path: Path) -> None:
    settings = "\nforward_plan:\n  file: forward-plan.yaml\n  notice_days: 60\n"
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014")}, settings=settings) == [
        "PCC-D-301.yaml:12:31: warning: approval.date: approved on 2026-11-20, 49 clear days after its forward plan entry "
        "FP/2026/014 was published on 2026-10-01: the office gives 60 clear days' notice of a key decision, so not before "
        "2026-12-01 [forward-plan-notice]"]


def test_a_submitted_key_decision_is_told_when_it_may_be_taken(tmp_path: Path) -> None:
    published = TODAY - dt.timedelta(days=10)
    plan = entry(published=published.isoformat(), expected=f"{(TODAY + dt.timedelta(days=60)):%Y-%m}")
    first = published + dt.timedelta(days=29)
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014", status="submitted")}, plan=plan) == [
        f"PCC-D-301.yaml:7:1: warning: forward_plan: its forward plan entry FP/2026/014 was published on {published.isoformat()}: "
        f"the office gives 28 clear days' notice of a key decision, so it may be taken from {first.isoformat()}, not before "
        "[forward-plan-notice]"]


def test_a_decision_and_its_entry_disagree_whether_it_is_key(tmp_path: Path) -> None:
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2027/002")}) == [
        "PCC-D-301.yaml:6:1: warning: key_decision: this is a key decision, but its forward plan entry FP/2027/002 says it is "
        "not: correct the entry's `key_decision` in forward-plan.yaml, or this one's [forward-plan-key]",
        "PCC-D-301.yaml:12:31: warning: approval.date: approved on 2026-11-20, 17 clear days after its forward plan entry "
        "FP/2027/002 was published on 2026-11-02: the office gives 28 clear days' notice of a key decision, so not before "
        "2026-12-01 [forward-plan-notice]"]
    assert problems(tmp_path, {"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014", key=False)}) == [
        "PCC-D-301.yaml:6:1: warning: forward_plan: its forward plan entry FP/2026/014 says this is a key decision, and the "
        "record does not: add `key_decision: true`, or correct the entry in forward-plan.yaml [forward-plan-key]"]


def test_a_decision_taken_under_special_urgency_keeps_a_waiver(tmp_path: Path) -> None:
    text = record("PCC/D/301", plan="FP/2026/014", approved="2026-10-10") + (
        "waivers:\n  - rule: forward-plan-notice\n    reason: Taken under special urgency, with the Panel chair's agreement\n")
    assert problems(tmp_path, {"PCC-D-301.yaml": text.replace("date: 2026-11-02", "date: 2026-10-05")}) == []


def test_check_on_the_command_line_says_the_same_and_exits_by_the_errors(tmp_path: Path) -> None:
    office = project_files(tmp_path, records={"PCC-D-301.yaml": record("PCC/D/301", plan="FP/2027/002", key=False),
                                              "PCC-D-302.yaml": record("PCC/D/302", plan="FP/2099/001", key=False)})
    code, lines = check(office, str(tmp_path / "records"))
    assert code == 1 and lines[-1] == "2 records checked: 1 error, 0 warnings", lines


# --- the register ---------------------------------------------------------------------------------------

REGISTER = {
    "2024-2028/PCC-D-301.yaml": record("PCC/D/301", plan="FP/2026/014"),
    # Part 2: named on the plan; its page and link are all the plan may show of it.
    "2024-2028/PCC-D-302.yaml": record("PCC/D/302", plan="FP/2026/015", part2=True, subject="Disposal of a police house",
                                       approved="2026-11-19").replace("      - The decision", f"      - {SECRET}-PARAGRAPH"),
    # A draft names an entry: it is not in the register, so its entry is still to come.
    "2024-2028/PCC-D-303.yaml": record("PCC/D/303", plan="FP/2027/002", key=False, status="draft", subject=f"{SECRET}-DRAFT"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plan")
    (root / "forward-plan.yaml").write_text(PLAN, encoding="utf-8")
    office = OFFICE + SETTINGS
    project = write_project(root, office, REGISTER)
    summary = publish(project, root / "site")
    assert summary.failed == [], summary.failed
    assert (summary.published, summary.withheld, summary.skipped) == (["PCC/D/301"], ["PCC/D/302"], ["PCC/D/303"])
    return root / "site"


def test_the_forward_plan_page(site: Path) -> None:
    html = (site / "forward-plan" / "index.html").read_text(encoding="utf-8")
    assert "<title>Forward plan – Office of the Bedfordshire Police and Crime Commissioner</title>" in html
    assert '<nav class="reg-crumbs" aria-label="Breadcrumb"><a href="../index.html">Decision register</a> › Forward plan</nav>' in html
    assert "A key decision is on this plan at least 28 clear days before it is taken." in html
    to_come, taken = html.split('<h2 id="to-come">Decisions to come</h2>')[1].split('<h2 id="taken">Decisions taken</h2>')
    # To come: the entry no published decision names (a draft names it); soonest first.
    assert re.findall(r'<th scope="row" data-label="Reference">([^<]+)</th>', to_come) == ["FP/2027/002"]
    assert '<td data-label="Expected">March 2027</td>' in to_come and '<td data-label="Key decision">No</td>' in to_come
    assert "<p>The entries whose decision is not yet in the register, soonest first.</p>" in to_come
    assert '<table class="reg-table reg-plan" aria-labelledby="to-come">' in to_come
    # Taken: each with its decision's page, a Part 2 decision's too; latest first.
    assert re.findall(r'<th scope="row" data-label="Reference">([^<]+)</th>', taken) == ["FP/2026/015", "FP/2026/014"]
    assert ('<td data-label="Decision"><a href="../decisions/2024-2028/pcc-d-302/index.html">PCC/D/302</a></td>') in taken
    assert ('<td data-label="Decision"><a href="../decisions/2024-2028/pcc-d-301/index.html">PCC/D/301</a></td>') in taken
    row = taken[taken.index('id="entry-fp-2026-015"'):taken.index('id="entry-fp-2026-014"')]
    assert "Sale of the former police house at Ampthill" in row
    assert ('<p class="reg-private"><strong>To be taken in private:</strong> Paragraph 3 of Schedule 12A to the Local '
            "Government Act 1972 (the financial affairs of a particular person)</p>") in row
    assert '<td data-label="Decision maker">Deputy Police and Crime Commissioner</td>' in row
    assert '<td data-label="Expected">November 2026</td>' in row and '<td data-label="Published">20 October 2026</td>' in row
    first = taken[taken.index('id="entry-fp-2026-014"'):]
    assert '<td data-label="Decision maker">Bedfordshire Police and Crime Commissioner</td>' in first  # the office's role
    assert ('<td data-label="Contact">Head of Commissioning, <a href="mailto:commissioning@bedfordshire.example">'
            "commissioning@bedfordshire.example</a></td>") in first
    # Words are text: a formula is not run on a page, and markup would be escaped.
    assert "=HYPERLINK(&#34;https://evil.example&#34;) Annual grants round 2027-28" in to_come


def test_the_register_links_to_the_forward_plan(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="forward-plan/index.html">Forward plan</a>: the decisions to come</li>' in index
    for page in ("index.html", "decisions/2024-2028/pcc-d-301/index.html", "forward-plan/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        root = "../" * page.count("/")
        assert (f'<p><a href="{root}forward-plan/index.html">Forward plan</a>: the decisions to come (open data: '
                f'<a href="{root}forward-plan.json">forward-plan.json</a>, <a href="{root}forward-plan.csv">forward-plan.csv</a>)</p>') in html


BASE = "https://www.bedfordshire.pcc.police.uk/decision-register/"


def test_the_forward_plan_as_open_data(site: Path) -> None:
    data = json.loads((site / "forward-plan.json").read_text(encoding="utf-8"))
    assert data["notice_days"] == 28
    assert [e["id"] for e in data["entries"]] == ["FP/2026/014", "FP/2026/015", "FP/2027/002"]  # soonest first
    assert data["entries"][1] == {
        "id": "FP/2026/015", "matter": "Sale of the former police house at Ampthill",
        "decision_maker": "Deputy Police and Crime Commissioner", "expected": "2026-11", "key_decision": True,
        "contact": "Chief Finance Officer, 01234 567890", "published": "2026-10-20", "private": True,
        "private_reason": "Paragraph 3 of Schedule 12A to the Local Government Act 1972 (the financial affairs of a particular person)",
        "url": BASE + "forward-plan/index.html#entry-fp-2026-015",
        "decisions": [{"reference": "PCC/D/302", "url": BASE + "decisions/2024-2028/pcc-d-302/"}]}
    assert data["entries"][0]["decision_maker"] == "Bedfordshire Police and Crime Commissioner"
    assert data["entries"][2]["decisions"] == [] and data["entries"][2]["private"] is False
    rows = list(csv.DictReader(io.StringIO((site / "forward-plan.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["id", "matter", "decision_maker", "expected", "key_decision", "contact", "published", "private",
                             "private_reason", "url", "decisions"]
    assert [r["id"] for r in rows] == ["FP/2026/014", "FP/2026/015", "FP/2027/002"]
    assert rows[1]["decisions"] == "PCC/D/302 " + BASE + "decisions/2024-2028/pcc-d-302/"
    assert (rows[1]["key_decision"], rows[1]["private"], rows[2]["private_reason"]) == ("True", "True", "")
    # A formula in the matter is text to a spreadsheet.
    assert rows[2]["matter"] == "'=HYPERLINK(\"https://evil.example\") Annual grants round 2027-28"


def test_nothing_of_a_part2_decision_or_a_draft_leaks_through_the_plan(site: Path) -> None:
    leaks = [str(p.relative_to(site)) for p, text in everything_readable(site) if SECRET in text]
    assert leaks == []
    assert "PCC/D/303" not in (site / "forward-plan" / "index.html").read_text(encoding="utf-8")
    assert "PCC/D/303" not in (site / "forward-plan.json").read_text(encoding="utf-8")
    # The check can fail: the secret is in the records that were published.
    assert SECRET in (site.parent / "records" / "2024-2028" / "PCC-D-302.yaml").read_text(encoding="utf-8")


def test_no_plan_no_page(tmp_path: Path) -> None:
    project = write_project(tmp_path, OFFICE, {"2024-2028/PCC-D-301.yaml": record("PCC/D/301", key=False)})
    assert publish(project, tmp_path / "site").published == ["PCC/D/301"]
    site = tmp_path / "site"
    assert not (site / "forward-plan").exists() and not (site / "forward-plan.json").exists()
    assert "forward-plan" not in (site / "index.html").read_text(encoding="utf-8")


def test_an_empty_plan_says_so(tmp_path: Path) -> None:
    (tmp_path / "forward-plan.yaml").write_text("entries: []\n", encoding="utf-8")
    project = write_project(tmp_path, OFFICE + SETTINGS, {"2024-2028/PCC-D-301.yaml": record("PCC/D/301", key=False)})
    publish(project, tmp_path / "site")
    html = (tmp_path / "site" / "forward-plan" / "index.html").read_text(encoding="utf-8")
    assert "<p>No decisions are on the plan to come.</p>" in html and "Decisions taken" not in html
    assert json.loads((tmp_path / "site" / "forward-plan.json").read_text(encoding="utf-8")) == {"notice_days": 28, "entries": []}


def test_anchors_are_one_an_id() -> None:
    assert anchor("FP/2026/014") == anchor("fp-2026-014") == "entry-fp-2026-014"
    assert anchor("FP 2026.014") == "entry-fp-2026-014"


# --- in a browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_the_forward_plan_page_in_a_browser(site: Path, browser, width: int, height: int, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto((site / "forward-plan" / "index.html").as_uri())
    assert axe_violations(page) == []
    assert page.locator("h1").inner_text() == "Forward plan"
    # Nothing runs off the side of a phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"forward-plan-{width}.png"), full_page=True)
    page.click("text=PCC/D/302")
    assert page.locator("h1").inner_text() == "PCC/D/302: Disposal of a police house"
    # From the register's index, by its browse list.
    page.goto((site / "index.html").as_uri())
    assert axe_violations(page) == []
    page.click("nav.reg-browse >> text=Forward plan")
    assert page.locator("h1").inner_text() == "Forward plan"
    page.close()


# --- the example office and the README ------------------------------------------------------------------

ANYSHIRE = ROOT / "examples" / "anyshire"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### The forward plan"):README.index("## House style")]


def test_the_example_offices_plan_checks_clean_and_names_its_entries() -> None:
    code, lines = check(ANYSHIRE / "office.yaml")
    assert code == 0 and lines == ["2 records checked: 0 errors, 0 warnings"], lines
    plan = load_office(ANYSHIRE / "office.yaml").plan
    assert plan is not None and [e.id for e in plan.entries] == ["FP/2026/003", "FP/2026/007", "FP/2026/008"]


def test_the_readmes_forward_plan_is_a_working_example(tmp_path: Path) -> None:
    """The README's office.yaml lines and forward-plan.yaml load, and the warning it shows is the
    one `check` gives for a key decision approved 18 days after its entry was published."""
    import shutil

    settings = re.search(r"    # office\.yaml\n    (forward_plan: .*)\n", SECTION).group(1)  # type: ignore[union-attr]
    plan = re.search(r"    # forward-plan\.yaml\n((?:    .*\n)+)", SECTION).group(1).replace("\n    ", "\n")[4:]  # type: ignore[union-attr]
    shutil.copytree(ANYSHIRE, tmp_path / "anyshire", ignore=shutil.ignore_patterns("build", "ledger.jsonl"))
    office = tmp_path / "anyshire" / "office.yaml"
    text = office.read_text(encoding="utf-8")
    office.write_text(text[:text.index("forward_plan:")] + settings + "\n", encoding="utf-8")
    (tmp_path / "anyshire" / "forward-plan.yaml").write_text(plan, encoding="utf-8")
    assert [e.id for e in load_office(office).plan.entries] == ["FP/2026/007"]  # type: ignore[union-attr]
    record = (ANYSHIRE / "records" / "2024-2028" / "09-2026.yaml").read_text(encoding="utf-8")
    record = record[record.index("kind:"):record.index("\napproval:")] + "\napproval: {name: Alex Example, date: 2026-11-20}\n"
    record = (record.replace("reference: 09/2026", "reference: 11/2026").replace("forward_plan: FP/2026/003", "forward_plan: FP/2026/007")
              .replace("date: 2026-09-14", "date: 2026-11-16"))
    (tmp_path / "anyshire" / "records" / "2024-2028" / "11-2026.yaml").write_text(record, encoding="utf-8")
    shown = re.search(r"\n    (records/2024-2028/11-2026\.yaml:.*)\n", SECTION).group(1)  # type: ignore[union-attr]
    code, lines = check(office, str(tmp_path / "anyshire" / "records" / "2024-2028" / "11-2026.yaml"))
    assert code == 0 and [line.replace(f"{tmp_path}/anyshire/", "") for line in lines] == [
        shown, "1 record checked: 0 errors, 1 warning"], lines


def test_a_decisions_page_and_row_name_its_plan_entry(site: Path) -> None:
    page = (site / "decisions" / "2024-2028" / "pcc-d-301" / "index.html").read_text(encoding="utf-8")
    assert ('<div><dt>Forward plan</dt> <dd><a href="../../../forward-plan/index.html#entry-fp-2026-014">FP/2026/014</a>'
            "</dd></div>") in page
    secret = (site / "decisions" / "2024-2028" / "pcc-d-302" / "index.html").read_text(encoding="utf-8")
    assert "<dt>Forward plan</dt>" not in secret  # a Part 2 decision's facts are not shown
    rows = {r["reference"]: r for r in json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]}
    assert rows["PCC/D/301"]["forward_plan"] == "FP/2026/014" and "forward_plan" not in rows["PCC/D/302"]
    header = (site / "decisions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",steps,earlier_versions,forward_plan")
