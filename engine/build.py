"""The archive build: every record's papers into the archive folder, incremental, parallel,
reproducible.

    <build>/<term>/<reference>/<reference>.{docx,pdf,internal.html,internal-preview.html}
    <build>/manifest.json

The manifest is also the build's memory: each record's entry holds the fingerprint of its
inputs (record bytes, office configuration, its templates, engine source), so a rebuild with nothing
changed reads no YAML and renders nothing. It is rewritten (atomically) after every batch, so an
interrupted build loses at most the batch in flight and the next build completes the work.

A failure belongs to one record: a record that cannot be read, checked, rendered, converted or
written fails alone, with its file named, and the others build."""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import multiprocessing
import os
import signal
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .manifest import Entry, Fingerprints, ManifestError, fingerprints, inside, manifest_text, read_manifest
from .model import Decision
from .papers import (BATCH, DOCUMENTS, FORMATS, Paper, convert_pdfs, documents_of, file_stem, paper_folder, profile_pool,
                     render_sources, write_paper)
from .problems import Severity
from .project import Project
from .records import find_records, read_record
from .render.pdf import Converter, stop_all
from .rules import output_clashes
from .writing import write_atomic


@dataclass
class RecordFailure:
    """A record that did not build, and why (a located problem already names its file)."""

    source: str
    reason: str


@dataclass
class Summary:
    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[RecordFailure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a stale lock taken over
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"built": len(self.built), "reused": len(self.reused), "failed": [f.__dict__ for f in self.failed],
                "removed": len(self.removed), "notes": self.notes, "seconds": round(self.seconds, 3)}

    def line(self) -> str:
        return (f"built {len(self.built)}, reused {len(self.reused)}, failed {len(self.failed)}, "
                f"removed {len(self.removed)} in {self.seconds:.1f} s")


