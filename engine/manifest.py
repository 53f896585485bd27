"""build/manifest.json: what the archive holds, and the build's memory of what it was made from.

The manifest is read back by the next build (to skip unchanged records and remove the papers of
deleted ones) and by `publish` (to reuse PDFs): a damaged or crafted manifest must never make
either touch a file outside the archive, so every path in it is checked before it is believed."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import __version__
from .project import Project

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(Exception):
    """A manifest that cannot be believed; the message names the file and what is wrong."""


@dataclass
class Entry:
    """One record in the archive: where it came from, what it was made from, what it made."""

    source: str  # the record's path relative to the project root
    reference: str
    term: str
    status: str
    inputs: str  # fingerprint of everything the outputs were made from
    outputs: list[dict[str, Any]] = field(default_factory=list)  # path, sha256, size
    documents: list[str] = field(default_factory=lambda: ["decision"])  # decision, spec

    def as_json(self) -> dict[str, Any]:
        return {"reference": self.reference, "source": self.source, "term": self.term, "status": self.status,
                "documents": self.documents, "inputs": self.inputs, "outputs": self.outputs}


def safe_relative(text: Any) -> bool:
    """A path that stays inside the folder it is relative to, whatever the folder holds:
    relative, no '..', no empty or '.' parts, no backslashes or control characters."""
    if not isinstance(text, str) or not text or "\\" in text or any(ord(c) < 32 for c in text):
        return False
    path = PurePosixPath(text)
    return not path.is_absolute() and text == path.as_posix() and all(part not in ("", ".", "..") for part in path.parts)


def inside(folder: Path, relative: str) -> Path | None:
    """folder/relative, if it resolves inside folder (no symbolic link leads out); else None."""
    if not safe_relative(relative):
        return None
    target = folder / relative
    try:
        target.parent.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return None
    return target


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise ManifestError(f"{where} is not a record entry")
    texts = {}
    for key in ("source", "reference", "term", "status", "inputs"):
        value = item.get(key)
        if not isinstance(value, str):
            raise ManifestError(f"{where}.{key} is missing or not text")
        texts[key] = value
    if not safe_relative(texts["source"]):
        raise ManifestError(f"{where}.source {texts['source']!r} is not a path inside the project")
    outputs = item.get("outputs")
    if not isinstance(outputs, list):
        raise ManifestError(f"{where}.outputs is missing or not a list")
    for index, output in enumerate(outputs):
        at = f"{where}.outputs[{index}]"
        if not isinstance(output, dict) or set(output) != {"path", "sha256", "size"}:
            raise ManifestError(f"{at} is not {{path, sha256, size}}")
        if not safe_relative(output["path"]):
            raise ManifestError(f"{at}.path {output['path']!r} is outside the archive")
        if not isinstance(output["sha256"], str) or not _SHA256.fullmatch(output["sha256"]):
            raise ManifestError(f"{at}.sha256 is not a SHA-256")
        if not isinstance(output["size"], int) or isinstance(output["size"], bool) or output["size"] < 0:
            raise ManifestError(f"{at}.size is not a size in bytes")
    documents = item.get("documents", ["decision"])
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise ManifestError(f"{where}.documents is not a list of document names")
    return Entry(texts["source"], texts["reference"], texts["term"], texts["status"], texts["inputs"], outputs, documents)


def read_manifest(path: Path) -> dict[str, Entry]:
    """The manifest's entries by source; {} when there is none yet.

    Raises ManifestError for one that is damaged or names a path outside the archive."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"{path}: damaged manifest (not JSON: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ManifestError(f"{path}: damaged manifest (no list of records)")
    entries: dict[str, Entry] = {}
    try:
        for index, item in enumerate(data["records"]):
            entry = _entry(item, f"records[{index}]")
            entries[entry.source] = entry
    except ManifestError as exc:
        raise ManifestError(f"{path}: damaged manifest: {exc}") from None
    return entries


def manifest_text(entries: dict[str, Entry], shard: str | None = None) -> str:
    """The manifest, one record a line: a diff of two builds shows each changed record once,
    and the C JSON encoder writes it (with indent, json falls back to pure Python: 0.4 s for
    1,000 records)."""
    head: dict[str, Any] = {"engine": __version__}
    if shard:
        head["shard"] = shard
    lines = [json.dumps(entries[key].as_json(), ensure_ascii=False) for key in sorted(entries)]
    body = ",\n".join(lines)
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n' + body + ("\n" if lines else "") + "]}\n"


def merge_manifests(paths: Sequence[Path]) -> str:
    """One manifest from the manifests of a build's shards; a missing or damaged one is an error,
    never a shard silently dropped."""
    merged: dict[str, Entry] = {}
    owners: dict[str, str] = {}  # output path -> the record that wrote it
    for path in paths:
        if not path.is_file():
            raise ManifestError(f"{path}: no such manifest")
        for key, entry in read_manifest(path).items():
            if key in merged and merged[key].as_json() != entry.as_json():
                raise ManifestError(f"{path}: {key} is also in another shard's manifest, with other outputs")
            merged[key] = entry
            for output in entry.outputs:
                owner = owners.setdefault(output["path"], key)
                if owner != key:  # two records of different shards made the same papers
                    raise ManifestError(f"{path}: {key} and {owner} both wrote {output['path']}: "
                                        "give each record its own reference, then build again")
    return manifest_text(merged)


# --- fingerprints: what a record's papers are made from -------------------------------------------


def _digest(paths: Sequence[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(os.path.relpath(path, root).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def engine_fingerprint() -> str:
    """The engine's version and its source: a code change rebuilds, even without a new version."""
    package = Path(__file__).parent
    return f"{__version__}+{_digest(list(package.rglob('*.py')), package)[:16]}"


@dataclass(frozen=True)
class Fingerprints:
    """What a record's papers are made from besides the record: `shared` covers the engine's
    code, office.yaml and the templates every document uses (the preview page, shared parts);
    `documents` each document's own templates, so that changing the specification's template
    rebuilds only the records that have a specification."""

    shared: str
    documents: dict[str, str]

    def inputs(self, record: bytes, documents: Sequence[str]) -> str:
        h = hashlib.sha256(self.shared.encode() + b"\0" + record)
        for document in sorted(documents):
            h.update(f"\0{document}:{self.documents[document]}".encode())
        return h.hexdigest()


def fingerprints(project: Project, documents: Sequence[str]) -> Fingerprints:
    """The shared part covers the engine, office.yaml, the files it names (the logo) and the
    templates beside the documents' folders; each document's part its own folder, all of it."""
    def files(folder: Path, deep: bool) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in (folder.rglob("*") if deep else folder.glob("*")) if p.is_file())

    folders = {document: project.templates(document) for document in documents}
    shared = {p for folder in folders.values() for p in files(folder.parent, deep=False)}
    if project.office.logo is not None and (project.root / project.office.logo).is_file():
        shared.add(project.root / project.office.logo)
    office = project.office_path.read_bytes().hex()
    return Fingerprints(
        hashlib.sha256(f"{engine_fingerprint()}\0{office}\0{_digest(sorted(shared), project.root)}".encode()).hexdigest(),
        {document: _digest(files(folder, deep=True), project.root) for document, folder in folders.items()},
    )
