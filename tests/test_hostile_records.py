"""Hostile and careless input to `decisions check` (adversarial review, issue 9).

Every bad input gets one located line naming the file, line, column and field, exit 1, and never
a traceback, a hang or a silently changed value."""

from __future__ import annotations

import json
import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import yaml_source
from engine.cli import main
from engine.office import Office
from engine.problems import Problem, Severity, printable
from engine.records import find_records, read_records

from .conftest import ROOT, SEED, edit


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "check", *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def record(folder: Path, old: str = "", new: str = "", name: str = SEED.name) -> Path:
    """The seed record copied into folder/records/2021-2024/, with old replaced by new."""
    path = folder / "records" / "2021-2024" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    if old:
        edit(path, old, new)
    return path


def errors(out: str) -> list[str]:
    """The problem lines of check's output, without the summary."""
    lines = out.splitlines()
    assert lines and " checked: " in lines[-1], out
    return lines[:-1]


# --- 17: one problem is one line, whatever the file name or value holds -------------------------


def test_printable_escapes_control_characters_visibly() -> None:
    assert printable("plain text – with ‘quotes’ and £") == "plain text – with ‘quotes’ and £"
    assert printable("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert printable("\x00\x7f\x85\u2028\u202e\ud800") == "\\x00\\x7f\\x85\\u2028\\u202e\\ud800"


def test_a_problem_is_always_one_line() -> None:
    problem = Problem(Path("records/a\nb.yaml"), 3, 5, Severity.error, "subject", "got '\x1b[2J'\nforged: line")
    assert str(problem) == "records/a\\nb.yaml:3:5: error: subject: got '\\x1b[2J'\\nforged: line"


def test_a_file_name_with_a_newline_or_escape_cannot_forge_output_lines(tmp_path: Path) -> None:
    path = tmp_path / "PCC-D-102\nx.yaml:1:1: error: forged\x1b[2J.yaml"
    path.write_text("- a list\n", encoding="utf-8")
    code, out = check(str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{tmp_path}/PCC-D-102\\nx.yaml:1:1: error: forged\\x1b[2J.yaml:1:1: error: "
        "a record is a set of fields (reference: ..., subject: ...), not a single value or a list",
        "1 record checked: 1 error, 0 warnings",
    ]
    assert "\x1b" not in out


def test_json_output_keeps_the_true_strings(tmp_path: Path) -> None:
    path = tmp_path / "a\nb.yaml"
    path.write_text("- a list\n", encoding="utf-8")
    code, out = check("--format", "json", str(path))
    assert code == 1
    assert json.loads(out)["problems"][0]["path"] == str(path)


# --- 12: only regular files, and never more than the size limit ---------------------------------


def check_within(seconds: float, *args: str) -> tuple[int, str]:
    """check, failing the test (not hanging it) if it does not finish in time."""
    done: list[tuple[int, str]] = []
    thread = threading.Thread(target=lambda: done.append(check(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"check {args} did not finish in {seconds} s"
    return done[0]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_not_read(device: str) -> None:
    code, out = check_within(10, device)
    assert code == 1
    assert out.splitlines() == [f"{device}:1:1: error: not a regular file (a device, pipe or folder); give the path of a record, a .yaml file",
                                "1 record checked: 1 error, 0 warnings"]


def test_a_pipe_is_not_read_and_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "records" / "PCC-D-102.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    for target in (fifo, fifo.parent):  # named, or found in a folder
        code, out = check_within(10, str(target))
        assert code == 1
        assert f"{fifo}:1:1: error: not a regular file (a device, pipe or folder); give the path of a record, a .yaml file" in out


def test_a_file_larger_than_it_says_is_read_no_further_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A file growing while it is read, or a /proc file (size 0), must not bypass the limit.
    path = tmp_path / "PCC-D-103.yaml"
    path.write_bytes(b"subject: x\n" + b"#" * 3_000_000 + b"\n")
    real_fstat = os.fstat

    def small(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 0, 0, 0, 0))

    read: list[int] = []
    real_read = os.read

    def counted(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        if os.readlink(f"/proc/self/fd/{fd}") == str(path):
            read.append(len(data))
        return data

    monkeypatch.setattr(yaml_source.os, "fstat", small)
    monkeypatch.setattr(yaml_source.os, "read", counted)
    code, out = check(str(path))
    assert code == 1
    assert out.splitlines()[0] == f"{path}:1:1: error: file is over 1 MB; a record must be under 1 MB"
    assert sum(read) <= yaml_source.MAX_BYTES + 1


@pytest.mark.skipif(not os.access("/proc/kallsyms", os.R_OK), reason="no /proc/kallsyms here")
def test_a_proc_file_of_size_zero_is_read_no_further_than_the_limit() -> None:
    code, out = check_within(10, "/proc/kallsyms")
    assert code == 1
    assert out.splitlines()[0] == "/proc/kallsyms:1:1: error: file is over 1 MB; a record must be under 1 MB"


# --- 18: symbolic links under a records folder ------------------------------------------------


def test_broken_and_looping_links_are_reported_and_the_other_records_checked(tmp_path: Path) -> None:
    good = record(tmp_path)
    broken = good.with_name("PCC-D-103.yaml")
    broken.symlink_to("PCC-D-999.yaml")
    loop = good.with_name("PCC-D-104.yaml")
    loop.symlink_to(loop.name)
    (good.parent / "up").symlink_to("..")  # a linked folder leading back up: followed once, no repeats
    code, out = check(str(good.parent.parent))
    assert code == 1
    assert errors(out) == [
        f"{broken}:1:1: error: broken symbolic link: it points to PCC-D-999.yaml, which does not exist; fix the link or remove it",
        f"{loop}:1:1: error: symbolic link loop: the link leads back to itself; replace it with the record file or remove it",
    ]
    assert out.splitlines()[-1] == "3 records checked: 2 errors, 0 warnings"


def test_a_broken_link_named_on_the_command_line(tmp_path: Path) -> None:
    link = tmp_path / "PCC-D-103.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    code, out = check(str(link))
    assert code == 1
    assert errors(out) == [f"{link}:1:1: error: broken symbolic link: it points to {tmp_path / 'gone.yaml'}, which does not exist; fix the link or remove it"]


# --- 11: anchors and aliases are refused before anything is expanded --------------------------

ANCHORS = "anchors (&name) and aliases (*name) are not allowed in records; write the value out"


def test_an_anchor_and_its_alias_are_refused(tmp_path: Path) -> None:
    path = record(tmp_path, "    amount: 40000", "    amount: &amount 40000")
    edit(path, "  bidding_limit: 40000", "  bidding_limit: *amount")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:13:13: error: funding[0].amount: {ANCHORS} (2 in this file, the first here)"]


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = record(tmp_path, "partners:\n", "partners: &r [*r]\nold_partners:\n")
    line = SEED.read_text(encoding="utf-8").splitlines().index("partners:") + 1
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:11: error: partners: {ANCHORS} (2 in this file, the first here)"]


def test_an_undefined_alias_is_refused(tmp_path: Path) -> None:
    path = record(tmp_path, "recommendation: To note decision", "recommendation: *nothing")
    code, out = check(str(path))
    assert code == 1
    line = SEED.read_text(encoding="utf-8").splitlines().index("recommendation: To note decision") + 1
    assert errors(out) == [f"{path}:{line}:17: error: recommendation: {ANCHORS}"]


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['lol0: &lol0 "lol"'] + [f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]" for n in range(1, 10)]
    path = tmp_path / "PCC-D-103.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    code, out = check_within(10, str(path))
    assert code == 1
    assert time.perf_counter() - start < 5
    assert errors(out) == [f"{path}:1:7: error: lol0: {ANCHORS} (100 in this file, the first here)"]


def test_many_aliases_of_a_large_value_are_refused_without_expanding_them(tmp_path: Path) -> None:
    # 1,000 aliases of a 100 KB list would expand to 100 MB.
    big = "[" + ", ".join(["Robbery/counterfeit payment"] * 3500) + "]"
    path = record(tmp_path, "partners:\n", f"old: &big {big}\nolder: [{', '.join(['*big'] * 1000)}]\npartners:\n")
    code, out = check_within(10, str(path))
    assert code == 1
    assert len(errors(out)) == 1 and errors(out)[0].endswith(f"error: old: {ANCHORS} (1001 in this file, the first here)")


def test_the_office_configuration_refuses_anchors_too(tmp_path: Path) -> None:
    office = tmp_path / "office.yaml"
    office.write_text((ROOT / "office.yaml").read_text(encoding="utf-8").replace(
        "name: Office of the Bedfordshire Police and Crime Commissioner\nauthor: Office of the Bedfordshire Police and Crime Commissioner",
        "name: &name Office of the Bedfordshire Police and Crime Commissioner\nauthor: *name"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office), "check", str(SEED)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines() == [f"{office}:4:7: error: name: {ANCHORS} (2 in this file, the first here)"]


# --- 18: explicit tags are refused, not ignored -------------------------------------------------


@pytest.mark.parametrize("old,new,field,column,tag", [
    ("recommendation: To note decision", "recommendation: !!python/object/apply:os.system [echo owned]", "recommendation", 17,
     "!!python/object/apply:os.system"),
    ("recommendation: To note decision", "recommendation: !custom To note decision", "recommendation", 17, "!custom"),
    ("recommendation: To note decision", "recommendation: !!str To note decision", "recommendation", 17, "!!str"),
    ("recommendation: To note decision", "recommendation: ! To note decision", "recommendation", 17, "!"),
    ("publication:\n  part: public", "publication: !!str\n  part: public", "publication", 14, "!!str"),
    ("partners:\n", "partners: !!set\n", "partners", 11, "!!set"),
], ids=["python-object", "custom", "str", "non-specific", "str-on-a-mapping", "set-on-a-sequence"])
def test_explicit_tags_are_refused(tmp_path: Path, old: str, new: str, field: str, column: int, tag: str) -> None:
    path = record(tmp_path, old, new)
    line = SEED.read_text(encoding="utf-8").splitlines().index(old.splitlines()[0]) + 1
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:{column}: error: {field}: YAML tags such as {tag} are not allowed in records; remove the tag"]


# --- 9: records that crashed check ------------------------------------------------------------

NESTED = "nested more than 50 levels deep; a record needs only a few levels: check the brackets and indentation"


@pytest.mark.parametrize("depth", [60, 990])
def test_deep_nesting_is_refused(tmp_path: Path, depth: int) -> None:
    path = record(tmp_path, "partners:\n", f"partners: {'[' * depth}{']' * depth}\nold_partners:\n")
    line = SEED.read_text(encoding="utf-8").splitlines().index("partners:") + 1
    code, out = check_within(20, str(path))
    assert code == 1
    # The root mapping is the first level, so the 50th bracket (column 11 + 49) is the 51st.
    assert errors(out) == [f"{path}:{line}:{11 + 49}: error: partners{'[0]' * 49}: {NESTED}"]


def test_nesting_deeper_than_libyaml_allows_is_refused_with_the_same_message(tmp_path: Path) -> None:
    # libyaml's scanner looks ahead and stops at 1,000 levels itself, before any event reaches us.
    path = record(tmp_path, "partners:\n", f"partners: {'[' * 100_000}{']' * 100_000}\nold_partners:\n")
    line = SEED.read_text(encoding="utf-8").splitlines().index("partners:") + 1
    code, out = check_within(20, str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:1010: error: {NESTED}"]


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "PCC-D-103.yaml"
    path.write_text("".join(f"{'  ' * n}k{n}:\n" for n in range(200)) + "  " * 200 + "x\n", encoding="utf-8")
    code, out = check_within(20, str(path))
    assert code == 1
    # k0's mapping is the first level, so k50's (line 51, column 101) is the 51st.
    assert errors(out) == [f"{path}:51:101: error: {'.'.join(f'k{n}' for n in range(50))}: {NESTED}"]


def test_a_second_document_is_refused(tmp_path: Path) -> None:
    path = record(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "---\nreference: PCC/D/103\n", encoding="utf-8")
    line = len(SEED.read_text(encoding="utf-8").splitlines()) + 1
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:1: error: a second YAML document starts here (---); a record is one document: "
                           "remove the --- line and what follows it, or put it in a file of its own"]


# --- 6: numbers are never silently changed ----------------------------------------------------


def quoted(value: str) -> str:
    return f"or put it in quotes ('{value}') if it is text"


# (the line with {} for the value, the seed's value, the field, the value's column, the field name's
# column): reading errors point at the value, the model's at the field's name.
Where = tuple[str, str, str, int, int]
AMOUNT: Where = ("    amount: {}", "40000", "funding[0].amount", 13, 5)
MONTHS: Where = ("  duration_months: {}", "12", "route_to_market.duration_months", 20, 3)
WEIGHTING: Where = ("    - {{criterion: Outcomes, weighting: {}, stated: false}}", "20", "specification.evaluation_criteria[0].weighting", 40, 29)
PILOT: Where = ("  pilot: {}", "true", "route_to_market.pilot", 10, 3)


def check_value(tmp_path: Path, where: Where, value: str) -> tuple[int, list[str], int]:
    """Check the seed with the value at where replaced: exit code, problem lines, the line."""
    template, original = where[:2]
    path = record(tmp_path)
    line = edit(path, template.format(original), template.format(value))
    code, out = check(str(path))
    return code, errors(out), line

AMBIGUOUS_NUMBERS = [
    (AMOUNT, "040000", f"040000 starts with 0, which some YAML tools read as an octal number; write 40000, {quoted('040000')} such as a code"),
    (MONTHS, "012", f"012 starts with 0, which some YAML tools read as an octal number; write 12, {quoted('012')} such as a code"),
    (AMOUNT, "11:06:40", "11:06:40 is a number in base 60 to some YAML tools; write a plain number, "
                         "or put it in quotes ('11:06:40') if it is a time or other text"),
    (AMOUNT, "0x3", f"0x3 is a hexadecimal number; write numbers in decimal digits (3), {quoted('0x3')}"),
    (AMOUNT, "0o17", f"0o17 is an octal number; write numbers in decimal digits (15), {quoted('0o17')}"),
    (AMOUNT, "40_000", f"40_000: write numbers without _ (40000), {quoted('40_000')}"),
    (AMOUNT, "4e4", f"4e4 is not written as a plain number; write it like 40000 or 1250.50, {quoted('4e4')}"),
    (AMOUNT, ".5", f".5 is not written as a plain number; write it like 40000 or 1250.50, {quoted('.5')}"),
    (AMOUNT, ".inf", f".inf is not a number a record can hold; write a number such as 40000, {quoted('.inf')}"),
    (AMOUNT, ".nan", f".nan is not a number a record can hold; write a number such as 40000, {quoted('.nan')}"),
]


@pytest.mark.parametrize("where,value,message", AMBIGUOUS_NUMBERS, ids=[f"{w[2]}:{v}" for w, v, m in AMBIGUOUS_NUMBERS])
def test_a_number_that_yaml_tools_read_differently_is_refused(tmp_path: Path, where: Where, value: str, message: str) -> None:
    code, lines, line = check_value(tmp_path, where, value)
    assert code == 1
    path = tmp_path / "records" / "2021-2024" / SEED.name
    assert lines == [f"{path}:{line}:{where[3]}: error: {where[2]}: {message}"]


WRONG_NUMBERS = [
    (AMOUNT, "-0.0", "an amount is never negative: write 0, without the minus sign (got -0.0)"),
    (WEIGHTING, "yes", "Input should be a valid integer (got 'yes'); write a whole number such as 12"),
    (WEIGHTING, "true", "Input should be a valid integer (got true); write a whole number such as 12"),
    (MONTHS, "on", "Input should be a valid integer (got 'on'); write a whole number such as 12"),
    (MONTHS, "12.0", "Input should be a valid integer (got 12.0); write a whole number such as 12"),
    (PILOT, "yes", "Input should be a valid boolean (got 'yes'); write true or false"),
    (PILOT, "1", "Input should be a valid boolean (got 1); write true or false"),
]


@pytest.mark.parametrize("where,value,message", WRONG_NUMBERS, ids=[f"{w[2]}:{v}" for w, v, m in WRONG_NUMBERS])
def test_a_wrong_kind_of_value_is_not_converted(tmp_path: Path, where: Where, value: str, message: str) -> None:
    code, lines, line = check_value(tmp_path, where, value)
    assert code == 1
    path = tmp_path / "records" / "2021-2024" / SEED.name
    assert lines == [f"{path}:{line}:{where[4]}: error: {where[2]}: {message}"]


def test_yes_no_on_and_off_are_text(tmp_path: Path, office: Office) -> None:
    path = record(tmp_path, "  - heading: Police and Crime Plan", "  - heading: No")
    edit(path, "      - >-\n          The provider will be required", "      - off\n      - >-\n          The provider will be required")
    edit(path, "  - Bedfordshire VERU", "  - Bedfordshire VERU\n  - yes\n  - On")
    code, out = check(str(path))
    assert code == 0, out
    decision = read_records([path], office)[0].decision
    assert decision.sections[1].heading == "No"
    assert decision.sections[2].content[0].text == "off"
    assert decision.partners[-2:] == ["yes", "On"]


def test_amounts_stay_exact(tmp_path: Path, office: Office) -> None:
    path = record(tmp_path, "    amount: 40000", "    amount: 40000.10")
    edit(path, "  bidding_limit: 40000", "  bidding_limit: 40000.10")
    decision = read_records([path], office)[0].decision
    assert decision.funding[0].amount == Decimal("40000.10") and str(decision.funding[0].amount) == "40000.10"


TIMESTAMPS = ["2023-09-06T00:00:00+05:00", "2023-09-06 10:00", "2023-09-06T00:00:00", "2023-09-06t10:00:00Z"]


@pytest.mark.parametrize("value", TIMESTAMPS)
def test_a_time_where_a_date_belongs_is_refused_not_truncated(tmp_path: Path, value: str) -> None:
    path = record(tmp_path)
    line = edit(path, "date: 2023-09-06", f"date: {value}")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:1: error: date: give the date alone, without a time or time zone, "
                           f"as YYYY-MM-DD, e.g. 2023-09-06 (got '{value}')"]


@pytest.mark.parametrize("value,shown", [("20230906", "20230906"), ("2023-9-6", "'2023-9-6'")])
def test_a_date_written_otherwise_is_refused(tmp_path: Path, value: str, shown: str) -> None:
    path = record(tmp_path)
    line = edit(path, "date: 2023-09-06", f"date: {value}")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:1: error: date: write dates as YYYY-MM-DD, e.g. 2023-09-06 (got {shown})"]


# --- 9: dates and months outside any paper's years --------------------------------------------

YEARS = "the year must be from 1900 to 2099"
PREPARED = "  - event: paper_prepared\n    date: {}"


@pytest.mark.parametrize("old,new,field,column,message", [
    (PREPARED.format("2022-11"), PREPARED.format("0000-01"), "history[0].date", 5, f"{YEARS} (got '0000-01')"),
    (PREPARED.format("2022-11"), PREPARED.format("9999-12"), "history[0].date", 5, f"{YEARS} (got '9999-12')"),
    (PREPARED.format("2022-11"), PREPARED.format("{year: 99999999, month: 1}"), "history[0].date.year", 12,
     f"{YEARS} (got 99999999)"),
    (PREPARED.format("2022-11"), PREPARED.format("{year: 2022, month: 13}"), "history[0].date.month", 24,
     "Input should be less than or equal to 12 (got 13)"),
    ("date: 2023-09-06", "date: 9999-12-31", "date", 1, f"{YEARS} (got '9999-12-31')"),
    ("date: 2023-09-06", "date: 1899-12-31", "date", 1, f"{YEARS} (got '1899-12-31')"),
    ("date: 2023-09-06", "date: 0000-01-01", "date", 1, f"{YEARS} (got '0000-01-01')"),
    ("    date: 2023-03-30", "    date: 2100-01-01", "history[9].date", 5, f"{YEARS} (got '2100-01-01')"),
], ids=["month-0000-01", "month-9999-12", "month-year-99999999", "month-13", "date-9999-12-31", "date-1899", "date-0000", "event-2100"])
def test_dates_and_months_outside_plausible_years_are_refused(tmp_path: Path, old: str, new: str, field: str, column: int,
                                                              message: str) -> None:
    path = record(tmp_path)
    line = edit(path, old, new) + old.count("\n")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:{column}: error: {field}: {message}"]


# --- 7: characters that cannot be printed, and text that must be one line ---------------------

SUBJECT = "Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024"
DELETE_IT = "is not allowed in a record; delete it (it is invisible: retype the text around it)"

ESCAPED = [
    ("\\0", "control character U+0000"), ("\\x01", "control character U+0001"), ("\\a", "control character U+0007"),
    ("\\f", "control character U+000C"), ("\\r", "control character U+000D"), ("\\e", "control character U+001B"),
    ("\\x7f", "control character U+007F"), ("\\x80", "control character U+0080"), ("\\N", "control character U+0085"),
    ("\\x9f", "control character U+009F"), ("\\ufdd0", "noncharacter U+FDD0"), ("\\ufdef", "noncharacter U+FDEF"),
    ("\\ufffe", "noncharacter U+FFFE"), ("\\uffff", "noncharacter U+FFFF"), ("\\U0001FFFE", "noncharacter U+1FFFE"),
    ("\\U0010FFFF", "noncharacter U+10FFFF"), ("\\L", "line separator U+2028"), ("\\P", "paragraph separator U+2029"),
]


@pytest.mark.parametrize("escape,named", ESCAPED, ids=[e for e, n in ESCAPED])
def test_an_unprintable_character_is_refused_at_its_value(tmp_path: Path, escape: str, named: str) -> None:
    path = record(tmp_path, f"subject: {SUBJECT}", f'subject: "Allocation of MoJ{escape} Funding"')
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:4:10: error: subject: the {named} {DELETE_IT}"]


def test_an_unprintable_character_in_a_paragraph_or_a_key(tmp_path: Path) -> None:
    path = record(tmp_path)
    paragraph = edit(path, "      - >-\n          The provider will be required",
                     '      - "Part\\a two"\n      - >-\n          The provider will be required')
    key = edit(path, "  pilot: true", '  "pi\\x1blot": true')
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{paragraph}:9: error: sections[2].content[0]: the control character U+0007 {DELETE_IT}",
                           f"{path}:{key}:3: error: route_to_market: the control character U+001B {DELETE_IT}"]


@pytest.mark.parametrize("raw,named,column", [
    ("\x07", "control character U+0007", 24), ("\x1b", "control character U+001B", 24), ("\x7f", "control character U+007F", 24),
    ("\x9f", "control character U+009F", 24), ("\x85", "control character U+0085", 24), ("\u2028", "line separator U+2028", 24),
    ("\ufffe", "noncharacter U+FFFE", 24), ("\ufdd0", "noncharacter U+FDD0", 10),
], ids=["bell", "escape", "delete", "c1", "next-line", "line-separator", "fffe", "fdd0"])
def test_an_unprintable_character_typed_into_the_file_is_refused(tmp_path: Path, raw: str, named: str, column: int) -> None:
    # libyaml refuses most of these itself, at the character; the rest are refused at their value.
    path = record(tmp_path, f"subject: {SUBJECT}", f"subject: Allocation of {raw}MoJ Funding")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:4:{column}: error: subject: the {named} {DELETE_IT}"]


def test_an_unpaired_surrogate_is_refused(tmp_path: Path) -> None:
    path = record(tmp_path, f"subject: {SUBJECT}", 'subject: "Allocation \\ud800"')
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:4:24: error: malformed YAML: while parsing a quoted scalar, found invalid Unicode character escape code"]


def test_a_nul_byte_in_the_file_is_still_a_binary_file(tmp_path: Path) -> None:
    path = record(tmp_path, f"subject: {SUBJECT}", "subject: Allocation \x00 of")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:1:1: error: binary file, not a YAML record"]


def test_tabs_and_line_breaks_are_allowed_where_text_runs_over_lines(tmp_path: Path, office: Office) -> None:
    path = record(tmp_path, "      - >-\n          The provider will be required",
                  '      - "One line,\\tthen a tab\\nand a second line."\n      - bullets: ["a\\tb", "c\\nd"]\n'
                  "      - >-\n          The provider will be required")
    code, out = check(str(path))
    assert code == 0, out
    content = read_records([path], office)[0].decision.sections[2].content
    assert content[0].text == "One line,\tthen a tab\nand a second line." and content[1].bullets == ["a\tb", "c\nd"]


ONE_LINE = [
    ("reference: PCC/D/102", 'reference: "PCC/D/102\\n"', "reference", "write the reference on one line, without line breaks or tabs (got 'PCC/D/102\\n')"),
    (f"subject: {SUBJECT}", 'subject: "Allocation of\\tMoJ Funding"', "subject",
     "write the subject on one line, without line breaks or tabs (got 'Allocation of\\tMoJ Funding')"),
    ("report_of: Police and Crime Commissioner", "report_of: |\n  Police and\n  Crime Commissioner", "report_of",
     "write the report of on one line, without line breaks or tabs (got 'Police and\\nCrime Commissioner\\n')"),
    ("  - heading: Police and Crime Plan", '  - heading: "Police and\\nCrime Plan"', "sections[1].heading",
     "write the heading on one line, without line breaks or tabs (got 'Police and\\nCrime Plan')"),
    ("    budget_code: B992", '    budget_code: "B99\\t2"', "funding[0].budget_code",
     "write the budget code on one line, without line breaks or tabs (got 'B99\\t2')"),
    ("  - service: Sexual Exploitation Support", '  - service: "Sexual\\nExploitation Support"', "funding[0].service",
     "write the service on one line, without line breaks or tabs (got 'Sexual\\nExploitation Support')"),
    ("    fund: MoJ", '    fund: "MoJ\\n"', "funding[0].fund", "write the fund on one line, without line breaks or tabs (got 'MoJ\\n')"),
    ("    financial_year: 2023-2024", '    financial_year: "2023-2024\\n"', "funding[0].financial_year",
     "a financial year is written 2023-24 (or 2023/24, or 2023-2024) (got '2023-2024\\n')"),
    ("status: approved", 'status: approved\nbanners: ["KEY\\nDECISION"]', "banners[0]",
     "write the banner on one line, without line breaks or tabs (got 'KEY\\nDECISION')"),
    ("  role: Bedfordshire Police and Crime Commissioner", '  role: "Bedfordshire Police\\nand Crime Commissioner"', "approval.role",
     "write the role on one line, without line breaks or tabs (got 'Bedfordshire Police\\nand Crime Commissioner')"),
    ("  description_section: Description of Service", '  description_section: "Description of\\nService"',
     "specification.description_section",
     "write the description section on one line, without line breaks or tabs (got 'Description of\\nService')"),
]


@pytest.mark.parametrize("old,new,field,message", ONE_LINE, ids=[o[2] for o in ONE_LINE])
def test_text_that_is_one_line_on_the_paper_must_be_written_on_one_line(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    path = record(tmp_path)
    line = edit(path, old, new) + new.count("\n") * field.startswith("banners")
    code, out = check(str(path))
    assert code == 1
    column = 11 if field == "banners[0]" else len(old) - len(old.lstrip(" -")) + 1  # the field's name, or the list item
    assert errors(out) == [f"{path}:{line}:{column}: error: {field}: {message}"]


# --- 18: only the word TODO is a placeholder ----------------------------------------------------


def test_words_containing_todo_are_not_placeholders(tmp_path: Path) -> None:
    path = record(tmp_path, f"subject: {SUBJECT}", "subject: Allocation of MoJ Funding for PHOTODOCUMENTATION 2023-2024")
    edit(path, "recommendation: To note decision", "recommendation: To note the TODOS list and MASTODON posts")
    code, out = check(str(path))
    assert code == 0, out


@pytest.mark.parametrize("value", ["TODO", "TODO: the recommendation", "Approve (TODO)", "see TODO."])
def test_the_word_todo_is_a_placeholder(tmp_path: Path, value: str) -> None:
    path = record(tmp_path)
    line = edit(path, "recommendation: To note decision", f"recommendation: '{value}'")
    code, out = check(str(path))
    assert code == 1
    assert errors(out) == [f"{path}:{line}:1: error: recommendation: placeholder not filled in: {value}"]


def test_reading_is_deterministic(tmp_path: Path) -> None:
    path = record(tmp_path)
    for name in ("PCC-D-110.yaml", "PCC-D-009.yml", "PCC-D-103.yaml"):
        (path.parent / name).write_text("- a list\n", encoding="utf-8")
    first, second = yaml_source.read_yaml(path), yaml_source.read_yaml(path)
    assert first.data == second.data and list(first.locations.items()) == list(second.locations.items())
    found = find_records([tmp_path / "records"])
    assert found == sorted(found) == find_records([tmp_path / "records"])
