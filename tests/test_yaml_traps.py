"""The traps of writing a record's YAML by hand (issue 13, point 4), each met as an officer met it.

Text after " #" is a comment to YAML, ": " starts a field, a quote or a bracket at the start of a
value opens a quoted text or a list, and true, null or 2023 are not text: each gives one located
line saying what YAML made of the text and how to write it (as a block, or in quotes), never
silence, a parser's words or two misleading errors. `decisions new` writes text as blocks, so a
record started from it is safe from all of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.office import Office
from engine.records import read_record
from engine.yaml_source import parse_yaml

from .conftest import ROOT

BLOCK = ("write the text as a block (>- after the ':' or '-', the text on the lines below it, indented) "
         "or put all of it in single quotes (each ' inside written twice)")

RECORD = """\
kind: commissioning
reference: PCC/D/150
subject: Knife crime awareness
date: 2023-09-06
status: draft
sections:
  - heading: Background
    content:
      - A paragraph.
recommendation: To note decision
"""
PARAGRAPH = "      - A paragraph.\n"  # line 9, its text at column 9


def draft(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """A draft that checks clean, with old replaced by new."""
    path = tmp_path / "records" / "2021-2024" / "PCC-D-150.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert not old or RECORD.count(old) == 1, old
    path.write_text(RECORD.replace(old, new) if old else RECORD, encoding="utf-8")
    return path


def check(path: Path) -> list[str]:
    """check's problem lines for the record (exit 1 when there are any, 0 when there are none)."""
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "check", str(path)])
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = result.output.splitlines()
    assert lines and " checked: " in lines[-1], result.output
    assert result.exit_code == (1 if lines[:-1] else 0), result.output
    return lines[:-1]


