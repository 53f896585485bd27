"""The `decisions` command: parses arguments and calls the library; nothing more."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__
from .project import Project
from .records import RECORD_SUFFIXES
from .problems import INTERRUPTED, ConversionError, Problem, RecordError, Severity, failure_line, printable

SCHEMA_PATH = Path("schema/decision.schema.json")


class Failure(click.ClickException):
    """A one-line error for the user; the command exits 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {printable(self.format_message())}", err=True)


class Problems(click.ClickException):
    """Located problems, one a line; the command exits 1."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


class Interrupted(click.ClickException):
    exit_code = 130

    def show(self, file: Any = None) -> None:
        from .console import quiet_after_interrupt

        quiet_after_interrupt()
        click.echo(INTERRUPTED, err=True)


class Engine(click.Group):
    """The one place where errors users can cause become one clear line and exit 1, never a
    traceback: every command raises, this handler speaks."""

    def invoke(self, ctx: click.Context) -> Any:
        from .build import BuildBusy
        from .manifest import ManifestError
        from .project import ProjectError
        from .publish import PublishError

        try:
            return super().invoke(ctx)
        except RecordError as exc:
            raise Problems(exc.problems) from None
        except (ConversionError, BuildBusy, ManifestError, ProjectError, PublishError) as exc:
            raise Failure(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise Failure(f"{where}{exc.strerror or exc}") from None
        except KeyboardInterrupt:
            raise Interrupted("") from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 - the last resort: still one line, never a traceback
            if os.environ.get("DECISIONS_DEBUG"):
                raise
            raise Failure(f"unexpected {type(exc).__name__}: {exc}. This is a bug in the engine: please report it "
                          "with the command you ran (set DECISIONS_DEBUG=1 to see where it happened)") from None


class ShardType(click.ParamType):
    """--shard K/N: the Kth of N deterministic shares of the records."""

    name = "K/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            number, count = (int(part) for part in str(value).split("/"))
        except ValueError:
            self.fail(f"write the shard as K/N, e.g. 1/4, not {value!r}", param, ctx)
        if not 1 <= number <= count:
            self.fail(f"shard {number} of {count} does not exist; K runs from 1 to N", param, ctx)
        return number, count


class FormatsType(click.ParamType):
    """--format docx,pdf,html: a comma-separated choice of the paper's formats."""

    name = "FORMATS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[str]:
        from .papers import FORMATS

        if isinstance(value, list):
            return value
        wanted = [f.strip() for f in str(value).split(",") if f.strip()]
        unknown = [f for f in wanted if f not in FORMATS]
        if unknown or not wanted:
            named = ", ".join(unknown) if unknown else repr(value)
            self.fail(f"unknown format {named}; choose from {', '.join(FORMATS)}", param, ctx)
        return list(dict.fromkeys(wanted))


