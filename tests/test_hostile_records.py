"""Hostile and careless input to `decisions check` (adversarial review, issue 9).

Every bad input gets one located line naming the file, line, column and field, exit 1, and never
a traceback, a hang or a silently changed value."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from engine.problems import Problem, Severity, printable

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
