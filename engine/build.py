"""The archive build: every record's papers into build/, incremental, parallel, reproducible.

    build/<term>/<reference>/<reference>.{docx,pdf,html,preview.html}
    build/manifest.json

The manifest is also the build's memory: each record's entry holds the fingerprint of its
inputs (record bytes, office configuration, its templates, engine source), so a rebuild with nothing
changed reads no YAML and renders nothing. It is rewritten (atomically) after every batch, so an
interrupted build loses at most the batch in flight and the next build completes the work."""

from __future__ import annotations

import hashlib
import os
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .manifest import MANIFEST, Entry, manifest_text, read_manifest
from .model import Decision
from .papers import DOCUMENTS, FORMATS, Paper, convert_pdfs, documents_of, render_sources
from .project import Project
from .records import clashes, find_records, read_record, term_and_reference
from .render.pdf import Converter, ProfilePool
from .writing import write_atomic

BATCH = 100  # papers a LibreOffice start converts; starting costs about a second


def paper_folder(project: Project, decision: Decision, out: Path) -> Path:
    """build/2021-2024/pcc-d-102/: the term, then the reference, lower-cased."""
    return out / project.office.place_of(decision.date, decision.reference)


def profile_pool(project: Project) -> ProfilePool:
    return ProfilePool(project.root / "build" / ".cache" / "libreoffice")


def file_stem(paper: Paper, name: str) -> str:
    """pcc-d-102 for the decision paper, pcc-d-102-spec for its specification."""
    return name if paper.document == "decision" else f"{name}-{paper.document}"


def write_paper(paper: Paper, folder: Path, formats: Sequence[str], stem: str) -> list[tuple[Path, bytes]]:
    """Write a paper's files (temp file, then rename each); returns each path with its bytes."""
    written = []
    for suffix, data in sorted(paper.files.items()):
        if suffix.rsplit(".", 1)[-1] in formats:
            path = folder / f"{stem}.{suffix}"
            write_atomic(path, data)
            written.append((path, data))
    return written


def render_papers(decisions: Sequence[Decision], project: Project, formats: Sequence[str], out: Path,
                  flat: bool = False, document: str = "decision") -> list[tuple[Paper, list[Path]]]:
    """Render and write each decision's papers in the given formats; returns each paper with the
    files written (none for a paper that failed: its error says why).

    flat: write straight into out rather than into the archive layout under it."""
    papers = [render_sources(d, project, formats, document=document) for d in decisions]
    if "pdf" in formats:
        with profile_pool(project).lease() as lease:
            convert_pdfs(papers, project, Converter.leased(lease))
    written = []
    for paper in papers:
        files: list[Path] = []
        if paper.error is None:
            folder = paper_folder(project, paper.decision, out)
            files = [path for path, _ in write_paper(paper, out if flat else folder, formats, file_stem(paper, folder.name))]
        written.append((paper, files))
    return written


# --- fingerprints ---------------------------------------------------------------------------------