def here(path: Path) -> Path:
    """A path inside the current folder, written from there; any other path as it is."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def project_from(ctx: click.Context) -> Project:
    path: Path = ctx.obj["office_path"]
    if not path.exists():
        raise Failure(f"{path}: no office configuration here; run from the project folder or pass --office")
    return Project.load(path, ctx.obj["build_dir"])


@click.group(cls=Engine)
@click.version_option(__version__, prog_name="decisions")
@click.option("--office", "office_path", type=click.Path(path_type=Path), default="office.yaml", show_default=True,
              help="The office's configuration: name, references, terms, house style.")
@click.option("--build-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The archive folder: papers, manifest, site and caches (default: build/ beside office.yaml).")
@click.pass_context
def main(ctx: click.Context, office_path: Path, build_dir: Path | None) -> None:
    """Decision papers from decision records."""
    ctx.obj = {"office_path": office_path, "build_dir": build_dir}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Validate records (default: records/) and report every problem."""
    from .records import read_records

    project = project_from(ctx)
    office = project.office
    records = read_records(paths or (here(project.records),), office)
    problems: list[Problem] = [p for r in records for p in r.problems]
    errors = sum(p.severity is Severity.error for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        click.echo(json.dumps({"records": len(records), "errors": errors, "warnings": warnings,
                               "problems": [p.as_json() for p in problems]}, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        noun = "record" if len(records) == 1 else "records"
        click.echo(f"{len(records)} {noun} checked: {errors} error{'s' * (errors != 1)}, "
                   f"{warnings} warning{'s' * (warnings != 1)}")
    ctx.exit(1 if errors else 0)


@main.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The paper's date (default: today); it picks the term, the reference scheme and the period.")
@click.option("--kind", default=None, help="The kind of decision (`decisions kinds` lists them); the record starts "
              "with the facts it expects.")
@click.option("--records", "records_dir", type=click.Path(path_type=Path), default=None,
              help="The records folder (default: records/ beside office.yaml).")
@click.pass_context
def new(ctx: click.Context, day: dt.datetime | None, kind: str | None, records_dir: Path | None) -> None:
    """Start a record at the next free reference, with placeholders to fill in."""
    from .new import NewError, new_record

    project = project_from(ctx)
    try:
        path = new_record(project.office, records_dir or here(project.records), project.root / SCHEMA_PATH,
                          (day.date() if day else dt.date.today()), kind=kind, config=say(project.office_path))
    except NewError as exc:
        raise Failure(str(exc)) from None
    click.echo(say(path))


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help=f"Where to write the schema (default: {SCHEMA_PATH} beside office.yaml); - for standard output.")
@click.pass_context
def schema(ctx: click.Context, out: Path | None) -> None:
    """Write the record JSON Schema, for editors that validate and complete as officers type.

    It lists the kinds of decision, the office's own among them, so it is made from the
    project's office.yaml; without one (and without --office), from the engine's kinds alone."""
    from .schema import schema_text
    from .writing import write_atomic

    project = optional_project(ctx)
    text = schema_text(project.office if project else None)
    if out is None:
        out = here(project.root / SCHEMA_PATH) if project else SCHEMA_PATH
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(out, text.encode("utf-8"))
        click.echo(say(out))


def optional_project(ctx: click.Context) -> Project | None:
    """The project, or None where there is no office.yaml and --office was not given."""
    path: Path = ctx.obj["office_path"]
    parent = ctx.parent
    given = parent is not None and parent.get_parameter_source("office_path") is not click.core.ParameterSource.DEFAULT
    if not path.exists() and not given:
        return None
    return project_from(ctx)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def kinds(ctx: click.Context, fmt: str) -> None:
    """List the kinds of decision a record may be: the engine's and the office's own, what each
    expects and the rules only it gets."""
    from .schema import kinds_of

    project = optional_project(ctx)
    office = project.office if project else None
    known = kinds_of(office)
    own = set(office.kinds) if office else set()
    if fmt == "json":
        click.echo(json.dumps([{"kind": name, "label": k.label, "description": k.description,
                                "source": "office" if name in own else "engine",
                                "expects": [fact.split("|") for fact in k.expects], "rules": list(k.rules)}
                               for name, k in known.items()], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True)
    for column in ("kind", "label", "what it is", "expects", "rules of its own"):
        table.add_column(column, overflow="fold")

    def cell(value: str) -> Text:
        return Text(printable(value))  # as written: never read as rich markup

    for name, k in known.items():
        expects = " and ".join(" or ".join(fact.split("|")) for fact in k.expects) or "-"
        rules = ", ".join(k.rules) or "-"
        label = k.label + (" (office's own)" if name in own else "")
        table.add_row(cell(name), cell(label), cell(k.description or ""), Text(expects), cell(rules))
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120, highlight=False, emoji=False, markup=False)
    console.print("Kinds of decision", soft_wrap=True)
    console.print(table)
    console.print("Every other rule applies to every kind. Set `kind:` in a record to one of these names; "
                  "an office adds its own under `kinds:` in office.yaml.", soft_wrap=True)


def find_record(project: Project, what: str) -> Path:
    """A record's file, from its path or its reference."""
    path = Path(what)
    if what and (path.suffix in RECORD_SUFFIXES or path.exists()):
        if path.is_dir():
            raise Failure(f"{what or '.'} is a folder; give a record's file or its reference, e.g. {project.office.scheme_at(None).example}")
        return path
    stem = project.office.file_stem(what)
    matches = sorted(p for suffix in RECORD_SUFFIXES for p in project.records.rglob(f"{stem}{suffix}"))
    if not stem or not matches:
        raise Failure(f"no record {what!r} under {project.records} (looked for {stem or '?'}.yaml)")
    if len(matches) > 1:
        raise Failure(f"{what} is in more than one file: {', '.join(map(str, matches))}; give the path")
    return matches[0]


def print_problems(problems: list[Problem]) -> int:
    for problem in problems:
        click.echo(str(problem), err=True)
    return sum(p.severity is Severity.error for p in problems)


def say(path: Path) -> str:
    """A path as printed: relative to here when inside, control characters escaped."""
    return printable(str(here(path)))


@main.command()
@click.argument("record")
@click.option("--format", "formats", type=FormatsType(), default="docx,pdf,html", show_default=True,
              help="Comma-separated: docx, pdf, html.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder to write into (default: the record's folder in the archive).")
@click.option("--public", is_flag=True, help="The papers as the register would publish them, without Part 2 "
              "paragraphs or sections, at any status (written as *.public.*).")
@click.option("--document", type=click.Choice(["decision", "spec"]), default="decision", show_default=True,
              help="The decision paper, or the service specification.")
@click.pass_context
def render(ctx: click.Context, record: str, formats: list[str], out: Path | None, public: bool, document: str) -> None:
    """Render one record (REF such as PCC/D/102, or a path) to Word, PDF and HTML."""
    from .papers import render_papers
    from .records import read_records

    project = project_from(ctx)
    [loaded] = read_records([find_record(project, record)], project.office)
    if print_problems(loaded.problems) or loaded.decision is None:
        ctx.exit(1)
    assert loaded.decision is not None
    if document == "spec" and loaded.decision.specification is None:
        raise Failure(f"{loaded.path}: {loaded.decision.reference} has no specification (add `specification:` to the record)")
    if public and loaded.decision.publication.part == "part2":
        raise Failure(f"{loaded.path}: {loaded.decision.reference} is Part 2: the register publishes none of its papers, "
                      "only its reference, date, subject and the reason it is withheld")
    if out is None:
        project.check_build_dir()
    [(paper, files)] = render_papers([loaded.decision], project, formats, out or project.build, flat=out is not None,
                                     document=document, public=public)
    if paper.error:
        raise Failure(f"{loaded.path}: {paper.error}")
    for path in files:
        click.echo(say(path))


# --- a decision's steps: submit, approve (and seal), correct, withdraw/rescind/supersede ----------

_DAY = click.DateTime(["%Y-%m-%d"])


def _step(ctx: click.Context, record: str, take: Any) -> None:
    """Run one step on one record: its one line said, or its one-line reason for not."""
    from .lifecycle import StepError

    project = project_from(ctx)
    try:
        step = take(project, find_record(project, record))
    except StepError as exc:
        raise Failure(str(exc)) from None
    click.echo(f"{say(step.record)}: {printable(step.message)}")


@main.command()
@click.argument("record")
@click.pass_context
def submit(ctx: click.Context, record: str) -> None:
    """Submit a complete draft for decision (its status becomes submitted: FOR DECISION)."""
    from .lifecycle import submit as take

    _step(ctx, record, take)


@main.command()
@click.argument("record")
@click.option("--by", required=True, help="Who approved it, as the paper names them.")
@click.option("--date", "day", type=_DAY, required=True, help="The day it was approved, YYYY-MM-DD.")
@click.option("--signed-copy", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The signed paper: kept beside the record, its SHA-256 on the record.")
@click.option("--signature", default=None, help="Or how it was signed, e.g. 'Wet signed copy held at the Office of the PCC'.")
@click.pass_context
def approve(ctx: click.Context, record: str, by: str, day: dt.datetime, signed_copy: Path | None, signature: str | None) -> None:
    """Approve a decision: write the approval and seal it in records/ledger.jsonl."""
    from .lifecycle import approve as take

    _step(ctx, record, lambda project, path: take(project, path, by, day.date(), signed_copy, signature, dt.date.today()))


@main.command()
@click.argument("records", nargs=-1, required=True)
@click.option("--by", required=True, help="Who seals them (e.g. the governance officer).")
@click.pass_context
def seal(ctx: click.Context, records: tuple[str, ...], by: str) -> None:
    """Seal approved decisions the ledger does not hold yet (approved before the ledger began)."""
    from .lifecycle import seal as take

    for record in records:
        _step(ctx, record, lambda project, path: take(project, path, by, dt.date.today()))


@main.command()
@click.argument("record")
@click.option("--by", required=True, help="Who made the correction.")
@click.option("--why", required=True, help="Why: what was wrong, in a sentence.")
@click.option("--date", "day", type=_DAY, default=None, help="The day of the correction (default: today).")
@click.option("--withhold-earlier", is_flag=True,
              help="Do not publish the paper as it was before (it held what should never have been published).")
@click.pass_context
def correct(ctx: click.Context, record: str, by: str, why: str, day: dt.datetime | None, withhold_earlier: bool) -> None:
    """Record a correction to an approved decision: the changed fields, who and why, on the record
    and in the ledger. The register keeps the paper as it was before at its own address, unless
    --withhold-earlier."""
    from .lifecycle import correct as take

    _step(ctx, record, lambda project, path: take(project, path, by, why, (day.date() if day else dt.date.today()),
                                                  withhold_earlier=withhold_earlier))


@main.command("status")
@click.argument("record")
@click.argument("status", type=click.Choice(["withdrawn", "rescinded", "superseded"]))
@click.option("--by", required=True, help="Who decided it.")
@click.option("--why", required=True, help="Why, in a sentence (the register prints it).")
@click.option("--date", "day", type=_DAY, default=None, help="The day (default: today).")
@click.pass_context
def change_status(ctx: click.Context, record: str, status: str, by: str, why: str, day: dt.datetime | None) -> None:
    """Withdraw, rescind or supersede an approved decision: it stays on the record, and the
    ledger records the step."""
    from .lifecycle import change_status as take

    _step(ctx, record, lambda project, path: take(project, path, status, by, why, (day.date() if day else dt.date.today())))


_LOCAL = ("127.0.0.1", "localhost", "::1")


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Only this machine can reach the default; any other is open to the network.")
@click.pass_context
def serve(ctx: click.Context, port: int, host: str) -> None:
    """Draft and review records in a browser: a form for every field, checked as you type, the
    paper previewed, saved keeping your file's comments and layout."""
    project = project_from(ctx)
    try:
        import uvicorn

        from .serve.app import make_app
    except ImportError as exc:  # pragma: no cover - installed with the engine
        raise Failure(f"the editor needs {exc.name}: run `make build` to install it") from None
    import socket

    try:  # the address, and the port free on it, before saying where the editor is
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0] if host else None
        if family is None:
            raise OSError("give an address, e.g. 127.0.0.1")
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise Failure(f"cannot listen on {printable(host)}:{port}: {reason}") from None
    if host not in _LOCAL:
        click.echo(f"warning: listening on {printable(host)}: anyone who can reach this machine on port {port} can read and "
                   "change the records. The editor has no sign-in; use it on 127.0.0.1 unless the network is yours alone.",
                   err=True)
    click.echo(f"The editor is at http://{'localhost' if host in _LOCAL else printable(host)}:{port}/ (Ctrl+C stops it)")
    uvicorn.run(make_app(project, host=host), host=host, port=port, log_level="warning", server_header=False)


@main.group()
def templates() -> None:
    """Work with the templates."""


@templates.command("check")
@click.pass_context
def templates_check(ctx: click.Context) -> None:
    """Report every field a template uses that the record lacks, and required fields not shown."""
    from .template_check import check_templates

    project = project_from(ctx)
    problems = check_templates(project)
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"templates checked: {len(problems)} problem{'s' * (len(problems) != 1)}")
    ctx.exit(1 if problems else 0)


@main.command()
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Parallel workers (default: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild everything, whatever changed.")
@click.option("--shard", type=ShardType(), default=None, help="Build only a deterministic 1/N share of the records.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Summary format.")
@click.pass_context
def build(ctx: click.Context, jobs: int | None, force: bool, shard: tuple[int, int] | None, fmt: str) -> None:
    """Build every record's papers into the archive (--build-dir), doing only what changed."""
    from .build import build as build_archive

    project = project_from(ctx)
    with progress_reporter(fmt) as progress:
        summary = build_archive(project, jobs=jobs or os.cpu_count() or 1, force=force, shard=shard, progress=progress)
    if fmt == "json":
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        for note in summary.notes:
            click.echo(f"note: {note}", err=True)
        for failure in summary.failed:
            click.echo(f"failed: {printable(failure_line(failure.source, failure.reason))}", err=True)
        click.echo(summary.line())
    ctx.exit(1 if summary.failed else 0)


@contextlib.contextmanager
def progress_reporter(fmt: str) -> Iterator[Callable[[int, int, str], None] | None]:
    """A progress bar on a terminal; plain lines in CI logs; nothing for --format json."""
    if fmt == "json":
        yield None
        return
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      transient=True) as bar:
            task = bar.add_task("build", total=None)

            def update(done: int, total: int, source: str) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return

    def line(done: int, total: int, source: str) -> None:
        click.echo(f"[{done}/{total}] {printable(source)}", err=True)

    yield line


@main.group()
def manifest() -> None:
    """Work with build manifests."""


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Write here (default: standard output).")
def manifest_merge(manifests: tuple[Path, ...], out: Path | None) -> None:
    """Merge the manifests of a sharded build into one."""
    from .manifest import merge_manifests
    from .writing import write_atomic

    text = merge_manifests(manifests)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text.encode())
        click.echo(say(out))


