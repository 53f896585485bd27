"""A decision's steps after drafting: submit for decision, approve (and seal), correct, and
withdraw, rescind or supersede. Each step checks the record, writes it (the step's lines only:
the officer's comments and layout stay as they are), checks it again, and records the step in
the ledger; a step that would leave the record wrong writes nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
import stat
from collections.abc import Iterator
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
SIGNED_COPY_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
SIGNED_COPY_LIMIT = 50 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class StepError(Exception):
    """A step that cannot be taken: one line, saying why and what to do."""


@dataclass(frozen=True)
class Step:
    record: Path
    message: str


def _words(value: str, what: str, limit: int) -> str:
    """A name or a reason as the ledger and the register will print it: one line, no control
    characters, not empty, not a page long."""
    value = value.strip()
    if not value or _CONTROL.search(value) or len(value) > limit:
        raise StepError(f"{what}: one line of text, up to {limit} characters, without control characters")
    return value


def _when(day: dt.date, today: dt.date, after: dt.date | None, what: str, last_step: dt.date | None = None) -> dt.date:
    if day > today:
        raise StepError(f"{what} {day.isoformat()} is in the future: give the day it happened")
    if after is not None and day < after:
        raise StepError(f"{what} {day.isoformat()} is before the decision was approved ({after.isoformat()})")
    if last_step is not None and day < last_step:  # the register tells the steps in the order they were taken
        raise StepError(f"{what} {day.isoformat()} is before the decision's last recorded step ({last_step.isoformat()}): "
                        "give the day this step is taken")
    return day


def _last_step(entries: list[ledger.Entry], key: tuple[str, str]) -> dt.date | None:
    """The day of a decision's latest step after its seal (a correction, a withdrawal...)."""
    days = [dt.date.fromisoformat(e.data["date"]) for e in entries if e.key == key and e.data["event"] != "sealed"]
    return max(days) if days else None


@contextlib.contextmanager
def _locked(project: Project) -> Iterator[None]:
    """One step at a time on an archive: two at once would both chain to the same last entry."""
    project.records.mkdir(parents=True, exist_ok=True)
    path = project.records / f".{ledger.LEDGER}.lock"
    try:  # a regular file of its own: never a link to elsewhere, and never a pipe that would hang
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise StepError(f"{path}: the ledger's lock is not a file: remove it")
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise StepError(f"{path}: cannot take the ledger's lock ({exc.strerror or exc}): remove it if it is not a file") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StepError(f"{path}: the ledger's lock is not a file: remove it")
    with os.fdopen(fd, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StepError("another step is being recorded in this archive's ledger: try again when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path, project: Project) -> Record:
    """The record, if it is one of the archive's: a step on a copy elsewhere would move the
    archive's seal for a record it does not hold."""
    records = project.records.absolute()
    if not (_normal(path).is_relative_to(records) and path.resolve().is_relative_to(records.resolve())):
        raise StepError(f"{path}: not in this office's records ({project.records}): a step is taken on the archive's own record")
    [record] = read_records([path], project.office)
    return record


def _normal(path: Path) -> Path:
    """The path, absolute, with any `..` worked out (links are not followed)."""
    return Path(os.path.normpath(path.absolute()))


def _record_step(path: Path, old: bytes | None, ledger_file: Path, *args: Any, **kwargs: Any) -> None:
    """Append the step's ledger entry; if the ledger cannot be written, put the record's old text
    back (old; None where the step wrote nothing on the record), so that nothing is half done."""
    try:
        ledger.append(ledger_file, *args, **kwargs)
    except OSError as exc:
        if old is not None:
            write_atomic(path, old)
        raise StepError(f"{ledger_file}: cannot record the step ({exc.strerror or exc}): nothing written") from None


def _errors(record: Record, ignore: tuple[str, ...] = ()) -> list[Problem]:
    return [p for p in record.problems if p.severity is Severity.error and p.rule not in ignore]


def _block_bounds(lines: list[str], key: str) -> tuple[int, int] | None:
    """Where a top-level key's block is: its first line, and the line after its last (comments
    and blank lines before the next key belong to that key)."""
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(key)}:(\s|$)", line)), None)
    if start is None:
        return None
    # A list's items may stand at the key's own column ("- date: ..."): they are the block's too.
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"[^\s#-]|---", lines[i])), len(lines))
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
    # The new item at the column of the items already there.
    first = next((line for line in lines[bounds[0] + 1:bounds[1]] if line.lstrip().startswith("- ")), "- ")
    indent = first[: len(first) - len(first.lstrip())]
    item_lines = [indent + line for line in _dump(key, [item])[1:]]
    lines[bounds[1]:bounds[1]] = item_lines
    return "\n".join(lines) + "\n"