def paragraph(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = draft(tmp_path, PARAGRAPH, f"      - {text}\n")
    return path, check(path)


def test_the_draft_checks_clean(tmp_path: Path) -> None:
    assert check(draft(tmp_path)) == []


# --- text cut at " #" ----------------------------------------------------------------------------


def test_a_hashtag_cuts_a_paragraph_and_says_so(tmp_path: Path) -> None:
    """The officer's sentence lost its end, and check said nothing."""
    path, problems = paragraph(tmp_path, "We will use the Home Office #KnifeFree campaign.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text is cut at ' #': YAML takes "
                        f"'#KnifeFree campaign.' for a comment and leaves it out; {BLOCK}"]


def test_a_comment_after_a_paragraph_is_taken_for_cut_text(tmp_path: Path) -> None:
    """A paragraph is the paper's words: whatever follows it on its line, even `# like this`, is
    taken for words lost; a comment of one's own goes on a line of its own."""
    path, problems = paragraph(tmp_path, "Entry is free for members # and £5 for others.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text is cut at ' #': YAML takes "
                        f"'# and £5 for others.' for a comment and leaves it out; {BLOCK}; "
                        "a comment of your own goes on a line of its own"]


def test_a_cut_multi_line_paragraph_is_named_where_it_starts(tmp_path: Path) -> None:
    path = draft(tmp_path, PARAGRAPH, "      - We will use the Home Office\n        campaign #KnifeFree and its resources for schools.\n")
    assert check(path) == [f"{path}:9:9: error: sections[0].content[0]: the text is cut at ' #': YAML takes "
                           f"'#KnifeFree and its resources for school…' for a comment and leaves it out; {BLOCK}"]


def test_a_sentence_wrapped_before_its_hash_is_cut_too(tmp_path: Path) -> None:
    """A line starting '#' where the text would go on is a comment to YAML: the sentence ends
    before it, silently; a comment at the item's own indentation stays a comment."""
    path = draft(tmp_path, PARAGRAPH, "      - We will use the Home Office\n        #KnifeFree campaign in schools.\n")
    assert check(path) == [f"{path}:9:9: error: sections[0].content[0]: the text is cut at ' #': YAML takes "
                           f"'#KnifeFree campaign in schools.' for a comment and leaves it out; {BLOCK}"]
    path = draft(tmp_path, PARAGRAPH, "      - We will use the Home Office campaign.\n      # - A paragraph for later.\n"
                                      "  - heading: Later\n    # a note on the section\n    content: [Words.]\n")
    assert check(path) == []


def test_a_long_lost_comment_is_shortened(tmp_path: Path) -> None:
    path, problems = paragraph(tmp_path, "See #KnifeFree, the national campaign against knife crime run by the Home Office.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text is cut at ' #': YAML takes "
                        f"'#KnifeFree, the national campaign again…' for a comment and leaves it out; {BLOCK}"]


@pytest.mark.parametrize(("old", "new", "where"), [
    ("subject: Knife crime awareness", "subject: Launch of the #KnifeFree week", "3:10: error: subject"),
    ("      - A paragraph.\n", "      - bullets:\n          - Schools #1 priority\n", "10:13: error: sections[0].content[0].bullets[0]"),
    ("recommendation: To note decision", "recommendation: To fund #KnifeFree", "10:17: error: recommendation"),
    ("  - heading: Background", "  - heading: Room #4", "7:14: error: sections[0].heading"),
])
def test_a_hash_glued_to_a_word_cuts_any_text(tmp_path: Path, old: str, new: str, where: str) -> None:
    """'#KnifeFree' or '#4' right after text is the text going on: a comment is written `# like this`."""
    path = draft(tmp_path, old, new)
    problems = check(path)
    lost = new[new.index("#"):].strip()
    assert problems == [f"{path}:{where}: the text is cut at ' #': YAML takes '{lost}' for a comment and leaves it out; {BLOCK}"]


def test_comments_after_other_values_stay_comments(tmp_path: Path, office: Office) -> None:
    """A note after a fact (a one-line field, a number, a date, a choice, a key) is a comment as
    ever: the records and the skeleton of `decisions new` have them."""
    path = draft(tmp_path, "subject: Knife crime awareness\n",
                 "subject: Knife crime awareness   # the title as printed\n"
                 "funding:                          # one line per recipient\n"
                 "  - service: Knife crime awareness # as the paper names it\n"
                 "    fund: MoJ\n"
                 "    amount: 40000                 # excl. VAT\n"
                 "    financial_year: 2023-24       #2023/24 in the paper\n"
                 "route_to_market:\n"
                 "  method: competition             # quotes, direct_award, grant...\n"
                 "  duration_months: 12             #months\n")
    assert check(path) == []
    decision = read_record(path, office).decision
    assert decision is not None and decision.subject == "Knife crime awareness" and decision.funding[0].amount == 40000


@pytest.mark.parametrize("written", [
    "'We will use the Home Office #KnifeFree campaign.'",
    '"We will use the Home Office #KnifeFree campaign."',
    ">-\n        We will use the Home Office #KnifeFree campaign.",
    "We will use the Home Office#KnifeFree campaign.",  # no space before '#': not a comment
])
def test_text_quoted_or_written_as_a_block_keeps_its_hash(tmp_path: Path, office: Office, written: str) -> None:
    path, problems = paragraph(tmp_path, written)
    assert problems == []
    decision = read_record(path, office).decision
    assert decision is not None
    assert decision.sections[0].content[0].text.endswith("#KnifeFree campaign.")  # type: ignore[union-attr]


# --- ": " in text ----------------------------------------------------------------------------------


def test_a_colon_in_a_paragraph_is_one_error_at_its_line(tmp_path: Path) -> None:
    """Not "text: required field is missing" and "...three strands: unknown field"."""
    path, problems = paragraph(tmp_path, "The programme has three strands: schools, youth clubs and parents.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text has ': ' in it (after 'The programme has "
                        f"three strands'), which YAML reads as a field name and its value; {BLOCK}"]


@pytest.mark.parametrize(("old", "new", "where", "before"), [
    ("      - A paragraph.\n", "      - bullets:\n          - Strands: schools and parents\n",
     "10:13: error: sections[0].content[0].bullets[0]", "Strands"),
    ("      - A paragraph.\n", "      - Note: the figures are provisional.\n", "9:9: error: sections[0].content[0]", "Note"),
    ("      - A paragraph.\n", "      - Strands:\n", "9:9: error: sections[0].content[0]", "Strands"),
    ("recommendation: To note decision", "partners:\n  - Bedfordshire Police: the force's youth team\nrecommendation: To note",
     "11:5: error: partners[0]", "Bedfordshire Police"),
    ("recommendation: To note decision", "recommendation:\n  bullets:\n    - Option 1: fund the programme in full",
     "12:7: error: recommendation.bullets[0]", "Option 1"),
    ("      - A paragraph.\n", "      - In the words of the Chief Constable, who has long argued for it: we must act now.\n",
     "9:9: error: sections[0].content[0]", "…f Constable, who has long argued for it"),
])
def test_a_colon_in_any_text_is_one_error(tmp_path: Path, old: str, new: str, where: str, before: str) -> None:
    path = draft(tmp_path, old, new)
    assert check(path) == [f"{path}:{where}: the text has ': ' in it (after '{before}'), which YAML reads as a field name "
                           f"and its value; {BLOCK}"]


@pytest.mark.parametrize(("old", "new", "where", "before"), [
    ("      - A paragraph.\n", "      - text: The programme has three strands: schools and parents.\n",
     "9:15: error: sections[0].content[0].text", "The programme has three strands"),
    ("subject: Knife crime awareness", "subject: Knife crime: the figures", "3:10: error: subject", "Knife crime"),
    ("recommendation: To note decision", "recommendation: Option 1: fund the programme", "10:17: error: recommendation",
     "Option 1"),
])
def test_a_colon_in_a_fields_text_is_one_error_not_a_parser_message(tmp_path: Path, old: str, new: str, where: str,
                                                                     before: str) -> None:
    """Not "malformed YAML: mapping values are not allowed in this context"."""
    path = draft(tmp_path, old, new)
    assert check(path) == [f"{path}:{where}: the text has ': ' in it (after '{before}'), which YAML reads as a field name "
                           f"and its value; {BLOCK}"]


def test_a_misspelt_field_is_still_told_as_one(tmp_path: Path) -> None:
    """A lower-case name that is no field is a misspelling, as before: the trap is for text."""
    path = draft(tmp_path, PARAGRAPH, "      - txt: A paragraph.\n")
    assert check(path) == [
        f"{path}:9:9: error: sections[0].content[0].text: required field is missing",
        f"{path}:9:9: error: sections[0].content[0].txt: unknown field; check its spelling against the schema (`decisions schema`)",
    ]
    path = draft(tmp_path, "recommendation: To note decision",
                 "funding:\n  - service: Youth work\n    fund: MoJ\n    amount: 4000\n    budget code: B992\n"
                 "recommendation: To note decision")
    assert check(path) == [f"{path}:14:5: error: funding[0].budget code: unknown field; check its spelling against the schema "
                           "(`decisions schema`)"]


def test_an_indented_field_is_not_taken_for_text(tmp_path: Path) -> None:
    """A field indented under the text above it is a parser's message still, not the ': ' trap."""
    path = draft(tmp_path, "date: 2023-09-06", "  date: 2023-09-06")
    [problem] = check(path)
    assert "the text has ': '" not in problem and problem.startswith(f"{path}:4:7: error: malformed YAML"), problem


# --- a quote, a bracket or a sign at the start of text ------------------------------------------


def test_a_paragraph_starting_with_a_quote(tmp_path: Path) -> None:
    path, problems = paragraph(tmp_path, '"Knife crime" is rising, the figures say.')
    assert problems == [f'{path}:9:9: error: sections[0].content[0]: the text starts with a quote, so YAML reads "Knife crime" '
                        f"as the whole value and cannot read what follows it; {BLOCK}"]


def test_a_subject_starting_with_a_quote(tmp_path: Path) -> None:
    path = draft(tmp_path, "subject: Knife crime awareness", "subject: 'Knife crime' awareness week")
    assert check(path) == [f"{path}:3:10: error: subject: the text starts with a quote, so YAML reads 'Knife crime' as the whole "
                           f"value and cannot read what follows it; {BLOCK}"]


def test_a_quote_that_is_never_closed(tmp_path: Path) -> None:
    path, problems = paragraph(tmp_path, "'Tis the season of the campaign.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text starts with a quote that is never closed, so YAML "
                        f"cannot read the rest of the file; {BLOCK}"]


def test_a_quote_and_a_colon_in_one_paragraph_are_one_error(tmp_path: Path) -> None:
    """Whichever comes first is the trap the text fell into, told once at the paragraph."""
    path, problems = paragraph(tmp_path, '"Knife crime" is rising: we will act.')
    assert problems == [f'{path}:9:9: error: sections[0].content[0]: the text starts with a quote, so YAML reads "Knife crime" '
                        f"as the whole value and cannot read what follows it; {BLOCK}"]
    path, problems = paragraph(tmp_path, 'The strands: "schools" and parents.')
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text has ': ' in it (after 'The strands'), which YAML "
                        f"reads as a field name and its value; {BLOCK}"]