def _digest(paths: Sequence[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
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


def fingerprints(project: Project, office_path: Path) -> Fingerprints:
    def files(folder: Path) -> list[Path]:
        return sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []

    folders = {document: project.templates(document) for document in DOCUMENTS}
    shared = sorted({p for folder in folders.values() for p in files(folder.parent)})
    return Fingerprints(
        hashlib.sha256(f"{engine_fingerprint()}\0{office_path.read_bytes().hex()}\0{_digest(shared, project.root)}".encode()).hexdigest(),
        {document: _digest(files(folder), project.root) for document, folder in folders.items()},
    )


def _outputs_intact(entry: Entry, out: str) -> bool:
    for output in entry.outputs:
        try:
            if os.stat(f"{out}/{output['path']}").st_size != output["size"]:
                return False
        except OSError:
            return False
    return bool(entry.outputs)


# --- the build ----------------------------------------------------------------------------------


@dataclass
class Failure:
    source: str
    reason: str


@dataclass
class Summary:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"built": len(self.built), "reused": len(self.reused), "failed": [f.__dict__ for f in self.failed],
                "removed": len(self.removed), "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        return (f"built {len(self.built)}, reused {len(self.reused)}, failed {len(self.failed)}, "
                f"removed {len(self.removed)} in {self.seconds:.1f} s")


def in_shard(source: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    number, count = shard
    return zlib.crc32(source.encode()) % count == number - 1


@dataclass
class _Job:
    """A batch of records for one worker: render, convert in one LibreOffice start, write."""

    office_path: Path
    out: Path
    sources: list[str]  # relative to the project
    fingerprints: Fingerprints


def _run_job(job: _Job) -> list[tuple[str, Entry | Failure]]:
    project = Project.load(job.office_path)
    results: list[tuple[str, Entry | Failure]] = []
    papers: list[tuple[str, str, list[Paper]]] = []
    for source in job.sources:
        record = read_record(project.root / source, project.office)  # checked clean before the job
        kinds = documents_of(record.decision)
        inputs = job.fingerprints.inputs((project.root / source).read_bytes(), kinds)
        try:
            documents = [render_sources(record.decision, project, FORMATS, document=d) for d in kinds]
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the others
            results.append((source, Failure(source, _reason(exc))))
            continue
        papers.append((source, inputs, documents))
    every = [paper for _, _, documents in papers for paper in documents]
    if every:
        try:
            with profile_pool(project).lease() as lease:
                convert_pdfs(every, project, Converter.leased(lease))
        except Exception as exc:  # noqa: BLE001 - e.g. LibreOffice missing: every paper fails
            for paper in every:
                paper.error = _reason(exc)
    for source, inputs, documents in papers:
        failed = [p.error for p in documents if p.error]
        if failed:
            results.append((source, Failure(source, failed[0])))
            continue
        decision = documents[0].decision
        folder = paper_folder(project, decision, job.out)
        outputs = []
        try:
            for paper in documents:
                for path, data in write_paper(paper, folder, FORMATS, file_stem(paper, folder.name)):
                    outputs.append({"path": path.relative_to(job.out).as_posix(),
                                    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        except OSError as exc:
            results.append((source, Failure(source, f"cannot write {exc.filename}: {exc.strerror}")))
            continue
        outputs.sort(key=lambda o: o["path"])
        results.append((source, Entry(source, decision.reference, folder.parent.name, decision.status.value, inputs, outputs,
                                      [p.document for p in documents])))
    return results


def _reason(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return str(problems[0])
    return str(exc) or type(exc).__name__


def _chunks(items: list[Any], jobs: int) -> Iterator[list[Any]]:
    size = max(1, min(BATCH, -(-len(items) // jobs)))
    for start in range(0, len(items), size):
        yield items[start:start + size]


def build(project: Project, office_path: Path, out: Path, jobs: int = 1, force: bool = False,
          shard: tuple[int, int] | None = None, progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Build the archive; see the module's docstring."""
    started = time.perf_counter()
    summary = Summary()
    manifest_path = out / MANIFEST
    out.mkdir(parents=True, exist_ok=True)
    lock = _exclusive(out)
    in_progress = out / ".build-in-progress"
    if in_progress.exists():  # the last build was killed: sweep its temporary files
        _remove_leftovers(out)
    in_progress.touch()
    previous = read_manifest(manifest_path)
    prints = fingerprints(project, office_path)
    sources = [p.relative_to(project.root).as_posix() for p in find_records([project.records])]
    sources = [s for s in sources if in_shard(s, shard)]

    entries: dict[str, Entry] = {}
    todo: list[str] = []
    for source in sources:
        old = previous.get(source)
        # The documents the record had: a record that gains or loses one has changed anyway.
        if (not force and old is not None and old.inputs == prints.inputs((project.root / source).read_bytes(), old.documents)
                and _outputs_intact(old, str(out))):
            entries[source] = old
            summary.reused.append(source)
        else:
            todo.append(source)

    shard_text = f"{shard[0]}/{shard[1]}" if shard else None
    done = 0

    def absorb(results: list[tuple[str, Entry | Failure]], save: bool = True) -> None:
        nonlocal done
        for source, result in results:
            done += 1
            if isinstance(result, Failure):
                summary.failed.append(result)
                if source in previous:  # keep the last good papers, and know them as ours
                    entries[source] = previous[source]
            else:
                entries[source] = result
                summary.built.append(source)
            if progress:
                progress(done, len(todo), source)
        if save:
            write_atomic(manifest_path, manifest_text({**_kept(previous, sources), **entries}, shard_text).encode())

    # Check changed records here, before any rendering: a bad record fails alone, and two records
    # with one reference in one term must not overwrite each other's folder.
    valid, failures = _validate(project, todo, entries)
    absorb(failures, save=False)
    batches = [_Job(office_path, out, chunk, prints) for chunk in _chunks(valid, jobs)]

    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            absorb(_run_job(batch))
    elif batches:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for future in as_completed([pool.submit(_run_job, b) for b in batches]):
                absorb(future.result())

    summary.removed = _remove_deleted(previous, entries, sources, out, shard)
    if summary.built or summary.failed or summary.removed or set(previous) != set(entries) or not manifest_path.exists():
        write_atomic(manifest_path, manifest_text(entries, shard_text).encode())
    in_progress.unlink()
    lock.close()
    summary.failed.sort(key=lambda f: f.source)
    summary.seconds = time.perf_counter() - started
    return summary


def _exclusive(out: Path) -> Any:
    """One build at a time in an archive folder: a second one would race the first's renames."""
    import fcntl

    lock = open(out / ".build.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise BuildBusy(f"another build is running in {out}; wait for it, or build into another folder with --out") from None
    return lock


class BuildBusy(Exception):
    """Another build holds the archive folder."""


def _remove_leftovers(out: Path) -> None:
    """Temporary files of a build that was killed before it could rename them."""
    if out.is_dir():
        for leftover in out.rglob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def _kept(previous: dict[str, Entry], sources: list[str]) -> dict[str, Entry]:
    """While a build runs, the manifest keeps the old entries of records still to be done."""
    present = set(sources)
    return {k: v for k, v in previous.items() if k in present}


def _validate(project: Project, todo: list[str], reused: dict[str, Entry]
              ) -> tuple[list[str], list[tuple[str, Entry | Failure]]]:
    valid: list[tuple[str, tuple[str, str]]] = []
    failures: list[tuple[str, Entry | Failure]] = []
    for source in todo:
        record = read_record(project.root / source, project.office)
        errors = [p for p in record.problems if p.severity.value == "error"]
        if record.decision is None or errors:
            more = f" (and {len(errors) - 1} more: run `decisions check {source}`)" if len(errors) > 1 else ""
            failures.append((source, Failure(source, f"{errors[0]}{more}")))
            continue
        valid.append((source, term_and_reference(record.decision, project.office)))
    reused_keys = [(source, (entry.term, entry.reference)) for source, entry in reused.items()]
    found = clashes(reused_keys + valid)
    clean = []
    for source, key in valid:
        if source in found:
            others = ", ".join(str(o) for o in found[source])
            failures.append((source, Failure(source, f"{key[1]} is used in the {key[0]} term by {others} too")))
        else:
            clean.append(source)
    return clean, failures


def _remove_deleted(previous: dict[str, Entry], entries: dict[str, Entry], sources: list[str], out: Path,
                    shard: tuple[int, int] | None) -> list[str]:
    """Remove the papers of records that are gone (or whose outputs moved, e.g. a new reference)."""
    keep = {o["path"] for e in entries.values() for o in e.outputs}
    removed = []
    for source, entry in previous.items():
        if not in_shard(source, shard):
            continue
        stale = [o["path"] for o in entry.outputs if o["path"] not in keep]
        for path in stale:
            target = out / path
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            for folder in (target.parent, target.parent.parent):
                try:
                    folder.rmdir()  # only if now empty
                except OSError:
                    break
        if stale and source not in entries:
            removed.append(source)
    return removed
