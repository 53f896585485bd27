"""Web: the HTML snippet a web editor pastes into a WordPress page, and a preview page."""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..problems import Problem, RecordError, Severity


def _line_breaks(text: str) -> Markup:
    """Escape user text and keep its line breaks."""
    return Markup("<br>\n").join(escape(line) for line in str(text).split("\n"))


@lru_cache(maxsize=8)
def environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([folder, folder.parent]),  # the document's, then shared ones
        autoescape=True,  # user text is text: '&', '<' and quotes are escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lines"] = _line_breaks
    return env


def render_html(template: Path, context: dict[str, Any]) -> str:
    """Render one HTML template from the templates folder it sits in."""
    try:
        return environment(template.parent).get_template(template.name).render(context)
    except jinja2.TemplateNotFound:
        raise RecordError([Problem(template, 1, 1, Severity.error, "", "template not found")]) from None
    except jinja2.UndefinedError as exc:
        raise RecordError([Problem(template, 1, 1, Severity.error, "", f"the template uses a field the record does not have: {exc.message}")]) from None
    except jinja2.TemplateSyntaxError as exc:
        raise RecordError([Problem(template, exc.lineno or 1, 1, Severity.error, "", f"template syntax error: {exc.message}")]) from None


class _Text(HTMLParser):
    """The words of a web page or snippet, a space where each element starts or ends; no script,
    style or template content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style", "template")
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style", "template") and self.skip > 0
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a reader sees in HTML: the search's words and `templates check`'s witnesses."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