@pytest.mark.parametrize(("text", "shown", "what"), [
    ("[Draft] The programme is paused.", "[Draft]", "a list"),
    ("{Redacted} is the provider.", "{Redacted}", "a set of fields"),
])
def test_a_paragraph_starting_with_a_bracket(tmp_path: Path, text: str, shown: str, what: str) -> None:
    path, problems = paragraph(tmp_path, text)
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text starts with '{shown[0]}', so YAML reads {shown} "
                        f"as {what} and cannot read what follows it; {BLOCK}"]


@pytest.mark.parametrize("sign", ["@", "`"])
def test_a_paragraph_starting_with_a_sign_yaml_keeps(tmp_path: Path, sign: str) -> None:
    path, problems = paragraph(tmp_path, f"{sign}BedsPCC announced the fund.")
    assert problems == [f"{path}:9:9: error: sections[0].content[0]: the text starts with '{sign}', which YAML does not allow "
                        f"at the start of text; {BLOCK}"]


# --- yes and no, true and null, numbers and dates where text goes ------------------------------


def test_no_yes_on_and_off_are_text(tmp_path: Path, office: Office) -> None:
    """A paragraph reading "No" is the word No (YAML 1.2, as the editors read it), not false."""
    path = draft(tmp_path, PARAGRAPH, "      - No\n      - Yes\n      - bullets: [On, Off, n, y]\n")
    path.write_text(path.read_text(encoding="utf-8").replace("subject: Knife crime awareness", "subject: No"), encoding="utf-8")
    assert check(path) == []
    decision = read_record(path, office).decision
    assert decision is not None and decision.subject == "No"
    content = decision.sections[0].content
    assert [content[0].text, content[1].text] == ["No", "Yes"]  # type: ignore[union-attr]
    assert content[2].bullets == ["On", "Off", "n", "y"]  # type: ignore[union-attr]


