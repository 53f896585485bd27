"""A decision's papers: the Word, PDF and web files rendered from one record.

Rendering is split in two so that a build can convert many papers in one LibreOffice batch:
`render_sources` makes the .docx and HTML (fast, in Python), `convert_pdfs` turns .docx files
into finished PDFs."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .model import Decision
from .project import Project
from .render.context import document_properties, paper_context
from .render.docx import render_docx
from .render.html import render_html
from .render.pdf import ConversionError, Converter, finish_pdf

FORMATS = ("docx", "pdf", "html")


@dataclass
class Paper:
    """One decision's rendered files, by file suffix: docx, pdf, html, preview.html."""

    decision: Decision
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None


def render_sources(decision: Decision, project: Project, formats: Sequence[str], public: bool = False) -> Paper:
    templates = project.templates("decision")
    context = paper_context(decision, project.office, public=public)
    paper = Paper(decision)
    if "docx" in formats or "pdf" in formats:
        paper.files["docx"] = render_docx(templates / "decision.docx", context, document_properties(decision, project.office),
                                          project.office, project.root)
    if "html" in formats:
        snippet = render_html(templates / "snippet.html.j2", context)
        paper.files["html"] = snippet.encode("utf-8")
        paper.files["preview.html"] = render_html(templates / "preview.html.j2", {**context, "snippet": Markup(snippet)}).encode("utf-8")
    return paper


def convert_pdfs(papers: Sequence[Paper], project: Project, converter: Converter) -> None:
    """Add the finished PDF to each paper that has a .docx; a failure becomes the paper's error."""
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
        else:
            paper.files["pdf"] = finish_pdf(result, document_properties(paper.decision, project.office))