def with_status(text: str, status: str) -> str:
    """The record's text with its status line set (checked afterwards: see _write_checked)."""
    return re.sub(r"(?m)^status:.*$", f"status: {status}", text, count=1)


def _sealed_entry(project: Project, path: Path, record: Record) -> tuple[Path, list[ledger.Entry], str, str, ledger.Entry]:
    """The ledger, the record's term and place, and its latest seal (called under the lock)."""
    assert record.decision is not None
    ledger_file, entries = _ledger(project)
    term, place = _place(project, record)
    entry = ledger.latest(entries).get((term, record.decision.reference))
    if entry is None:
        raise StepError(f"{path}: {record.decision.reference} is not sealed (`decisions approve` seals a decision, "
                        "`decisions seal` one approved before the ledger began)")
    return ledger_file, entries, term, place, entry


def _write_checked(path: Path, text: str, project: Project, status: str, ignore: tuple[str, ...] = ()) -> Record:
    """Write the record's new text and check it; on any error, or a status other than the
    step's (a `status:` written in a form the step did not find), put the old text back."""
    old = path.read_bytes()
    write_atomic(path, text.encode("utf-8"))
    record = _read(path, project)
    errors = _errors(record, ignore)
    if errors or record.decision is None or record.decision.status.value != status:
        write_atomic(path, old)
        first = errors[0] if errors else None
        if first:
            raise StepError(f"{path}: nothing written: the record would not check: {first}")
        raise StepError(f"{path}: nothing written: its status could not be set to {status}; write it plainly as "
                        f"`status: {status}` at the start of a line" if record.decision else f"{path}: cannot read it")
    return record


def _place(project: Project, record: Record) -> tuple[str, str]:
    assert record.decision is not None
    # Its place in the archive, however the command named it (relative to another folder, say).
    path, records = _normal(record.path), project.records.absolute()
    return project.office.term_name(record.decision), path.relative_to(records).as_posix() \
        if path.is_relative_to(records) else str(record.path)


def _outputs(project: Project, path: Path, record: Record, old: bytes | None) -> dict[str, str]:
    """The SHA-256 of the decision's public papers as the register would publish them now (none
    for a Part 2 decision): part of the seal. If they cannot be rendered, the record's old text
    (old) is put back and nothing is recorded."""
    from .papers import render_sources  # the renderers load only for the steps that seal

    decision = record.decision
    assert decision is not None
    if decision.publication.part == "part2":
        return {}
    try:
        paper = render_sources(decision, project, ["docx", "html"], public=True)
        out = {"docx": paper.files["docx"], "html": paper.files["html"]}
        spec = decision.specification
        if spec is not None and spec.status == "released":
            out["spec.docx"] = render_sources(decision, project, ["docx"], public=True, document="spec").files["docx"]
    except Exception as exc:  # noqa: BLE001 - a template that cannot render must not leave a step half done
        if old is not None:
            write_atomic(path, old)
        raise StepError(f"{path}: nothing recorded: its public paper cannot be rendered ({exc})") from None
    return {name: hashlib.sha256(data).hexdigest() for name, data in out.items()}


def _text(record: Record) -> str:
    """The record's text as checked: the version the seal keeps."""
    assert record.source is not None
    return record.source.text


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
    text = with_status(path.read_text(encoding="utf-8"), "submitted")
    _write_checked(path, text, project, "submitted")
    return Step(path, f"{record.decision.reference} submitted for decision")


def _signed_copy(source: Path, record: Path) -> tuple[Path, bytes]:
    """The signed paper: a regular file (never a link, a pipe or a folder), a PDF or a picture,
    read once; and where it is kept, beside the record."""
    suffix = source.suffix.lower()
    if suffix not in SIGNED_COPY_SUFFIXES:
        raise StepError(f"{source}: a signed copy is a PDF or a scan ({', '.join(SIGNED_COPY_SUFFIXES)})")
    try:
        info = os.lstat(source)
        if not stat.S_ISREG(info.st_mode):
            raise StepError(f"{source}: a signed copy is a file (not a link, a folder or a pipe)")
        if info.st_size > SIGNED_COPY_LIMIT:
            raise StepError(f"{source}: a signed copy is at most {SIGNED_COPY_LIMIT // (1024 * 1024)} MB")
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(SIGNED_COPY_LIMIT + 1)
    except OSError as exc:
        raise StepError(f"{source}: cannot read the signed copy: {exc.strerror or exc}") from None
    return record.parent / f"{record.stem}.signed{suffix}", data