EMPTY = "empty: write the text here (null and ~ are read as empty too: put them in quotes if they are the text)"


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    (PARAGRAPH, "      - true\n", "9:9: error: sections[0].content[0]",
     "true is read as true or false, not as text; put it in quotes ('true') if it is the text"),
    (PARAGRAPH, "      - bullets: [Schools, false]\n", "9:28: error: sections[0].content[0].bullets[1]",
     "false is read as true or false, not as text; put it in quotes ('false') if it is the text"),
    ("recommendation: To note decision", "recommendation: false", "10:1: error: recommendation",
     "false is read as true or false, not as text; put it in quotes ('false') if it is the text"),
    (PARAGRAPH, "      - 2023\n", "9:9: error: sections[0].content[0]",
     "2023 is read as a number, not as text; put it in quotes ('2023') if it is the text"),
    (PARAGRAPH, "      - 12.50\n", "9:9: error: sections[0].content[0]",
     "12.50 is read as a number, not as text; put it in quotes ('12.50') if it is the text"),
    (PARAGRAPH, "      - 2023-10-01\n", "9:9: error: sections[0].content[0]",
     "2023-10-01 is read as a date, not as text; put it in quotes ('2023-10-01') if it is the text"),
    ("subject: Knife crime awareness", "subject: 1984", "3:1: error: subject",
     "1984 is read as a number, not as text; put it in quotes ('1984') if it is the text"),
    ("  - heading: Background", "  - heading: 2023", "7:5: error: sections[0].heading",
     "2023 is read as a number, not as text; put it in quotes ('2023') if it is the text"),
    (PARAGRAPH, "      - null\n", "9:9: error: sections[0].content[0]", EMPTY),
    (PARAGRAPH, "      -\n", "9:8: error: sections[0].content[0]", EMPTY),
    ("subject: Knife crime awareness", "subject:", "3:1: error: subject", EMPTY),
    ("recommendation: To note decision", "recommendation: ~", "10:1: error: recommendation", EMPTY),
])
def test_a_value_yaml_reads_as_no_text_where_text_goes(tmp_path: Path, old: str, new: str, where: str, message: str) -> None:
    """Not "write this as a set of fields (name: value, one a line), not a single value or a list"."""
    path = draft(tmp_path, old, new)
    assert check(path) == [f"{path}:{where}: {message}"]


