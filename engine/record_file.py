"""Saving a record the editor changed, so that it stays the file a person can edit.

The editor (`decisions serve`) opens a record, lets the officer change its fields, and saves:

    opened = open_record(path)                # the text, and the digest of the bytes as opened
    data = plain_data(opened.text)            # the record's data, as the engine reads it
    ...                                       # the officer edits data in the form
    text = updated_text(opened.text, data)    # the file with only what changed rewritten
    digest = save_record(path, text, opened.digest)   # refused if the file changed meanwhile

`updated_text` rewrites only the values that changed, in place, and leaves every other byte of
the file as it was: comments (the `yaml-language-server` line and the other header comments,
and those beside and between fields), blank lines, key order, indentation, quoting and block
styles. A YAML round-trip writer (load, change, dump) re-emits the whole file in one house
style: ruamel.yaml re-indents every folded paragraph of the archive's own PCC/D/102 when any one
field changes. So the file is read with the engine's own parser (libyaml, the events it gives,
with their places in the text), the old value and the new are compared as the engine reads
them, and only a value that differs is written again, at its place.

Text is written so that it reads back exactly as typed, whatever it holds: plain where nothing in
it means something to YAML; a paragraph too long for a line as a folded block (`>-`), text with
line breaks as a literal block (`|-`); otherwise quoted. What YAML would read as something else
(`No`, `null`, `2026-11-20`, `00123`, `12:30`, text holding ` #` or `: `, starting with a quote
or `- `) is quoted or blocked. Characters no record may hold (control characters and the like)
are refused with SaveError, as `check` would refuse them. Whatever is written is read back with
the engine's reader before it is returned: text that would not read back as `data` is never
returned (SaveError), so a second save of the same data changes nothing.

A list's items are matched by place: items added or removed at its end are written or removed
alone; an item moved is written again at each place it now holds (comments stay where they
were). A field removed goes with the comment lines right above it.

`save_record` writes through engine/writing.py's write_atomic (a temporary file, then a rename:
a failed write leaves the old file whole; the file keeps its permissions) and only over the file
as it was opened: its digest is compared first, so an edit saved meanwhile by someone else
(another editor, a text editor, a lifecycle command) is not overwritten but reported
(ConflictError). Text editors take no lock, so a save landing in the same millisecond as the
comparison is the one case not caught.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)

from .problems import RecordError, field_path
from .writing import write_atomic
from .yaml_source import (
    _DATE,
    _DECIMAL,
    _UNPRINTABLE,
    MAX_BYTES,
    MAX_DEPTH,
    _character_problem,
    _number_problem,
    parse_yaml,
    read_bytes,
)

WIDTH = 100  # new text is folded to lines of at most this many characters, where it can be
Loc = tuple[str | int, ...]  # where a value stands in the record: ("funding", 0, "amount")


class ConflictError(Exception):
    """The file changed on disk since it was opened: saving would overwrite someone's edit."""


class SaveError(Exception):
    """Any other reason a record cannot be read for editing or saved; one line."""


@dataclass(frozen=True)
class Opened:
    path: Path
    text: str
    digest: str  # sha256 hex of the file's bytes as opened


# --- reading and writing the file ----------------------------------------------------------------


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def open_record(path: Path) -> Opened:
    """The record's text and the digest of its bytes, read as `check` reads records (a regular
    file, under the size cap, UTF-8); SaveError naming the file otherwise."""
    raw = read_bytes(path, lambda message: SaveError(f"{path}: {message}"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SaveError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start}); "
                        "save the file as UTF-8 in a text editor") from None
    return Opened(path, text, _digest(raw))


