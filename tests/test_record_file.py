"""Saving a record from the editor (engine/record_file.py): the file stays one a person can edit.

Every record of the archive and the examples reads back unchanged through a save of its own data;
a changed value, however hostile its text, reads back as typed, and only its lines change; a
second save of the same data changes nothing; a file changed on disk since it was opened is
never overwritten, and a failed write leaves the old file whole.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import errno
import hashlib
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine import writing
from engine.model import Decision
from engine.office import load_office
from engine.record_file import (
    ConflictError,
    Opened,
    SaveError,
    open_record,
    plain_data,
    save_record,
    updated_text,
)
from engine.records import read_record
from engine.yaml_source import MAX_BYTES, parse_yaml

from .conftest import ROOT, SEED
from .support import full_disk

RECORDS = sorted([*ROOT.glob("records/**/*.yaml"), *ROOT.glob("examples/*/records/**/*.yaml"), ROOT / "tests" / "data" / "DEC-0042.yaml"])
OFFICE_FILES = sorted([ROOT / "office.yaml", *ROOT.glob("examples/*/office.yaml"), *ROOT.glob("examples/*/forward-plan.yaml"),
                       ROOT / "tests" / "data" / "another-office.yaml"])


def engine_data(text: str) -> Any:
    """What the engine's own reader makes of text."""
    return parse_yaml(Path("record.yaml"), text.encode("utf-8")).data


def saved(text: str, data: dict[str, Any]) -> str:
    """updated_text, checked as every save must be: it reads back as data, and a second save
    of the same data changes nothing."""
    new = updated_text(text, data)
    assert same(engine_data(new), data)
    assert updated_text(new, data) == new
    return new


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return a == b
    return type(a) is type(b) and a == b


