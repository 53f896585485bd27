"""The archive build against the naive pipeline, in one run, on generated three-page papers.

    .venv/bin/python benchmarks/build_speed.py [N ...]        (default: 200 1000)

For each archive size N it prints: the naive pipeline (render each record, then one
`soffice --convert-to pdf` per document; timed on a sample of papers, since it takes about a
second and a half a paper), `decisions build` cold, the no-op rebuild and the one-record
rebuild: milliseconds per paper all in, the ratio to the naive pipeline, and peak memory."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ROOT, make_archive  # noqa: E402
from engine.build import build  # noqa: E402
from engine.papers import documents_of, render_sources  # noqa: E402
from engine.project import Project  # noqa: E402
from engine.records import read_record  # noqa: E402
from engine.render.pdf import find_soffice  # noqa: E402

NAIVE_SAMPLE = 12


def project_with(folder: Path, count: int) -> Project:
    shutil.copy(ROOT / "office.yaml", folder / "office.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    make_archive(folder / "records", count)
    return Project.load(folder / "office.yaml")


def naive(project: Project, sample: int) -> tuple[float, int]:
    """Seconds a paper (a decision paper or a specification): render it, then start LibreOffice
    for that one document. Also how many papers a record has."""
    soffice = find_soffice()
    records = sorted(project.records.rglob("*.yaml"))[:sample]
    papers = 0
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        started = time.perf_counter()
        for path in records:
            decision = read_record(path, project.office).decision
            for document in documents_of(decision):
                paper = render_sources(decision, project, ["docx", "html"], document=document)
                docx = Path(tmp) / f"{path.stem}-{document}.docx"
                docx.write_bytes(paper.files["docx"])
                for suffix in ("html", "preview.html"):
                    (Path(tmp) / f"{path.stem}-{document}.{suffix}").write_bytes(paper.files[suffix])
                subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                                "--convert-to", "pdf", "--outdir", tmp, str(docx)], check=True, capture_output=True)
                papers += 1
        return (time.perf_counter() - started) / papers, papers // len(records)


def peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [200, 1000]
    jobs = os.cpu_count() or 1
    print(f"{jobs} cores; LibreOffice at {find_soffice()}; a paper is a decision paper or a specification "
          "(each generated record has both), and ms/paper counts both")
    print(f"{'records':>8} {'pipeline':<28} {'seconds':>9} {'ms/paper':>9} {'vs naive':>9}")
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = project_with(Path(tmp), count)
            per_paper, per_record = naive(project, min(NAIVE_SAMPLE, count))
            papers = count * per_record
            print(f"{count:>8} {'naive (sampled)':<28} {per_paper * papers:>9.1f} {per_paper * 1000:>9.0f} {1:>8.1f}x")

            def row(name: str, seconds: float) -> None:
                ms = seconds / papers * 1000
                print(f"{count:>8} {name:<28} {seconds:>9.2f} {ms:>9.1f} {per_paper * 1000 / ms:>8.1f}x")

            summary = build(project, jobs=jobs)
            assert not summary.failed, summary.failed[:3]
            row(f"decisions build, cold (-j{jobs})", summary.seconds)
            summary = build(project, jobs=jobs)
            assert summary.built == [] and len(summary.reused) == count
            print(f"{count:>8} {'no-op rebuild':<28} {summary.seconds:>9.3f}")
            one = next(project.records.rglob("*.yaml"))
            one.write_text(one.read_text(encoding="utf-8").replace("To note decision", "To note the decision"), encoding="utf-8")
            summary = build(project, jobs=jobs)
            assert len(summary.built) == 1
            print(f"{count:>8} {'one-record rebuild':<28} {summary.seconds:>9.2f}")
    own, children = peak_mib()
    print(f"peak memory: this process {own:.0f} MiB; largest worker or LibreOffice process {children:.0f} MiB")


if __name__ == "__main__":
    main()
