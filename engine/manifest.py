"""build/manifest.json: what the archive holds, and the build's memory of what it was made from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__

MANIFEST = "manifest.json"


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


def read_manifest(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {e["source"]: Entry(e["source"], e["reference"], e["term"], e["status"], e["inputs"], e["outputs"],
                                   e.get("documents", ["decision"]))
                for e in data.get("records", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no manifest, or an unreadable one: rebuild everything


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
    """One manifest from the manifests of a build's shards."""
    merged: dict[str, Entry] = {}
    for path in paths:
        entries = read_manifest(path)
        if not entries and not path.exists():
            raise FileNotFoundError(2, "no such manifest", str(path))
        for key, entry in entries.items():
            if key in merged and merged[key].as_json() != entry.as_json():
                raise ValueError(f"{path}: {key} is also in another shard's manifest, with other outputs")
            merged[key] = entry
    return manifest_text(merged)
