"""A decision's steps after drafting: submit for decision, approve (and seal), correct, and
withdraw, rescind or supersede. Each step checks the record, writes it (the step's lines only:
the officer's comments and layout stay as they are), checks it again, and records the step in
the ledger; a step that would leave the record wrong writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import ledger
from .model import Status
from .problems import Problem, Severity
from .project import Project
from .records import Record, read_records
from .writing import write_atomic

LATER = ("withdrawn", "rescinded", "superseded")


class StepError(Exception):
    """A step that cannot be taken: one line, saying why and what to do."""


@dataclass(frozen=True)
class Step:
    record: Path
    message: str


def _read(path: Path, project: Project) -> Record:
    [record] = read_records([path], project.office)
    return record


def _errors(record: Record, ignore: tuple[str, ...] = ()) -> list[Problem]:
    return [p for p in record.problems if p.severity is Severity.error and p.rule not in ignore]


def _block_bounds(lines: list[str], key: str) -> tuple[int, int] | None:
    """Where a top-level key's block is: its first line, and the line after its last (comments
    and blank lines before the next key belong to that key)."""
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(key)}:(\s|$)", line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"[^\s#]", lines[i])), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def _dump(key: str, value: Any) -> list[str]:
    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100).splitlines()


def set_block(text: str, key: str, value: Any) -> str:
    """The record's text with a top-level key's block replaced (or added at the end)."""
    lines = text.splitlines()
    bounds = _block_bounds(lines, key)
    new = _dump(key, value)
    if bounds is None:
        lines += ["", *new]
    else:
        lines[bounds[0]:bounds[1]] = new
    return "\n".join(lines) + "\n"


def append_item(text: str, key: str, item: Any) -> str:
    """The record's text with an item added to a top-level list (the list made if need be)."""
    lines = text.splitlines()
    bounds = _block_bounds(lines, key)
    if bounds is None:
        return set_block(text, key, [item])
    item_lines = _dump(key, [item])[1:]
    lines[bounds[1]:bounds[1]] = item_lines
    return "\n".join(lines) + "\n"


def _write_checked(path: Path, text: str, project: Project, ignore: tuple[str, ...] = ()) -> Record:
    """Write the record's new text and check it; on any error, put the old text back."""
    old = path.read_bytes()
    write_atomic(path, text.encode("utf-8"))
    record = _read(path, project)
    errors = _errors(record, ignore)
    if errors or record.decision is None:
        write_atomic(path, old)
        first = errors[0] if errors else None
        raise StepError(f"{path}: nothing written: the record would not check: {first}" if first else f"{path}: cannot read it")
    return record


def _place(project: Project, record: Record) -> tuple[str, str]:
    assert record.decision is not None
    return project.office.term_name(record.decision), str(record.path.relative_to(project.records)) \
        if record.path.is_relative_to(project.records) else str(record.path)


def _ledger(project: Project) -> tuple[Path, list[ledger.Entry]]:
    path = ledger.ledger_path(project.records)
    entries, broken = ledger.read_ledger(path)
    if broken:
        raise StepError(f"{path}:{broken[0].line}: {broken[0].message}; the ledger must be whole before a step is recorded")
    return path, entries


def submit(project: Project, path: Path) -> Step:
    """A draft, complete, goes for decision: no placeholder, no error, and every fact stated."""
    record = _read(path, project)
    if record.decision is None or _errors(record):
        raise StepError(f"{path}: not submitted: the record has errors (`decisions check {path}` lists them)")
    if record.decision.status is not Status.draft:
        raise StepError(f"{path}: not submitted: it is {record.decision.status.value}, not a draft")
    text = re.sub(r"(?m)^status:.*$", "status: submitted", path.read_text(encoding="utf-8"), count=1)
    _write_checked(path, text, project)
    return Step(path, f"{record.decision.reference} submitted for decision")