def test_a_flag_is_still_true_or_false(tmp_path: Path) -> None:
    path = draft(tmp_path, PARAGRAPH, "      - text: A paragraph.\n        confidential: yes\n")
    assert check(path) == [f"{path}:10:9: error: sections[0].content[0].confidential: Input should be a valid boolean "
                           "(got 'yes'); write true or false"]


def test_each_trap_is_reported_with_the_records_other_problems(tmp_path: Path) -> None:
    """The traps are validation's problems like any other: all of them, in one check."""
    path = draft(tmp_path, PARAGRAPH, "      - The programme has three strands: schools, youth clubs and parents.\n"
                                      "      - We will use the Home Office #KnifeFree campaign.\n"
                                      "      - true\n")
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2023-09-06", "date: 2023-13-01"), encoding="utf-8")
    problems = check(path)
    assert [p.split(": error: ")[1].split(": ")[0] for p in problems] == [
        "date", "sections[0].content[0]", "sections[0].content[1]", "sections[0].content[2]"], problems


# --- `decisions new` writes a record safe from the traps, and says what goes where ---------------

KINDS = [None, "funding_allocation", "grants_round", "contract_award", "commissioning", "precept_and_budget",
         "policy_or_governance", "amendment"]
# Where a TODO is not words (a number, a date, a code, a choice): quoted, and replaced whole.
NOT_TEXT = {"kind", "reference", "budget_code", "amount", "bidding_limit", "date", "received", "financial_year",
            "protective_marking"}
# A field written out, or a commented one to use: `key: ...`, `- key: ...` or `- {...}` after "# ".
COMMENTED = r"^(\s*)# (\s*(?:- )?(?:[a-z_]+:(?: |$)|\{).*)$"


def new(tmp_path: Path, kind: str | None, office: Path = ROOT / "office.yaml", date: str = "2023-10-02") -> Path:
    args = ["--office", str(office), "new", "--date", date, "--records", str(tmp_path / "records")]
    result = CliRunner().invoke(main, args + (["--kind", kind] if kind else []))
    assert result.exit_code == 0, result.output
    return Path(result.output.strip())


