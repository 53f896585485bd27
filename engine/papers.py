"""A decision's papers: the Word, PDF and web files rendered from one record.

Rendering is split in two so that a build can convert many papers in one LibreOffice batch:
`render_sources` makes the .docx and HTML (fast, in Python), `convert_pdfs` turns .docx files
into finished PDFs."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .model import Decision
from .office import Office
from .project import Project
from .render.context import document_properties, paper_context, spec_context, spec_properties
from .render.docx import render_docx
from .render.html import render_html
from .render.pdf import ConversionError, Converter, PdfConverter, ProfilePool, finish_pdf
from .writing import write_atomic

FORMATS = ("docx", "pdf", "html")
BATCH = 100  # papers one LibreOffice start converts: a start costs about a second, a paper ~0.1 s

# The file each rendered part is written to. The web fragment and the preview page hold Part 2
# paragraphs: their names say so, so that nobody pastes them into a public page (the public
# register renders its own, without confidential content).
FILE_NAMES = {"docx": "{stem}.docx", "pdf": "{stem}.pdf", "html": "{stem}.internal.html",
              "preview.html": "{stem}.internal-preview.html"}
# `render --public`: what the register would publish, named so that it is never taken for the
# internal paper (nor the internal for it).
PUBLIC_NAMES = {"docx": "{stem}.public.docx", "pdf": "{stem}.public.pdf", "html": "{stem}.public.html",
                "preview.html": "{stem}.public-preview.html"}


# Each document a record can have: how its context and metadata are made, and its template.
DOCUMENTS: dict[str, tuple[Callable[..., dict[str, Any]], Callable[[Decision, Office], dict[str, Any]], str]] = {
    "decision": (paper_context, document_properties, "decision.docx"),
    "spec": (spec_context, spec_properties, "spec.docx"),
}


PREVIEW = "preview.html.j2"  # shared: in the templates folder above each document's


def documents_of(decision: Decision) -> list[str]:
    return ["decision", "spec"] if decision.specification else ["decision"]


@dataclass
class Paper:
    """One document's rendered files, by file suffix: docx, pdf, html, preview.html."""

    decision: Decision
    document: str = "decision"
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None

    def properties(self, office: Office) -> dict[str, Any]:
        """Title, author, subject and keywords for this document's metadata."""
        return DOCUMENTS[self.document][1](self.decision, office)


def render_sources(decision: Decision, project: Project, formats: Sequence[str], public: bool = False,
                   document: str = "decision") -> Paper:
    make_context, properties, word_template = DOCUMENTS[document]
    templates = project.templates(document)
    context = make_context(decision, project.office, public=public)
    paper = Paper(decision, document)
    if "docx" in formats or "pdf" in formats:
        paper.files["docx"] = render_docx(templates / word_template, context, properties(decision, project.office),
                                          project.office, project.root)
    if "html" in formats:
        snippet = render_html(templates / "snippet.html.j2", context)
        paper.files["html"] = snippet.encode("utf-8")
        paper.files["preview.html"] = render_html(templates / PREVIEW, {**context, "snippet": Markup(snippet)}).encode("utf-8")
    return paper


def convert_pdfs(papers: Sequence[Paper], project: Project, converter: PdfConverter) -> None:
    """Add the finished PDF to each paper that has a .docx; a failure becomes the paper's error.

    converter: a Converter (a LibreOffice start per batch) or a render.warm.WarmConverter."""
    if not papers:
        return
    with tempfile.TemporaryDirectory(prefix="decisions-docx-") as tmp:
        sources = []
        for index, paper in enumerate(papers):
            path = Path(tmp) / f"{index:06d}.docx"
            path.write_bytes(paper.files["docx"])
            sources.append(path)
        results = converter.convert(sources)
    for paper, result in zip(papers, results):
        if isinstance(result, ConversionError):
            paper.error = str(result)
            continue
        try:
            paper.files["pdf"] = finish_pdf(result, paper.properties(project.office))
        except Exception as exc:  # noqa: BLE001 - e.g. pikepdf on a PDF it cannot rewrite: this paper fails alone
            paper.error = f"cannot finish the PDF: {exc or type(exc).__name__}"


# --- where papers go -----------------------------------------------------------------------------


def paper_folder(project: Project, decision: Decision, out: Path) -> Path:
    """build/2021-2024/pcc-d-102/: the term, then the reference, lower-cased."""
    return out / project.office.place_of(decision)


def file_stem(paper: Paper, name: str) -> str:
    """pcc-d-102 for the decision paper, pcc-d-102-spec for its specification."""
    return name if paper.document == "decision" else f"{name}-{paper.document}"


def profile_pool(project: Project) -> ProfilePool:
    return ProfilePool(project.cache / "libreoffice")


def write_paper(paper: Paper, folder: Path, formats: Sequence[str], stem: str, public: bool = False) -> list[tuple[Path, bytes]]:
    """Write a paper's files (temp file, then rename each); returns each path with its bytes.

    An OSError always names the file it was writing (a full disk otherwise names none)."""
    written = []
    for part, data in sorted(paper.files.items()):
        if part.rsplit(".", 1)[-1] in formats:
            path = folder / (PUBLIC_NAMES if public else FILE_NAMES)[part].format(stem=stem)
            try:
                write_atomic(path, data)
            except OSError as exc:
                if exc.filename is None:
                    code = exc.errno or errno.EIO
                    raise OSError(code, exc.strerror or os.strerror(code), str(path)) from None
                raise
            written.append((path, data))
    return written


def render_papers(decisions: Sequence[Decision], project: Project, formats: Sequence[str], out: Path,
                  flat: bool = False, document: str = "decision", public: bool = False) -> list[tuple[Paper, list[Path]]]:
    """Render and write each decision's papers in the given formats; returns each paper with the
    files written (none for a paper that failed: its error says why).

    flat: write straight into out rather than into the archive layout under it; public: the
    papers as the register would publish them, without Part 2 content (*.public.*)."""
    papers = [render_sources(d, project, formats, public=public, document=document) for d in decisions]
    if "pdf" in formats:
        with profile_pool(project).lease() as lease:
            convert_pdfs(papers, project, Converter.leased(lease))
    written = []
    for paper in papers:
        files: list[Path] = []
        if paper.error is None:
            folder = paper_folder(project, paper.decision, out)
            files = [path for path, _ in write_paper(paper, out if flat else folder, formats, file_stem(paper, folder.name), public)]
        written.append((paper, files))
    return written