@main.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The site's folder (default: site/ in the archive folder). Publishing replaces it whole, "
                   "so it must be empty, new, or one that publish wrote.")
@click.option("--to", "target", type=click.Choice(["site", "wordpress"]), default="site", show_default=True,
              help="wordpress: then put the register on the office's WordPress site (office.yaml publishing.wordpress; "
                   "the application password in DECISIONS_WORDPRESS_PASSWORD).")
@click.option("--dry-run", is_flag=True, help="With --to wordpress: say what would change on WordPress, and change nothing.")
@click.pass_context
def publish(ctx: click.Context, out: Path | None, target: str, dry_run: bool) -> None:
    """Write the public decision register: approved decisions only, nothing confidential; and,
    --to wordpress, put it on the office's WordPress site."""
    from .publish import publish as publish_site

    if dry_run and target != "wordpress":
        raise click.UsageError("--dry-run is for --to wordpress: the site itself is written to a new folder and swapped in whole")
    project = project_from(ctx)
    out = out or project.site
    summary = publish_site(project, out)
    for source, reason in summary.failed:
        click.echo(f"failed: {printable(failure_line(source, reason))}", err=True)
    for reference, day in summary.unlike:
        click.echo(f"note: {printable(reference)} is published as the engine renders it now, which differs from its papers as "
                   f"sealed on {day} (the office's house style, its templates or the engine changed since)", err=True)
    click.echo(f"{summary.line()}: {say(out)}")
    if target == "wordpress" and not summary.failed:
        _to_wordpress(project, out, dry_run)
    ctx.exit(1 if summary.failed else 0)


def _to_wordpress(project: Project, site: Path, dry_run: bool) -> None:
    from .wordpress import Client, Settings, WordPressError, push

    chosen = project.office.publishing.wordpress
    if chosen is None:
        raise Failure("office.yaml names no WordPress site: add `publishing: wordpress: {url: ..., user: ...}`")
    try:
        settings = Settings.from_environment(chosen.url, chosen.user, chosen.register_page)
        client = Client(settings.url, settings.user, settings.password)
        changes = push(site, settings, client, dry_run=dry_run, say=lambda line: click.echo(("would " if dry_run else "") + line))
    except WordPressError as exc:
        raise Failure(str(exc)) from None
    done = "would change" if dry_run else "changed"
    click.echo(f"WordPress: {done} {len(changes)} ({sum(c.verb == 'upload' for c in changes)} uploads, "
               f"{sum(c.verb != 'upload' for c in changes)} pages): {settings.url}")
