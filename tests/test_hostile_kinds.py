"""Hostile and careless input to the record fields of issue 10: kinds, not stated, fuzzy dates,
money per year, tables, links, documents, as printed. Each bad value gets one located line
naming the field, and exit 1; never a traceback or a silently changed value."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.office import Office
from engine.records import read_records

from .conftest import ROOT, SEED, edit


def check(path: Path, office: Path = ROOT / "office.yaml") -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--office", str(office), "check", str(path)])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output.splitlines()


def record(folder: Path, old: str = "", new: str = "") -> Path:
    path = folder / "records" / "2021-2024" / SEED.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    if old:
        edit(path, old, new)
    return path


FUNDING = "  - service: Sexual Exploitation Support\n    fund: MoJ\n    budget_code: B992\n    amount: 40000\n    financial_year: 2023-2024\n"
TABLE = ("  - heading: Police and Crime Plan\n    content:\n      - columns: [{heading: Band}, {heading: Ratio, type: ratio}, "
         "{heading: Council tax, type: money}]\n        rows: {rows}\n{total}")


def table(rows: str, total: str = "") -> tuple[str, str]:
    return ("  - heading: Police and Crime Plan\n    content:\n",
            TABLE.replace("{rows}", rows).replace("{total}", f"        total: {total}\n" if total else "") + "      - x\n")


# (what, old, new, the one error line's field and message)
BAD = [
    ("an unknown kind", "kind: commissioning", "kind: Commissioning", "kind: 'Commissioning' is not a kind of decision"),
    ("a kind that is a list", "kind: commissioning", "kind: [commissioning]", "kind: Input should be a valid string"),
    ("a date in words", "\ndate: 2023-09-06", "\ndate: September 2023", "date: write dates as YYYY-MM-DD"),
    ("not stated misspelt", "\ndate: 2023-09-06", "\ndate: not-stated", "date: write dates as YYYY-MM-DD"),
    ("not stated capitalised", "\ndate: 2023-09-06", "\ndate: Not stated", "date: write not stated in lower case"),
    ("a year out of range", "\ndate: 2023-09-06", "\ndate: 1850", "date: the year must be from 1900 to 2099 (got 1850)"),
    ("a month 13", "\ndate: 2023-09-06", "\ndate: 2023-13", "date: a month is written 01 to 12 after the year, e.g. 2022-11"),
    ("a quarter as a paper's date", "\ndate: 2023-09-06", "\ndate: Q4 2022-23", "date: write dates as YYYY-MM-DD"),
    ("a fund as a number", "    fund: MoJ", "    fund: 7", "funding[0].fund: 7 is read as a number, not as text; put it in quotes ('7') if it is the text"),
    ("both amount and per_year", "    amount: 40000\n", "    amount: 40000\n    per_year: [{financial_year: 2023-24, amount: 1}]\n",
     "funding[0]: give either `amount` or `per_year`"),
    ("neither amount nor per_year", "    amount: 40000\n", "", "funding[0]: give the `amount`, or the amount for each financial year"),
    ("a year twice in per_year", "    amount: 40000\n    financial_year: 2023-2024\n",
     "    per_year: [{financial_year: 2023-24, amount: 1}, {financial_year: 2023/24, amount: 2}]\n",
     "funding[0]: per_year names a financial year twice"),
    ("a financial year backwards", "    financial_year: 2023-2024", "    financial_year: 2024/23", "funding[0].financial_year: a financial year runs from one year to the next, so 2024-25"),
    ("a javascript link", "publication:\n  part: public", "publication:\n  part: public\n  url: javascript:alert(1)",
     "publication.url: write a web address starting https://"),
    ("a link naming nothing", "publication:\n", "links: [{relation: amends}]\n\npublication:\n",
     "links[0]: a link names the decision's reference, or a paper's title"),
    ("a link with an unknown relation", "publication:\n", "links: [{relation: replaces, reference: PCC/D/001}]\n\npublication:\n",
     "links[0].relation: Input should be"),
    ("a document's data: url", "publication:\n", "documents: [{title: Appendix, url: 'data:text/html,<script>'}]\n\npublication:\n",
     "documents[0].url: write a web address starting https://"),
    ("a link to itself", "publication:\n", "links: [{relation: amends, reference: PCC/D/102}]\n\npublication:\n",
     "links[0].reference: PCC/D/102 links to itself (amends)"),
    ("as printed naming no field", "publication:\n", "as_printed: [{field: funding.7.amount, printed: '£40k', note: a misprint}]\n\npublication:\n",
     "as_printed[0].field: the record has no value at funding.7.amount"),
    ("a recommendation with nothing", "recommendation: To note decision", "recommendation: {heading: Recommendation}",
     "recommendation: a recommendation needs text, bullets or `awards: true`"),
    ("a section with neither heading nor content", "  - heading: Police and Crime Plan\n", "  - content: []\n  - heading: Police and Crime Plan\n",
     "sections[1]: a section without a heading needs content"),
    ("a heading level 3", "  - heading: Police and Crime Plan\n", "  - heading: Police and Crime Plan\n    level: 3\n",
     "sections[1].level: Input should be less than or equal to 2"),
    ("a vote with negative counts", "publication:\n", "history_extra\n", None),
]
BAD = [b for b in BAD if b[3] is not None]


@pytest.mark.parametrize("what,old,new,message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_new_field_is_one_located_error(tmp_path: Path, what: str, old: str, new: str, message: str) -> None:
    path = record(tmp_path, old, new)
    code, lines = check(path)
    assert code == 1, lines
    found = [line for line in lines[:-1] if message in line]
    assert len(found) == 1 and len(lines) == 2, lines


@pytest.mark.parametrize("rows,total,message", [
    ("[[A, 6/9, 176.33], [D, null, 264.50]]", "", None),
    ("[[A, 6/9, 176.34], [D, null, 264.50]]", "", "sections[1].content[0].rows[0][2]: 6/9 of £264.50 is £176.33, but the row says £176.34 [table-ratios]"),
    ("[[A, 6/9, 176.33], [D, null, 264.50]]", "[Total, null, 440.83]", None),
    ("[[A, 6/9, 176.33], [D, null, 264.50]]", "[Total, null, 440.84]",
     "sections[1].content[0].total[2]: the rows of 'Council tax' add up to £440.83, but the total row says £440.84 [table-totals]"),
    ("[[A, 6/9, '176.33'], [D, null, 264.50]]", "", "sections[1].content[0]: row 1, column 'Council tax': write pounds as a number"),
    ("[[A, 6/9, 176.333], [D, null, 264.50]]", "", "sections[1].content[0]: row 1, column 'Council tax': write pounds as a number with at most 2 decimal places"),
    ("[[A, 6/9, -1], [D, null, 264.50]]", "", "row 1, column 'Council tax': write pounds as a number"),
    ("[[A, null, -0.00], [D, null, 264.50]]", "", "row 1, column 'Council tax': an amount is never negative: write 0"),
    ("[[A, null, 10000000000000], [D, null, 264.50]]", "", "row 1, column 'Council tax': an amount is below £10,000,000,000,000"),
    ("[[A, six ninths, 176.33], [D, null, 264.50]]", "", "row 1, column 'Ratio': write a ratio as 6/9"),
    ("[[A, 6/9], [D, null, 264.50]]", "", "row 1 has 2 cells; the table has 3 columns"),
    ("[[A, 6/0, 176.33], [D, null, 264.50]]", "", "row 1, column 'Ratio': write a ratio as 6/9 (neither number 0)"),
    ("[[A, 7, 176.33], [D, null, 264.50]]", "", "row 1, column 'Ratio': write a ratio as 6/9"),
    ("[[A, 6/9, 999.99], [D, null, 264.50], [Z, null, 1.00]]", "",
     "sections[1].content[0].rows: a table with a ratio column has one base row, the one without a ratio (Band D); this one has 2"),
    ("[[7, 6/9, 176.33], [D, null, 264.50]]", "", "row 1, column 'Band': write the text on one line, in quotes if it looks like a number"),
])
def test_tables_are_typed_and_their_sums_checked(tmp_path: Path, rows: str, total: str, message: str | None) -> None:
    old, new = table(rows, total)
    path = record(tmp_path, old, new)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - x\n      - >-\n", "      - >-\n"), encoding="utf-8")
    code, lines = check(path)
    if message is None:
        assert code == 0 and lines[-1].endswith("0 errors, 0 warnings"), lines
    else:
        assert code == 1 and any(message in line for line in lines), lines


def test_not_stated_values_are_kept_exactly(tmp_path: Path, office: Office) -> None:
    path = record(tmp_path, "    fund: MoJ", "    fund: not stated")
    edit(path, "    financial_year: 2023-2024", "    financial_year: not stated")
    [read] = read_records([path], office)
    assert read.ok, read.problems
    line = read.decision.funding[0]
    assert line.fund == "not stated" and line.fund_name is None and line.years == []
    assert read.decision.fund_names == [] and read.decision.total_funding == Decimal(40000)


def test_a_quoted_not_stated_fund_is_not_stated_and_a_fund_named_otherwise_is_a_fund(tmp_path: Path, office: Office) -> None:
    path = record(tmp_path, "    fund: MoJ", "    fund: Not Stated Fund")
    [read] = read_records([path], office)
    assert read.decision.funding[0].fund_name == "Not Stated Fund"


def test_an_office_kind_is_declared_in_office_yaml(tmp_path: Path) -> None:
    office = tmp_path / "office.yaml"
    shutil.copy(ROOT / "office.yaml", office)
    path = record(tmp_path, "kind: commissioning", "kind: decisions_log")
    code, lines = check(path, office)
    assert code == 1 and "'decisions_log' is not a kind of decision" in lines[0], lines
    office.write_text(office.read_text(encoding="utf-8") + "\nkinds:\n  decisions_log:\n    label: Log of decisions made\n", encoding="utf-8")
    code, lines = check(path, office)
    assert code == 0, lines


@pytest.mark.parametrize("kinds,message", [
    ("  commissioning:\n    label: Ours\n", "kinds: 'commissioning' is one of the engine's kinds already"),
    ("  Decisions Log:\n    label: Ours\n", "kinds: a kind's name is lower case letters, digits and _"),
    ("  decisions_log:\n    label: Ours\n    expects: [money]\n", "kinds.decisions_log.expects[0]: 'money' is not a fact a kind can expect"),
    ("  decisions_log:\n    expects: []\n", "kinds.decisions_log.label: required field is missing"),
    ("  decisions_log: 5\n", "kinds.decisions_log: write this as a set of fields (name: value, one a line), not a single value or a list"),
    ("  decisions_log:\n    label: Ours\n    rules: [application-count]\n", "kinds: decisions_log: 'application-count' is not a rule that only some kinds need"),
    # A rule every kind has cannot be named, or naming it would switch it off for every other kind.
    ("  decisions_log:\n    label: Ours\n    rules: [approval-after-paper]\n", "kinds: decisions_log: 'approval-after-paper' is not a rule that only some kinds need"),
])
def test_a_bad_office_kind_is_refused_at_office_load(tmp_path: Path, kinds: str, message: str) -> None:
    office = tmp_path / "office.yaml"
    shutil.copy(ROOT / "office.yaml", office)
    office.write_text(office.read_text(encoding="utf-8") + "\nkinds:\n" + kinds, encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office), "check", str(record(tmp_path))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.output, result.output
    assert str(office) in result.output.splitlines()[0]


MORE_BAD = [
    ("report_of as the keyword", "report_of: Police and Crime Commissioner", "report_of: not stated",
     "report_of: this field cannot be 'not stated': leave it out where the paper does not give it"),
    ("a heading as the keyword", "  - heading: Police and Crime Plan\n", "  - heading: not stated\n",
     "sections[1].heading: this field cannot be 'not stated'"),
    ("a history date not stated", "    date: 2023-03-30", "    date: not stated",
     "history[9].date: this date cannot be 'not stated': leave it out where the paper does not give it"),
    ("a fifth quarter", "    date: 2023-03-30", "    date: Q5 2022-23",
     "history[9].date: write a quarter as Q1 to Q4 and its financial year, e.g. Q4 2022-23"),
    ("a month 00", "    date: 2023-03-30", "    date: 2023-00",
     "history[9].date: a month is written 01 to 12 after the year, e.g. 2022-11"),
    ("a right-to-left mark in an address", "publication:\n  part: public",
     "publication:\n  part: public\n  url: \"https://x.example/\\u202egpj.exe\"",
     "publication.url: write a web address in plain ASCII"),
    ("a line break in a heading's suffix", "  - heading: Police and Crime Plan\n",
     "  - heading: Police and Crime Plan\n    suffix: \"\\nSECOND LINE\"\n", "sections[1].suffix: write the suffix on one line"),
]


@pytest.mark.parametrize("what,old,new,message", MORE_BAD, ids=[b[0] for b in MORE_BAD])
def test_more_bad_values_are_one_located_error(tmp_path: Path, what: str, old: str, new: str, message: str) -> None:
    path = record(tmp_path, old, new)
    code, lines = check(path)
    assert code == 1, lines
    assert len(lines) == 2 and message in lines[0], lines


def test_a_record_written_before_kinds_is_told_what_changed(tmp_path: Path) -> None:
    path = record(tmp_path, "kind: commissioning\n", "")
    edit(path, "history:", "procurement_history:")
    code, lines = check(path)
    assert code == 1
    assert [line.split(": error: ")[1] for line in lines[:-1]] == [
        "kind: required field is missing: add `kind:`, the kind of decision, e.g. funding_allocation or "
        "policy_or_governance (`decisions kinds` lists them)",
        "procurement_history: this field is now called `history`: rename it",
    ]


CASES = [
    ("a fund 'Not stated'", "    fund: MoJ", "    fund: Not stated", "funding[0].fund: write not stated in lower case, as 'not stated'"),
    ("a recommendation 'Not stated'", "recommendation: To note decision", "recommendation: Not Stated",
     "recommendation: write not stated in lower case, as 'not stated'"),
    ("a date 'Not stated'", "\ndate: 2023-09-06", "\ndate: Not stated", "date: write not stated in lower case, as 'not stated'"),
    ("a subject of spaces", "subject: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024", "subject: '   '",
     "subject: write some text here, not only spaces"),
    ("a recommendation of a space", "recommendation: To note decision", "recommendation: ' '",
     "recommendation: write some text here, not only spaces"),
    ("a service of spaces", "  - service: Sexual Exploitation Support", "  - service: '  '",
     "funding[0].service: write some text here, not only spaces"),
    ("a report_of 'NOT STATED'", "report_of: Police and Crime Commissioner", "report_of: NOT STATED",
     "report_of: this field cannot be 'not stated': leave it out where the paper does not give it"),
]


@pytest.mark.parametrize("what,old,new,message", CASES, ids=[c[0] for c in CASES])
def test_the_keyword_in_another_case_and_blank_text_are_refused(tmp_path: Path, what: str, old: str, new: str, message: str) -> None:
    path = record(tmp_path, old, new)
    code, lines = check(path)
    assert code == 1 and len(lines) == 2 and message in lines[0], lines
