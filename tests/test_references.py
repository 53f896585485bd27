"""Reference schemes and `decisions new`: numbering per term, per calendar year, per year in the
reference and per financial year; an office that changed its scheme; numbers published outside
the engine; and what is refused."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.office import load_office
from engine.records import read_record

from .conftest import ROOT, SEED

# Bedfordshire: PCC/D/001 upwards, restarting each term.
BEDFORDSHIRE = """\
references:
  pattern: '^PCC/D/(?P<number>\\d{3})(?P<addendum>[a-z])?$'
  format: 'PCC/D/{number:03d}'
  example: PCC/D/102
  numbering: term
"""

# Surrey: 048/2021 (three digits, per calendar year), then 20/2023 (two), then 44/2024-25 (per
# financial year, the year in the reference).
SURREY = """\
references:
  - pattern: '^(?P<number>\\d{3})/(?P<year>\\d{4})$'
    format: '{number:03d}/{year}'
    example: 048/2021
    numbering: calendar_year
  - pattern: '^(?P<number>\\d{2})/(?P<year>\\d{4})$'
    format: '{number:02d}/{year}'
    example: 20/2023
    numbering: calendar_year
    since: 2023-01-01
  - pattern: '^(?P<number>\\d{1,3})/(?P<financial_year>\\d{4}-\\d{2})$'
    format: '{number}/{financial_year}'
    example: 44/2024-25
    numbering: financial_year
    since: 2024-04-01
"""

# West Mercia: the year inside the reference, PCC/D/2023/08.
WEST_MERCIA = """\
references:
  pattern: '^PCC/D/(?P<year>\\d{4})/(?P<number>\\d{2})$'
  format: 'PCC/D/{year}/{number:02d}'
  example: PCC/D/2023/08
  numbering: calendar_year
"""

# Terms change in May; calendar and financial years span the change.
TERMS = """\
terms:
  - name: 2016-2021
    commissioner: A. First
    start: 2016-05-12
    end: 2021-05-12
  - name: 2021-2024
    commissioner: B. Second
    start: 2021-05-13
    end: 2024-05-08
  - name: 2024-2028
    commissioner: C. Third
    start: 2024-05-09
"""

HEAD = """\
name: Office of the Police and Crime Commissioner
author: OPCC
address: [Police Headquarters]
sign_off: {commissioner_role: Police and Crime Commissioner}
"""


def project(tmp_path: Path, references: str, terms: str = TERMS) -> Path:
    """An office with the given reference scheme(s); its office.yaml."""
    office = tmp_path / "office.yaml"
    office.write_text(HEAD + references + terms, encoding="utf-8")
    (tmp_path / "records").mkdir(exist_ok=True)
    return office


def record(office: Path, folder: str, reference: str, date: str, *, term: str | None = None, name: str | None = None) -> Path:
    """A record of the office: enough for `new` to read its reference and date."""
    stem = name or reference.replace("/", "-")
    path = office.parent / "records" / folder / f"{stem}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["kind: policy_or_governance", f"reference: '{reference}'", "subject: A decision", f"date: {date}",
             "status: draft", "sections: [{heading: Background, content: [A paragraph.]}]",
             "recommendation: To note decision"]
    if term:
        lines.append(f"term: {term}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def new(office: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(office), "new", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def made(office: Path, *args: str) -> str:
    """What `new` printed, having made a record."""
    code, out = new(office, *args)
    assert code == 0, out
    return out


def created(office: Path, out: str) -> str:
    """The path new printed, relative to the project."""
    return Path(out.strip()).resolve().relative_to(office.parent.resolve()).as_posix()


def reference_in(path: Path) -> str:
    """The reference as the record's reader reads it (the line has its comment after it)."""
    from engine.yaml_source import read_yaml
    return str(read_yaml(path).data["reference"])


# --- the {year} traceback ---------------------------------------------------------------------


def test_a_format_with_the_year_starts_a_record_and_no_traceback(tmp_path: Path) -> None:
    """Before: `new` formatted the reference with the number alone, and {year} was a KeyError."""
    office = project(tmp_path, WEST_MERCIA)
    code, out = new(office, "--date", "2023-02-01")
    assert code == 0, out
    assert created(office, out) == "records/2021-2024/PCC-D-2023-01.yaml"
    assert reference_in(tmp_path / created(office, out)) == "PCC/D/2023/01"
    assert "Traceback" not in out


# --- each numbering ---------------------------------------------------------------------------