def save_record(path: Path, text: str, expected_digest: str) -> str:
    """Write text to path, atomically, if the file is still as it was opened (its digest is
    expected_digest; "" for a record that must not exist yet); return the digest of what was
    written. ConflictError when the file changed, was deleted or was created since; SaveError
    when it cannot be written (nothing is written then, and the old file stays whole)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SaveError(f"{path}: the text holds a character that cannot be saved (U+{ord(exc.object[exc.start]):04X}); "
                        "delete it and retype the text around it") from None
    if len(data) > MAX_BYTES:
        raise SaveError(f"{path}: the record would be {len(data) / 1_000_000:.1f} MB; a record must be under "
                        f"{MAX_BYTES // 1_000_000} MB")
    if os.path.islink(path):
        raise SaveError(f"{path} is a symbolic link; the editor writes only the record file itself: "
                        "edit the file it points to, or replace the link with the file")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SaveError(f"{path}: cannot read file: {exc.strerror}") from None
    if not expected_digest:
        if st is not None:
            raise ConflictError(f"{path} already exists: another record was saved at this place since you began; "
                                "your record is not saved")
        mode = None
    else:
        if st is None:
            raise ConflictError(f"{path} was deleted or moved since it was opened; your changes are not saved: "
                                "copy what you typed, and find out who removed the file")
        if stat.S_ISDIR(st.st_mode):
            raise ConflictError(f"{path} is now a folder, not the record that was opened; your changes are not saved")
        if not stat.S_ISREG(st.st_mode):
            raise SaveError(f"{path}: not a regular file (a device or pipe); the editor writes only record files")
        current = read_bytes(path, lambda message: SaveError(f"{path}: {message}"))
        if _digest(current) != expected_digest:
            raise ConflictError(f"{path} changed on disk since it was opened (someone else saved it); your changes are "
                                "not saved: open it again to see the other changes, then make yours again")
        if not os.access(path, os.W_OK):
            raise SaveError(f"{path} is read-only; your changes are not saved: make the file writable to save it")
        mode = stat.S_IMODE(st.st_mode) & 0o777
    try:
        write_atomic(path, data, exclusive=not expected_digest, mode=mode)
    except FileExistsError:
        raise ConflictError(f"{path} already exists: another record was saved at this place since you began; "
                            "your record is not saved") from None
    except OSError as exc:
        raise SaveError(f"{path}: cannot write the file: {exc.strerror or exc}; the file on disk is unchanged") from None
    return _digest(data)


# --- the record's data, as the engine reads it ----------------------------------------------------


def _read(text: str) -> Any:
    """The text's data as the engine's reader gives it; SaveError with its first problem."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SaveError(f"the text holds a character that cannot be saved (U+{ord(exc.object[exc.start]):04X})") from None
    try:
        return parse_yaml(Path("record"), raw).data
    except RecordError as exc:
        first = exc.problems[0]
        where = f"{first.field}: " if first.field else ""
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise SaveError(f"line {first.line}, column {first.column}: {where}{first.message}{more}") from None


def plain_data(text: str) -> dict[str, Any]:
    """The record's data as the engine reads it (numbers as int or Decimal, never float; days as
    dates; `yes` and `No` as text), to fill the editor's form. SaveError when the engine cannot
    read the text (the officer then fixes it in a text editor: the message says where)."""
    data = _read(text)
    if not isinstance(data, dict):
        raise SaveError("line 1, column 1: a record is a set of fields (reference: ..., subject: ...), "
                        "not a single value or a list")
    return data


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (list, tuple)):
        return "list"
    return "other"


def _same(a: Any, b: Any) -> bool:
    """Whether two values are the same data as a record holds it: 40000 and Decimal('40000.00')
    are the same sum; True is not 1, nor '2026-11-20' the day; a mapping's key order aside."""
    kind = _kind(a)
    if kind != _kind(b) or kind in ("datetime", "other"):
        return False
    if kind == "dict":
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if kind == "list":
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if kind == "number" and any(isinstance(x, Decimal) and not x.is_finite() for x in (a, b)):
        return False
    return bool(a == b)