def uncommented(text: str) -> str:
    """The record with every commented field in use."""
    return re.sub(COMMENTED, r"\1\2", text, flags=re.MULTILINE)


@pytest.mark.parametrize("kind", KINDS)
def test_new_writes_text_as_blocks_and_a_comment_on_each_field(tmp_path: Path, kind: str | None) -> None:
    text = new(tmp_path, kind).read_text(encoding="utf-8")
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if "TODO" in line and not line.lstrip().startswith("#"):
            if re.match(r"\s*(- )?[a-z_]+: ['\"]TODO", line):
                assert re.match(r"\s*(- )?([a-z_]+):", line).group(2) in NOT_TEXT, line  # type: ignore[union-attr]
            else:  # text: the block's words, under its `>-`
                assert re.search(r"(:|-) >-( +#.*)?$", lines[number - 1]), (lines[number - 1], line)
        if re.match(r"\s*(- )?[a-z_]+:", line):
            assert re.search(r" # \S", line), f"no comment on: {line}"


@pytest.mark.parametrize("kind", [None, "contract_award"])
def test_new_names_each_field_an_officer_fills(tmp_path: Path, kind: str | None) -> None:
    """The procurement history, the approval, publication, the route to market, and where a
    recipient goes: in the record, or a commented line to use."""
    path = new(tmp_path, kind)
    data = parse_yaml(path, uncommented(path.read_text(encoding="utf-8")).encode("utf-8")).data
    assert {"kind", "reference", "subject", "report_of", "author", "date", "status", "key_decision", "funds", "funding",
            "route_to_market", "history", "sections", "police_and_crime_plan", "partners", "links", "documents",
            "recommendation", "approval", "sign_offs", "publication", "amounts"} <= set(data), sorted(data)
    assert {"recipient", "service", "purpose", "fund", "budget_code", "amount", "financial_year", "period"} <= set(data["funding"][0])
    assert [e["event"] for e in data["history"]][:3] == ["opportunity_released", "response_deadline", "applications_received"]
    assert {"method", "bidding_limit", "duration_months", "pilot"} <= set(data["route_to_market"])
    assert {"part", "reason", "foi_exemption"} <= set(data["publication"])
    assert {"name", "date", "signature"} <= set(data["approval"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("office", ["office.yaml", "examples/anyshire/office.yaml"])
def test_the_commented_fields_are_the_records_own(tmp_path: Path, kind: str | None, office: str) -> None:
    """Each commented field, once in use, is a field of the record, where the record has it."""
    path = new(tmp_path, kind, ROOT / office, "2026-11-20" if "anyshire" in office else "2023-10-02")
    path.write_text(uncommented(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(ROOT / office), "check", str(path)])
    assert "unknown field" not in result.output and "malformed" not in result.output, result.output
    assert "written twice" not in result.output and "duplicate key" not in result.output, result.output


def test_a_filled_in_skeleton_of_blocks_checks_clean(tmp_path: Path, office: Office) -> None:
    """An officer types the words under each `>-`, '#', ': ' and quotes included, and they are
    kept as typed."""
    path = new(tmp_path, "policy_or_governance")
    text = path.read_text(encoding="utf-8")
    text = text.replace("TODO: subject", "Knife crime: the #KnifeFree campaign")
    text = text.replace("TODO: what is decided, and why", '"Knife crime" is rising: we will use the Home Office #KnifeFree campaign.')
    text = text.replace("TODO: the recommendation, e.g. To note decision", "No")
    assert "TODO" not in "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    path.write_text(text, encoding="utf-8")
    assert check(path) == []
    decision = read_record(path, office).decision
    assert decision is not None and decision.subject == "Knife crime: the #KnifeFree campaign"
    assert decision.sections[0].content[0].text == '"Knife crime" is rising: we will use the Home Office #KnifeFree campaign.'  # type: ignore[union-attr]
    assert decision.recommendation == "No"
