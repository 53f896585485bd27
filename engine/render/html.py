"""Web: the HTML snippet a web editor pastes into a WordPress page, and a preview page."""

from __future__ import annotations

from functools import lru_cache
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