def _check_depth(data: Any) -> None:
    """SaveError for data nested deeper than a record may be (or holding itself)."""
    stack = [(data, 1, ())]
    while stack:
        value, depth, loc = stack.pop()
        if depth > MAX_DEPTH:
            raise SaveError(f"{field_path(loc[:5])}...: nested more than {MAX_DEPTH} levels deep; a record needs only a few levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1, loc + (key,)) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((item, depth + 1, loc + (index,)) for index, item in enumerate(value))


def _first_difference(a: Any, b: Any, loc: Loc = ()) -> Loc:
    """Where two values first differ (for messages)."""
    if _kind(a) == _kind(b) == "dict":
        for key in list(a) + [key for key in b if key not in a]:
            if key not in a or key not in b or not _same(a[key], b[key]):
                return _first_difference(a.get(key), b.get(key), loc + (key,))
    if _kind(a) == _kind(b) == "list" and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if not _same(x, y):
                return _first_difference(x, y, loc + (index,))
    return loc


# --- the file's structure, with the place of every value ------------------------------------------


@dataclass
class _Node:
    kind: str  # "scalar", "map" or "seq"
    start: int  # where it starts in the text
    end: int  # where its content ends (a block scalar: the end of its last line of text)
    style: str = ""  # a scalar's: "" plain, "'", '"', "|", ">"
    flow: bool = False  # a collection written [a, b] or {a: b}
    keys: list[tuple[str, _Node]] = field(default_factory=list)  # a mapping's keys, each with its node
    items: list[_Node] = field(default_factory=list)  # a mapping's values, or a sequence's items
    value: Any = None  # the data it holds, as the engine reads it

    @property
    def empty(self) -> bool:
        """A value not written at all (`key:` alone, or `-` alone)."""
        return self.kind == "scalar" and self.start == self.end


def _has_document(text: str) -> bool:
    """Whether text holds a document, not only comments and blank lines (or nothing)."""
    parser = CParser(text)
    try:
        parser.get_event()  # the stream's start
        return type(parser.get_event()) is DocumentStartEvent
    except yaml.YAMLError:
        return True  # one the engine's reader will say what is wrong with
    finally:
        parser.dispose()


def _tree(text: str) -> _Node:
    """The document's nodes from libyaml's events, as the engine's reader parses them (a text it
    has read: no deeper than it allows)."""
    parser = CParser(text)
    try:
        parser.get_event()  # the stream's start
        parser.get_event()  # the document's start
        return _node(parser, parser.get_event(), text)
    finally:
        parser.dispose()


def _node(parser: Any, event: Any, text: str) -> _Node:
    start = event.start_mark.index
    kind = type(event)
    if kind is ScalarEvent:
        end = event.end_mark.index
        style = event.style or ""
        if style in "|>" and style:
            # Its end mark lies past the blank lines that follow it: end it after its last text,
            # or (`|+`, keeping them) before the line break of its last line.
            if "+" in text[start:_line_end(text, start)].split("#")[0]:
                if text[:end].endswith("\n"):
                    end -= 1
            else:
                end = _line_end(text, start + len(text[start:end].rstrip()))
        return _Node("scalar", start, end, style)
    node = _Node("map" if kind is MappingStartEvent else "seq", start, start, flow=bool(event.flow_style))
    closing = MappingEndEvent if kind is MappingStartEvent else SequenceEndEvent
    while True:
        event = parser.get_event()
        if type(event) is closing:
            break
        child = _node(parser, event, text)
        if node.kind == "map":
            node.keys.append(("", child))
            key_end = child.end
            child = _node(parser, parser.get_event(), text)
            if child.empty:
                child.start = child.end = key_end  # `key:` alone: the value stands at its key
        node.items.append(child)
    if node.flow:
        node.end = event.end_mark.index
    else:
        last = node.items[-1]
        node.end = max(last.end, node.keys[-1][1].end if node.keys else 0)
    return node


def _attach(node: _Node, data: Any) -> None:
    """Give each node the data the engine read from it (the two walk the same document)."""
    node.value = data
    if node.kind == "map":
        node.keys = [(key, key_node) for key, (_, key_node) in zip(data, node.keys, strict=True)]
        for child, key in zip(node.items, data, strict=True):
            _attach(child, data[key])
    elif node.kind == "seq":
        for child, item in zip(node.items, data, strict=True):
            _attach(child, item)


# --- lines (of a text whose line breaks are all \n) ------------------------------------------------


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _line_end(text: str, at: int) -> int:
    """Where the line holding at ends (before its line break)."""
    found = text.find("\n", at)
    return found if found >= 0 else len(text)


def _next_line(text: str, at: int) -> int:
    """Where the line after the one holding at starts (the text's end if there is none)."""
    return min(_line_end(text, at) + 1, len(text))


def _column(text: str, at: int) -> int:
    return at - _line_start(text, at)


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def _line(text: str, at: int) -> str:
    return text[_line_start(text, at):_line_end(text, at)]


def _first_on_line(text: str, at: int) -> bool:
    """Whether only spaces stand before at on its line."""
    return not text[_line_start(text, at):at].strip(" ")


# --- writing values ------------------------------------------------------------------------------


class _Unwritable(Exception):
    """A value that cannot be written into a record (loc: where it is)."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = frozenset(",[]{}:#")
# Words that YAML 1.1 tools (PyYAML, many others) read as true, false or null, and YAML's own.
_WORDS = frozenset(("y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", "=", "<<"))
_NUMERIC_START = frozenset("0123456789+-.")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")  # a day, as some YAML tools read one


def _visible(text: str) -> bool:
    """Every character shows as itself: no tabs, line breaks, invisible (a no-break or zero-width
    space) or unassigned characters, which are written as escapes in double quotes."""
    return text.isprintable()


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether text can be written without quotes and still read back as this text, by the
    engine and by other YAML tools (YAML 1.1 and 1.2) alike."""
    if not text or text != text.strip(" ") or not _visible(text):
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":") or text.startswith(("---", "...")):
        return False
    if flow and any(char in _FLOW_UNSAFE for char in text):
        return False
    if text.lower() in _WORDS:
        return False
    if text[0] in _NUMERIC_START:
        if _DECIMAL.fullmatch(text) or _DATE.fullmatch(text) or _TIMESTAMP.match(text) or _number_problem(text):
            return False
    return True


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char == "\\" or char == '"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def _quoted(text: str) -> str:
    """text in quotes, on one line: single quotes, or double where the text holds a single
    quote and no double quote, or where it needs escapes (tabs, line breaks, invisible characters)."""
    if not _visible(text):
        return _double_quoted(text)
    if "'" in text and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return "'" + text.replace("'", "''") + "'"