def test_per_term_numbers_restart_each_term_and_ignore_other_terms(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    record(office, "2021-2024", "PCC/D/127", "2024-02-09")
    record(office, "2016-2021", "PCC/D/140", "2021-03-01")
    out = made(office, "--date", "2024-03-01")
    assert created(office, out) == "records/2021-2024/PCC-D-128.yaml", out
    out = made(office, "--date", "2024-06-01")
    assert created(office, out) == "records/2024-2028/PCC-D-001.yaml", out
    out = made(office, "--date", "2024-06-01")
    assert created(office, out) == "records/2024-2028/PCC-D-002.yaml", out


def test_per_term_a_record_without_a_date_counts_in_the_term_it_names_or_its_folder(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    record(office, "2024-2028", "PCC/D/009", "not stated", term="2024-2028")
    record(office, "2024-2028", "PCC/D/012", "not stated")
    record(office, "2024-2028", "PCC/D/015", "2024")  # a year alone: May's election is inside it
    out = made(office, "--date", "2024-12-01")
    assert created(office, out) == "records/2024-2028/PCC-D-016.yaml", out


def test_per_calendar_year_the_year_in_the_reference_decides(tmp_path: Path) -> None:
    """Surrey's 20/2023: numbers restart each January; a paper numbered in 2023 and signed in
    January 2024 still counts in 2023."""
    office = project(tmp_path, SURREY)
    record(office, "2021-2024", "20/2023", "2023-09-07")
    record(office, "2021-2024", "28/2023", "2024-01-04")
    record(office, "2021-2024", "03/2024", "2024-02-01")
    out = made(office, "--date", "2023-12-20")
    assert created(office, out) == "records/2021-2024/29-2023.yaml", out
    assert reference_in(tmp_path / created(office, out)) == "29/2023"
    out = made(office, "--date", "2024-03-01")
    assert created(office, out) == "records/2021-2024/04-2024.yaml", out


def test_per_year_in_the_reference_continues_across_a_change_of_term(tmp_path: Path) -> None:
    """West Mercia's PCC/D/2024/nn: the May election falls inside the year, so the numbers
    carry on, without a gap, in the new term's folder."""
    office = project(tmp_path, WEST_MERCIA)
    record(office, "2021-2024", "PCC/D/2024/01", "2024-01-10")
    record(office, "2021-2024", "PCC/D/2024/02", "2024-03-15")
    record(office, "2021-2024", "PCC/D/2023/12", "2023-12-20")
    code, out = new(office, "--date", "2024-06-10")
    assert code == 0, out
    assert created(office, out) == "records/2024-2028/PCC-D-2024-03.yaml"
    assert reference_in(tmp_path / created(office, out)) == "PCC/D/2024/03"
    out = made(office, "--date", "2025-01-06")
    assert created(office, out) == "records/2024-2028/PCC-D-2025-01.yaml", out


def test_per_financial_year_across_a_change_of_term(tmp_path: Path) -> None:
    """Surrey's 44/2024-25: the financial year starts in April, the term in May."""
    office = project(tmp_path, SURREY)
    record(office, "2021-2024", "1/2024-25", "2024-04-15")
    record(office, "2024-2028", "43/2024-25", "2025-03-10")
    record(office, "2024-2028", "7/2025-26", "2025-05-01")
    out = made(office, "--date", "2025-03-20")
    assert created(office, out) == "records/2024-2028/44-2024-25.yaml", out
    assert reference_in(tmp_path / created(office, out)) == "44/2024-25"
    out = made(office, "--date", "2025-04-01")
    assert created(office, out) == "records/2024-2028/8-2025-26.yaml", out


def test_an_office_that_changed_its_scheme(tmp_path: Path) -> None:
    """Surrey: 048/2021, then 20/2023, then 44/2024-25; each date gets the scheme then in force."""
    office = project(tmp_path, SURREY)
    record(office, "2021-2024", "048/2021", "2021-11-25")
    record(office, "2021-2024", "005/2022", "2022-02-10")
    record(office, "2021-2024", "20/2023", "2023-09-07")
    for date, expected in (("2021-12-01", "049/2021"), ("2022-03-01", "006/2022"), ("2023-09-20", "21/2023"),
                           ("2024-02-01", "01/2024"), ("2024-06-01", "1/2024-25")):
        code, out = new(office, "--date", date)
        assert code == 0, out
        assert reference_in(tmp_path / created(office, out)) == expected, (date, out)
    loaded = load_office(office)
    assert [s.example for s in loaded.schemes] == ["048/2021", "20/2023", "44/2024-25"]
    assert loaded.scheme_for("048/2021") is loaded.schemes[0] and loaded.scheme_for("44/2024-25") is loaded.schemes[2]


def test_a_change_of_form_inside_a_period_keeps_counting(tmp_path: Path) -> None:
    """A scheme that starts mid-year and numbers the same way goes on from the last number."""
    references = SURREY.replace("since: 2023-01-01", "since: 2023-07-01")
    office = project(tmp_path, references)
    record(office, "2021-2024", "014/2023", "2023-06-20")
    out = made(office, "--date", "2023-08-01")
    assert reference_in(tmp_path / created(office, out)) == "15/2023", out


# --- numbers published outside the engine --------------------------------------------------------


def test_last_used_numbers_are_never_offered(tmp_path: Path) -> None:
    """An office whose archive in the engine is incomplete: before, `new` offered PCC/D/001 for
    a term well under way."""
    office = project(tmp_path, BEDFORDSHIRE + "  last_used:\n    - {period: 2024-2028, number: 41}\n"
                     "    - {period: 2021-2024, number: 130}\n")
    out = made(office, "--date", "2024-11-01")
    assert created(office, out) == "records/2024-2028/PCC-D-042.yaml", out
    # A record above the number given wins; the other term's last_used has no say here.
    record(office, "2024-2028", "PCC/D/045", "2024-12-01")
    out = made(office, "--date", "2024-12-02")
    assert created(office, out) == "records/2024-2028/PCC-D-046.yaml", out


def test_last_used_per_year_and_per_financial_year(tmp_path: Path) -> None:
    references = SURREY.replace("since: 2023-01-01\n", "since: 2023-01-01\n    last_used: [{period: '2023', number: 19}]\n")
    references += "    last_used: [{period: 2024/25, number: 43}, {period: 2025-2026, number: 2}]\n"
    office = project(tmp_path, references)
    out = made(office, "--date", "2023-09-01")
    assert reference_in(tmp_path / created(office, out)) == "20/2023", out
    out = made(office, "--date", "2025-03-01")
    assert reference_in(tmp_path / created(office, out)) == "44/2024-25", out
    out = made(office, "--date", "2025-04-02")
    assert reference_in(tmp_path / created(office, out)) == "3/2025-26", out


@pytest.mark.parametrize(("references", "period", "wanted"), [
    (BEDFORDSHIRE + "  last_used: [{period: 2024-2027, number: 41}]\n", "2024-2027", "a term's name (2016-2021, 2021-2024, 2024-2028)"),
    (WEST_MERCIA + "  last_used: [{period: 2023-24, number: 8}]\n", "2023-24", "a year, e.g. 2023"),
])
def test_a_last_used_period_that_is_no_period_of_the_scheme_is_refused(tmp_path: Path, references: str, period: str,
                                                                       wanted: str) -> None:
    """A typo would be passed over, and new would offer a number already published: refused
    when the office is loaded, by every command."""
    office = project(tmp_path, references)
    example = "PCC/D/102" if "term" in wanted else "PCC/D/2023/08"
    for command in (["new", "--date", "2024-06-01"], ["check"]):
        result = CliRunner().invoke(main, ["--office", str(office), *command])
        out = result.output
        assert result.exit_code == 1 and out.count("\n") == 1 and "Traceback" not in out, out
        assert out.startswith(f"{office}:") and out.endswith(
            f": error: references: last_used: '{period}' is not a period of the scheme for {example}, "
            f"which numbers each {'term' if 'term' in wanted else 'calendar year'}: give {wanted}\n"), out
    assert not list((tmp_path / "records").rglob("*.yaml"))


# --- never a number that exists -----------------------------------------------------------------


def test_a_file_that_exists_is_never_offered_even_when_unreadable(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    record(office, "2024-2028", "PCC/D/003", "2024-06-01")
    broken = tmp_path / "records" / "2024-2028" / "pcc-d-004.yaml"
    broken.write_text("reference: [unclosed\n", encoding="utf-8")  # unreadable; its name is taken all the same
    out = made(office, "--date", "2024-07-01")
    assert created(office, out) == "records/2024-2028/PCC-D-005.yaml", out


def test_a_reference_in_use_under_another_file_name_is_never_offered(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    record(office, "2024-2028", "PCC/D/002", "2024-06-01")
    # Filed under the wrong term and name, dated in no term: its reference still counts in
    # the term folder that holds it.
    record(office, "2024-2028", "PCC/D/003", "not stated", name="draft-of-three")
    out = made(office, "--date", "2024-07-01")
    assert created(office, out) == "records/2024-2028/PCC-D-004.yaml", out


def test_new_record_numbered_in_the_seeds_term_next_to_the_real_archive(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    (tmp_path / "records" / "2021-2024").mkdir()
    (tmp_path / "records" / "2021-2024" / SEED.name).write_bytes(SEED.read_bytes())
    out = made(office, "--date", "2023-10-02")
    assert created(office, out) == "records/2021-2024/PCC-D-103.yaml", out
    draft = read_record(tmp_path / created(office, out), load_office(office))
    assert draft.decision is None and {p.field for p in draft.problems} >= {"kind", "subject", "recommendation"}


# --- hostile --------------------------------------------------------------------------------------


def test_a_date_outside_every_term(tmp_path: Path) -> None:
    office = project(tmp_path, SURREY)
    code, out = new(office, "--date", "2015-01-01")
    assert code == 1 and out.count("\n") == 1, out
    assert out.startswith("error: no commissioner's term holds 2015-01-01 (")
    assert "2016-2021 from 2016-05-12 to 2021-05-12" in out and "give another --date" in out


def test_a_date_before_any_scheme(tmp_path: Path) -> None:
    office = project(tmp_path, WEST_MERCIA.replace("  numbering: calendar_year\n", "  numbering: calendar_year\n  since: 2020-01-01\n"))
    code, out = new(office, "--date", "2017-01-01")
    assert code == 1 and out.count("\n") == 1, out
    assert out.startswith("error: no reference scheme is in force on 2017-01-01: the first the office configuration gives "
                          "is used from 2020-01-01")


def test_a_yearly_scheme_whose_format_does_not_write_the_year(tmp_path: Path) -> None:
    """Numbers restarting each year without the year in the reference: two papers of one term
    would share a reference and a file."""
    office = project(tmp_path, BEDFORDSHIRE.replace("numbering: term", "numbering: calendar_year"))
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and out.count("\n") == 1, out
    # Said by `new`, or when the office is loaded where office.py checks it.
    assert str(office) in out and "numbers restart each calendar year, so the reference must say which: " \
        "add {year} to the format" in out, out


def test_a_format_its_pattern_does_not_match(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE.replace("{number:03d}", "{number:04d}"))
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and out.count("\n") == 1, out
    assert str(office) in out and "the format writes 'PCC/D/0001', which the pattern" in out and "make" in out, out


def test_a_records_folder_that_cannot_be_written(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE)
    (tmp_path / "records").rmdir()
    (tmp_path / "records").write_text("not a folder", encoding="utf-8")
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and out.count("\n") == 1, out
    assert out.startswith("error: ") and "records is not a folder" in out
    code, out = new(office, "--date", "2024-06-01", "--records", str(tmp_path / "records" / "under-a-file"))
    assert code == 1 and out.count("\n") == 1, out
    assert out.startswith("error: cannot make the folder ") and out.endswith(": Not a directory\n"), out
    locked = tmp_path / "locked"
    (locked / "2024-2028").mkdir(parents=True)
    (locked / "2024-2028").chmod(0o500)
    try:
        if (locked / "2024-2028" / "probe").exists() or _writable(locked / "2024-2028"):
            pytest.skip("running as a user who can write anywhere")
        code, out = new(office, "--date", "2024-06-01", "--records", str(locked))
        assert code == 1 and out.count("\n") == 1, out
        assert out.startswith("error: cannot write ") and "Permission denied" in out
    finally:
        (locked / "2024-2028").chmod(0o700)


def _writable(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


@pytest.mark.parametrize(("bad", "field", "message"), [
    ("PCC/D/{number:03d}/{month}", "references.format", "a reference format takes {number} and may take {year}"),
    ("PCC/D/{number:q}", "references.format", "not a reference format: Unknown format code 'q'"),
    ("PCC/D/{number:03d", "references.format", "not a reference format"),
    ("PCC/D/{number[0]}", "references.format", "a reference format takes {number}"),
])
def test_a_bad_format_is_refused_when_the_office_is_loaded(tmp_path: Path, bad: str, field: str, message: str) -> None:
    """Checked in office.py, for every command: here through the CLI, where an officer meets it."""
    office = project(tmp_path, BEDFORDSHIRE.replace("PCC/D/{number:03d}", bad))
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and "Traceback" not in out, out
    first = out.splitlines()[0]
    assert first.startswith(f"{office}:") and f": error: {field}: {message}" in first, out
    assert not list((tmp_path / "records").rglob("*.yaml"))


def test_a_bad_format_is_one_line(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE.replace("PCC/D/{number:03d}", "PCC/D/{number:03d}/{month}"))
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and out.count("\n") == 1, out


def test_a_spec_that_pads_or_nests_is_refused_when_the_office_is_loaded(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE.replace("PCC/D/{number:03d}", "PCC/D/{number:>{year}}"))
    result = CliRunner().invoke(main, ["--office", str(office), "kinds"])
    assert result.exit_code == 1 and "references.format" in result.output, result.output


def test_a_last_used_year_may_be_written_bare(tmp_path: Path) -> None:
    office = project(tmp_path, WEST_MERCIA + "  last_used: [{period: 2023, number: 8}]\n")
    code, out = new(office, "--date", "2023-06-01")
    assert code == 0 and reference_in(tmp_path / created(office, out)) == "PCC/D/2023/09", out


def test_a_bad_format_in_a_list_of_schemes_names_the_scheme(tmp_path: Path) -> None:
    office = project(tmp_path, SURREY.replace("'{number}/{financial_year}'", "'{number}/{fy}'"))
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and "Traceback" not in out, out
    assert f"{office}:" in out and "references[2].format: a reference format takes {number}" in out, out


def test_the_period_a_scheme_counts_in() -> None:
    loaded = load_office(ROOT / "office.yaml")
    scheme = loaded.scheme_at(None)
    assert scheme.period_of(dt.date(2024, 3, 1), "2021-2024") == "2021-2024"
    surrey = scheme.model_copy(update={"numbering": "financial_year"})
    assert surrey.period_of(dt.date(2024, 3, 31), "x") == "2023-24" and surrey.period_of(dt.date(2024, 4, 1), "x") == "2024-25"
    yearly = scheme.model_copy(update={"numbering": "calendar_year", "format": "{number:02d}/{year}"})
    assert yearly.write(41, dt.date(2023, 5, 1), "2021-2024") == "41/2023"


def test_references_in_the_skeleton_read_back_as_written(tmp_path: Path) -> None:
    """A reference that YAML would read as a number or a date is quoted in the new record."""
    office = project(tmp_path, textwrap.dedent("""\
        references:
          pattern: '^(?P<year>\\d{4})(?P<number>\\d{2})$'
          format: '{year}{number:02d}'
          example: '202301'
          numbering: calendar_year
        """))
    code, out = new(office, "--date", "2023-06-01")
    assert code == 0, out
    path = tmp_path / created(office, out)
    assert "\nreference: '202301' " in path.read_text(encoding="utf-8")
    draft = read_record(path, load_office(office))
    assert "reference" not in {p.field for p in draft.problems}


def test_a_period_that_has_used_every_number_its_pattern_allows(tmp_path: Path) -> None:
    office = project(tmp_path, BEDFORDSHIRE + "  last_used: [{period: 2024-2028, number: 999}]\n")
    code, out = new(office, "--date", "2024-06-01")
    assert code == 1 and out.count("\n") == 1, out
    assert out == (f"error: {office}: references.format: the next number in 2024-2028, PCC/D/1000, does not fit the pattern "
                   "'^PCC/D/(?P<number>\\d{3})(?P<addendum>[a-z])?$': numbers up to 999 are used; widen the pattern "
                   "(and the format) to allow more\n")


def test_a_record_whose_number_is_not_digits_does_not_crash_new(tmp_path: Path) -> None:
    office = tmp_path / "office.yaml"
    shutil.copy(ROOT / "office.yaml", office)
    text = office.read_text(encoding="utf-8")
    start, end = text.index("references:"), text.index("terms:")
    office.write_text(text[:start] + "references:\n  pattern: '^X/(?P<number>[A-Z0-9]+)$'\n  format: 'X/{number}'\n  example: X/1\n\n"
                      + text[end:], encoding="utf-8")
    folder = tmp_path / "records" / "2021-2024"
    folder.mkdir(parents=True)
    (folder / "X-ABC.yaml").write_text("reference: X/ABC\ndate: 2023-01-01\n", encoding="utf-8")
    (folder / "X-7.yaml").write_text("reference: X/7\ndate: 2023-01-01\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office), "new", "--date", "2023-02-01"])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert result.output.strip().endswith("X-8.yaml"), result.output


@pytest.mark.parametrize(("folder", "reference", "date", "term", "message"), [
    ("2024-2028", "46/2023-25", "2024-06-01", None, "46/2023-25 names 2023-25, which is not a financial year"),
    ("2021-2024", "49/2019", "not stated", "2021-2024", "49/2019 names the year 2019, outside the 2021-2024 term"),
])
def test_the_year_a_reference_names_is_checked(tmp_path: Path, folder: str, reference: str, date: str, term: str | None,
                                               message: str) -> None:
    office = project(tmp_path, SURREY.replace("    since: 2023-01-01\n", "    since: 2021-01-01\n"))
    path = record(office, folder, reference, date, term=term)
    result = CliRunner().invoke(main, ["--office", str(office), "check", str(path)])
    assert result.exit_code == 1 and message in result.output, result.output
