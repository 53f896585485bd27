"""Reading YAML with the location of every value, and validating it into a pydantic model.

libyaml (PyYAML's C parser) turns the text into events, the fast part; we build plain Python data
from the events ourselves, in one pass, so that:

- every value keeps its line and column, and duplicate keys are caught (PyYAML keeps the last);
- plain values are read as YAML 1.2's core schema reads them, and as the editors' schema
  validation does: `yes`, `No`, `on` and `off` are text, not booleans; numbers are decimal, and
  decimals are never squeezed through a float. What some YAML tool would read as a different
  number (040000 is octal 16384 to YAML 1.1; 11:06:40 is 40000 in base 60; 0x3, 1e3, 40_000)
  is refused, with how to write it;
- anchors and aliases, explicit tags, nesting deeper than any record needs, a second document
  and characters that cannot be printed are refused before they can do harm: no alias is
  expanded, no tag constructs anything, and the depth is checked before each level is entered;
- the traps of writing text by hand are told as such, each in one line saying how to write the
  text (as a block, or in quotes), rather than as a parser's or a validator's words: text cut
  short at " #" (the rest read as a comment), ": " in text (read as a field name and its value),
  a quote, bracket or sign at the start of text, and true, null, numbers and dates where text
  goes (see "the traps of text written by hand" below).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from .problems import Problem, RecordError, Severity, field_path

MAX_BYTES = 1_000_000  # a 10 KB paper is typical; a megabyte is not a decision record
MAX_DEPTH = 50  # a record nests six levels deep; the office configuration four
PLACEHOLDER = re.compile(r"\bTODO\b")  # what `decisions new` leaves for officers to fill in

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

ANCHORS = "anchors (&name) and aliases (*name) are not allowed in records; write the value out"
NESTED = f"nested more than {MAX_DEPTH} levels deep; a record needs only a few levels: check the brackets and indentation"


@dataclass
class Source:
    """A YAML file's data, and where each value of it stands in the file."""

    path: Path
    data: Any
    text: str
    locations: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    placeholders: list[Loc] = field(default_factory=list)  # values still holding a TODO
    # Plain text followed on its line by a comment: (loc, line, column, the comment from its '#');
    # validate() says which were cut short (see "the traps of text written by hand").
    commented: list[tuple[Loc, int, int, str]] = field(default_factory=list)

    def locate(self, loc: Loc) -> tuple[int, int]:
        """The line and column of the value at loc, or of its nearest enclosing value."""
        while loc:
            if loc in self.locations:
                return self.locations[loc]
            loc = loc[:-1]
        return self.locations.get((), (1, 1))

    def problem(self, loc: Loc, message: str, severity: Severity = Severity.error, rule: str = "") -> Problem:
        line, column = self.locate(loc)
        return Problem(self.path, line, column, severity, field_path(loc), message, rule)


# --- plain values, as YAML 1.2's core schema reads them ----------------------------------------

