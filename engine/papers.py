"""A decision's papers: the Word, PDF and web files rendered from one record.

Rendering is split in two so that a build can convert many papers in one LibreOffice batch:
`render_sources` makes the .docx and HTML (fast, in Python), `convert_pdfs` turns .docx files
into finished PDFs."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .manifest import read_manifest
from .model import Decision
from .office import Office
from .project import Project
from .render.context import document_properties, paper_context, spec_context, spec_properties
from .render.docx import render_docx
from .render.html import render_html
from .render.pdf import ConversionError, Converter, finish_pdf
from .writing import write_atomic

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


class KnownPdfs:
    """Finished PDFs by the sha256 of the .docx they were made from. The same .docx always
    makes the same PDF, so one made before need not be made again: `publish` finds the
    build's PDFs through its manifest (a public paper with nothing confidential is the same
    .docx as the build's), and keeps those it makes itself in `folder`."""

    def __init__(self, folder: Path, manifest: Path | None = None):
        self.folder = folder
        self.known: dict[str, Path] = {}
        self.used: set[str] = set()
        if manifest is not None and manifest.exists():
            for entry in read_manifest(manifest).values():
                by_path = {o["path"]: o for o in entry.outputs}
                for path, output in by_path.items():
                    pdf = by_path.get(path[: -len(".docx")] + ".pdf") if path.endswith(".docx") else None
                    if pdf is not None:
                        self.known[output["sha256"]] = manifest.parent / pdf["path"]

    def get(self, docx: bytes) -> bytes | None:
        key = hashlib.sha256(docx).hexdigest()
        self.used.add(key)
        for path in (self.known.get(key), self.folder / f"{key}.pdf"):
            if path is not None and path.is_file():
                return path.read_bytes()
        return None

    def put(self, docx: bytes, pdf: bytes) -> None:
        write_atomic(self.folder / f"{hashlib.sha256(docx).hexdigest()}.pdf", pdf)

    def forget_unused(self) -> None:
        """Drop the kept PDFs this run did not ask for: their papers changed or went."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.pdf"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)


def convert_pdfs(papers: Sequence[Paper], project: Project, converter: Converter, known: KnownPdfs | None = None) -> None:
    """Add the finished PDF to each paper that has a .docx; a failure becomes the paper's error."""
    if known is not None:
        todo = []
        for paper in papers:
            pdf = known.get(paper.files["docx"])
            if pdf is None:
                todo.append(paper)
            else:
                paper.files["pdf"] = pdf
        convert_pdfs(todo, project, converter)
        for paper in todo:
            if "pdf" in paper.files:
                known.put(paper.files["docx"], paper.files["pdf"])
        return
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
            paper.files["pdf"] = finish_pdf(result, paper.properties(project.office))
