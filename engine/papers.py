"""A decision's papers: the Word, PDF and web files rendered from one record.

Rendering is split in two so that a build can convert many papers in one LibreOffice batch:
`render_sources` makes the .docx and HTML (fast, in Python), `convert_pdfs` turns .docx files
into finished PDFs."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .model import Decision
from .project import Project
from .office import Office
from .render.context import document_properties, paper_context, spec_context, spec_properties
from .render.docx import render_docx
from .render.html import render_html
from .render.pdf import ConversionError, Converter, finish_pdf

FORMATS = ("docx", "pdf", "html")


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

    @property
    def properties(self) -> Callable[[Decision, Office], dict[str, Any]]:
        return DOCUMENTS[self.document][1]


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
            paper.files["pdf"] = finish_pdf(result, paper.properties(paper.decision, project.office))