_CONSTANTS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}
_NUMERIC_START = frozenset("0123456789+-.")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What YAML 1.1 or 1.2 would read as a number, but not as the plain decimal it looks like.
_INF_NAN = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_BASES = re.compile(r"[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_LOOSE = re.compile(r"[-+]?(?=\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?")
_BASE_NAMES = {"x": "a hexadecimal", "o": "an octal", "b": "a binary"}


def _number_problem(value: str) -> str | None:
    """Why a plain value that looks like a number is not one a record can hold, or None."""
    quoted = f"or put it in quotes ('{value}') if it is text"
    if _INF_NAN.fullmatch(value):
        return f"{value} is not a number a record can hold; write a number such as 40000, {quoted}"
    if _BASES.fullmatch(value):
        digits = value.lstrip("+-")
        try:
            decimal = f" ({int(value.replace('_', ''), 0)})"
        except ValueError:
            decimal = ""
        return f"{value} is {_BASE_NAMES[digits[1].lower()]} number; write numbers in decimal digits{decimal}, {quoted}"
    if _SEXAGESIMAL.fullmatch(value):
        return (f"{value} is a number in base 60 to some YAML tools; write a plain number, "
                f"or put it in quotes ('{value}') if it is a time or other text")
    if not _LOOSE.fullmatch(value):
        return None
    if "_" in value:
        return f"{value}: write numbers without _ ({value.replace('_', '')}), {quoted}"
    sign, digits = (value[0], value[1:]) if value[0] in "+-" else ("", value)
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit() and "e" not in value.lower():
        whole, point, fraction = digits.partition(".")
        plain = sign + (whole.lstrip("0") or "0") + point + fraction
        return f"{value} starts with 0, which some YAML tools read as an octal number; write {plain}, {quoted} such as a code"
    return f"{value} is not written as a plain number; write it like 40000 or 1250.50, {quoted}"


# --- characters that cannot be printed -----------------------------------------------------------

# Control characters (tab and newline aside), the C1 controls, Unicode's noncharacters and lone
# surrogates: Word and PDF drop them, HTML and CSV keep them raw, and they make XML invalid.
_NONCHARACTERS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000))
_UNPRINTABLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{_NONCHARACTERS}]")
_LINE_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to libyaml, but not to an editor
_REFUSED_BY_LIBYAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _character_problem(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "unpaired surrogate"
    elif code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "control character"
    elif code in (0x2028, 0x2029):
        kind = "line separator" if code == 0x2028 else "paragraph separator"
    else:
        kind = "noncharacter"
    return f"the {kind} U+{code:04X} is not allowed in a record; delete it (it is invisible: retype the text around it)"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


# --- building data from events -------------------------------------------------------------------

_TAGS = "YAML tags such as {} are not allowed in records; remove the tag"
_COMMENT_AFTER = re.compile(r"[ \t]+(#[^\n\r]*)")  # a comment on the line after a plain value
_COMMENT_BELOW = re.compile(r"\r?\n( *)(#[^\n\r]*)")  # a comment on the next line


class _Builder:
    """Plain data from libyaml's events, with the location of every value.

    Recursive descent, one call per mapping or sequence: the depth is checked before each, so
    no input can reach Python's recursion limit."""

    def __init__(self, source: Source, parser: Any):
        self.source = source
        self.get = parser.get_event
        self.locations = source.locations
        self.placeholders = source.placeholders
        self.text = source.text
        self.problems: list[Problem] = []
        # The list item being read: the one the parser failed on, if it is not yet located.
        self.next_item: Loc | None = None
        self.comments = " #" in source.text or "\t#" in source.text  # any comment after a value
        self.anchors = 0  # anchors and aliases seen; the first is reported, with the count
        self.first_anchor = 0  # its index in problems

    def _error(self, mark: Any, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.source.path, mark.line + 1, mark.column + 1, Severity.error, field_path(loc), message))

    def _anchor(self, mark: Any, loc: Loc) -> None:
        self.anchors += 1
        if self.anchors == 1:
            self.first_anchor = len(self.problems)
            self._error(mark, loc, ANCHORS)

    def document(self) -> Any:
        """The document's data, or _EMPTY for a file without one."""
        get = self.get
        get()  # the stream's start
        if type(get()) is not DocumentStartEvent:
            return _EMPTY
        event = get()
        mark = event.start_mark
        self.locations[()] = (mark.line + 1, mark.column + 1)
        data = self.node(event, (), 1)
        get()  # the document's end
        event = get()
        if type(event) is not StreamEndEvent:
            self._error(event.start_mark, (), "a second YAML document starts here (---); a record is one document: "
                        "remove the --- line and what follows it, or put it in a file of its own")
        if self.anchors > 1:
            first = self.problems[self.first_anchor]
            self.problems[self.first_anchor] = Problem(first.path, first.line, first.column, first.severity, first.field,
                                                       f"{ANCHORS} ({self.anchors} in this file, the first here)")
        return data

    def node(self, event: Any, loc: Loc, depth: int) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            value = event.value
            if event.anchor is None and event.tag is None:
                if event.implicit[0]:
                    if value[:1] in _NUMERIC_START:
                        value = self._number(value, event.start_mark, loc)
                    else:
                        value = _CONSTANTS.get(value, value)
                    if self.comments and type(value) is str:
                        self._comment_after(event, loc)
            else:
                if event.anchor is not None:
                    self._anchor(event.start_mark, loc)
                if event.tag is not None:
                    self._error(event.start_mark, loc, _TAGS.format(_short_tag(event.tag)))
            if type(value) is str:
                if not value.isprintable() and (bad := _UNPRINTABLE.search(value)):
                    self._error(event.start_mark, loc, _character_problem(bad.group()))
                if "TODO" in value and PLACEHOLDER.search(value):
                    self.placeholders.append(loc)
            return value
        if kind is AliasEvent:
            self._anchor(event.start_mark, loc)
            return None
        # A mapping or a sequence.
        if event.anchor is not None:
            self._anchor(event.start_mark, loc)
        if event.tag is not None:
            self._error(event.start_mark, loc, _TAGS.format(_short_tag(event.tag)))
        if depth > MAX_DEPTH:
            self._error(event.start_mark, loc, NESTED)
            raise RecordError(self.problems)
        if kind is MappingStartEvent:
            return self._mapping(loc, depth)
        return self._sequence(loc, depth)

    def _mapping(self, loc: Loc, depth: int) -> dict[str, Any]:
        get, node, locations = self.get, self.node, self.locations
        out: dict[str, Any] = {}
        depth += 1
        while True:
            event = get()
            if type(event) is MappingEndEvent:
                return out
            mark = event.start_mark
            key = event.value if type(event) is ScalarEvent and event.implicit[0] else None
            if key is None or key[:1] in _NUMERIC_START or key in _CONSTANTS or event.anchor is not None or event.tag is not None \
                    or not key.isprintable():
                unfilled = len(self.placeholders)
                key = node(event, loc, depth)  # the uncommon key: checked as any value is
                del self.placeholders[unfilled:]  # a key is not a value to fill in
                if type(key) is not str:
                    self._error(mark, loc, f"field names must be text, not {_shown(key)}")
                    node(get(), loc, depth)
                    continue
            child = loc + (key,)
            if key in out:
                self._error(mark, child, f"duplicate key '{key}' (first given on line {locations[child][0]}); give each field once")
                node(get(), loc, depth)
                continue
            locations[child] = (mark.line + 1, mark.column + 1)
            out[key] = node(get(), child, depth)

    def _sequence(self, loc: Loc, depth: int) -> list[Any]:
        get, node, locations = self.get, self.node, self.locations
        out: list[Any] = []
        depth += 1
        while True:
            self.next_item = loc + (len(out),)
            event = get()
            if type(event) is SequenceEndEvent:
                self.next_item = None
                return out
            mark = event.start_mark
            child = loc + (len(out),)
            locations[child] = (mark.line + 1, mark.column + 1)
            out.append(node(event, child, depth))

    def _comment_after(self, event: Any, loc: Loc) -> None:
        """Note plain text followed by a comment: on its line, or on the next line where the text
        would go on (indented past the line it starts on), as a sentence wrapped before its '#'."""
        text, end, mark = self.text, event.end_mark.index, event.start_mark
        after = _COMMENT_AFTER.match(text, end)
        if after is not None:
            comment = after.group(1)
        else:
            below = _COMMENT_BELOW.match(text, end)
            first = text[mark.index - mark.column:mark.index]
            if below is None or len(below.group(1)) <= len(first) - len(first.lstrip(" ")):
                return
            comment = below.group(2)
        self.source.commented.append((loc, mark.line + 1, mark.column + 1, comment.rstrip()))

    def _number(self, value: str, mark: Any, loc: Loc) -> Any:
        if _DECIMAL.fullmatch(value):
            if "." in value:
                return Decimal(value)
            return int(value) if len(value) < 19 else Decimal(value)
        if _DATE.fullmatch(value):
            try:
                return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                return value  # an impossible date such as 2023-02-30: the model says what is wrong
        problem = _number_problem(value)
        if problem:
            self._error(mark, loc, problem)
        return value