def _folded(text: str, indent: int) -> str | None:
    """text as a folded block (`>-`), its lines at indent, broken only at single spaces between
    words (where a line break reads back as the space it replaces); None if it cannot be."""
    if not text or text != text.strip(" ") or not _visible(text):
        return None
    room = max(WIDTH - indent, 40)
    lines: list[str] = []
    start = 0  # where the current line starts in text
    cut = -1  # the last single space in it, where it may break
    for index, char in enumerate(text):
        if char == " " and text[index - 1] != " " and index + 1 < len(text) and text[index + 1] != " ":
            if index - start > room and cut > start:
                lines.append(text[start:cut])
                start = cut + 1
            cut = index
    if len(text) - start > room and cut > start:
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    if len(lines) == 1:
        return None
    pad = " " * indent
    return ">-\n" + "\n".join(pad + line for line in lines)


def _literal(text: str, indent: int) -> str | None:
    """text with line breaks as a literal block (`|-`), its lines at indent; None where that would
    not read back exactly (a leading space or blank first line, tabs or invisible characters, a
    line break at the end)."""
    lines = text.split("\n")
    if not lines[0] or lines[0][0] == " " or not lines[-1].strip(" ") or not all(_visible(line) for line in lines):
        return None
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line if line else "" for line in lines)


def _scalar(value: Any, loc: Loc, column: int, indent: int, flow: bool, blocks: bool = True) -> str:
    """A scalar value as it is written: column, where it starts on its line; indent, where the
    lines of a block (`>-`, `|-`) start; flow, whether it stands inside [...] or {...}; blocks,
    whether a block may be written (not where a comment below would become its text)."""
    kind = _kind(value)
    if kind == "null":
        return "null"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "number":
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise _Unwritable(loc, f"{value} is not a number a record can hold; write a number such as 40000")
            return format(value, "f")
        return str(int(value))
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        raise _Unwritable(loc, "a record holds days (2026-11-20), not times of day")
    if isinstance(value, float):
        raise _Unwritable(loc, "a float is not an exact number: give sums as int or decimal.Decimal")
    if kind != "str":
        raise _Unwritable(loc, f"cannot write a {type(value).__name__} into a record")
    value = str.__str__(value)  # not a subclass's own methods (markupsafe's Markup escapes in replace)
    bad = _UNPRINTABLE.search(value)
    if bad:
        raise _Unwritable(loc, _character_problem(bad.group()))
    block = blocks and not flow
    if "\n" in value:
        return (_literal(value, indent) if block else None) or _double_quoted(value)
    folded = _folded(value, indent) if block and column + len(value) > WIDTH else None
    return folded or (value if _plain_ok(value, flow) else _quoted(value))


def _key(key: Any, loc: Loc, flow: bool = False) -> str:
    if not isinstance(key, str):
        raise _Unwritable(loc, f"field names must be text, not {key!r}")
    key = str.__str__(key)
    if not key:
        raise _Unwritable(loc, "a field name cannot be empty")
    if len(key) > 200:
        raise _Unwritable(loc, f"a field name of {len(key)} characters ({key[:20]}...); a field name has at most 200")
    bad = _UNPRINTABLE.search(key)
    if bad:
        raise _Unwritable(loc + (key,), _character_problem(bad.group()))
    return key if _plain_ok(key, flow) else _quoted(key) if "\n" not in key else _double_quoted(key)


