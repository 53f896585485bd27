"""`decisions serve`: the officers' editor, a small web application on the officer's own machine.

Pages: the records (search and filters in the address), a record's form with its problems
beside each field and its paper previewed as it will print (internal, with Part 2 banded, and
public), its Word and PDF papers, and the steps of its life (submit, approve). Every change is a
POST carrying the session's token (the same one the page was given, in a SameSite cookie and in
the form): a page on another site cannot make one. A record is named by its place among the
records the archive holds, never by a path the request makes up. Saving writes the file through
engine/record_file.py, which keeps the officer's comments and layout, and refuses to overwrite
a file changed on disk since it was opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..problems import Problem, RecordError, Severity, printable
from ..project import Project
from ..records import Record, check_text, read_record, record_files
from ..schema import schema_data
from ..yaml_source import read_yaml
from .form import Form, apply_op, changed_only, focus_after, focused, id_of

HERE = Path(__file__).parent
COOKIE = "decisions_editor"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_FORM_FIELDS = 20_000  # a long paper has a few hundred; a form of more is not one of ours
MAX_BODY = 4_000_000
log = logging.getLogger("decisions.serve")


class Refused(Exception):
    """A request the editor does not act on: the message says why, for the officer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Listed:
    """A record as the list shows it."""

    place: str  # its path under records/, as posix: the only way a request names a record
    path: Path
    reference: str
    subject: str
    status: str
    term: str
    kind: str
    errors: int


class Editor:
    """The editor's state: the project, its form and the session's token."""

    def __init__(self, project: Project, token: str | None = None):
        self.project = project
        self.token = token or secrets.token_urlsafe(32)
        self.form = Form(schema_data(project.office))
        self.pages = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                                 trim_blocks=True, lstrip_blocks=True)
        self.pages.globals["today"] = dt.date.today
        self.converting = threading.Lock()  # one paper at a time through the editor's LibreOffice
        self.saving = threading.Lock()
        self._converter: Any = None
        self.starting = threading.Lock()

    # --- records --------------------------------------------------------------------------------

    def records(self) -> list[Listed]:
        """The archive's records, newest reference first."""

        listed = []
        root = self.project.records
        for path in self._inside(root):
            record = read_record(path, self.project.office)
            d = record.decision
            data = record.source.data if record.source is not None and isinstance(record.source.data, dict) else {}
            listed.append(Listed(path.relative_to(root).as_posix(), path,
                                 d.reference if d else str(data.get("reference", path.stem)),
                                 d.subject if d else str(data.get("subject", "")),
                                 d.status.value if d else str(data.get("status", "")),
                                 self.project.office.term_name(d) if d else "", d.kind if d else str(data.get("kind", "")),
                                 sum(p.severity is Severity.error for p in record.problems)))
        return sorted(listed, key=lambda r: r.place, reverse=True)

    def record(self, place: str) -> Path:
        """The record at place, if it is one the archive holds (never a path made up): found
        among the archive's record files, not joined to the records folder."""

        root = self.project.records
        for path in self._inside(root):
            if path.relative_to(root).as_posix() == place:
                return path
        raise Refused("no such record in this archive: go back to the list of records", 404)

    @staticmethod
    def _inside(root: Path) -> list[Path]:
        """The archive's record files that are in it, not links to files or folders elsewhere."""
        if not root.is_dir():
            return []
        real = root.resolve()
        return [path for path in record_files(root) if path.resolve().is_relative_to(real)]

    # --- checking a draft ----------------------------------------------------------------------

    def draft_text(self, path: Path, data: dict[str, Any]) -> str:
        from ..record_file import open_record, updated_text

        return updated_text(open_record(path).text, data)

    def draft(self, path: Path, data: dict[str, Any]) -> tuple[str | None, Record]:
        """The draft's text and its check; text None where the form holds what no record can
        (a control character pasted from another program): then that is the one problem, at its field."""
        from ..record_file import SaveError

        try:
            text = self.draft_text(path, data)
        except SaveError as exc:
            field, _, message = str(exc).partition(": ")
            if not _FIELD.fullmatch(field):
                field, message = "", str(exc)
            return None, Record(path, None, None, [Problem(path, 1, 1, Severity.error, field, message)])
        return text, check_text(path, text, self.project.office)

    def problems_of(self, record: Record) -> tuple[dict[str, list[str]], list[Problem]]:
        """Each field's problems, by its place (funding[0].amount), and all of them."""
        by_field: dict[str, list[str]] = {}
        for problem in record.problems:
            text = f"{problem.severity.value}: {printable(problem.message)}"
            by_field.setdefault(problem.field, []).append(text)
        return by_field, record.problems

    def preview(self, path: Path, text: str, public: bool) -> str:
        """The paper as it will print, as a web page (internal: Part 2 banded; public: without it)."""
        from ..papers import render_sources

        record = check_text(path, text, self.project.office)
        if record.decision is None:
            return ""
        try:
            paper = render_sources(record.decision, self.project, ["html"], public=public)
        except Exception as exc:  # noqa: BLE001 - a paper that cannot render says so in the preview
            return f"<p>The paper cannot be previewed yet: {printable(str(exc))}</p>"
        return paper.files["preview.html"].decode("utf-8")

    def data_of(self, path: Path) -> dict[str, Any]:
        """The record's data as the engine reads it (the form keeps what it writes out at its default)."""
        try:
            data = read_yaml(path).data
        except RecordError:
            return {}
        return data if isinstance(data, dict) else {}

    def paper(self, path: Path, text: str, what: str) -> Response:
        """The draft's Word paper, or its PDF (internal or public), to download."""
        from ..papers import convert_pdfs, file_stem, render_sources

        record = check_text(path, text, self.project.office)
        if record.decision is None:
            raise Refused("the record cannot be read yet: mend the problems the check lists first")
        public = what == "public-pdf"
        paper = render_sources(record.decision, self.project, ["docx"], public=public)
        stem = file_stem(paper, self.project.office.file_stem(record.decision.reference).lower()) + (".public" if public else "")
        if what == "docx":
            return Response(paper.files["docx"], media_type=DOCX, headers={
                **_HEADERS, "Content-Disposition": f'attachment; filename="{stem}.docx"'})
        with self.converting:
            convert_pdfs([paper], self.project, self.converter())
        if paper.error:
            raise Refused(f"the PDF could not be made: {paper.error}", 500)
        return Response(paper.files["pdf"], media_type="application/pdf", headers={
            **_HEADERS, "Content-Disposition": f'attachment; filename="{stem}.pdf"'})

    def converter(self) -> Any:
        """The editor's LibreOffice, kept running while the editor runs (a paper's PDF in some
        60 ms rather than the second a start costs: benchmarks/warm_pdf.py); where it cannot be
        kept warm, it starts for each paper, and says why once."""
        from ..papers import profile_pool
        from ..render.warm import WarmConverter

        with self.starting:
            if self._converter is None:
                self._converter = WarmConverter(profile_pool(self.project), say=lambda line: log.warning("%s", line))
            return self._converter

    def warm_up(self) -> None:
        """Start LibreOffice before the first PDF is asked for (in the background)."""
        try:
            self.converter().start()
        except Exception:  # noqa: BLE001 - the first PDF starts it, or says why not
            log.exception("LibreOffice could not be started ahead")

    def close(self) -> None:
        if self._converter is not None:
            self._converter.close()

    def page(self, name: str, **context: Any) -> HTMLResponse:
        html = self.pages.get_template(name).render(token=self.token, office=self.project.office, **context)
        return HTMLResponse(html, headers=_HEADERS)


