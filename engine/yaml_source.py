"""Reading YAML with the location of every value, and validating it into a pydantic model.

PyYAML's C parser composes the node tree (the fast part); we build plain Python data from the
nodes ourselves so that every value keeps its line and column, duplicate keys are caught (PyYAML
keeps the last one silently) and decimals are never squeezed through a float.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .problems import Problem, RecordError, Severity, field_path

MAX_BYTES = 1_000_000
PLACEHOLDER = "TODO"  # what `decisions new` leaves for officers to fill in  # a 10 KB paper is typical; a megabyte is not a decision record

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"



class _Loader(yaml.CSafeLoader):
    """The C loader with PyYAML's tag resolution made cheap.

    Resolution is a Python call per node (a third of composing time on a typical record); we
    use no path resolvers, so skip their bookkeeping and look up implicit tags directly."""

    _implicit = yaml.CSafeLoader.yaml_implicit_resolvers

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._implicit.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass



@dataclass
class Source:
    """A YAML file's data, and where each value of it stands in the file."""

    path: Path
    data: Any
    text: str
    locations: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    placeholders: list[Loc] = field(default_factory=list)  # values still holding a TODO

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


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = []

    def _error(self, position: tuple[int, int], loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.source.path, *position, Severity.error, field_path(loc), message))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        locations = self.source.locations
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:  # most values: answer them first
                if PLACEHOLDER in node.value:
                    self.source.placeholders.append(loc)
                return node.value
            return self._scalar(node, loc)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value if key_node.tag == _STR else self.build(key_node, loc)
                if not isinstance(key, str):
                    self._error(_mark(key_node), loc, f"field names must be text, not {key!r}")
                    continue
                child = loc + (key,)
                if key in out:
                    first = locations[child][0]
                    self._error(_mark(key_node), child, f"duplicate key '{key}' (first given on line {first}); give each field once")
                    continue
                mark = key_node.start_mark
                locations[child] = (mark.line + 1, mark.column + 1)
                out[key] = self.build(value_node, child)
            return out
        items = []
        for index, item in enumerate(node.value):
            child = loc + (index,)
            mark = item.start_mark
            locations[child] = (mark.line + 1, mark.column + 1)
            items.append(self.build(item, child))
        return items

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        if node.tag == _FLOAT:
            # Money is exact: 40000.10 must not become 40000.1000000000014551915228366851806640625.
            try:
                number = Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                return node.value
            return number if number.is_finite() else node.value
        constructor = _CONSTRUCTOR.yaml_constructors.get(node.tag)
        if constructor is None:
            self._error(_mark(node), loc, f"unsupported YAML tag {node.tag}")
            return None
        try:
            return constructor(_CONSTRUCTOR, node)
        except ValueError:
            # An impossible date such as 2023-02-30: keep the text and let the model say what is wrong.
            return node.value


_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar constructors (int, bool, date, ...) are used
_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_bytes(path: Path, fail: Callable[..., RecordError]) -> bytes:
    """The bytes of a regular file, never more than MAX_BYTES + 1 of them.

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
            raise fail("not a regular file (a device, pipe or folder); give the path of a record, a .yaml file")
        limit = f"a record must be under {MAX_BYTES // 1_000_000} MB"
        if st.st_size > MAX_BYTES:
            raise fail(f"file is {st.st_size / 1_000_000:.1f} MB; {limit}")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            raise fail(f"file is over {MAX_BYTES // 1_000_000} MB; {limit}")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_yaml(path: Path) -> Source:
    """Parse one YAML file; raise RecordError with located problems if it cannot be read at all."""
    def fail(message: str, line: int = 1, column: int = 1) -> RecordError:
        return RecordError([Problem(path, line, column, Severity.error, "", message)])

    raw = _read_bytes(path, fail)
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
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem:
            what = f"{exc.context}, {exc.problem}"
        raise fail(f"malformed YAML: {what}", *where) from None
    except yaml.YAMLError as exc:
        raise fail(f"malformed YAML: {exc}") from None
    if node is None:
        raise fail("empty file: expected a record (see `decisions new`)")
    source = Source(path, None, text, {(): _mark(node)})
    builder = _Builder(source)
    source.data = builder.build(node, ())
    if builder.problems:
        raise RecordError(builder.problems)
    return source


def _message(error: dict[str, Any]) -> str:
    message = error["msg"]
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against the schema (`decisions schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "model_type" and error["loc"] == ():
        return "a record is a set of fields (reference: ..., subject: ...), not a single value or a list"
    message = message.removeprefix("Value error, ")
    if isinstance(value, (str, int, Decimal, bool, dt.date)) and len(repr(value)) < 60:
        shown = value.isoformat() if isinstance(value, dt.date) else value
        message += f" (got {shown!r})" if isinstance(shown, str) else f" (got {shown})"
    if kind.startswith("decimal_"):
        message += "; write pounds as a plain number such as 40000 or 1250.50, without £, commas or k"
    elif kind.startswith("date_"):
        message += "; write dates as YYYY-MM-DD, e.g. 2023-09-06"
    return message


def _data_loc(data: Any, loc: tuple[Any, ...]) -> Loc:
    """Pydantic's loc, less the union tags it inserts, so that it names fields of the file."""
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict) and index == len(loc) - 1:
            pass  # a missing field: name it; its parent gives the line
        else:
            continue  # a union tag, not a field
        out.append(part)
    return tuple(out)


def validate(source: Source, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Validate source.data into model; raise RecordError with every problem, each located."""
    try:
        return model.model_validate(source.data, context=context)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = _data_loc(source.data, error["loc"])
            problems.append(source.problem(loc, _message(error)))
        raise RecordError(problems) from None