_EMPTY = object()


def _shown(value: Any) -> str:
    """A value as YAML writes it, for messages."""
    if isinstance(value, (dict, list)):
        return "a list" if isinstance(value, list) else "a mapping"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return str(value)


_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: Path, fail: Callable[..., Exception], most: int = MAX_BYTES, what: str = "a record",
               give: str = "a record, a .yaml file") -> bytes:
    """The bytes of a regular file, never more than most + 1 of them (what and give: the file,
    as the messages name it).

    Opened without blocking (a pipe with no writer would wait forever) and checked on the open
    file, so that a device, pipe or folder is never read; the size is checked again while reading,
    for a file that grows or, like /proc's, says it is empty."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail("symbolic link loop: the link leads back to itself; replace it with the record file or remove it") from None
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise fail(f"broken symbolic link: it points to {os.readlink(path)}, which does not exist; "
                       "fix the link or remove it") from None
        raise fail(f"cannot read file: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise fail(f"not a regular file (a device, pipe or folder); give the path of {give}")
        limit = f"{what} must be under {most // 1_000_000} MB"
        if st.st_size > most:
            raise fail(f"file is {st.st_size / 1_000_000:.1f} MB; {limit}")
        chunks: list[bytes] = []
        size = 0
        while size <= most:
            chunk = os.read(fd, most + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > most:
            raise fail(f"file is over {most // 1_000_000} MB; {limit}")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_yaml(path: Path) -> Source:
    """Parse one YAML file; raise RecordError with located problems if it cannot be read at all."""
    def fail(message: str, line: int = 1, column: int = 1) -> RecordError:
        return RecordError([Problem(path, line, column, Severity.error, "", message)])

    return parse_yaml(path, read_bytes(path, fail))


def parse_yaml(path: Path, raw: bytes) -> Source:
    """Parse a YAML file's bytes (read from path, or kept elsewhere: a sealed version's text in
    the ledger); raise RecordError with problems located in path."""
    def fail(message: str, line: int = 1, column: int = 1) -> RecordError:
        return RecordError([Problem(path, line, column, Severity.error, "", message)])

    if b"\0" in raw:
        raise fail("binary file, not a YAML record")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise fail("tab character in indentation; indent with spaces", line, tab.end() - tab.start())
    for char in _LINE_BREAKS:
        at = text.find(char)
        if at >= 0:
            raise RecordError([_character_at(path, text, at)])
    source = Source(path, None, text)
    parser = CParser(text)
    builder = _Builder(source, parser)
    try:
        data = builder.document()
    except yaml.reader.ReaderError as exc:
        # A character libyaml refuses where it stands; it counts the position in bytes of UTF-8.
        at = len(text.encode("utf-8")[: exc.position].decode("utf-8", "ignore"))
        raise RecordError(builder.problems + [_character_at(path, text, at)]) from None
    except yaml.MarkedYAMLError as exc:
        item = builder.next_item if builder.next_item not in source.locations else None
        trap = _text_trap(path, text, source.locations, item, exc)
        if trap is not None:
            raise RecordError(builder.problems + [trap]) from None
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem:
            what = f"{exc.context}, {exc.problem}"
        message = NESTED if exc.problem == "exceeded maximum nesting depth" else f"malformed YAML: {what}"
        raise RecordError(builder.problems + [Problem(path, *where, Severity.error, "", message)]) from None
    except yaml.YAMLError as exc:
        raise RecordError(builder.problems + [Problem(path, 1, 1, Severity.error, "", f"malformed YAML: {exc}")]) from None
    finally:
        parser.dispose()
    if data is _EMPTY:
        raise fail("empty file: expected a record (see `decisions new`)")
    if builder.problems:
        raise RecordError(builder.problems)
    source.data = data
    return source


def _character_at(path: Path, text: str, at: int) -> Problem:
    """The problem of an unprintable character typed into the file at index at, which libyaml
    refuses before any value is built: the file is read again without such characters to
    find the field it stands in."""
    line, column = _position(text, at)
    cleaned = _REFUSED_BY_LIBYAML.sub(" ", text)
    source = Source(path, None, cleaned)
    parser = CParser(cleaned)
    try:
        _Builder(source, parser).document()
    except (RecordError, yaml.YAMLError):
        pass  # as far as it can be read
    finally:
        parser.dispose()
    return Problem(path, line, column, Severity.error, field_path(_field_at(source.locations, line, column)),
                   _character_problem(text[at]))


def _field_at(locations: dict[Loc, tuple[int, int]], line: int, column: int) -> Loc:
    """The field a place in the file stands in: the deepest that starts at or before it."""
    before = [(position, loc) for loc, position in locations.items() if position <= (line, column)]
    return max(before, key=lambda item: (item[0], len(item[1])))[1] if before else ()


def _position(text: str, at: int) -> tuple[int, int]:
    """The line and column of the character at index at."""
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


# Fields a record written for an earlier version of the engine may have, by their names now.
RENAMED = {"procurement_history": "history"}
# How to give a required field that records written before it was required lack.
MISSING_HINTS = {"kind": "add `kind:`, the kind of decision, e.g. funding_allocation or policy_or_governance "
                         "(`decisions kinds` lists them)"}


def _message(error: dict[str, Any]) -> str:
    message = error["msg"]
    kind = error["type"]
    value = error.get("input")
    field = error["loc"][-1] if error["loc"] else None
    if kind == "extra_forbidden":
        if field in RENAMED:
            return f"this field is now called `{RENAMED[field]}`: rename it"
        return "unknown field; check its spelling against the schema (`decisions schema`)"
    if kind == "missing":
        return "required field is missing" + (f": {MISSING_HINTS[field]}" if field in MISSING_HINTS else "")
    if kind == "model_type" and error["loc"] == ():
        return "a record is a set of fields (reference: ..., subject: ...), not a single value or a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "write this as a set of fields (name: value, one a line), not a single value or a list"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == r"\S":
        return "write some text here, not only spaces"
    message = message.removeprefix("Value error, ")
    if isinstance(value, (str, int, Decimal, bool, dt.date)) and len(repr(value)) < 60:
        if isinstance(value, bool):
            shown = "true" if value else "false"  # as YAML writes it
        elif isinstance(value, dt.date):
            shown = repr(value.isoformat())
        else:
            shown = repr(value) if isinstance(value, str) else str(value)
        message += f" (got {shown})"
    if kind.startswith("decimal_"):
        message += "; write pounds as a plain number such as 40000 or 1250.50, without £, commas or k"
    elif kind.startswith("date_"):
        message += "; write dates as YYYY-MM-DD, e.g. 2023-09-06"
    elif kind == "int_type":
        message += "; write a whole number such as 12"
    elif kind == "bool_type":
        message += "; write true or false"
    return message


def _data_loc(data: Any, loc: tuple[Any, ...], missing: bool = True) -> Loc:
    """Pydantic's loc, less the union tags it inserts, so that it names fields of the file.
    missing: the error is a missing field (whose name ends the loc, though the data lacks it)."""
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict) and index == len(loc) - 1 and missing:
            pass  # a missing field: name it; its parent gives the line
        else:
            continue  # a union tag, not a field
        out.append(part)
    return tuple(out)


def validate(source: Source, model: type[M], context: dict[str, Any] | None = None,
             message: Callable[[dict[str, Any], Loc], str] | None = None) -> M:
    """Validate source.data into model; raise RecordError with every problem, each located.
    message: how to word a validation error at its place in the file, where the caller words some
    its own way (the forward plan's unknown fields); _message otherwise. Text that YAML read as
    something else, or cut short at ' #', is told as the trap it is (see below)."""
    errors: list[Any] = []
    result = None
    try:
        result = model.model_validate(source.data, context=context)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    problems = []
    told: set[Loc] = set()
    for error in errors:
        loc = _data_loc(source.data, error["loc"], missing=error["type"] == "missing")
        misread = _misread(source, model, loc)
        if misread is None:
            problems.append(source.problem(loc, message(error, loc) if message else _message(error)))
        elif misread[0] not in told:  # the one message for all the errors text read as fields gave
            told.add(misread[0])
            problems.append(source.problem(*misread))
    problems += _cut_short(source, model)
    if problems:
        raise RecordError(problems)
    return result  # type: ignore[return-value]


# --- the traps of text written by hand -------------------------------------------------------------
#
# Text typed as it is read breaks YAML's rules in a few ways, and YAML then reads something else
# without a word, or a parser says what it could not do. Each is told as the trap it is, in one
# line at the text, with the two ways to write any text safely: as a block, or in single quotes.
#
# - Text cut at " #": after a space, '#' starts a comment, so "...the Home Office #KnifeFree
#   campaign." is read as "...the Home Office". A comment after a value is allowed (the records
#   and `decisions new` have them: `amount: 40000  # excl. VAT`), so the criterion is precise:
#   where the model takes words to read (its Text, marked TEXT: names, titles, headings,
#   paragraphs; not a number, a date, a financial year, a web address, a code or a choice), a
#   comment after plain text on its line (or on the next line, indented past the line the text
#   starts on: where the text would go on) is taken for the text cut short when
#     (a) the '#' is glued to what follows it (#KnifeFree, #4): a comment is written `# like
#         this`, a hashtag or a number is not; or
#     (b) the text is the paper's narrative (a paragraph, a list item, the recommendation: the
#         model marks them NARRATIVE), where words and a comment cannot be told apart: a comment
#         of one's own goes on a line of its own there.
#   Text in quotes or in a block keeps its '#' and is never taken for cut.
# - ": " in text: "- The programme has three strands: schools..." is a field named "The programme
#   has three strands". Where the model takes words (TEXT) and finds a mapping of one field whose name
#   is no field name (it has a space or a capital: the model's names are lower_case) and whose
#   value is one value, the errors under it are one: the text has ': ' in it. After a field's
#   name ("text: The programme has three strands: ..."), the parser's "mapping values are not
#   allowed" is told the same way.
# - A quote, '[' or '{' at the start of text opens a quoted text, a list or a mapping that ends
#   before the text does; '@' and '`' cannot start text at all: each is told, at the text.
# - true, false, null, ~, nothing, numbers and dates are not text to YAML 1.2 (yes, no, on and off
#   are): where the model takes words (TEXT), the error says what YAML read, and to quote it (a web
#   address, a year or a code keeps its own message).

BLOCK = ("write the text as a block (>- after the ':' or '-', the text on the lines below it, indented) "
         "or put all of it in single quotes (each ' inside written twice)")
CUT = "the text is cut at ' #': YAML takes '{lost}' for a comment and leaves it out; " + BLOCK
OWN_COMMENT = "; a comment of your own goes on a line of its own"
COLON = "the text has ': ' in it (after '{before}'), which YAML reads as a field name and its value; " + BLOCK
QUOTED = "the text starts with {what}, so YAML reads {shown} as {reads} and cannot read what follows it; " + BLOCK
UNCLOSED = "the text starts with a quote that is never closed, so YAML cannot read the rest of the file; " + BLOCK
RESERVED = "the text starts with '{sign}', which YAML does not allow at the start of text; " + BLOCK
NOT_TEXT = "{shown} is read as {what}, not as text; put it in quotes ('{shown}') if it is the text"
EMPTY = "empty: write the text here (null and ~ are read as empty too: put them in quotes if they are the text)"
SHOWN = 40  # the most of the text a message quotes


class Marker:
    """Marks a kind of text in a model's annotations (Annotated[str, TEXT]), for the reader."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


TEXT = Marker("TEXT")  # words to read: names, titles, headings, paragraphs (the model's Text)
NARRATIVE = Marker("NARRATIVE")  # the paper's narrative: paragraphs, list items, the recommendation
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]*")  # how the models name their fields