# No page of the editor is framed by another site, nor runs a script it did not serve; the
# previews are framed by the editor itself, from srcdoc.
_HEADERS = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'; form-action 'self'; "
                                       "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def make_app(project: Project, token: str | None = None, host: str = "127.0.0.1", warm: bool = True) -> Starlette:
    """The editor for project; host, the address it listens on (a request naming any other host
    is refused: a page on another site cannot reach it by a name it makes point here); warm,
    start LibreOffice as the editor starts, for the first PDF."""
    editor = Editor(project, token)

    async def posted(request: Request) -> list[tuple[str, str]]:
        """The form, once the request has shown it comes from the editor's own page."""
        origin = request.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
            raise Refused("this change came from another site's page, and was not made", 403)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            raise Refused("the form is too large to be one record's", 413)
        try:
            form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
        except Exception:  # noqa: BLE001 - a malformed body is the sender's, and says so
            raise Refused("the form could not be read: reload the page and try again") from None
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        sent = next((v for k, v in items if k == "csrf"), "")
        cookie = request.cookies.get(COOKIE, "")
        token = editor.token.encode()
        if not (hmac.compare_digest(sent.encode("utf-8", "replace"), token)
                and hmac.compare_digest(cookie.encode("utf-8", "replace"), token)):
            raise Refused("this page is out of date (the editor was restarted): reload it; what you typed is kept in the "
                          "browser's form", 403)
        return items

    def with_cookie(response: Response) -> Response:
        response.set_cookie(COOKIE, editor.token, httponly=True, samesite="strict", path="/")
        return response

    def index(request: Request) -> Response:  # (a plain function: Starlette runs it in a thread)
        q = request.query_params.get("q", "").strip()[:200]
        chosen = {k: request.query_params.get(k, "") for k in ("status", "term", "kind")}
        records = editor.records()
        shown = [r for r in records
                 if (not q or q.casefold() in f"{r.reference} {r.subject} {r.place}".casefold())
                 and all(not v or getattr(r, k) == v for k, v in chosen.items())]
        choices = {k: sorted({getattr(r, k) for r in records if getattr(r, k)}) for k in chosen}
        return with_cookie(editor.page("index.html.j2", records=shown, total=len(records), q=q, chosen=chosen,
                                       choices=choices, kinds=project.office.all_kinds))

    async def new(request: Request) -> Response:
        from ..new import NewError, new_record

        items = dict(await posted(request))
        try:
            day = dt.date.fromisoformat(items.get("date", "") or dt.date.today().isoformat())
        except ValueError:
            raise Refused("the paper's date is a day, YYYY-MM-DD") from None
        kind = items.get("kind") or None
        try:
            path = await run_in_threadpool(new_record, project.office, project.records,
                                           project.root / "schema" / "decision.schema.json", day, kind)
        except (NewError, ValueError) as exc:  # a day past any term's, say
            raise Refused(f"no new decision: {exc}") from None
        place = path.relative_to(project.records).as_posix()
        return RedirectResponse(f"/edit?{urlencode({'record': place})}", status_code=303)

    def edit_page(path: Path, place: str, data: dict[str, Any], digest: str, message: str = "", conflict: bool = False,
                  status: int = 200, focus: str = "") -> Response:
        text, record = editor.draft(path, data)
        by_field, problems = editor.problems_of(record)
        listed = [(p, id_of(_path_of(p.field)) if p.field else "") for p in problems]
        errors = sum(p.severity is Severity.error for p in problems)
        response = editor.page("edit.html.j2", place=place, form=focused(editor.form.render(data, by_field), focus), digest=digest,
                               problems=listed, errors=errors, warnings=len(problems) - errors, message=message,
                               conflict=conflict, decision=record.decision,
                               reference=str(data.get("reference") or ""), subject=str(data.get("subject") or ""),
                               preview=editor.preview(path, text, public=False) if text else "",
                               public_preview=editor.preview(path, text, public=True) if text else "")
        response.status_code = status
        return with_cookie(response)

    def edit(request: Request) -> Response:
        place = request.query_params.get("record", "")
        path = editor.record(place)
        from ..record_file import SaveError, open_record

        try:
            opened = open_record(path)
            data = read_yaml(path).data
        except SaveError as exc:
            return editor.page("broken.html.j2", place=place, problems=[Problem(path, 1, 1, Severity.error, "", str(exc))])
        except RecordError as exc:
            return editor.page("broken.html.j2", place=place, problems=exc.problems)
        if not isinstance(data, dict):
            return editor.page("broken.html.j2", place=place, problems=[Problem(
                path, 1, 1, Severity.error, "", "not a record: a record is a list of fields (reference:, subject:, ...)")])
        return edit_page(path, place, data, opened.digest)

    async def change(request: Request) -> Response:
        """The form posted: check it (the problems and previews, as JSON for the page's script),
        redraw it after adding, removing or moving an item, save it, make its papers, or take a step."""
        items = await posted(request)
        # Rendering, checking and LibreOffice take time: a thread does them, never the server's loop.
        return await run_in_threadpool(act, items, request.headers.get("accept", "").startswith("application/json"))

    def act(items: list[tuple[str, str]], wants_json: bool) -> Response:
        try:
            return acting(items, wants_json)
        except (Refused, HTTPException):
            raise
        except Exception as exc:  # noqa: BLE001 - the officer keeps what they typed, and is told
            log.exception("the editor failed")
            fields = dict(items)
            if wants_json:
                raise
            try:
                path = editor.record(fields.get("record", ""))
                original = editor.data_of(path)
                data = changed_only(editor.form, original, editor.form.parse(items, original))
                return edit_page(path, fields.get("record", ""), data, fields.get("digest", ""), status=500, message=(
                    f"The editor could not do this ({type(exc).__name__}); nothing was saved, and what you typed is still "
                    "in the form."))
            except Exception:  # noqa: BLE001 - then the error page says so
                raise exc from None

    def acting(items: list[tuple[str, str]], wants_json: bool) -> Response:
        from ..record_file import ConflictError, SaveError, save_record

        fields = dict(items)
        place = fields.get("record", "")
        path = editor.record(place)
        original = editor.data_of(path)
        # Only what the officer changed changes: the rest is the file's own.
        data = changed_only(editor.form, original, editor.form.parse(items, original))
        op = fields.get("op", "")
        digest = fields.get("digest", "")
        if op.startswith(("add:", "remove:", "up:", "down:", "drop:")):
            data = apply_op(data, op, editor.form)
            return edit_page(path, place, data, digest, focus=focus_after(op, data))
        if op == "save":
            text, _ = editor.draft(path, data)
            if text is None:
                return edit_page(path, place, data, digest, message="Nothing was saved: mend the problem marked first.", status=400)
            try:
                with editor.saving:  # two tabs saving at once: the second sees the first's file, and is told
                    digest = save_record(path, text, digest)
            except ConflictError as exc:
                # Shown the conflict, the officer chooses: save again to keep theirs (the form now
                # carries the file's own digest), or open the file as it is now.
                from ..record_file import open_record

                try:
                    now = open_record(path).digest
                except Exception:  # noqa: BLE001 - gone or unreadable: saving again says so
                    now = digest
                return edit_page(path, place, data, now, message=str(exc), conflict=True, status=409)
            except SaveError as exc:
                return edit_page(path, place, data, digest, message=str(exc), status=400)
            return edit_page(path, place, data, digest, message=f"Saved {place}.")
        if op in ("docx", "pdf", "public-pdf"):
            text, _ = editor.draft(path, data)
            if text is None:
                return edit_page(path, place, data, digest, message="No paper: mend the problem marked first.", status=400)
            return editor.paper(path, text, op)
        if op in ("submit", "approve"):
            return step(path, place, data, digest, op, fields)
        if op == "check" and wants_json:
            text, record = editor.draft(path, data)
            by_field, problems = editor.problems_of(record)
            errors = sum(p.severity is Severity.error for p in problems)
            return JSONResponse({"fields": {id_of(_path_of(k)): v for k, v in by_field.items() if k},
                                 "errors": errors, "warnings": len(problems) - errors,
                                 "summary": editor.pages.get_template("_problems.html.j2").render(
                                     problems=[(p, id_of(_path_of(p.field)) if p.field else "") for p in problems]),
                                 "preview": editor.preview(path, text, public=False) if text else "",
                                 "public_preview": editor.preview(path, text, public=True) if text else ""}, headers=_HEADERS)
        return edit_page(path, place, data, digest)

    def step(path: Path, place: str, data: dict[str, Any], digest: str, op: str, fields: dict[str, str]) -> Response:
        """Submit or approve the record as saved: a step is taken on the file, so the form must be saved first."""
        from ..lifecycle import StepError, approve, submit
        from ..record_file import open_record

        if editor.draft(path, data)[0] != open_record(path).text:
            return edit_page(path, place, data, digest, message="Save the record first: a step is taken on the saved file.",
                             status=409)
        try:
            if op == "submit":
                done = submit(project, path)
            else:
                try:
                    day = dt.date.fromisoformat(fields.get("approve_date", ""))
                except ValueError:
                    raise StepError("give the day it was approved, YYYY-MM-DD") from None
                done = approve(project, path, fields.get("approve_by", ""), day, None, fields.get("approve_signature", ""),
                               dt.date.today())
        except StepError as exc:
            return edit_page(path, place, data, digest, message=f"Not done: {exc}", status=400)
        fresh = read_yaml(path).data
        return edit_page(path, place, fresh if isinstance(fresh, dict) else data, open_record(path).digest,
                         message=done.message[:1].upper() + done.message[1:] + ".")

    async def failed(request: Request, exc: Exception) -> Response:
        if isinstance(exc, Refused):
            status, message = exc.status, str(exc)
        elif isinstance(exc, HTTPException):
            status, message = exc.status_code, exc.detail or "not found"
        else:
            log.exception("the editor failed on %s", request.url.path)
            status, message = 500, f"the editor could not do this ({type(exc).__name__}); nothing was saved. Go back: what you typed is still in the form"
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"error": message}, status_code=status, headers=_HEADERS)
        response = editor.page("error.html.j2", message=message)
        response.status_code = status
        return response

    routes = [Route("/", index), Route("/new", new, methods=["POST"]), Route("/edit", edit),
              Route("/edit", change, methods=["POST"]),
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=editor.warm_up, daemon=True).start()
        try:
            yield
        finally:
            editor.close()  # no LibreOffice outlives the editor

    hosts = [*LOCAL_HOSTS, host] if host not in ("0.0.0.0", "::") else ["*"]
    return Starlette(routes=routes, exception_handlers={Exception: failed, Refused: failed, HTTPException: failed},
                     middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)], lifespan=lifespan)


_FIELD = re.compile(r"[a-z_]+(?:\[\d+\]|\.[a-z_]+)*")


def _path_of(field: str) -> tuple[str | int, ...]:
    """funding[0].amount -> ('funding', 0, 'amount')."""
    out: list[str | int] = []
    for part in field.replace("[", ".[").split("."):
        if not part:
            continue
        out.append(int(part[1:-1]) if part.startswith("[") and part[1:-1].isdigit() else part)
    return tuple(out)