def changed_lines(old: str, new: str) -> list[str]:
    return [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def office_of(path: Path):
    for folder in path.parents:
        if (folder / "office.yaml").is_file():
            return load_office(folder / "office.yaml")
    return load_office(ROOT / "office.yaml")


# --- (a) every record reads back unchanged ----------------------------------------------------


@pytest.mark.parametrize("path", RECORDS + OFFICE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_reads_back_unchanged_through_a_save_of_its_own_data(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = plain_data(text)
    assert same(data, engine_data(text))
    assert updated_text(text, data) == text
    assert updated_text(text, copy.deepcopy(data)) == text


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_plain_data_is_the_decision_the_engine_reads(path: Path) -> None:
    record = read_record(path, office_of(path))
    assert record.decision is not None, record.problems
    assert Decision.model_validate(plain_data(path.read_text(encoding="utf-8"))) == record.decision


def test_plain_data_gives_numbers_and_days_as_the_engine_reads_them() -> None:
    data = plain_data("a: 40000\nb: 18500.50\nc: 2026-11-20\nd: 2022-11\ne: No\nf: '00123'\ng: true\nh:\ni: 1.0\n")
    assert data == {"a": 40000, "b": Decimal("18500.50"), "c": dt.date(2026, 11, 20), "d": "2022-11", "e": "No",
                    "f": "00123", "g": True, "h": None, "i": Decimal("1.0")}
    assert type(data["a"]) is int and str(data["b"]) == "18500.50"


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", "anchors"),
    ("a: !!str 1\n", "YAML tags"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("a: [1\n", "malformed YAML"),
    ("- a\n- b\n", "a record is a set of fields"),
    ("a:\n\tb: 1\n", "tab character in indentation"),
    ("", "empty file"),
])
def test_plain_data_refuses_what_the_engine_cannot_read(text: str, message: str) -> None:
    with pytest.raises(SaveError, match=message) as caught:
        plain_data(text)
    assert "\n" not in str(caught.value)


# --- (b) a changed value reads back as typed ----------------------------------------------------

HOSTILE = [
    "#KnifeFree",
    "...use the Home Office #KnifeFree campaign.",
    "three strands: a, b",
    "The programme has three strands: prevention, enforcement and support",
    '"quoted"',
    "'single'",
    "It's \"both\" kinds",
    "No", "no", "yes", "Yes", "ON", "off", "y", "n", "null", "Null", "~", "true", "False", "=", "<<",
    "2026-11-20", "2026-1-2", "2026-11-20T10:00:00", "00123", "0x1F", "0o17", "1e3", "1_000", "12:30", "190:20:30",
    "40000", "18500.50", "-5", "+5", ".5", ".inf", ".NaN", "1,000", "4.1", "2022-11", "2023-24", "Q4 2022-23",
    "a\nb\n\nc", "line one\nline two", "ends with a break\n", "\nstarts with a break", "two breaks at the end\n\n",
    "  indented\nsecond", "first\n  indented second", "spaces then break   \nnext", "a\n   \nb",
    "trailing spaces   ", "  leading spaces", " ", "", "double  spaces  inside",
    "tab\there", "\tleading tab", "a\n\tb",
    "unicode – ‘quotes’ “more” £5 é ñ 中文 😀 👨‍👩‍👧",
    "nbsp\u00a0inside", "zero\u200bwidth", "\ufeffbom first", "soft\u00adhyphen",
    "x" * 500,
    " ".join(["word"] * 300),
    " ".join(["word:"] * 60) + " #tag",
    "a  " * 80 + "end",
    "- item", "-", "--", "---", "--- doc", "...", "? question", "?", ":", ": colon first", "@handle", "`tick`",
    "!important", "&anchor", "*star", "%percent", "{brace", "}", "[bracket", "]", ",comma", "|pipe", ">greater",
    "ends with a colon:", "a # b", "a #b", "a#b", "back\\slash", "\\n is not a break", "C:\\path\\file",
    "key: value\nother: value", "- a\n- b", "# not a comment\n# nor this",
    "TODO: fill in", "<script>alert(1)</script>", "{{ template }}", "${HOME}", "=SUM(A1:A2)",
]


def hostile_ids(value: str) -> str:
    return repr(value)[:40]


@pytest.fixture(scope="module")
def seed() -> tuple[str, dict[str, Any]]:
    text = SEED.read_text(encoding="utf-8")
    return text, plain_data(text)


@pytest.mark.parametrize("value", HOSTILE, ids=hostile_ids)
def test_hostile_text_reads_back_exactly_wherever_it_stands(seed: tuple[str, dict[str, Any]], value: str) -> None:
    text, original = seed
    data = copy.deepcopy(original)
    data["subject"] = value  # a plain value in a mapping
    data["sections"][0]["content"][0] = value  # a folded paragraph in a list
    data["approval"]["date"] = value  # a value with a comment beside it
    data["specification"]["evaluation_criteria"][0]["criterion"] = value  # inside {flow: style}
    data["partners"].append(value)  # a new item
    data["fields"] = {"originator": value}  # a new field, with a new mapping
    new = saved(text, data)
    assert "# the published paper does not give the date the Commissioner signed it" in new
    assert new.startswith("# yaml-language-server: $schema=../../schema/decision.schema.json\n")
    back = engine_data(new)
    assert back["subject"] == back["sections"][0]["content"][0] == back["approval"]["date"] == value
    assert back["specification"]["evaluation_criteria"][0]["criterion"] == back["partners"][-1] == value
    assert back["fields"] == {"originator": value}


@pytest.mark.parametrize("value", HOSTILE, ids=hostile_ids)
def test_hostile_text_as_a_field_name(value: str) -> None:
    text = "# header\nfields:\n  originator: Chief Executive   # a comment\n"
    if not value or "\n" in value or "\t" in value:
        return  # names come from the office's configuration: no such name can be declared
    data = {"fields": {"originator": "Chief Executive", value: value}}
    if len(value) > 200:
        with pytest.raises(SaveError, match=f"^fields: a field name of {len(value)} characters"):
            updated_text(text, data)
        return
    new = saved(text, data)
    assert new.startswith(text)


def test_the_issue_s_traps_are_written_so_that_check_reads_them_as_typed(seed: tuple[str, dict[str, Any]], tmp_path: Path,
                                                                        office) -> None:
    text, original = seed
    data = copy.deepcopy(original)
    data["sections"][0]["content"] = [
        "Schools will use the Home Office #KnifeFree campaign.",
        "The programme has three strands: prevention, enforcement and support.",
        '"Every victim matters," the Commissioner said.',
        "No",
    ]
    path = tmp_path / "records" / "2021-2024" / SEED.name
    path.parent.mkdir(parents=True)
    path.write_text(saved(text, data), encoding="utf-8")
    record = read_record(path, office)
    assert record.decision is not None, record.problems
    assert not [p for p in record.problems if p.severity.value == "error"]
    assert [p.text for p in record.decision.sections[0].content] == data["sections"][0]["content"]


@pytest.mark.parametrize("value, written", [
    ("Schools will use the Home Office #KnifeFree campaign.", "'Schools will use the Home Office #KnifeFree campaign.'"),
    ("three strands: a, b", "'three strands: a, b'"),
    ('"quoted"', "'\"quoted\"'"),
    ("It's", "It's"),
    ("'Tis the season", '"\'Tis the season"'),
    ("No", "'No'"),
    ("2026-11-20", "'2026-11-20'"),
    ("00123", "'00123'"),
    ("2022-11", "2022-11"),
    ("Plain words", "Plain words"),
    ("a\nb\n\nc", "|-\n  a\n  b\n\n  c"),
    ("tab\there", '"tab\\there"'),
    ("zero\u200bwidth", '"zero\\u200Bwidth"'),
])
def test_how_text_is_written(value: str, written: str) -> None:
    assert saved("a: 1\n", {"a": value}) == f"a: {written}\n"


def test_a_long_paragraph_is_folded_and_reads_back_exactly() -> None:
    paragraph = ("The programme has three strands: prevention, enforcement and support. " * 6).strip() + " #KnifeFree"
    new = saved("sections:\n  - content:\n      - old\n", {"sections": [{"content": [paragraph]}]})
    lines = new.splitlines()
    assert lines[2] == "      - >-"
    assert all(len(line) <= 100 for line in lines)
    assert all(line.startswith("        ") and line[8] != " " for line in lines[3:])


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\u2028", "\u2029", "\ufffe", "\ud800"])
def test_characters_no_record_may_hold_are_refused_naming_the_field(seed: tuple[str, dict[str, Any]], char: str) -> None:
    text, original = seed
    data = copy.deepcopy(original)
    data["sections"][1]["content"][0] = f"before{char}after"
    with pytest.raises(SaveError) as caught:
        updated_text(text, data)
    message = str(caught.value)
    assert message.startswith("sections[1].content[0]: ") and "\n" not in message
    assert f"U+{ord(char):04X}" in message


# --- numbers, days, true and false, nothing ------------------------------------------------------


@pytest.mark.parametrize("value, written", [
    (Decimal("18500.5"), "18500.5"),
    (Decimal("18500.50"), "18500.50"),
    (Decimal(18500), "18500"),
    (Decimal("1E+3"), "1000"),
    (Decimal("0.10"), "0.10"),
    (Decimal("-250.75"), "-250.75"),
    (Decimal("12345678901234567890.12"), "12345678901234567890.12"),
    (12, "12"),
    (10**25, str(10**25)),
    (True, "true"),
    (False, "false"),
    (None, "null"),
    (dt.date(2026, 11, 20), "2026-11-20"),
])
def test_numbers_days_and_constants_are_written_plain_and_exact(value: Any, written: str) -> None:
    new = saved("amount: 40000   # exact pounds\n", {"amount": value})
    assert new == f"amount: {written}   # exact pounds\n"
    back = engine_data(new)["amount"]
    assert same(back, value)
    if isinstance(value, Decimal) and "." in written:
        assert str(back) == written  # never through a float


def test_an_equal_sum_keeps_its_text() -> None:
    text = "a: 40000\nb: 18500.50\n"
    assert updated_text(text, {"a": Decimal("40000.00"), "b": Decimal("18500.5")}) == text
    assert updated_text(text, {"a": 40000, "b": Decimal("18500.500")}) == text


@pytest.mark.parametrize("value, message", [
    (Decimal("NaN"), "not a number a record can hold"),
    (Decimal("Infinity"), "not a number a record can hold"),
    (1.5, "a float is not an exact number"),
    (dt.datetime(2026, 11, 20, 10, 0), "days"),
    (object(), "cannot write a object"),
    (b"bytes", "cannot write a bytes"),
])
def test_values_no_record_holds_are_refused_naming_the_field(value: Any, message: str) -> None:
    with pytest.raises(SaveError, match=message) as caught:
        updated_text("funding:\n  - amount: 1\n", {"funding": [{"amount": value}]})
    assert str(caught.value).startswith("funding[0].amount: ")


def test_types_are_not_confused() -> None:
    text = "a: true\nb: 1\nc: '2026-11-20'\nd: 2026-11-20\ne: '1'\n"
    new = saved(text, {"a": 1, "b": True, "c": dt.date(2026, 11, 20), "d": "2026-11-20", "e": 1})
    assert new == "a: 1\nb: true\nc: 2026-11-20\nd: '2026-11-20'\ne: 1\n"


# --- the file's layout ----------------------------------------------------------------------------


def test_a_changed_value_changes_only_its_own_lines_everywhere_in_every_record() -> None:
    """Every value of every record, changed in turn: only its lines change, and it reads back."""
    replacements = iter(HOSTILE[:-1] * 1000)
    count = 0
    for path in RECORDS:
        text = path.read_text(encoding="utf-8")
        data = plain_data(text)
        for loc, value in leaves(data):
            if isinstance(value, str):
                new_value: Any = next(replacements)
                if new_value == value:
                    continue
            elif isinstance(value, bool):
                new_value = not value
            elif isinstance(value, (int, Decimal)):
                new_value = value + Decimal("0.25")
            elif isinstance(value, dt.date):
                new_value = value + dt.timedelta(days=1)
            else:
                new_value = "now text"
            changed = copy.deepcopy(data)
            put(changed, loc, new_value)
            new = saved(text, changed)
            diff = changed_lines(text, new)
            removed = [line for line in diff if line.startswith("-")]
            # The old value's own lines only (a folded paragraph has several), nothing else.
            assert len(removed) <= max(1, str(value).count("\n") + len(str(value)) // 60 + 2), (path, loc, diff)
            count += 1
    assert count > 800


def leaves(data: Any, loc: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in leaves(value, loc + (key,))]
    if isinstance(data, list):
        return [found for index, value in enumerate(data) for found in leaves(value, loc + (index,))]
    return [(loc, data)]


def put(data: Any, loc: tuple, value: Any) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def test_comments_blank_lines_and_the_header_are_kept(seed: tuple[str, dict[str, Any]]) -> None:
    text, original = seed
    data = copy.deepcopy(original)
    data["subject"] = "A new subject"
    data["funding"][0]["amount"] = Decimal("18500.5")
    new = saved(text, data)
    assert changed_lines(text, new) == [
        "-subject: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024", "+subject: A new subject",
        "-    amount: 40000", "+    amount: 18500.5"]
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#") or " # " in line]
    assert comments and all(line in new.splitlines() for line in comments)


def test_a_removed_field_goes_with_the_comment_above_it_and_one_blank_line(seed: tuple[str, dict[str, Any]]) -> None:
    text, original = seed
    data = copy.deepcopy(original)
    del data["kind"]
    new = saved(text, data)
    removed = "\n# The kind of decision: a service commissioned by competition (see the README's kinds).\nkind: commissioning\n"
    assert new == text.replace(removed, "")
    assert "  part: public\n\n# The specification the paper refers to" in new


def test_removing_fields_list_items_and_keys_beside_a_dash() -> None:
    text = ("# header\n"
            "funding:\n"
            "  - service: A   # first\n"
            "    fund: MoJ\n"
            "    amount: 1\n"
            "  # the second line\n"
            "  - service: B\n"
            "    amount: 2\n"
            "  - service: C\n"
            "    amount: 3\n"
            "status: draft\n")
    data = {"funding": [{"fund": "MoJ", "amount": 1}, {"service": "B"}]}
    new = saved(text, data)
    assert new == ("# header\n"
                   "funding:\n"
                   "  - fund: MoJ\n"
                   "    amount: 1\n"
                   "  # the second line\n"
                   "  - service: B\n")


def test_new_fields_go_after_the_fields_before_them(seed: tuple[str, dict[str, Any]]) -> None:
    text, original = seed
    data = {}
    for key, value in original.items():
        if key == "report_of":
            data["author"] = {"name": "A. Officer", "role": "Commissioning Lead"}
        data[key] = value
        if key == "date":
            data["financial_year"] = "2023-24"
        if key == "partners":
            data["key_decision"] = True
    data = {"term": "2021-2024", **data}
    new = saved(text, data)
    assert sorted(changed_lines(text, new)) == sorted([
        "+term: 2021-2024",
        "+author:", "+  name: A. Officer", "+  role: Commissioning Lead",
        "+financial_year: 2023-24",
        "+key_decision: true", "+"])
    assert "2023-2024\nauthor:\n  name: A. Officer\n  role: Commissioning Lead\nreport_of: Police" in new
    assert "date: 2023-09-06\nfinancial_year: 2023-24\nstatus: approved\n" in new
    lines = new.splitlines()
    assert lines[:4] == ["# yaml-language-server: $schema=../../schema/decision.schema.json",
                         "# Transcribed from the paper as published on the office's website; wording kept as published.",
                         "term: 2021-2024", "reference: PCC/D/102"]
    # Fields apart by blank lines: the new one too.
    at = lines.index("key_decision: true")
    assert lines[at - 1] == "" and lines[at + 1] == "" and lines[at + 2] == "route_to_market:"


def test_new_items_and_keys_within_a_list_item() -> None:
    text = "funding:\n  - service: A\n    amount: 1\nsections: []\n"
    data = {"funding": [{"recipient": "R", "service": "A", "amount": 1, "fund": "MoJ"},
                        {"service": "B", "amount": Decimal("2.50"), "per_year": [{"financial_year": "2023-24", "amount": 1}]}],
            "sections": [{"heading": "H", "content": ["p", {"bullets": ["a", "b"]}]}]}
    new = saved(text, data)
    assert new == ("funding:\n"
                   "  - recipient: R\n"
                   "    service: A\n"
                   "    amount: 1\n"
                   "    fund: MoJ\n"
                   "  - service: B\n"
                   "    amount: 2.50\n"
                   "    per_year:\n"
                   "      - financial_year: 2023-24\n"
                   "        amount: 1\n"
                   "sections:\n"
                   "  - heading: H\n"
                   "    content:\n"
                   "      - p\n"
                   "      - bullets:\n"
                   "          - a\n"
                   "          - b\n")


def test_items_reordered_and_removed() -> None:
    text = "partners:\n  - one   # first\n  - two\n  - three\nnext: 1\n"
    new = saved(text, {"partners": ["three", "one"], "next": 1})
    assert new == "partners:\n  - 'three'   # first\n  - one\nnext: 1\n"  # quoted beside its comment


def test_flow_style_stays_flow_style() -> None:
    text = "history:\n  - {event: opportunity_released, date: 2022-12-02}   # released\n  - {event: response_deadline}\nrows:\n  - [A, 6/9, 176.33]\n"
    data = plain_data(text)
    data["history"][0]["date"] = dt.date(2022, 12, 3)
    data["history"][1]["date"] = "2023-01"
    data["rows"][0][2] = Decimal("176.34")
    data["rows"].append(["B", "7/9", Decimal("205.72")])
    new = saved(text, data)
    assert new == ("history:\n  - {event: opportunity_released, date: 2022-12-03}   # released\n"
                   "  - {event: response_deadline, date: 2023-01}\nrows:\n  - [A, 6/9, 176.34]\n  - [B, 7/9, 205.72]\n")


def test_a_flow_mapping_too_long_for_its_line_becomes_a_block() -> None:
    text = "approval: {role: Commissioner, date: not stated}   # as printed\n"
    new = saved(text, {"approval": {"role": "Commissioner", "date": "not stated", "statement": "x " * 60 + "end"}})
    assert new.startswith("approval:   # as printed\n  role: Commissioner\n  date: not stated\n  statement: >-\n")


@pytest.mark.parametrize("old, new_value, expected", [
    ("a: text   # note\n", {"b": 1}, "a:   # note\n  b: 1\n"),
    ("a: text   # note\n", ["x", "z"], "a:   # note\n  - x\n  - z\n"),
    ("a:\n  b: 1\n  c: 2   # note\n", "text", "a: 'text'   # note\n"),  # quoted beside its comment
    ("a:\n  - x\n  - y\n", [], "a: []\n"),
    ("a:\n  b: 1\n", {}, "a: {}\n"),
    ("a: >-   # a block\n  long text\n  here\nb: 1\n", "short", "a: 'short'   # a block\nb: 1\n"),  # quoted beside its comment
    ("a:\nb: 1\n", "now", "a: now\nb: 1\n"),
    ("a:   # empty\nb: 1\n", {"c": 1}, "a:   # empty\n  c: 1\nb: 1\n"),
    ("a:  # comment\n  text\n", "other", "a:  # comment\n  other\n"),
    ("a: text   # note\n", "x\ny", "a: |-   # note\n  x\n  y\n"),
    ("list:\n- a\n- b\n", ["a", "c", "d"], "list:\n- a\n- c\n- d\n"),
    ("a:\n    b: 1\n    c: 2\n", {"b": 2, "c": 2, "d": 3}, "a:\n    b: 2\n    c: 2\n    d: 3\n"),
])
def test_values_that_change_their_kind(old: str, new_value: Any, expected: str) -> None:
    assert saved(old, {"a" if not old.startswith("list") else "list": new_value, **({"b": 1} if "\nb: 1" in old else {})}) == expected


def test_a_file_without_a_final_line_break_with_windows_line_breaks_or_a_bom() -> None:
    assert saved("a: 1\nb: 2", {"a": 1, "b": 3, "c": 4}) == "a: 1\nb: 3\nc: 4\n"
    assert saved("# h\r\na: 1\r\nb:\r\n  - x\r\n", {"a": 2, "b": ["x", "y\nz"]}) == "# h\r\na: 2\r\nb:\r\n  - x\r\n  - |-\r\n    y\r\n    z\r\n"
    assert saved("\ufeffa: 1\n", {"a": 2}) == "\ufeffa: 2\n"
    text = "a: 1\nb: 2"
    assert updated_text(text, {"a": 1, "b": 2}) == text


def test_a_new_file_or_one_of_comments_only() -> None:
    header = "# yaml-language-server: $schema=../../schema/decision.schema.json\n"
    data = {"kind": "funding_allocation", "reference": "PCC/D/120", "date": dt.date(2023, 11, 13),
            "funding": [{"recipient": "Speedwatch", "amount": Decimal(9000)}], "sections": [{"content": ["£9,000: for #Speedwatch"]}]}
    assert saved(header, data) == header + ("kind: funding_allocation\nreference: PCC/D/120\ndate: 2023-11-13\n"
                                            "funding:\n  - recipient: Speedwatch\n    amount: 9000\n"
                                            "sections:\n  - content:\n      - '£9,000: for #Speedwatch'\n")
    assert saved("", {"a": 1}) == "a: 1\n"


def test_text_the_engine_cannot_read_is_refused_saying_where() -> None:
    with pytest.raises(SaveError, match=r"^line 2, column 1: .*duplicate key"):
        updated_text("a: 1\na: 2\n", {"a": 3})
    with pytest.raises(SaveError, match="malformed YAML"):
        updated_text("a: [1\n", {"a": 3})
    with pytest.raises(SaveError, match="set of fields"):
        updated_text("a: 1\n", ["a"])  # type: ignore[arg-type]


def test_a_field_name_that_is_not_text_is_refused() -> None:
    with pytest.raises(SaveError, match="field names must be text"):
        updated_text("a: 1\n", {"a": {1: "x"}})


# --- (c) and (d): saving ----------------------------------------------------------------------------


def test_open_and_save_round_trip(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    raw = seed_copy.read_bytes()
    assert opened == Opened(seed_copy, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest())
    data = plain_data(opened.text)
    data["subject"] = "Allocation of MoJ Funding: #KnifeFree"
    text = updated_text(opened.text, data)
    digest = save_record(seed_copy, text, opened.digest)
    assert seed_copy.read_text(encoding="utf-8") == text
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest() == open_record(seed_copy).digest
    # A second save of the same data: the file is byte for byte the same.
    again = open_record(seed_copy)
    assert save_record(seed_copy, updated_text(again.text, data), again.digest) == digest
    assert seed_copy.read_text(encoding="utf-8") == text
    assert [p.name for p in seed_copy.parent.iterdir()] == [seed_copy.name]


def test_a_file_changed_since_it_was_opened_is_not_overwritten(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    theirs = opened.text.replace("To note decision", "To approve")
    seed_copy.write_text(theirs, encoding="utf-8")
    data = plain_data(opened.text)
    data["subject"] = "Mine"
    with pytest.raises(ConflictError) as caught:
        save_record(seed_copy, updated_text(opened.text, data), opened.digest)
    assert str(caught.value).startswith(f"{seed_copy} changed on disk since it was opened")
    assert "\n" not in str(caught.value)
    assert seed_copy.read_text(encoding="utf-8") == theirs
    assert [p.name for p in seed_copy.parent.iterdir()] == [seed_copy.name]


def test_a_file_touched_but_not_changed_saves(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    seed_copy.write_bytes(seed_copy.read_bytes())
    os.utime(seed_copy, (1, 1))
    save_record(seed_copy, opened.text + "# more\n", opened.digest)
    assert seed_copy.read_text(encoding="utf-8").endswith("# more\n")


def test_a_file_deleted_since_it_was_opened_is_not_made_again(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    seed_copy.unlink()
    with pytest.raises(ConflictError, match="was deleted or moved since it was opened"):
        save_record(seed_copy, opened.text, opened.digest)
    assert not seed_copy.exists() and list(seed_copy.parent.iterdir()) == []


def test_a_file_replaced_by_a_folder_is_left_alone(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    seed_copy.unlink()
    seed_copy.mkdir()
    (seed_copy / "inside").write_text("kept")
    with pytest.raises(ConflictError, match="is now a folder"):
        save_record(seed_copy, opened.text, opened.digest)
    assert (seed_copy / "inside").read_text() == "kept"


def test_a_file_replaced_by_a_link_is_not_written_through(seed_copy: Path, tmp_path: Path) -> None:
    opened = open_record(seed_copy)
    elsewhere = tmp_path / "elsewhere.yaml"
    shutil.copy(seed_copy, elsewhere)
    seed_copy.unlink()
    seed_copy.symlink_to(elsewhere)
    with pytest.raises(SaveError, match="is a symbolic link") as caught:
        save_record(seed_copy, opened.text + "# mine\n", opened.digest)
    assert "\n" not in str(caught.value)
    assert seed_copy.is_symlink() and elsewhere.read_text(encoding="utf-8") == opened.text


def test_a_new_record_is_never_written_over_one_saved_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "PCC-D-200.yaml"
    digest = save_record(path, "reference: PCC/D/200\n", "")
    assert path.read_text() == "reference: PCC/D/200\n" and digest == open_record(path).digest
    with pytest.raises(ConflictError, match="already exists"):
        save_record(path, "reference: mine\n", "")
    assert path.read_text() == "reference: PCC/D/200\n"


def test_a_failed_write_leaves_the_old_file_whole(seed_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_record(seed_copy)
    monkeypatch.setattr(writing.os, "fdopen", full_disk(100))
    with pytest.raises(SaveError) as caught:
        save_record(seed_copy, opened.text.replace("PCC/D/102", "PCC/D/103"), opened.digest)
    assert str(caught.value) == f"{seed_copy}: cannot write the file: No space left on device; the file on disk is unchanged"
    assert seed_copy.read_text(encoding="utf-8") == opened.text
    assert [p.name for p in seed_copy.parent.iterdir()] == [seed_copy.name]


def test_a_failed_rename_leaves_the_old_file_whole(seed_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_record(seed_copy)

    def refused(source: str, target: str) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writing.os, "replace", refused)
    with pytest.raises(SaveError, match="Permission denied"):
        save_record(seed_copy, "reference: other\n", opened.digest)
    assert seed_copy.read_text(encoding="utf-8") == opened.text
    assert [p.name for p in seed_copy.parent.iterdir()] == [seed_copy.name]


def test_a_saved_file_keeps_its_permissions(seed_copy: Path) -> None:
    seed_copy.chmod(0o600)
    opened = open_record(seed_copy)
    save_record(seed_copy, opened.text + "# more\n", opened.digest)
    assert seed_copy.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_file_is_not_saved(seed_copy: Path) -> None:
    seed_copy.chmod(0o444)
    opened = open_record(seed_copy)
    with pytest.raises(SaveError, match="is read-only"):
        save_record(seed_copy, opened.text + "# more\n", opened.digest)
    assert seed_copy.read_text(encoding="utf-8") == opened.text


def test_text_too_large_or_unencodable_is_not_saved(seed_copy: Path) -> None:
    opened = open_record(seed_copy)
    with pytest.raises(SaveError, match="a record must be under 1 MB"):
        save_record(seed_copy, "a: " + "x" * MAX_BYTES + "\n", opened.digest)
    with pytest.raises(SaveError, match="U\\+D800"):
        save_record(seed_copy, "a: \ud800\n", opened.digest)
    assert seed_copy.read_text(encoding="utf-8") == opened.text


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: os.mkfifo(p), "not a regular file"),
    (lambda p: p.write_bytes(b"a: \xff\n"), "not UTF-8 text"),
    (lambda p: p.write_bytes(b"a" * (MAX_BYTES + 1)), "must be under 1 MB"),
    (lambda p: p.symlink_to(p), "symbolic link loop"),
    (lambda p: None, "cannot read file: No such file or directory"),
])
def test_opening_what_is_not_a_record_file_is_one_line_naming_it(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "PCC-D-1.yaml"
    make(path)
    with pytest.raises(SaveError, match=message) as caught:
        open_record(path)
    assert str(caught.value).startswith(f"{path}") and "\n" not in str(caught.value)


def test_data_nested_too_deep_or_holding_itself_is_refused() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(10_000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(SaveError, match="nested more than 50 levels deep"):
        updated_text("a: 1\n", deep)
    looped: dict[str, Any] = {"a": []}
    looped["a"].append(looped)
    with pytest.raises(SaveError, match="nested more than 50 levels deep"):
        updated_text("a: 1\n", looped)


def test_a_text_nested_too_deep_is_refused_saying_where() -> None:
    with pytest.raises(SaveError, match=r"^line 1, column \d+: .*nested more than 50 levels deep"):
        updated_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n", {"a": 1})


def test_text_of_a_str_subclass_is_written_as_its_characters() -> None:
    from markupsafe import Markup

    new = updated_text("a: 1\n", {"a": Markup("It's <b>bold</b>: 'quoted'"), Markup("b"): Markup("x")})
    assert new == "a: \"It's <b>bold</b>: 'quoted'\"\nb: x\n"
    assert engine_data(new) == {"a": "It's <b>bold</b>: 'quoted'", "b": "x"}


def test_a_paper_edited_many_times_keeps_everything_it_did_not_change(seed: tuple[str, dict[str, Any]]) -> None:
    """Ten saves, each changing one of three paragraphs and putting back the others: all else
    stays as it was, to the byte (the three are written again, in the house style)."""
    text, original = seed
    current = text
    for round_ in range(10):
        data = copy.deepcopy(original)
        data["sections"][0]["content"][round_ % 3] = f"Round {round_}: #{round_}"
        current = saved(current, data)
    current = saved(current, original)
    before, after = text.split("      - >-\n          Azalea, a Luton", 1)
    assert current.startswith(before.split("    content:\n")[0] + "    content:\n")
    assert current.endswith("      - >-\n          Azalea, a Luton" + after)
    assert engine_data(current) == engine_data(text)


def test_comments_within_a_flow_collection_written_again_are_kept() -> None:
    text = "map: {\n  a: '# not a comment',   # first\n  b: 2 # second\n}\nx: 1\n"
    new = saved(text, {"map": {"a": "# not a comment", "b": 2, "c": 3}, "x": 1})
    assert new == "map: {a: '# not a comment', b: 2, c: 3} # first # second\nx: 1\n"


def test_text_kept_beside_a_comment_is_quoted_so_check_does_not_read_it_as_cut(tmp_path) -> None:
    """Found by the editor's browser test: `decisions new` writes `recommendation: "TODO: ..."  # what
    the Commissioner is asked to decide`; the officer's words written plain there read, to
    `check`, as text cut at ' #'."""
    from engine.office import load_office
    from engine.records import check_text
    from engine.record_file import plain_data, updated_text

    from .support import ROOT

    text = '# head\nrecommendation: "TODO: the recommendation"  # what the Commissioner is asked to decide\n'
    data = plain_data(text)
    data["recommendation"] = "To approve the grant of £18,500."
    new = updated_text(text, data)
    assert new == "# head\nrecommendation: 'To approve the grant of £18,500.'  # what the Commissioner is asked to decide\n"
    record = check_text(tmp_path / "x.yaml", new, load_office(ROOT / "office.yaml"))
    assert not [p for p in record.problems if "cut at" in p.message]