def _flow(value: Any, loc: Loc) -> str:
    """value in flow style, on one line: [a, b], {a: 1}."""
    kind = _kind(value)
    if kind == "dict":
        return "{" + ", ".join(f"{_key(key, loc, flow=True)}: {_flow(item, loc + (key,))}" for key, item in value.items()) + "}"
    if kind == "list":
        return "[" + ", ".join(_flow(item, loc + (index,)) for index, item in enumerate(value)) + "]"
    return _scalar(value, loc, 0, 0, flow=True)


def _flat(value: Any) -> bool:
    """A list (a table's row) or mapping of scalars: written in flow style where it fits."""
    kind = _kind(value)
    items = value.values() if kind == "dict" else value if kind == "list" else ()
    return kind in ("dict", "list") and all(_kind(item) not in ("dict", "list") for item in items)


def _tail(value: Any, loc: Loc, column: int, after: int, in_list: bool, flow: bool = False,
          width: int = WIDTH, blocks: bool = True) -> str:
    """What follows the `key:` or `-` of a value: column, where the key or dash stands; after,
    where the line is once it is written; in_list: the value is an item of a list; flow: write
    it in flow style where it fits on the line (width); blocks: whether text may be written as
    a block (`>-`, `|-`)."""
    kind = _kind(value)
    if kind == "dict" and not value:
        return " {}"
    if kind == "list" and not value:
        return " []"
    if kind in ("dict", "list") and (flow or in_list and kind == "list" and _flat(value)):
        written = _flow(value, loc)
        if after + 1 + len(written) <= width:
            return " " + written
    inner = column + 2
    if kind == "dict":
        lines = []
        for key, item in value.items():
            name = _key(key, loc)
            lines.append(" " * inner + name + ":" + _tail(item, loc + (key,), inner, inner + len(name) + 1, False, blocks=blocks))
        block = "\n".join(lines)
        return " " + block[inner:] if in_list else "\n" + block
    if kind == "list":
        block = "\n".join(" " * inner + "-" + _tail(item, loc + (index,), inner, inner + 1, True, blocks=blocks)
                          for index, item in enumerate(value))
        return " " + block[inner:] if in_list else "\n" + block
    return " " + _scalar(value, loc, after + 1, inner, flow=False, blocks=blocks)


# --- changing the text ----------------------------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    order: int


