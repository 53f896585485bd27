"""The ledger: approval seals a decision, and every later change to it is on the record.

records/ledger.jsonl holds one entry a line, appended and never rewritten: a decision sealed at
approval, or its seal moved on by a correction. Each entry holds the SHA-256 of every sealed
field of the record (its facts and narrative, in a canonical JSON form), and is chained to the
entry before it by that entry's hash, so that an entry rewritten, reordered or deleted breaks
the chain. `check` holds each approved record to its latest seal and names the fields that
changed (the `sealed` rule).

A seal also keeps the record's text as sealed: the register publishes each earlier version of a
corrected paper at its own address, rendered from that text (and only if it is still the version
the seal's hashes name). Every entry also holds the SHA-256 of the public papers as that step left them
(the Word paper, the web paper, a released specification; none for a Part 2 decision): `decisions
publish` says which approved papers render differently now (the office's house style, its
templates or the engine changed since).

What is not sealed: the status (withdrawn, rescinded and superseded are later steps of the same
decision, recorded by their own entries), the corrections themselves, waivers (about the checks,
not the paper) and provenance (notes on where the words came from)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Decision
from .writing import write_atomic
from .yaml_source import MAX_BYTES, read_bytes

LEDGER = "ledger.jsonl"  # in the records folder
UNSEALED = frozenset({"status", "corrections", "waivers", "provenance"})
EVENTS = ("sealed", "corrected", "withdrawn", "rescinded", "superseded")
MAX_LEDGER = 256_000_000  # some 10,000 decisions, each with a correction or two
VERSIONS = ("sealed", "corrected")  # the events that seal a version of the record's text
_KEYS = ("seq", "event", "term", "reference", "record", "date", "by", "note", "status", "seal", "fields", "text", "outputs", "prev")


def canonical(value: Any) -> bytes:
    """One byte form for one value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def sealed_fields(decision: Decision) -> dict[str, str]:
    """Each sealed field's hash, by its name."""
    data = decision.model_dump(mode="json", exclude_defaults=True)
    return {name: digest(value) for name, value in sorted(data.items()) if name not in UNSEALED}


def seal_of(fields: dict[str, str], outputs: dict[str, str]) -> str:
    """The seal: one SHA-256 over the record's sealed fields and its public papers as rendered."""
    return digest({"fields": fields, "outputs": outputs})


@dataclass(frozen=True)
class Entry:
    line: int
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.data["term"], self.data["reference"])


class LedgerReadError(Exception):
    """The ledger file cannot be read: the message says why."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)


@dataclass(frozen=True)
class LedgerProblem:
    line: int
    message: str


def ledger_path(records: Path) -> Path:
    return records / LEDGER


def read_ledger(path: Path) -> tuple[list[Entry], list[LedgerProblem]]:
    """The ledger's entries, and what is wrong with it: a line that is not an entry, a hash that
    is not the entry's, an entry not chained to the one before, numbers out of order."""
    if not path.exists() and not path.is_symlink():
        return [], []
    entries: list[Entry] = []
    problems: list[LedgerProblem] = []
    previous = ""
    try:  # as a record is read: a regular file (never a device or a pipe), of a bounded size
        raw = read_bytes(path, LedgerReadError, most=MAX_LEDGER, what="the ledger", give="the ledger, a file of JSON lines")
    except LedgerReadError as exc:
        return [], [LedgerProblem(1, f"cannot read the ledger: {exc}")]
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        return [], [LedgerProblem(raw.count(b"\n", 0, exc.start) + 1, "not UTF-8 text: the ledger was edited by hand")]
    for number, text in enumerate(lines, start=1):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, nested past Python's depth, a number too long to read
            problems.append(LedgerProblem(number, "not a ledger entry (a line of JSON): the ledger was edited by hand"))
            return entries, problems
        if not isinstance(data, dict) or set(data) != {*_KEYS, "hash"}:
            problems.append(LedgerProblem(number, "not a ledger entry (its fields are not a seal's): the ledger was edited by hand"))
            return entries, problems
        body = {k: data[k] for k in _KEYS}
        try:
            well_formed, own_hash = _well_formed(data), digest(body)
        except (UnicodeError, RecursionError, ValueError):  # a lone surrogate ("\ud800") is JSON, not UTF-8
            well_formed, own_hash = False, ""
        if not well_formed:
            problems.append(LedgerProblem(number, "not a ledger entry (a field of the wrong kind): the ledger was edited by hand"))
            return entries, problems
        if data["hash"] != own_hash:
            problems.append(LedgerProblem(number, f"entry {data.get('seq')} ({data.get('reference')}) does not match its hash: "
                                                  "it was edited by hand"))
            return entries, problems
        if data["prev"] != previous or data["seq"] != len(entries) + 1:
            problems.append(LedgerProblem(number, f"entry {data['seq']} ({data['reference']}) does not follow the entry before "
                                                  "it: an entry was deleted, reordered or inserted by hand"))
            return entries, problems
        entries.append(Entry(number, data))
        previous = data["hash"]
    return entries, problems