def approve(project: Project, path: Path, by: str, day: dt.date, signed_copy: Path | None, signature: str | None,
            today: dt.date) -> Step:
    """The commissioner approves: the approval written with who, when and how it was signed,
    the status approved, and the decision sealed in the ledger."""
    record = _read(path, project)
    if record.decision is None or _errors(record):
        raise StepError(f"{path}: not approved: the record has errors (`decisions check {path}` lists them)")
    decision = record.decision
    if decision.status not in (Status.draft, Status.submitted):
        raise StepError(f"{path}: not approved: it is {decision.status.value}; only a draft or a submitted paper is approved")
    if (signed_copy is None) == (signature is None):
        raise StepError("say how the paper was signed: --signed-copy FILE (the signed paper, kept with the record) "
                        "or --signature TEXT (e.g. 'Wet signed copy held at the Office of the PCC')")
    approval: dict[str, Any] = {"name": by, "date": day}
    if signed_copy is not None:
        try:
            data = signed_copy.read_bytes()
        except OSError as exc:
            raise StepError(f"{signed_copy}: cannot read the signed copy: {exc.strerror or exc}") from None
        copy = path.parent / f"{path.stem}.signed{signed_copy.suffix.lower()}"
        if signed_copy.resolve() != copy.resolve():
            write_atomic(copy, data)
        approval["signature"] = f"Signed copy kept with the record ({copy.name})"
        approval["signed_copy"] = {"file": copy.name, "sha256": hashlib.sha256(data).hexdigest()}
    else:
        approval["signature"] = signature
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^status:.*$", "status: approved", text, count=1)
    text = set_block(text, "approval", approval)
    ledger_file, entries = _ledger(project)
    record = _write_checked(path, text, project, ignore=("sealed",))
    term, place = _place(project, record)
    assert record.decision is not None
    ledger.append(ledger_file, entries, "sealed", record.decision, term, place, today, by)
    return Step(path, f"{record.decision.reference} approved by {by} on {day.isoformat()}, and sealed in {ledger_file.name}")


def seal(project: Project, path: Path, by: str, today: dt.date) -> Step:
    """Seal an approved decision the ledger does not hold yet (one approved before sealing began)."""
    record = _read(path, project)
    if record.decision is None or _errors(record, ignore=("sealed",)):
        raise StepError(f"{path}: not sealed: the record has errors (`decisions check {path}` lists them)")
    decision = record.decision
    if not decision.was_approved:
        raise StepError(f"{path}: not sealed: it is {decision.status.value}; a decision is sealed when it is approved")
    ledger_file, entries = _ledger(project)
    term, place = _place(project, record)
    if (term, decision.reference) in ledger.latest(entries):
        raise StepError(f"{path}: {decision.reference} is sealed already: a change to it is a correction (`decisions correct`)")
    ledger.append(ledger_file, entries, "sealed", decision, term, place, today, by,
                  note="sealed after approval: approved before the archive's ledger began")
    return Step(path, f"{decision.reference} sealed in {ledger_file.name}")


def correct(project: Project, path: Path, by: str, why: str, day: dt.date) -> Step:
    """An erratum: the record was changed after its seal; say who, when and why, and the seal
    moves on. The correction is written on the record (the paper and register print it)."""
    record = _read(path, project)
    decision = record.decision
    if decision is None or _errors(record, ignore=("sealed",)):
        raise StepError(f"{path}: not corrected: the record has errors besides the change (`decisions check {path}`)")
    ledger_file, entries = _ledger(project)
    term, place = _place(project, record)
    entry = ledger.latest(entries).get((term, decision.reference))
    if entry is None:
        raise StepError(f"{path}: {decision.reference} is not sealed: there is nothing to correct (`decisions approve` seals it)")
    changed = ledger.changed_fields(decision, entry)
    if not changed:
        raise StepError(f"{path}: {decision.reference} is as sealed: change the record first, then record the correction")
    if not why.strip() or not by.strip():
        raise StepError("a correction says who made it (--by) and why (--why)")
    text = append_item(path.read_text(encoding="utf-8"), "corrections", {"date": day, "by": by, "fields": changed, "why": why})
    record = _write_checked(path, text, project, ignore=("sealed",))
    assert record.decision is not None
    ledger.append(ledger_file, entries, "corrected", record.decision, term, place, day, by, note=why)
    return Step(path, f"{decision.reference} corrected ({', '.join(changed)}); the seal moves on in {ledger_file.name}")


def change_status(project: Project, path: Path, status: str, by: str, why: str, day: dt.date) -> Step:
    """An approved decision withdrawn, rescinded or superseded: it stays on the record."""
    if status not in LATER:
        raise StepError(f"a decision's later status is {', '.join(LATER)}, not {status}")
    record = _read(path, project)
    decision = record.decision
    if decision is None or _errors(record):
        raise StepError(f"{path}: the record has errors (`decisions check {path}` lists them)")
    if not decision.was_approved:
        raise StepError(f"{path}: {decision.reference} is {decision.status.value}: only an approved decision is {status}")
    if not why.strip():
        raise StepError(f"say why it is {status} (--why)")
    ledger_file, entries = _ledger(project)
    term, place = _place(project, record)
    text = re.sub(r"(?m)^status:.*$", f"status: {status}", path.read_text(encoding="utf-8"), count=1)
    record = _write_checked(path, text, project, ignore=("sealed",))
    assert record.decision is not None
    ledger.append(ledger_file, entries, status, record.decision, term, place, day, by, note=why)
    return Step(path, f"{decision.reference} {status}; recorded in {ledger_file.name}")