def approve(project: Project, path: Path, by: str, day: dt.date, signed_copy: Path | None, signature: str | None,
            today: dt.date) -> Step:
    """The commissioner approves: the approval written with who, when and how it was signed,
    the status approved, and the decision sealed in the ledger."""
    by = _words(by, "--by", 200)
    record = _read(path, project)
    if record.decision is None or _errors(record):
        raise StepError(f"{path}: not approved: the record has errors (`decisions check {path}` lists them)")
    decision = record.decision
    if decision.status not in (Status.draft, Status.submitted):
        hint = f" (`decisions seal {decision.reference}` seals an approval the ledger does not hold)" if decision.was_approved else ""
        raise StepError(f"{path}: not approved: it is {decision.status.value}; only a draft or a submitted paper is approved{hint}")
    if (signed_copy is None) == (signature is None):
        raise StepError("say how the paper was signed: --signed-copy FILE (the signed paper, kept with the record) "
                        "or --signature TEXT (e.g. 'Wet signed copy held at the Office of the PCC')")
    approval: dict[str, Any] = {"name": by, "date": day}
    copy: tuple[Path, bytes] | None = None
    if signed_copy is not None:
        copy = _signed_copy(signed_copy, path)
        approval["signature"] = f"Signed copy kept with the record ({copy[0].name})"
        approval["signed_copy"] = {"file": copy[0].name, "sha256": hashlib.sha256(copy[1]).hexdigest()}
    else:
        approval["signature"] = _words(signature or "", "--signature", 200)
    text = set_block(with_status(path.read_text(encoding="utf-8"), "approved"), "approval", approval)
    with _locked(project):
        ledger_file, entries = _ledger(project)
        existed = copy is not None and copy[0].exists()
        if copy is not None and not existed:
            write_atomic(copy[0], copy[1])
        old = path.read_bytes()
        try:
            record = _write_checked(path, text, project, "approved", ignore=("sealed",))
            outputs = _outputs(project, path, record, old)
        except StepError:
            if copy is not None and not existed:
                copy[0].unlink(missing_ok=True)  # nothing written means nothing left behind
            raise
        term, place = _place(project, record)
        assert record.decision is not None
        try:
            _record_step(path, old, ledger_file, entries, "sealed", record.decision, term, place, today, by, text=_text(record),
                         outputs=outputs)
        except StepError:
            if copy is not None and not existed:
                copy[0].unlink(missing_ok=True)
            raise
    return Step(path, f"{record.decision.reference} approved by {by} on {day.isoformat()}, and sealed in {ledger_file.name}")


def seal(project: Project, path: Path, by: str, today: dt.date) -> Step:
    """Seal an approved decision the ledger does not hold yet (one approved before sealing began)."""
    record = _read(path, project)
    if record.decision is None or _errors(record, ignore=("sealed",)):
        raise StepError(f"{path}: not sealed: the record has errors (`decisions check {path}` lists them)")
    decision = record.decision
    if not decision.was_approved:
        raise StepError(f"{path}: not sealed: it is {decision.status.value}; a decision is sealed when it is approved")
    by = _words(by, "--by", 200)
    with _locked(project):
        ledger_file, entries = _ledger(project)
        term, place = _place(project, record)
        if (term, decision.reference) in ledger.latest(entries):
            raise StepError(f"{path}: {decision.reference} is sealed already: a change to it is a correction (`decisions correct`)")
        _record_step(path, None, ledger_file, entries, "sealed", decision, term, place, today, by,
                      note="sealed after its approval, by `decisions seal`", text=_text(record),
                      outputs=_outputs(project, path, record, None))
    return Step(path, f"{decision.reference} sealed in {ledger_file.name}")