_HEX = frozenset("0123456789abcdef")


def _hex(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _well_formed(data: dict[str, Any]) -> bool:
    """Each field of the kind the engine writes: what an entry with the right hash but the wrong
    shape would otherwise crash."""
    try:
        dt.date.fromisoformat(data["date"])
    except (TypeError, ValueError):
        return False
    texts = ("term", "reference", "record", "by", "note", "status", "text")
    return (isinstance(data["seq"], int) and not isinstance(data["seq"], bool) and data["event"] in EVENTS
            and all(isinstance(data[k], str) for k in texts) and _hex(data["seal"]) and _hex(data["hash"])
            and (data["prev"] == "" or _hex(data["prev"])) and isinstance(data["fields"], dict)
            and all(isinstance(k, str) and _hex(v) for k, v in data["fields"].items())
            and isinstance(data["outputs"], dict) and all(isinstance(k, str) and _hex(v) for k, v in data["outputs"].items())
            and len(data["text"]) <= MAX_BYTES
            and (data["event"] in VERSIONS) == (data.get("text") not in ("", None)))


def head(path: Path) -> dict[str, Any] | None:
    """The ledger's length and its last entry's hash: an anchor that, once published, a
    rewritten ledger cannot match."""
    entries, broken = read_ledger(path)
    if broken or not entries:
        return None
    return {"entries": len(entries), "head": entries[-1].data["hash"]}


def latest(entries: list[Entry]) -> dict[tuple[str, str], Entry]:
    """Each decision's latest seal (a status entry moves no seal: it carries the last one)."""
    found: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        found[entry.key] = entry
    return found


def append(path: Path, entries: list[Entry], event: str, decision: Decision, term: str, record: str,
           date: dt.date, by: str, note: str = "", text: str = "", outputs: dict[str, str] | None = None) -> dict[str, Any]:
    """Add an entry for the decision to the ledger (the whole file written to a temporary name
    and renamed: a killed write leaves the old ledger whole). text: the record's text, for the
    events that seal a version of it; outputs: the SHA-256 of its public papers, by name."""
    if (event in VERSIONS) != bool(text):
        raise ValueError(f"a {event} entry {'keeps' if event in VERSIONS else 'keeps no'} record text")
    fields = sealed_fields(decision)
    outputs = dict(sorted((outputs or {}).items()))
    body = {"seq": len(entries) + 1, "event": event, "term": term, "reference": decision.reference, "record": record,
            "date": date.isoformat(), "by": by, "note": note, "status": decision.status.value, "seal": seal_of(fields, outputs),
            "fields": fields, "text": text, "outputs": outputs, "prev": entries[-1].data["hash"] if entries else ""}
    entry = {**body, "hash": digest(body)}
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    write_atomic(path, old + json.dumps(entry, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
    return entry


def changed_fields(decision: Decision, entry: Entry) -> list[str]:
    """The sealed fields that differ from the seal: changed, added or removed."""
    now = sealed_fields(decision)
    then = entry.data["fields"]
    return sorted(name for name in set(now) | set(then) if now.get(name) != then.get(name))


def versions(entries: list[Entry], key: tuple[str, str]) -> list[Entry]:
    """A decision's sealed versions, oldest first: the seal, then each correction."""
    return [e for e in entries if e.key == key and e.data["event"] in VERSIONS]
