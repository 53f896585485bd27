"""Finding decision records, reading them into Decision models, and checking them all.

This is the reader stage of the pipeline: it knows YAML and the model, nothing of rendering.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Decision
from .office import Office
from .problems import Problem, RecordError, Severity
from .ledger import latest
from .rules import ledger_of, run_cross_rules, run_rules
from .yaml_source import Loc, Source, parse_yaml, read_yaml, validate

RECORD_SUFFIXES = (".yaml", ".yml")


@dataclass
class Record:
    """One record file: its decision if it could be read, and every problem found in it."""

    path: Path
    decision: Decision | None
    source: Source | None
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""  # sha256 of the text checked, kept when the record is read slim

    @property
    def ok(self) -> bool:
        return self.decision is not None and not any(p.severity is Severity.error for p in self.problems)


def record_files(folder: Path) -> list[Path]:
    """Every *.yaml and *.yml under folder, in a stable order: not only regular files, so that a
    broken or looping link, a pipe or a device named like a record is reported when it is read;
    a linked folder is followed once, so a link leading back up the tree neither loops nor repeats."""
    found: list[Path] = []
    seen = {os.path.realpath(folder)}
    for top, folders, files in os.walk(folder, followlinks=True):
        unseen = []
        for name in folders:
            real = os.path.realpath(os.path.join(top, name))
            if real not in seen:
                seen.add(real)
                unseen.append(name)
        folders[:] = unseen
        found.extend(Path(top, name) for name in files if os.path.splitext(name)[1] in RECORD_SUFFIXES)
    return sorted(found)


def find_records(paths: Iterable[Path]) -> list[Path]:
    """Record files under the given files and directories, in a stable order.

    Under a directory: every *.yaml that is not a folder, so that a broken or looping link, a
    pipe or a device named like a record is reported when it is read, not passed over. Linked
    folders are followed once each, so a link leading back up the tree neither loops nor repeats
    records. Raises RecordError for a path that does not exist or a directory that holds no records."""

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            records = record_files(path)
            if not records:
                raise RecordError([Problem(path, 1, 1, Severity.error, "", "no records (*.yaml) in this directory")])
            found.extend(records)
        elif path.exists() or path.is_symlink():
            found.append(path)  # reading it says what is wrong with a broken link, a pipe or a device
        else:
            hint = ": `decisions new` starts the first record" if path.name == "records" else ""
            raise RecordError([Problem(path, 1, 1, Severity.error, "", f"no such file or directory{hint}")])
    return list(dict.fromkeys(found))


def read_record(path: Path, office: Office) -> Record:
    """Read, validate and run the rules on one record."""
    try:
        source = read_yaml(path)
    except RecordError as exc:
        return Record(path, None, None, exc.problems)
    return _checked(path, source, office)


def check_text(path: Path, text: str, office: Office) -> Record:
    """Validate and run the rules on a record's text not yet written to path (an editor's
    draft): what `check` would say of the file once it is saved (the rules across records aside)."""
    try:
        source = parse_yaml(path, text.encode("utf-8"))
    except RecordError as exc:
        return Record(path, None, None, exc.problems)
    return _checked(path, source, office)


def _checked(path: Path, source: Source, office: Office) -> Record:
    # `decisions new` leaves TODO placeholders, some where a number or date belongs: report each
    # as unfilled rather than as the wrong type.
    unfilled = [source.problem(loc, f"placeholder not filled in: {_get(source.data, loc)}") for loc in source.placeholders]
    try:
        decision = validate(source, Decision)
    except RecordError as exc:
        where = {(p.line, p.column) for p in unfilled}
        return Record(path, None, source, unfilled + [p for p in exc.problems if (p.line, p.column) not in where])
    return Record(path, decision, source, unfilled + run_rules(decision, source, office))


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    # Reading an archive allocates many small, acyclic objects that stay alive; the cyclic
    # collector then rescans them all again and again (it halved the rate for 2,000 records).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _slim(record: Record) -> None:
    """Keep of a checked record only its facts, problems and the digest of its text: what the
    rules across records need (where the reference stands, the decision's facts) and what an
    index of the archive shows. The narrative and the source are most of a record's memory
    (about 56 KB of 70 KB a paper); whoever needs them reads the file again and compares the
    digest."""
    source = record.source
    if source is None:
        return
    record.digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    # Where the rules across records report: the reference, and the links.
    keep = {loc: at for loc, at in source.locations.items() if not loc or loc[0] in ("reference", "links")}
    record.source = Source(source.path, None, "", keep)
    if record.decision is not None:
        record.decision = record.decision.model_copy(update={"sections": [], "after_approval": [], "specification": None})


def _ledgers_checked(records: list[Record], folders: list[Path], office: Office) -> None:
    """A ledger edited by hand is reported once, at its own line, with the first record read
    from its archive (every approved record's check fails too: the ledger is what vouches for
    it). Where the whole archive is read, a sealed decision whose record is gone is reported."""
    seen: set[Path] = set()
    for record in records:
        found = ledger_of(record.path)
        if found is None or found[0] in seen:
            continue
        seen.add(found[0])
        where, entries, broken = found
        record.problems += [Problem(where, p.line, 1, Severity.error, "", f"{p.message} [sealed]", "sealed") for p in broken]
        if broken or not any(folder.absolute() in (where.parent, *where.parent.parents) for folder in folders):
            continue
        present = {(office.term_name(r.decision), r.decision.reference) for r in records if r.decision is not None}
        # A record that cannot be read is there, and says what is wrong with it.
        files = {r.path.absolute().relative_to(where.parent.absolute()).as_posix() for r in records
                 if r.decision is None and r.path.absolute().is_relative_to(where.parent.absolute())}
        for key, entry in latest(entries).items():
            if key not in present and entry.data["record"] not in files:
                record.problems.append(Problem(where, entry.line, 1, Severity.error, "", (
                    f"{key[1]} ({key[0]}) is sealed here, but no record of it was found: a sealed decision is never "
                    "deleted or renumbered; put its record back (a decision no longer in force is withdrawn, rescinded "
                    "or superseded with `decisions status`) [sealed]"), "sealed"))


def read_records(paths: Iterable[Path], office: Office, slim: bool = False) -> list[Record]:
    """Read and check every record, each alone and then all together (the rules across records,
    which see each record's facts, never its narrative).

    slim: keep each record's facts only (see _slim), so that memory does not grow with the
    narrative of an archive of thousands of papers."""
    paths = list(paths)
    records = []
    with _without_cyclic_gc():
        for path in find_records(paths):
            record = read_record(path, office)
            if slim:
                _slim(record)
            records.append(record)
    readable = [(index, r) for index, r in enumerate(records) if r.decision is not None and r.source is not None]
    found = run_cross_rules([(r.decision, r.source) for _, r in readable], office)  # type: ignore[misc]
    for position, problems in found.items():
        readable[position][1].problems.extend(problems)
    _ledgers_checked(records, [p for p in paths if p.is_dir()], office)
    for record in records:
        record.problems.sort(key=lambda p: (p.line, p.column))
    return records
