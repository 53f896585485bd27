"""Writing papers into the archive: stable, readable paths and atomic writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .model import Decision
from .papers import Paper, convert_pdfs, render_sources
from .project import Project
from .render.pdf import Converter, ProfilePool
from .writing import write_atomic


def paper_folder(project: Project, decision: Decision, out: Path) -> Path:
    """build/2021-2024/pcc-d-102/: the term, then the reference, lower-cased."""
    term = project.office.term_of(decision.date)
    stem = project.office.references.file_stem(decision.reference).lower()
    return out / (term.name if term else "no-term") / stem


def profile_pool(project: Project) -> ProfilePool:
    return ProfilePool(project.root / "build" / ".cache" / "libreoffice")


def render_papers(decisions: Sequence[Decision], project: Project, formats: Sequence[str], out: Path,
                  flat: bool = False) -> list[tuple[Paper, list[Path]]]:
    """Render and write each decision's papers in the given formats; returns each paper with the
    files written (none for a paper whose conversion failed: its error says why).

    flat: write straight into out rather than into the archive layout under it."""
    papers = [render_sources(d, project, formats) for d in decisions]
    if "pdf" in formats:
        with profile_pool(project).lease() as profile:
            convert_pdfs(papers, project, Converter(profile))
    written = []
    for paper in papers:
        files: list[Path] = []
        if paper.error is None:
            folder = paper_folder(project, paper.decision, out)
            stem = folder.name
            folder = out if flat else folder
            for suffix, data in paper.files.items():
                if suffix.split(".")[-1] in formats or suffix in formats:
                    path = folder / f"{stem}.{suffix}"
                    write_atomic(path, data)
                    files.append(path)
        written.append((paper, files))
    return written
