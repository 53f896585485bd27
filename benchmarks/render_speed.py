"""Per-paper render times for each format, and PDF conversion time per document.

    .venv/bin/python benchmarks/render_speed.py [N]     (N papers, default 30)

Baselines measured in the same run: docxtpl with a new jinja Environment per paper (no compiled
template cache), and LibreOffice started once per document rather than once per batch. The
layout's share: building the paper's elements from the office's layout, part of every render."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.archive import ROOT, make_archive  # noqa: E402
from engine.papers import render_sources  # noqa: E402
from engine.project import Project  # noqa: E402
from engine.records import read_record  # noqa: E402
from engine.render import docx as docx_renderer  # noqa: E402
from engine.render.context import document_properties, paper_context  # noqa: E402
from engine.render.pdf import Converter, finish_pdf, find_soffice  # noqa: E402


def per_paper(label: str, seconds: list[float], baseline: float | None = None) -> float:
    ms = statistics.median(seconds) * 1000
    ratio = f"   {baseline / ms:.1f}x faster than baseline" if baseline else ""
    print(f"  {label:<46} {ms:8.1f} ms{ratio}")
    return ms


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    project = Project.load(ROOT / "office.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        decisions = [read_record(p, project.office).decision for p in make_archive(Path(tmp) / "records", count)]
        render_sources(decisions[0], project, ["docx", "html"])  # warm: imports, template caches
        print(f"{count} generated three-page papers; median per paper")

        cached = per_paper("docx, compiled template reused (engine)", [timed(lambda d=d: render_sources(d, project, ["docx"])) for d in decisions])
        real = docx_renderer.ENVIRONMENT
        try:
            fresh = []
            for d in decisions:
                docx_renderer.ENVIRONMENT = docx_renderer._CachingEnvironment()  # nothing compiled yet
                fresh.append(timed(lambda d=d: render_sources(d, project, ["docx"])))
        finally:
            docx_renderer.ENVIRONMENT = real
        baseline = per_paper("docx, template compiled every time (baseline)", fresh)
        print(f"  {'':<46} {'':8}    cache: {baseline / cached:.1f}x")
        per_paper("html snippet + preview page", [timed(lambda d=d: render_sources(d, project, ["html"])) for d in decisions])
        # The layout's cost: the paper's elements from the office's layout (engine/render/
        # layout.py), a part of every docx and html render above, as a share of the docx time.
        layout = per_paper("of which: the layout's elements (paper_context)", [timed(lambda d=d: paper_context(d, project.office)) for d in decisions])
        print(f"  {'':<46} {'':8}    layout: {layout / cached:.0%} of the docx time")

        folder = Path(tmp) / "docx"
        folder.mkdir()
        papers = []
        for i, d in enumerate(decisions):
            path = folder / f"{i:04d}.docx"
            path.write_bytes(render_sources(d, project, ["docx"]).files["docx"])
            papers.append(path)
        soffice = find_soffice()
        profile = Path(tmp) / "profile"
        Converter(profile).convert(papers[:1])  # create the profile: a one-off cost
        sample = papers[: min(5, count)]
        each = [timed(lambda p=p: subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                                                  "--convert-to", "pdf", "--outdir", str(Path(tmp) / "naive"), str(p)],
                                                 check=True, capture_output=True)) for p in sample]
        one_by_one = per_paper("PDF, one LibreOffice start per document (baseline)", each)
        results: list = []
        batch = timed(lambda: results.extend(Converter(profile).convert(papers)))
        per_paper(f"PDF, one LibreOffice start for all {count} (engine)", [batch / count], one_by_one)
        finish = [timed(lambda r=r, d=d: finish_pdf(r, document_properties(d, project.office))) for r, d in zip(results, decisions)]
        per_paper("PDF metadata and reproducible bytes (pikepdf)", finish)
        print("  (the build runs one such batch per core, in parallel: see build_speed.py)")


if __name__ == "__main__":
    main()
