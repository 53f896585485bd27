"""Reading text back out of rendered papers, as a reader (or a screen reader) gets it."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pypdf

from .conftest import REFERENCE_TEXT

SITE_CHROME = {"Email the Office of the Police and Crime Commissioner", "WordPress Cookie Plugin by Real Cookie Banner"}


def published_lines() -> list[str]:
    """The published paper's lines, less the site's chrome and the bullets' dash markers."""
    lines = []
    for line in REFERENCE_TEXT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line in SITE_CHROME:
            continue
        lines.append(line.removeprefix("– "))
    return lines


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def missing_in_order(text: str, lines: list[str]) -> list[str]:
    """The lines that do not appear, word for word, after the previous line's place."""
    text = normalise(text)
    position, missing = 0, []
    for line in lines:
        found = text.find(normalise(line), position)
        if found < 0:
            missing.append(line)
        else:
            position = found + len(normalise(line))
    return missing


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.sections[0].header.paragraphs]
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            parts.append(" ".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    parts += [p.text for p in document.sections[0].footer.paragraphs]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """The body text of every page, less the running header and footer (a screen reader skips
    them as artifacts; a sentence that runs over a page break then reads whole)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = [page.extract_text().splitlines() for page in reader.pages]
    digitless = lambda line: re.sub(r"\d+", "#", line)  # noqa: E731  (Page 1 of 4, Page 2 of 4)
    while len(pages) > 1 and all(p for p in pages) and len({digitless(p[0]) for p in pages}) == 1:
        pages = [p[1:] for p in pages]
    while len(pages) > 1 and all(p for p in pages) and len({digitless(p[-1]) for p in pages}) == 1:
        pages = [p[:-1] for p in pages]
    text = "\n".join("\n".join(p) for p in pages)
    return re.sub(r"(?<=\w)-\n(?=\w)", "-", text)  # a hyphenated word broken at a line end


class _Text(HTMLParser):
    BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "div", "section", "article", "br", "ul", "dl", "title",
              "table", "tr", "th", "td"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(data: bytes) -> str:
    parser = _Text()
    parser.feed(data.decode("utf-8"))
    return "".join(parser.parts)


def read(path: Path) -> str:
    data = path.read_bytes()
    return {".docx": docx_text, ".pdf": pdf_text, ".html": html_text}[path.suffix](data)