class _Writer:
    """The edits that turn the file's text into one holding the new data, each at its place;
    the text between them is kept as it is."""

    def __init__(self, text: str):
        self.text = text
        self.edits: list[_Edit] = []

    def edit(self, start: int, end: int, text: str) -> None:
        self.edits.append(_Edit(start, end, text, len(self.edits)))

    def result(self) -> str:
        # Applied from the end; at one place, a deletion before the insertion made there.
        edits = sorted(self.edits, key=lambda e: (e.start, e.end, e.order))
        for before, after in zip(edits, edits[1:]):
            if after.start < before.end:
                raise SaveError("the changes overlap in the file (a bug in the editor's writer: please report it); "
                                "nothing was saved")
        text = self.text
        for one in reversed(edits):
            text = text[:one.start] + one.text + text[one.end:]
        return text

    # --- any value: after its indicator (the `:` after its key, or its `-`); column, where the
    # key or the dash stands; in_list, whether it is a list's item

    def merge(self, node: _Node, new: Any, loc: Loc, indicator: int, column: int, in_list: bool) -> None:
        if _same(node.value, new):
            return
        if node.flow:
            edits = self._flow_edits(node, new, loc)
            if edits is not None:
                for start, end, text in edits:
                    self.edit(start, end, text)
                return
        elif node.kind == "map" and _kind(new) == "dict" and any(key in new for key, _ in node.keys):
            self.merge_map(node, new, loc)
            return
        elif node.kind == "seq" and _kind(new) == "list" and new:
            if self.merge_seq(node, new, loc):
                return
        self.replace(node, new, loc, indicator, column, in_list)

    def replace(self, node: _Node, new: Any, loc: Loc, indicator: int, column: int, in_list: bool) -> None:
        """Write new in place of node: a flow collection stays one where it fits on its line; a
        comment beside the old value stays beside the new one."""
        text = self.text
        start = indicator + 1
        end = start if node.empty else node.end
        notes = []  # comments to keep, each with the spaces before it
        if node.style in ("|", ">"):  # a comment after a block's `>-`
            header = _line(text, node.start)[_column(text, node.start):]
            if "#" in header:
                notes.append(header[len(header[:header.index("#")].rstrip(" ")):].rstrip(" "))
        if node.flow:  # comments within a flow collection written over several lines
            notes += [" " + comment for comment in _comments_within(text, node)]
        own_line = not node.empty and "#" in text[start:node.start]  # `key:  # a comment`, the value below
        if own_line:
            start = _line_start(text, node.start)
            after = column + 2
        else:
            after = _column(text, indicator) + 1
        # A flow collection stays one (where it fits), unless it was empty or held less deep values.
        flow = node.flow and bool(node.items) and (_flat(new) or not all(item.kind == "scalar" for item in node.items))
        width = max(WIDTH, len(_line(text, node.start))) if flow else WIDTH
        # Not a block where a comment below, indented as its text would be, would become part of it.
        blocks = not self._comment_below(_next_line(text, end), column + 2)
        tail = _tail(new, loc, column, after, in_list, flow=flow, width=width, blocks=blocks)
        if own_line:
            tail = tail[1:] if tail.startswith("\n") else " " * (column + 2) + tail[1:]
        rest = text[end:_line_end(text, end)]
        if (_kind(new) == "str" and "\n" not in tail and (notes or rest.lstrip(" \t").startswith("#"))
                and not tail.lstrip().startswith(("'", '"'))):
            # Plain text with a comment beside it is what `check` reports as text cut at ' #'
            # (it cannot tell the two apart): text kept beside a comment is quoted.
            tail = " " + _quoted(str.__str__(new))
        if "\n" in tail and rest.lstrip(" \t").startswith("#"):  # the comment would end up inside the block
            notes.append(rest.rstrip(" \t"))
            end += len(rest)
        if notes:
            first, newline, others = tail.partition("\n")
            tail = first + "".join(note if note.startswith((" ", "\t")) else " " + note for note in notes) + newline + others
        self.edit(start, end, tail)

    def _flow_edits(self, node: _Node, new: Any, loc: Loc) -> list[tuple[int, int, str]] | None:
        """The edits to a flow collection whose shape is the same ([a, b] to [a, c]), value by
        value; None if its shape changed (it is then written again whole)."""
        if _same(node.value, new):
            return []
        if node.kind == "scalar":
            if node.empty or _kind(new) in ("dict", "list"):
                return None
            return [(node.start, node.end, _scalar(new, loc, 0, 0, flow=True))]
        edits: list[tuple[int, int, str]] = []
        if node.kind == "map":
            if _kind(new) != "dict" or new.keys() != {key for key, _ in node.keys}:
                return None
            pairs = [(child, new[key], loc + (key,)) for (key, _), child in zip(node.keys, node.items)]
        else:
            if _kind(new) != "list" or len(new) != len(node.items):
                return None
            pairs = [(child, item, loc + (index,)) for index, (child, item) in enumerate(zip(node.items, new))]
        for child, item, where in pairs:
            found = self._flow_edits(child, item, where)
            if found is None:
                return None
            edits += found
        return edits

    # --- block mappings

    def _colon(self, key_node: _Node) -> int:
        at = self.text.find(":", key_node.end)
        return at if at >= 0 else key_node.end

    def _comment_below(self, at: int, indent: int) -> bool:
        """Whether the first line from at (a line's start) that is not blank is a comment
        indented by indent or more."""
        text = self.text
        for start in _lines(text, at, len(text)):
            line = _line(text, start)
            if line.strip(" "):
                stripped = line.lstrip(" ")
                return stripped.startswith("#") and len(line) - len(stripped) >= indent
        return False

    def _extent(self, end: int, column: int) -> int:
        """Where an entry or item ending at end (a line's end) ends, with the comments after it
        indented deeper than its key or dash (at column): they are part of its value."""
        text = self.text
        at = _next_line(text, end)
        for start in _lines(text, at, len(text)):
            line = _line(text, start)
            if not line.strip(" "):
                continue
            stripped = line.lstrip(" ")
            if not stripped.startswith("#") or len(line) - len(stripped) <= column:
                break
            end = start + len(line)
        return end

    def _comments_above(self, at: int, bound: int) -> int:
        """Where the comments right above the line holding at start (those at its column, with
        no blank line between), no higher than bound: they go with the entry if it is removed."""
        text = self.text
        column = _column(text, at)
        start = _line_start(text, at)
        while start > bound:
            above = _line_start(text, start - 1)
            line = _line(text, above)
            if above < bound or not line.startswith("#", column) or line[:column].strip(" "):
                break
            start = above
        return start

    def _after_parent(self, at: int) -> int:
        """The start of the line after the last line above at that holds more than a comment."""
        text = self.text
        start = _line_start(text, at)
        while start > 0:
            above = _line_start(text, start - 1)
            line = _line(text, above).strip(" ")
            if line and not line.startswith("#"):
                return start
            start = above
        return 0

    def _delete_lines(self, start: int, end: int, floor: int) -> None:
        """Delete the lines [start, end) and, where that leaves two blank lines together (or one
        at the end), one of them; never one before floor (the end of what stays before them, a
        `|+` block's blank lines among it)."""
        text = self.text
        above_blank = start == 0 or _blank(_line(text, start - 1))
        if above_blank and end < len(text) and _blank(_line(text, end)):
            end = _next_line(text, end)
        elif above_blank and end >= len(text) and start > 0 and _line_start(text, start - 1) >= floor:
            start = _line_start(text, start - 1)
        self.edit(start, end, "")

    def merge_map(self, node: _Node, new: dict[str, Any], loc: Loc) -> None:
        text = self.text
        keys = [key for key, _ in node.keys]
        first = node.keys[0][1]
        column = _column(text, first.start)
        compact = not _first_on_line(text, first.start)  # `- key: value`, a list's item
        # Where each entry ends (its last line, with a comment beside it), and where what goes
        # with it starts (the comments right above it; the file's header is no entry's).
        ends = []
        for (_, key_node), value in zip(node.keys, node.items):
            end = _line_end(text, self._colon(key_node) + 1 if value.empty else max(value.end, key_node.end))
            ends.append(self._extent(end, column))
        starts = []
        for index, (_, key_node) in enumerate(node.keys):
            if index:
                starts.append(self._comments_above(key_node.start, _next_line(text, ends[index - 1])))
            elif compact:
                starts.append(key_node.start)
            elif not loc:
                starts.append(_line_start(text, key_node.start))
            else:
                starts.append(self._comments_above(key_node.start, self._after_parent(key_node.start)))
        for (key, key_node), value in zip(node.keys, node.items):
            if key in new:
                self.merge(value, new[key], loc + (key,), self._colon(key_node), column, False)
        # The entries removed, each run of them at once.
        index = 0
        while index < len(keys):
            if keys[index] in new:
                index += 1
                continue
            last = index
            while last + 1 < len(keys) and keys[last + 1] not in new:
                last += 1
            if index == 0 and compact:  # what follows moves up, beside the dash
                after = starts[last + 1]
                line = _line(text, after)
                self.edit(first.start, after + len(line) - len(line.lstrip(" ")), "")
            else:
                self._delete_lines(starts[index], _next_line(text, ends[last]),
                                   _next_line(text, ends[index - 1]) if index else starts[0])
            index = last + 1
        # The entries added, after the entries that come before them in new's order.
        anchor: str | None = None
        added: dict[str | None, list[str]] = {}
        for key in new:
            if key in keys:
                anchor = key
            else:
                added.setdefault(anchor, []).append(key)
        for anchor, names in added.items():
            lines = []
            for key in names:
                name = _key(key, loc)
                lines.append(" " * column + name + ":" + _tail(new[key], loc + (key,), column, column + len(name) + 1, False))
            block = "\n".join(lines)
            if anchor is None:
                if compact:
                    self.edit(first.start, first.start, block[column:] + "\n" + " " * column)
                else:
                    at = _line_start(text, first.start) if not loc else starts[0]
                    self.edit(at, at, block + "\n")
                continue
            position = keys.index(anchor)
            at = _next_line(text, ends[position])
            following = [i for i in range(position + 1, len(keys)) if keys[i] in new]
            apart = bool(following) and any(_blank(_line(text, line)) for line in _lines(text, at, starts[following[0]]))
            self.edit(at, at, ("\n" if apart else "") + block + "\n")

    # --- block sequences

    def _dashes(self, node: _Node) -> list[int] | None:
        """Where each item's `-` stands (at the list's column, first on its line but for the
        first); None where they cannot all be found."""
        text = self.text
        column = _column(text, node.start)
        dashes = [node.start]
        for at in _lines(text, _next_line(text, node.start), node.end):
            if text.startswith("-", at + column) and not text[at:at + column].strip(" ") \
                    and text[at + column + 1:at + column + 2] in ("", " ", "\n"):
                dashes.append(at + column)
        return dashes if len(dashes) == len(node.items) else None

    def merge_seq(self, node: _Node, new: list[Any], loc: Loc) -> bool:
        """Merge new into a block list item by item, adding or removing items at its end; False
        if its items cannot be found one by one (it is then written again whole)."""
        text = self.text
        dashes = self._dashes(node)
        if dashes is None:
            return False
        column = _column(text, node.start)
        ends = [self._extent(_line_end(text, dash + 1 if item.empty else item.end), column) for item, dash in zip(node.items, dashes)]
        for index, (item, value) in enumerate(zip(node.items, new)):
            self.merge(item, value, loc + (index,), dashes[index], column, True)
        count = len(node.items)
        if len(new) < count:
            start = self._comments_above(dashes[len(new)], _next_line(text, ends[len(new) - 1]))
            self._delete_lines(start, _next_line(text, ends[-1]), _next_line(text, ends[len(new) - 1]))
        elif len(new) > count:
            at = _next_line(text, ends[-1])
            block = "\n".join(" " * column + "-" + _tail(item, loc + (index,), column, column + 1, True)
                              for index, item in enumerate(new[count:], start=count))
            self.edit(at, at, block + "\n")
        return True