Alternative = tuple[Any, tuple[Any, ...]]  # a type the model takes somewhere, with its metadata


def _alternatives(annotation: Any, metadata: tuple[Any, ...] = ()) -> list[Alternative]:
    """The types an annotation takes, Annotated and unions unwrapped, each with the metadata
    around it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *more = get_args(annotation)
        return _alternatives(inner, metadata + tuple(more))
    if origin is Union or origin is types.UnionType:
        return [alternative for arg in get_args(annotation) for alternative in _alternatives(arg, metadata)]
    return [(annotation, metadata)]


def _slot(model: type[BaseModel], loc: Loc) -> list[Alternative]:
    """What the model takes at loc (a place in the file's data), every alternative of every
    union on the way followed."""
    alternatives: list[Alternative] = [(model, ())]
    for part in loc:
        found: list[Alternative] = []
        for annotation, _ in alternatives:
            origin = get_origin(annotation)
            if origin is list:
                found += _alternatives(get_args(annotation)[0]) if isinstance(part, int) else []
            elif origin is dict:
                found += _alternatives(get_args(annotation)[1]) if isinstance(part, str) else []
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
                info = annotation.model_fields.get(part)
                if info is not None:
                    found += _alternatives(info.annotation, tuple(info.metadata))
        alternatives = found
    return alternatives


def _marked(alternatives: list[Alternative], marker: Marker) -> bool:
    return any(annotation is str and any(m is marker for m in metadata) for annotation, metadata in alternatives)


def _a_field_of(alternatives: list[Alternative], name: str) -> bool:
    """Whether name is, whatever its case, a field of a model taken here (Text: for text:)."""
    return any(isinstance(a, type) and issubclass(a, BaseModel) and name.casefold() in a.model_fields
               for a, _ in alternatives if get_origin(a) is None)


def _misread(source: Source, model: type[BaseModel], loc: Loc) -> tuple[Loc, str] | None:
    """Text YAML read as something else, where a validation error at loc comes from it: the
    text's place and what to say; None for any other error."""
    data = source.data
    for depth in range(len(loc) + 1):
        here = loc[:depth]
        if depth and type(data) is dict and len(data) == 1:
            [(name, value)] = data.items()
            if type(name) is str and not _FIELD_NAME.fullmatch(name) and not isinstance(value, (dict, list)):
                alternatives = _slot(model, here)
                if _marked(alternatives, TEXT) and not _a_field_of(alternatives, name):
                    return here, COLON.format(before=_tail(name))
        if depth == len(loc):
            if isinstance(data, (str, dict, list)) or not _marked(_slot(model, here), TEXT):
                return None
            if data is None:
                return here, EMPTY
            what = "true or false" if isinstance(data, bool) else "a date" if isinstance(data, dt.date) else "a number"
            return here, NOT_TEXT.format(shown=_shown(data), what=what)
        part = loc[depth]
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return None  # pragma: no cover - the loop returns at the last depth


def _cut_short(source: Source, model: type[BaseModel]) -> list[Problem]:
    """Text followed by a comment that is taken for the text going on (the criterion above)."""
    problems = []
    for loc, line, column, comment in source.commented:
        glued = comment[1:2] not in ("", " ", "\t")
        alternatives = _slot(model, loc)
        if _marked(alternatives, TEXT) and (glued or _marked(alternatives, NARRATIVE)):
            message = CUT.format(lost=_head(comment)) + ("" if glued else OWN_COMMENT)
            problems.append(Problem(source.path, line, column, Severity.error, field_path(loc), message))
    return problems


def _head(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _tail(text: str) -> str:
    return text if len(text) <= SHOWN else "…" + text[1 - SHOWN:]


# How a line's value starts: indentation, list dashes, and a field's name and ': '.
_VALUE_START = re.compile(r"[ ]*(?P<dashes>(?:-[ ]+)*)(?:(?P<name>[^\s#'\"{\[&*!|>%@`,?:-][^:#]*?):[ ]+)?")


def _text_trap(path: Path, text: str, locations: dict[Loc, tuple[int, int]], item: Loc | None,
               exc: yaml.MarkedYAMLError) -> Problem | None:
    """The trap of text written by hand that a parser's error comes from, told at the text; None
    for any other error. item: the list item being read when the error came, if one was (a
    text that cannot be read at all is one)."""
    mark, problem = exc.problem_mark, exc.problem or ""
    if mark is None or problem == "exceeded maximum nesting depth":
        return None
    at = None
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        at, message = exc.context_mark, UNCLOSED
    elif problem == "found character that cannot start any token" and text[mark.index:mark.index + 1] in ("@", "`"):
        at, message = mark, RESERVED.format(sign=text[mark.index])
    elif problem.startswith("mapping values are not allowed"):
        line = text[mark.index - mark.column:mark.index]
        start = _VALUE_START.match(line)
        assert start is not None  # it matches the empty string
        name, column = start.group("name"), start.end()
        if name is not None and not _FIELD_NAME.fullmatch(name):
            column = start.start("name")  # "- Note: a: b": the text is all of it
        said = line[column:].rstrip()
        if not said or (name is None and not start.group("dashes") and _FIELD_NAME.fullmatch(said.strip())):
            return None  # a field indented under the text above it, not text
        loc = _field_at(locations, mark.line + 1, column + 1)
        return Problem(path, mark.line + 1, column + 1, Severity.error, field_path(loc), COLON.format(before=_tail(said)))
    else:
        closed = _closed_before(text, mark)
        if closed is not None:
            start, end = closed
            head = _VALUE_START.match(text, start.index - start.column, start.index)
            name = head.group("name") if head is not None and head.end() == start.index else None
            if name is not None and not _FIELD_NAME.fullmatch(name):
                # "- The strands: "schools" and...": the ': ' came first, and made the rest a value
                column = head.start("name") - (start.index - start.column)  # type: ignore[union-attr]
                loc = _field_at(locations, start.line + 1, column + 1)
                loc = loc[:-1] if loc and loc[-1] == name else loc
                return Problem(path, start.line + 1, column + 1, Severity.error, field_path(loc), COLON.format(before=_tail(name)))
            opening = text[start.index]
            what = "a quote" if opening in "'\"" else f"'{opening}'"
            reads = {"[": "a list", "{": "a set of fields"}.get(opening, "the whole value")
            at, message = start, QUOTED.format(what=what, shown=_head(text[start.index:end.index]), reads=reads)
            item = _field_at(locations, start.line + 1, start.column + 1)  # the text that began it was read: it is located
            if item and type(item[-1]) is str and locations[item] == (start.line + 1, start.column + 1):
                item = item[:-1]  # what YAML read as a field's name ('"Knife crime" is rising: ...') is the text
    if at is None:
        return None
    loc = item if item is not None else _field_at(locations, at.line + 1, at.column + 1)
    return Problem(path, at.line + 1, at.column + 1, Severity.error, field_path(loc), message)


def _closed_before(text: str, mark: Any) -> tuple[Any, Any] | None:
    """The quoted text or the list or mapping in brackets that closes just before the error at
    mark, on its line (its start and end marks): the text it began goes on after it."""
    parser = CParser(text)
    last = None
    flows: list[Any] = []
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                flows.append(event.start_mark if event.flow_style else None)
                if event.flow_style:  # (a block mapping opened after the text is the parser's reading of what follows it)
                    last = None
            elif isinstance(event, CollectionEndEvent):
                start = flows.pop() if flows else None
                last = (start, event.end_mark) if start is not None else None
            elif type(event) is ScalarEvent:
                if event.style in ("'", '"'):
                    last = (event.start_mark, event.end_mark)
                elif event.value or event.start_mark.index != mark.index:  # not the nothing read where it failed
                    last = None
            elif type(event) is StreamEndEvent:
                return None
            else:
                last = None
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    if last is None:
        return None
    start, end = last
    if end.line != mark.line or end.index > mark.index or text[end.index:mark.index].strip(" \t"):
        return None
    return start, end
