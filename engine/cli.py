"""The `decisions` command: parses arguments and calls the library; nothing more."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__
from .project import Project
from .problems import ConversionError, Problem, RecordError, Severity

SCHEMA_PATH = Path("schema/decision.schema.json")


class Failure(Exception):
    """A one-line error for the user; the command exits 1."""


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors users can cause into one clear line and exit 1, never a traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RecordError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        except (Failure, ConversionError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: files already written are whole and the rest are as they were; "
                       "run the command again to finish", err=True)
            sys.exit(130)

    return run


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
    return Project.load(path)


@click.group()
@click.version_option(__version__, prog_name="decisions")
@click.option("--office", "office_path", type=click.Path(path_type=Path), default="office.yaml", show_default=True,
              help="The office's configuration: name, references, terms, house style.")
@click.pass_context
def main(ctx: click.Context, office_path: Path) -> None:
    """Decision papers from decision records."""
    ctx.obj = {"office_path": office_path}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@friendly
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
    sys.exit(1 if errors else 0)


@main.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The paper's date (default: today); it picks the term.")
@click.option("--records", "records_dir", type=click.Path(path_type=Path), default=None,
              help="The records folder (default: records/ beside office.yaml).")
@click.pass_context
@friendly
def new(ctx: click.Context, day: dt.datetime | None, records_dir: Path | None) -> None:
    """Start a record at the next free reference, with placeholders to fill in."""
    from .new import new_record

    project = project_from(ctx)
    path = new_record(project.office, records_dir or here(project.records), project.root / SCHEMA_PATH,
                      (day.date() if day else dt.date.today()))
    click.echo(here(path))


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=str(SCHEMA_PATH), show_default=True,
              help="Where to write the schema; - for standard output.")
@friendly
def schema(out: Path) -> None:
    """Write the record JSON Schema, for editors that validate and complete as officers type."""
    from .schema import schema_text
    from .writing import write_atomic

    text = schema_text()
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(out, text.encode("utf-8"))
        click.echo(out)


def find_record(project: Project, what: str) -> Path:
    """A record's path, from its path or its reference."""
    path = Path(what)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    stem = project.office.references.file_stem(what)
    matches = sorted(project.records.rglob(f"{stem}.yaml"))
    if not matches:
        raise Failure(f"no record {what} under {project.records} (looked for {stem}.yaml)")
    if len(matches) > 1:
        raise Failure(f"{what} is in more than one term: {', '.join(map(str, matches))}; give the path")
    return matches[0]


def print_problems(problems: list[Problem]) -> int:
    for problem in problems:
        click.echo(str(problem), err=True)
    return sum(p.severity is Severity.error for p in problems)


@main.command()
@click.argument("record")
@click.option("--format", "formats", default="docx,pdf,html", show_default=True,
              help="Comma-separated: docx, pdf, html.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder to write into (default: the record's folder under build/).")
@click.option("--document", type=click.Choice(["decision", "spec"]), default="decision", show_default=True,
              help="The decision paper, or the service specification.")
@click.pass_context
@friendly
def render(ctx: click.Context, record: str, formats: str, out: Path | None, document: str) -> None:
    """Render one record (REF such as PCC/D/102, or a path) to Word, PDF and HTML."""
    from .build import render_papers
    from .papers import FORMATS
    from .records import read_records

    project = project_from(ctx)
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        named = ", ".join(unknown) if unknown else repr(formats)
        raise Failure(f"unknown format {named}; choose from {', '.join(FORMATS)}")
    [loaded] = read_records([find_record(project, record)], project.office)
    if print_problems(loaded.problems) or loaded.decision is None:
        sys.exit(1)
    if document == "spec" and loaded.decision.specification is None:
        raise Failure(f"{loaded.path}: {loaded.decision.reference} has no specification (add `specification:` to the record)")
    target = project.root / "build"
    if out is not None:
        target = out
    [(paper, files)] = render_papers([loaded.decision], project, wanted, target, flat=out is not None, document=document)
    if paper.error:
        raise Failure(f"{loaded.path}: {paper.error}")
    for path in files:
        click.echo(here(path))


@main.group()
def templates() -> None:
    """Work with the templates."""


@templates.command("check")
@click.pass_context
@friendly
def templates_check(ctx: click.Context) -> None:
    """Report every field a template uses that the record lacks, and required fields not shown."""
    from .template_check import check_templates

    project = project_from(ctx)
    problems = check_templates(project)
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"templates checked: {len(problems)} problem{'s' * (len(problems) != 1)}")
    sys.exit(1 if problems else 0)


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        number, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter("write the shard as K/N, e.g. 1/4") from None
    if not 1 <= number <= count:
        raise click.BadParameter(f"shard {number} of {count} does not exist; K runs from 1 to N")
    return number, count


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Archive folder (default: build/).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Parallel workers (default: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild everything, whatever changed.")
@click.option("--shard", default=None, metavar="K/N", help="Build only a deterministic 1/N share of the records.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Summary format.")
@click.pass_context
@friendly
def build(ctx: click.Context, out: Path | None, jobs: int | None, force: bool, shard: str | None, fmt: str) -> None:
    """Build every record's papers into the archive, doing only what changed."""
    from .build import build as build_archive

    project = project_from(ctx)
    out = out or project.root / "build"
    jobs = jobs or os.cpu_count() or 1
    parts = _shard(shard)
    from .build import BuildBusy

    try:
        with progress_reporter(fmt) as progress:
            summary = build_archive(project, ctx.obj["office_path"], out, jobs=jobs, force=force, shard=parts, progress=progress)
    except BuildBusy as exc:
        raise Failure(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        for failure in summary.failed:
            click.echo(f"failed: {failure.reason}" if failure.reason.startswith(failure.source) else f"failed: {failure.source}: {failure.reason}", err=True)
        click.echo(summary.line())
    sys.exit(1 if summary.failed else 0)


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
        click.echo(f"[{done}/{total}] {source}", err=True)

    yield line


@main.group()
def manifest() -> None:
    """Work with build manifests."""


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Write here (default: standard output).")
@friendly
def manifest_merge(manifests: tuple[Path, ...], out: Path | None) -> None:
    """Merge the manifests of a sharded build into one."""
    from .manifest import merge_manifests
    from .writing import write_atomic

    try:
        text = merge_manifests(manifests)
    except ValueError as exc:
        raise Failure(str(exc)) from None
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text.encode())
        click.echo(out)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None, help="The site's folder (default: build/site).")
@click.pass_context
@friendly
def publish(ctx: click.Context, out: Path | None) -> None:
    """Write the public decision register: approved decisions only, nothing confidential."""
    from .publish import publish as publish_site

    project = project_from(ctx)
    out = out or project.root / "build" / "site"
    summary = publish_site(project, out)
    for source, reason in summary.failed:
        click.echo(f"failed: {reason}" if reason.startswith(source) else f"failed: {source}: {reason}", err=True)
    click.echo(f"{summary.line()}: {here(out)}")
    sys.exit(1 if summary.failed else 0)