def _comments_within(text: str, node: _Node) -> list[str]:
    """The comments inside a collection's text (a `#` after a space, outside its values, to the
    end of its line)."""
    masked = list(text[node.start:node.end])
    stack = [node]
    while stack:
        one = stack.pop()
        if one.kind == "scalar":
            masked[one.start - node.start:one.end - node.start] = " " * (one.end - one.start)
        else:
            stack += one.items + [key for _, key in one.keys]
    inside = "".join(masked)
    return [found.group(1).rstrip(" ") for found in re.finditer(r"(?:^|(?<=[ \t]))(#[^\n]*)", inside, re.MULTILINE)]


def _lines(text: str, start: int, end: int) -> Iterator[int]:
    """The start of each line from start (a line's start) up to end."""
    at = start
    while at < end:
        yield at
        following = _next_line(text, at)
        if following <= at:
            return
        at = following


def updated_text(text: str, data: dict[str, Any]) -> str:
    """The record's text with its content replaced by data (the whole record, as plain data:
    str, int, Decimal, bool, date, None, list, dict). The values that did not change keep their
    text to the byte, and so do every comment, blank line and the key order; keys not in data
    are removed (with the comments right above them); new keys go after the keys before them in
    data's order. SaveError, naming the field, for a value no record can hold; SaveError for a
    text the engine cannot read (saying where)."""
    if not isinstance(data, dict):
        raise SaveError("a record is a set of fields (a dict), not a single value or a list")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    # Line breaks as \n while writing; a file of \r\n gets them back (one that mixes them, the
    # kind it has most of). libyaml reads \r, \n and \r\n alike.
    newline = "\r\n" if body.count("\r\n") * 2 > body.count("\n") else "\n"
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    _check_depth(data)
    tree = None
    if _has_document(body):
        old = _read(body)  # SaveError, saying where, for what the engine cannot read
        if _same(old, data):
            return text
        tree = _tree(body)
        _attach(tree, old)
    if body and not body.endswith("\n"):
        body += "\n"
    writer = _Writer(body)
    try:
        if tree is not None and tree.kind == "map" and not tree.flow and data:
            writer.merge_map(tree, data, ())
        else:  # no fields yet (a new file, comments only), or no mapping of them
            lines = []
            for key, value in data.items():
                name = _key(key, ())
                lines.append(name + ":" + _tail(value, (key,), 0, len(name) + 1, False))
            block = "\n".join(lines) if data else "{}"
            if tree is None or tree.empty:
                writer.edit(len(body), len(body), block + "\n")
            else:
                writer.edit(tree.start, tree.end, block)
    except _Unwritable as exc:
        where = field_path(exc.loc)
        raise SaveError(f"{where}: {exc.message}" if where else exc.message) from None
    result = writer.result().replace("\n", newline)
    back = _read(result)
    if not _same(back, data):
        where = field_path(_first_difference(back, data)) or "the record"
        raise SaveError(f"{where}: could not be written so that it reads back as typed; nothing was saved "
                        "(a bug in the editor's writer: please report it, with what was typed)")
    return bom + result
