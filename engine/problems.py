"""Problems found in a record: what every stage reports, and how it is printed."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

# What must not reach a terminal raw: control characters (a newline forges a line, ESC [ drives
# the terminal), line and paragraph separators, the bidirectional overrides that reorder what is
# shown, and lone surrogates. Backslashes are left alone, so patterns such as \d{3} read as written.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """text with its control characters escaped visibly (newline -> \\n, ESC -> \\x1b), so that
    what is printed from it is one line and cannot drive the terminal."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


class Severity(str, Enum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record, located as precisely as the stage that found it can."""

    path: Path
    line: int
    column: int
    severity: Severity
    field: str  # dotted field path such as funding[0].amount; "" for the file as a whole
    message: str
    rule: str = ""  # the rule's name, for rules that can be waived

    def __str__(self) -> str:
        field = f"{self.field}: " if self.field else ""
        return printable(f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {field}{self.message}")

    def named(self, path: Path) -> "Problem":
        """The same problem, its file named otherwise (e.g. relative to the project)."""
        return replace(self, path=path)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["severity"] = self.severity.value
        return data


INTERRUPTED = ("interrupted: files already written are whole and the rest are as they were; "
               "run the command again to finish")


def failure_line(source: str, reason: str) -> str:
    """A record's failure as one line: a located problem names the record already."""
    return reason if reason.startswith(f"{source}:") else f"{source}: {reason}"


class RecordError(Exception):
    """Raised when a record cannot be used at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class ConversionError(Exception):
    """LibreOffice is missing, failed or hung; the message says which, in one line."""


def field_path(loc: tuple[object, ...]) -> str:
    """('funding', 0, 'amount') -> 'funding[0].amount'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