def in_shard(source: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    number, count = shard
    return zlib.crc32(source.encode()) % count == number - 1


def _outputs_intact(entry: Entry, out: str) -> bool:
    """Every output the entry lists is there at its size. Sizes, not hashes: a no-op rebuild of
    a thousand records must not read every paper; publish checks hashes before reusing one."""
    for output in entry.outputs:
        try:
            if os.stat(f"{out}/{output['path']}").st_size != output["size"]:
                return False
        except OSError:
            return False
    return bool(entry.outputs)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- a worker's batch ------------------------------------------------------------------------------


@dataclass
class _Job:
    """A batch of records for one worker: render, convert in one LibreOffice start, write."""

    project: Project
    sources: dict[str, str]  # record (relative to the project) -> sha256 of the bytes that were checked
    fingerprints: Fingerprints


def _read_checked(project: Project, source: str, checked: str) -> tuple[bytes, Decision]:
    """The record's bytes and decision, if the file is still the one that was checked."""
    path = project.root / source
    data = path.read_bytes()
    if _sha256(data) != checked:
        raise _Changed()
    record = read_record(path, project.office)
    if path.read_bytes() != data:
        raise _Changed()
    errors = [p for p in record.problems if p.severity is Severity.error]
    if record.decision is None or errors:  # cannot happen unless the office changed under us
        raise _Changed()
    return data, record.decision


class _Changed(Exception):
    pass


_BUSY = False  # a worker running a batch: see _on_interrupt


def _run_job(job: _Job) -> list[tuple[str, Entry | RecordFailure]]:
    global _BUSY
    _BUSY = True
    try:
        return _run_batch(job)
    finally:
        _BUSY = False


def _on_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C reaches the build and its workers at once. A worker stops its LibreOffice first,
    whatever it is doing; a busy one then unwinds (its temporary files go), an idle one just ends
    (Python would print a traceback from the pool's queue)."""
    stop_all()
    if _BUSY:
        raise KeyboardInterrupt
    os._exit(130)


def _run_batch(job: _Job) -> list[tuple[str, Entry | RecordFailure]]:
    project = job.project
    out = project.build
    results: list[tuple[str, Entry | RecordFailure]] = []
    papers: list[tuple[str, str, list[Paper]]] = []
    for source, checked in job.sources.items():
        try:
            data, decision = _read_checked(project, source, checked)
        except _Changed:
            results.append((source, RecordFailure(source, "the record changed while the archive was being built; build again")))
            continue
        except OSError as exc:
            results.append((source, RecordFailure(source, f"cannot read the record: {exc.strerror or exc}")))
            continue
        kinds = documents_of(decision)
        try:
            documents = [render_sources(decision, project, FORMATS, document=d) for d in kinds]
        except OSError as exc:  # e.g. the office's logo is missing: say which file, not the record
            results.append((source, RecordFailure(source, f"cannot render: {exc.filename or ''}: {exc.strerror or exc}")))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the others
            results.append((source, RecordFailure(source, _reason(exc))))
            continue
        papers.append((source, job.fingerprints.inputs(data, kinds), documents))
    every = [paper for _, _, documents in papers for paper in documents]
    if every:
        try:
            with profile_pool(project).lease() as lease:
                convert_pdfs(every, project, Converter.leased(lease))
        except Exception as exc:  # noqa: BLE001 - e.g. LibreOffice missing: every paper fails
            for paper in every:
                paper.error = str(exc) or type(exc).__name__
    for source, inputs, documents in papers:
        failed = [p.error for p in documents if p.error]
        if failed:
            results.append((source, RecordFailure(source, failed[0])))
            continue
        decision = documents[0].decision
        folder = paper_folder(project, decision, out)
        outputs = []
        try:
            for paper in documents:
                for path, data in write_paper(paper, folder, FORMATS, file_stem(paper, folder.name)):
                    outputs.append({"path": path.relative_to(out).as_posix(), "sha256": _sha256(data), "size": len(data)})
        except OSError as exc:
            results.append((source, RecordFailure(source, f"cannot write {exc.filename}: {exc.strerror}")))
            continue
        outputs.sort(key=lambda o: o["path"])
        results.append((source, Entry(source, decision.reference, folder.parent.name, decision.status.value, inputs, outputs,
                                      [p.document for p in documents])))
    return results


def _reason(exc: BaseException) -> str:
    problems = getattr(exc, "problems", None)
    if problems:
        return str(problems[0])
    return f"cannot render: {exc or type(exc).__name__}"


def _chunks(items: list[Any], jobs: int) -> Iterator[list[Any]]:
    size = max(1, min(BATCH, -(-len(items) // jobs)))
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _worker_start(parent: int, lock_fd: int) -> None:
    """Each worker dies with the build: a worker that outlived a killed build would go on
    writing into the archive, and would keep the build's lock held for ever. The pool forks
    (see _build), so the worker's parent is the build itself."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the lock's owner check below still holds
        pass
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, _on_interrupt)
    try:
        os.close(lock_fd)  # the lock is the build's, not the worker's
    except OSError:
        pass


# --- the build -----------------------------------------------------------------------------------


def build(project: Project, jobs: int = 1, force: bool = False, shard: tuple[int, int] | None = None,
          progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Build the archive into project.build; see the module's docstring.

    Raises BuildBusy when another build holds the folder, ManifestError for a damaged manifest."""
    started = time.perf_counter()
    summary = Summary()
    project.check_build_dir()
    project.build.mkdir(parents=True, exist_ok=True)
    lock = _exclusive(project.build, summary.notes)
    try:
        _build(project, jobs, force, shard, progress, summary, lock)
    finally:
        lock.seek(0)
        lock.truncate()  # released: the pid of a finished build must never look like a dead owner's
        lock.close()
    summary.failed.sort(key=lambda f: f.source)
    summary.seconds = time.perf_counter() - started
    return summary


def _build(project: Project, jobs: int, force: bool, shard: tuple[int, int] | None,
           progress: Callable[[int, int, str], None] | None, summary: Summary, lock: IO[str]) -> None:
    out = project.build
    manifest_path = project.manifest
    previous = read_manifest(manifest_path)
    in_progress = out / ".build-in-progress"
    if in_progress.exists():  # the last build was killed: sweep its temporary files
        _remove_leftovers(project)
    in_progress.touch()
    prints = fingerprints(project, list(DOCUMENTS))
    sources = [p.relative_to(project.root).as_posix() for p in find_records([project.records])]
    sources = [s for s in sources if in_shard(s, shard)]

    entries: dict[str, Entry] = {}
    todo: list[str] = []
    for source in sources:
        old = previous.get(source)
        # The documents the record had: a record that gains or loses one has changed anyway.
        try:
            unchanged = (not force and old is not None and _outputs_intact(old, str(out))
                         and old.inputs == prints.inputs((project.root / source).read_bytes(), old.documents))
        except OSError:
            unchanged = False  # unreadable now: checking it says why
        if unchanged:
            entries[source] = old  # type: ignore[assignment]
            summary.reused.append(source)
        else:
            todo.append(source)

    shard_text = f"{shard[0]}/{shard[1]}" if shard else None
    done = 0
    # Check changed records here, before any rendering: a bad record fails alone, and two records
    # that would write one folder must not overwrite each other's papers.
    valid, failures = _validate(project, todo, entries, previous)
    for source, _ in failures:
        if source in summary.reused:  # an unchanged record that clashes with a changed one
            summary.reused.remove(source)
            entries.pop(source)
    total = len(valid) + len(failures)

    def absorb(results: list[tuple[str, Entry | RecordFailure]], save: bool = True) -> None:
        nonlocal done
        for source, result in results:
            done += 1
            if isinstance(result, RecordFailure):
                summary.failed.append(result)
                if source in previous:  # keep the last good papers, and know them as ours
                    entries[source] = previous[source]
            else:
                entries[source] = result
                summary.built.append(source)
            if progress:
                progress(done, total, source)
        if save:
            write_atomic(manifest_path, manifest_text({**_kept(previous, sources), **entries}, shard_text).encode())

    absorb(failures, save=False)
    batches = [_Job(project, dict(chunk), prints) for chunk in _chunks(list(valid.items()), jobs)]

    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            absorb(_run_job(batch))
    elif batches:
        # fork, whatever the platform's default (forkserver from Python 3.14): the workers are the
        # build's own children, so they die with it, and start without re-importing the engine.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_worker_start, initargs=(os.getpid(), lock.fileno())) as pool:
            futures: dict[Future[list[tuple[str, Entry | RecordFailure]]], _Job] = {pool.submit(_run_job, b): b for b in batches}
            for future in as_completed(futures):
                try:
                    results = future.result()
                except BrokenProcessPool:
                    reason = "the worker building it stopped unexpectedly (out of memory?); build again"
                    results = [(s, RecordFailure(s, reason)) for s in futures[future].sources]
                absorb(results)

    summary.removed = _remove_deleted(previous, entries, sources, out, shard)
    if summary.built or summary.failed or summary.removed or set(previous) != set(entries) or not manifest_path.exists():
        write_atomic(manifest_path, manifest_text(entries, shard_text).encode())
    in_progress.unlink()


class BuildBusy(Exception):
    """Another build holds the archive folder."""


def _exclusive(out: Path, notes: list[str]) -> IO[str]:
    """One build at a time in an archive folder: a second one would race the first's renames.

    The lock file names the build that holds it. A build killed with -9 releases its lock when it
    dies (its workers die with it and never hold the lock); if something it left still holds the
    lock, the lock is stale: those processes are stopped and the lock taken over, with a note."""

    path = out / ".build.lock"
    # Never through a link: the pid is written into the lock file.
    lock = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644), "r+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner, holders = _owner(lock), _holders(path)
        if _stale(owner, holders):
            # A build that has just taken the lock writes its pid at once: give it a moment, so
            # that the pid left by a killed build is never taken for the new build's.
            time.sleep(1)
            owner = owner if _owner(lock) == owner else ""
        if not _stale(owner, holders):
            lock.close()
            raise BuildBusy(f"another build is running in {out}; wait for it, or build into another folder with --build-dir") from None
        for pid in holders:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    lock.close()
                    raise BuildBusy(f"the lock in {out} is held by processes that will not stop: {sorted(holders)}") from None
                time.sleep(0.05)
        notes.append(f"took over the lock of build {owner}, which is no longer running (stopped {len(holders)} leftover process(es))")
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def _owner(lock: IO[str]) -> str:
    """The pid the lock file names ("" if none); a few bytes at most, whatever the file holds."""
    lock.seek(0)
    return lock.read(32).strip()


def _stale(owner: str, holders: set[int]) -> bool:
    """Stale: the build that wrote its pid is gone, and something it left still holds the lock.
    A build whose pid is not (yet) written is running."""
    return owner.isdigit() and not _alive(int(owner)) and bool(holders)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _holders(path: Path) -> set[int]:
    """The processes (other than this one) that have the lock file open (Linux /proc)."""
    target = str(path.resolve())
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == target:
                    found.add(int(proc.name))
                    break
        except OSError:
            continue
    return found


def _remove_leftovers(project: Project) -> None:
    """Temporary files of a build that was killed before it could rename them: in the term
    folders only, never in the site or the caches, which a running publish may be writing."""
    for term in project.office.terms:
        folder = project.build / term.name
        if folder.is_dir() and not folder.is_symlink():
            for leftover in folder.rglob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def _kept(previous: dict[str, Entry], sources: list[str]) -> dict[str, Entry]:
    """While a build runs, the manifest keeps the old entries of records still to be done."""
    present = set(sources)
    return {k: v for k, v in previous.items() if k in present}


def _validate(project: Project, todo: list[str], reused: dict[str, Entry], previous: dict[str, Entry]
              ) -> tuple[dict[str, str], list[tuple[str, Entry | RecordFailure]]]:
    """The records to build (with the sha256 of the bytes checked), and the failures: records
    with errors, and every record that would write the same folder as another. The others are
    the records checked now, the unchanged ones, and the failing ones whose last good papers
    stay in the archive; all in a clash fail, since which one is meant is for a person to say."""
    valid: dict[str, str] = {}
    places: list[tuple[str, str]] = []
    failures: list[tuple[str, Entry | RecordFailure]] = []
    for source in todo:
        path = project.root / source
        try:
            data = path.read_bytes()
        except OSError as exc:
            failures.append((source, RecordFailure(source, f"cannot read the record: {exc.strerror or exc}")))
            continue
        record = read_record(path, project.office)
        errors = [p for p in record.problems if p.severity is Severity.error]
        if record.decision is None or errors:
            more = f" (and {len(errors) - 1} more: run `decisions check {source}`)" if len(errors) > 1 else ""
            failures.append((source, RecordFailure(source, f"{errors[0].named(Path(source))}{more}")))
            continue
        valid[source] = _sha256(data)
        places.append((source, project.office.place_of(record.decision)))
    kept = {**{s: previous[s] for s, _ in failures if s in previous}, **reused}
    places += [(source, _place_of(entry)) for source, entry in kept.items() if entry.outputs]
    for source, others in output_clashes(places).items():
        if source in valid or source in reused:
            valid.pop(source, None)
            failures.append((source, RecordFailure(source, f"writes the same papers as {', '.join(others)}: give each record its own reference")))
    return valid, failures


def _place_of(entry: Entry) -> str:
    """2021-2024/pcc-d-102: the folder of a record's papers, from what the manifest says it wrote."""
    return Path(entry.outputs[0]["path"]).parent.as_posix()


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
            target = inside(out, path)
            if target is None:  # read_manifest refuses such paths; never delete outside the archive
                continue
            target.unlink(missing_ok=True)
            for folder in (target.parent, target.parent.parent):
                if folder == out:
                    break
                try:
                    folder.rmdir()  # only if now empty
                except OSError:
                    break
        if stale and source not in entries:
            removed.append(source)
    return removed


__all__ = ["BuildBusy", "ManifestError", "RecordFailure", "Summary", "build", "in_shard"]