def correct(project: Project, path: Path, by: str, why: str, day: dt.date, today: dt.date | None = None,
            withhold_earlier: bool = False) -> Step:
    """An erratum: the record was changed after its seal; say who, when and why, and the seal
    moves on. The correction is written on the record (the paper and register print it). A
    correction written on the record whose ledger entry a killed step never made is recorded."""
    by, why = _words(by, "--by", 200), _words(why, "--why", 1000)
    record = _read(path, project)
    decision = record.decision
    if decision is None or _errors(record, ignore=("sealed",)):
        raise StepError(f"{path}: not corrected: the record has errors besides the change (`decisions check {path}`)")
    with _locked(project):
        ledger_file, entries, term, place, entry = _sealed_entry(project, path, record)
        if entry.data["status"] != decision.status.value:
            raise StepError(f"{path}: its status is {decision.status.value}, sealed as {entry.data['status']}: a correction "
                            "corrects facts; a change of status is `decisions status`")
        _when(day, today or dt.date.today(), decision.approved_on, "the correction's date", _last_step(entries, entry.key))
        recorded = sum(1 for e in entries if e.key == entry.key and e.data["event"] == "corrected")
        changed = ledger.changed_fields(decision, entry)
        pending = decision.corrections[recorded:]
        old = None
        if len(pending) == 1 and (pending[0].date, pending[0].by, pending[0].why) == (day, by, why):
            pass  # written on the record by a step killed before its ledger entry: record it now
        elif pending:
            raise StepError(f"{path}: the record has corrections the ledger does not: a correction is made with "
                            f"`decisions correct`, which writes both")
        else:
            if changed == ["corrections"] or not changed:
                raise StepError(f"{path}: {decision.reference} is as sealed: change the record first, then record the correction")
            item: dict[str, Any] = {"date": day, "by": by, "fields": [f for f in changed if f != "corrections"], "why": why}
            if withhold_earlier:
                item["withhold_earlier"] = True
            text = append_item(path.read_text(encoding="utf-8"), "corrections", item)
            old = path.read_bytes()
            record = _write_checked(path, text, project, decision.status.value, ignore=("sealed",))
        assert record.decision is not None
        now = record.decision.corrections
        if len(now) != recorded + 1 or (now[-1].date, now[-1].by, now[-1].why) != (day, by, why):
            if old is not None:
                write_atomic(path, old)
            raise StepError(f"{path}: nothing written: the correction could not be added after the record's {recorded} "
                            "correction(s); write its `corrections:` list as the engine does, one `- date:` item after another")
        outputs = _outputs(project, path, record, old)
        _record_step(path, old, ledger_file, entries, "corrected", record.decision, term, place, day, by, note=why,
                     text=_text(record), outputs=outputs)
    fields = [f for f in changed if f != "corrections"]
    return Step(path, f"{decision.reference} corrected ({', '.join(fields)}); the seal moves on in {ledger_file.name}")


def change_status(project: Project, path: Path, status: str, by: str, why: str, day: dt.date,
                  today: dt.date | None = None) -> Step:
    """An approved decision withdrawn, rescinded or superseded: it stays on the record. A status
    written on the record whose ledger entry a killed step never made is recorded."""
    if status not in LATER:
        raise StepError(f"a decision's later status is {', '.join(LATER)}, not {status}")
    by, why = _words(by, "--by", 200), _words(why, "--why", 1000)
    record = _read(path, project)
    decision = record.decision
    if decision is None or _errors(record, ignore=("sealed",)):
        raise StepError(f"{path}: the record has errors (`decisions check {path}` lists them)")
    if not decision.was_approved:
        raise StepError(f"{path}: {decision.reference} is {decision.status.value}: only an approved decision is {status}")
    with _locked(project):
        ledger_file, entries, term, place, entry = _sealed_entry(project, path, record)
        if entry.data["status"] == status:
            raise StepError(f"{path}: {decision.reference} is {status} already")
        if ledger.changed_fields(decision, entry):
            raise StepError(f"{path}: {decision.reference} has changed since its seal: record the correction first "
                            "(`decisions correct`)")
        _when(day, today or dt.date.today(), decision.approved_on, f"the day it was {status}", _last_step(entries, entry.key))
        old = None
        if decision.status.value != status:
            old = path.read_bytes()
            record = _write_checked(path, with_status(path.read_text(encoding="utf-8"), status), project, status, ignore=("sealed",))
        # else: written by a step killed before its ledger entry: record it now
        assert record.decision is not None
        outputs = _outputs(project, path, record, old)
        _record_step(path, old, ledger_file, entries, status, record.decision, term, place, day, by, note=why, outputs=outputs)
    return Step(path, f"{decision.reference} {status}; recorded in {ledger_file.name}")
