"""`decisions publish`: the public decision register, a static site with nothing confidential.

Only approved decisions are published. Part 2 decisions appear as their reference, title and
the reason they are withheld, and nothing else. Confidential sections and paragraphs are left
out of every public file, the Word and PDF papers included (they are rendered again from the
record without them, so no metadata or hidden text carries them either).

    site/index.html                                the register: filter, sort, search
    site/by/{term,year,fund}/<name>/index.html     the same, one term, year or fund (no JavaScript needed)
    site/decisions/<term>/<reference>/index.html   a decision: its web snippet and its files
    site/decisions/<term>/<reference>/<reference>.{pdf,docx}
    site/feed.atom  site/decisions.json  site/decisions.csv
    site/assets/register.{css,js}

URLs come from the term and the reference, which never change once a paper is published. The
site is written to a temporary folder and swapped in whole. Publishing replaces only a folder
that it wrote before (it leaves a mark file in it), an empty one or a new one: never a folder
of records, the archive or the project.

Papers are rendered, converted and written a batch at a time, and only small facts of each
decision are kept for the index pages, so memory does not grow with the archive."""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .manifest import ManifestError, inside, read_manifest
from .model import Decision, EventKind, Status, money, stated_date
from .papers import BATCH, Paper, convert_pdfs, file_stem, profile_pool, render_sources
from .project import MARK, Project, holds
from .problems import failure_line
from .records import read_record, read_records
from .render.context import house_date
from .render.html import render_html
from .render.pdf import Converter
from .writing import file_mode, write_atomic

MARK_TEXT = b"Written by `decisions publish`, which replaces this folder whole on every run.\n"


@dataclass
class RegisterEntry:
    """One decision as the register shows it."""

    decision: Decision  # its facts: the narrative is read again when its papers are rendered
    place: str  # 2021-2024/pcc-d-102, as in build/
    record: Path  # the record's file
    digest: str  # of the record's text as checked
    files: list[dict[str, Any]] = field(default_factory=list)  # label, href, size

    @property
    def part2(self) -> bool:
        return self.decision.publication.part == "part2"

    @property
    def term(self) -> str:
        return self.place.split("/")[0]

    @property
    def slug(self) -> str:
        return self.place.split("/")[1]

    @property
    def path(self) -> str:
        """The decision's page, relative to the site: decisions/2021-2024/pcc-d-102/"""
        return f"decisions/{self.place}/"


def _slugs(values: list[str]) -> dict[str, str]:
    """A folder name for each browse value ("MoJ" -> moj): short, ASCII, and one a value. A value
    with no ASCII letters or digits, a long one, or one whose slug another value has already
    taken gets a short hash of the value after it, so two funds never share a page and no name
    passes a file system's limit."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for value in values:
        slug = re.sub(r"[^a-z0-9]+", "-", value.lower(), flags=re.ASCII).strip("-")
        if not slug or len(slug) > 60 or slug in taken:
            digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
            slug = f"{slug[:60].rstrip('-')}-{digest[:10]}".lstrip("-")
            if slug in taken:  # a value that looks like another's hashed slug
                slug = f"{slug[:60].rstrip('-')}-{digest}".lstrip("-")
        slugs[value] = slug
        taken.add(slug)
    return slugs


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def facts(entry: RegisterEntry, base_url: str) -> dict[str, Any]:
    """The open-data fields of a decision; a Part 2 decision gives only what may be known."""
    d = entry.decision
    row: dict[str, Any] = {
        "reference": d.reference,
        "date": stated_date(d.date),
        "subject": d.subject,
        "term": entry.term,
        "url": base_url + entry.path,
        "part2": entry.part2,
    }
    if entry.part2:
        row["withheld_reason"] = d.publication.reason
        return row
    approval = d.approval
    recipients = [o for e in d.history if e.event is EventKind.award for o in e.organisations]
    row.update(
        status=d.status.value,
        key_decision=d.key_decision,
        decision_maker=", ".join(x for x in ((approval.name if approval else None),
                                              (approval.role if approval and approval.role else None)) if x),
        report_of=d.report_of,
        total_amount=str(d.total_funding) if d.funding else None,
        funding=[{"recipient": f.recipient, "service": f.service, "fund": f.fund_name, "budget_code": f.budget_code,
                  "amount": str(f.total), "financial_years": f.years} for f in d.funding],
        funds=d.fund_names,
        financial_years=d.financial_years,
        recipients=recipients,
        route_to_market=d.route_to_market.method.value if d.route_to_market else None,
        bidding_limit=str(d.route_to_market.bidding_limit) if d.route_to_market and d.route_to_market.bidding_limit is not None else None,
        addendum_to=d.addendum_to,
    )
    return row


_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) gets an apostrophe first,
    which spreadsheets show as text (OWASP's advice for CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


CSV_FIELDS = ["reference", "date", "subject", "decision_maker", "total_amount", "funds", "financial_years", "recipients",
              "route_to_market", "bidding_limit", "status", "key_decision", "term", "part2", "withheld_reason", "url"]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell("; ".join(v) if isinstance(v, list) else ("" if v is None else str(v)))
                         for k, v in row.items() if k in CSV_FIELDS})
    return buffer.getvalue()


@dataclass
class PublishSummary:
    published: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # Part 2
    skipped: list[str] = field(default_factory=list)  # not approved
    failed: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"published {len(self.published)}, withheld (Part 2) {len(self.withheld)}, "
                f"not approved {len(self.skipped)}, failed {len(self.failed)}")


class PublishError(Exception):
    """Publishing cannot start: the message says why, in one line."""


def publish(project: Project, out: Path | None = None) -> PublishSummary:
    """Write the public register into out (default: the project's site folder)."""
    project.check_build_dir()
    out = (out or project.site).absolute()
    _refuse_unsafe(project, out)
    with _publishing(out):
        return _publish(project, out)


def _publish(project: Project, out: Path) -> PublishSummary:
    summary = PublishSummary()
    records = read_records([project.records], project.office, slim=True)
    entries: list[RegisterEntry] = []
    for record in records:
        if record.decision is None or not record.ok:
            errors = [p for p in record.problems if p.severity.value == "error"]
            name = _relative(project, record.path)
            summary.failed.append((name, str(errors[0].named(Path(name))) if errors else "unreadable"))
            continue
        d = record.decision
        if d.status is not Status.approved:
            summary.skipped.append(d.reference)
            continue
        entries.append(RegisterEntry(d, project.office.place_of(d), record.path, record.digest))
    del records
    entries.sort(key=lambda e: (e.decision.last_day or dt.date.min, e.decision.reference), reverse=True)
    summary.withheld = [e.decision.reference for e in entries if e.part2]

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        (staging / MARK).write_bytes(MARK_TEXT)
        site = _Site(project, staging, entries)
        known = KnownPdfs(project.cache / "public-pdf", project.manifest, project.build)
        public = [e for e in entries if not e.part2]
        with profile_pool(project).lease() as lease:
            converter = Converter.leased(lease)
            for start in range(0, len(public), BATCH):
                _publish_batch(project, public[start:start + BATCH], converter, known, site, summary)
        known.forget_unused()
        published = [e for e in entries if site.published(e)]
        summary.published = [e.decision.reference for e in published if not e.part2]
        if summary.failed and not (summary.published or summary.withheld):
            # Everything failed (a broken template or logo, LibreOffice gone, every record broken
            # by a new rule): keep the register as it was rather than replace it with an empty one.
            raise PublishError(f"no paper could be published ({failure_line(*summary.failed[0])}); "
                               f"the register in {out} is left as it was")
        site.write_pages(published)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _publish_batch(project: Project, batch: list[RegisterEntry], converter: Converter, known: "KnownPdfs", site: "_Site",
                   summary: PublishSummary) -> None:
    """Render a batch's public papers (without confidential content), convert them in one
    LibreOffice start (or take PDFs made before from the same .docx), write them, and let their
    bytes go. A decision is published with all its papers or not at all."""
    papers: dict[int, list[Paper]] = {}
    for index, entry in enumerate(batch):
        decision = _as_checked(project, entry)
        if decision is None:
            summary.failed.append((site.name(entry), "the record changed while the register was being published; publish again"))
            continue
        spec = decision.specification
        try:
            mine = [render_sources(decision, project, ["docx", "html"], public=True)]
            if spec is not None and spec.status == "released":
                mine.append(render_sources(decision, project, ["docx"], public=True, document="spec"))
        except Exception as exc:  # noqa: BLE001 - one paper must not stop the register updating
            problems = getattr(exc, "problems", None)
            summary.failed.append((site.name(entry), str(problems[0]) if problems else f"cannot render: {exc}"))
            continue
        site.keep_snippet(entry, mine[0].files.pop("html").decode("utf-8"))
        mine[0].files.pop("preview.html", None)
        papers[index] = mine
    todo = []
    for paper in (p for mine in papers.values() for p in mine):
        pdf = known.get(paper.files["docx"])
        if pdf is None:
            todo.append(paper)
        else:
            paper.files["pdf"] = pdf
    convert_pdfs(todo, project, converter)
    for paper in todo:
        if "pdf" in paper.files:
            known.put(paper.files["docx"], paper.files["pdf"])
    for index, mine in papers.items():
        entry = batch[index]
        failed = [p.error for p in mine if p.error]
        if failed:
            summary.failed.append((site.name(entry), failed[0]))
            continue
        folder = site.root / entry.path
        for paper in mine:
            stem = file_stem(paper, entry.slug)
            what = "decision paper" if paper.document == "decision" else "service specification"
            for suffix, kind in (("pdf", "PDF"), ("docx", "Word")):
                data = paper.files[suffix]
                write_atomic(folder / f"{stem}.{suffix}", data)
                entry.files.append({"label": f"The {what} ({kind}, {_size(len(data))})", "href": f"{stem}.{suffix}", "kind": kind})


def _relative(project: Project, path: Path) -> str:
    """A record's file as failures name it: relative to the project, as the build does."""
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def _as_checked(project: Project, entry: RegisterEntry) -> Decision | None:
    """The whole decision, read again, if its text is still the text that was checked (and found
    public, approved and clean); None if it changed since."""
    record = read_record(entry.record, project.office)
    if record.source is None or record.decision is None or not record.ok:
        return None
    if hashlib.sha256(record.source.text.encode("utf-8")).hexdigest() != entry.digest:
        return None
    return record.decision


class KnownPdfs:
    """Finished PDFs by the sha256 of the public .docx they were made from. The same .docx always
    makes the same PDF, so one made before need not be made again: the build's PDFs, through its
    manifest (a paper with nothing confidential is the same .docx as the build's), and those that
    publish made itself, kept in `folder` as <docx sha256>-<pdf sha256>.pdf.

    A PDF is reused only when its bytes hash to what was recorded when it was made from that
    .docx: a PDF that `render` rewrote, or that a killed build left newer than its manifest, is
    never taken for the public one. The key is the public .docx, so what is reused was made
    from public content only."""

    def __init__(self, folder: Path, manifest: Path | None = None, archive: Path | None = None):
        self.folder = folder
        self.known: dict[str, list[tuple[Path, str]]] = {}
        self.used: set[str] = set()
        if manifest is not None and archive is not None:
            try:
                entries = read_manifest(manifest)
            except ManifestError:
                entries = {}  # a damaged manifest: make the PDFs again rather than trust it
            for entry in entries.values():
                by_path = {o["path"]: o for o in entry.outputs}
                for path, output in by_path.items():
                    pdf = by_path.get(path[: -len(".docx")] + ".pdf") if path.endswith(".docx") else None
                    target = inside(archive, pdf["path"]) if pdf is not None else None
                    if target is not None:
                        self.known.setdefault(output["sha256"], []).append((target, pdf["sha256"]))  # type: ignore[index]
        if folder.is_dir():
            for path in folder.glob("*.pdf"):
                docx, _, pdf_hash = path.stem.partition("-")
                self.known.setdefault(docx, []).append((path, pdf_hash))

    def get(self, docx: bytes) -> bytes | None:
        key = hashlib.sha256(docx).hexdigest()
        self.used.add(key)
        for path, expected in self.known.get(key, []):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == expected:
                return data
        return None

    def put(self, docx: bytes, pdf: bytes) -> None:
        key, pdf_hash = hashlib.sha256(docx).hexdigest(), hashlib.sha256(pdf).hexdigest()
        path = self.folder / f"{key}-{pdf_hash}.pdf"
        write_atomic(path, pdf)
        self.known.setdefault(key, []).append((path, pdf_hash))

    def forget_unused(self) -> None:
        """Drop the kept PDFs this run did not ask for: their papers changed or went."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.pdf"):
                if path.stem.partition("-")[0] not in self.used:
                    path.unlink(missing_ok=True)


def _refuse_unsafe(project: Project, out: Path) -> None:
    """Publishing replaces `out` whole: refuse any folder that is not the register's own."""
    target = out.resolve()
    mine = {"the project": project.root, "the records": project.records, "the archive": project.build}
    for name, folder in mine.items():
        if holds(target, folder.resolve()):
            raise PublishError(f"{out} holds {name} ({folder}); publish the register into a folder of its own, e.g. {project.site}")
    for name, folder in (("the records", project.records), ("the archive", project.build)):
        if holds(folder.resolve(), target) and target != project.site.resolve():
            raise PublishError(f"{out} is inside {name}; publish the register into {project.site} or a folder of its own")
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise PublishError(f"{out} is not a folder")
        if any(target.iterdir()) and not (target / MARK).is_file():
            raise PublishError(f"{out} holds files that `decisions publish` did not write; it replaces the whole folder, "
                               "so give it an empty or new folder, or the one it wrote before")


@contextmanager
def _publishing(out: Path) -> Iterator[None]:
    """One publish at a time per site; sweep what a killed publish left beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with os.fdopen(lock_fd, "r+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"another publish is writing {out}; wait for it") from None
        for leftover in out.parent.glob(f".{out.name}.*"):
            # Only folders publish made: its staging folders start with the mark (or are still
            # empty), and the old site it moves aside has it.
            if leftover.is_dir() and not leftover.is_symlink() and re.fullmatch(rf"\.{re.escape(out.name)}\.(staging-.+|old\.\d+)", leftover.name):
                if (leftover / MARK).is_file() or not any(leftover.iterdir()):
                    shutil.rmtree(leftover, ignore_errors=True)
        yield


class _Site:
    """The register's pages, written into the staging folder as the papers are published."""

    def __init__(self, project: Project, root: Path, entries: list[RegisterEntry]):
        office = project.office
        self.root = root
        self.office = office
        self.templates = project.templates("site")
        self.base_url = office.publishing.base_url
        self.common = {"office": {"name": office.name, "address": list(office.address)}, "register": office.publishing.title,
                       "language": office.language, "style": {"heading_colour": office.style.heading_colour}}
        self.by_reference = {(e.term, e.decision.reference): e for e in entries}
        self.addenda: dict[tuple[str, str], list[RegisterEntry]] = {}
        for e in entries:
            if e.decision.addendum_to:
                self.addenda.setdefault((e.term, e.decision.addendum_to), []).append(e)
        self.project = project
        self.scratch = root / ".snippets"  # removed before the site is swapped in
        self.listings: dict[str, list[dict[str, str]]] = {}

    def view(self, entry: RegisterEntry) -> dict[str, Any]:
        d = entry.decision
        office = self.office
        parent = self.by_reference.get((entry.term, d.addendum_to)) if d.addendum_to else None
        parent = parent if parent is not None and self.published(parent) else None
        addenda = self.addenda.get((entry.term, d.reference), [])
        return {
            "reference": d.reference, "subject": d.subject, "date": house_date(d.date, office), "iso_date": stated_date(d.date) or "",
            "path": entry.path, "part2": entry.part2, "withheld_reason": d.publication.reason,
            "amount": money(d.total_funding) if d.funding and not entry.part2 else "",
            "amount_sort": str(d.total_funding) if d.funding and not entry.part2 else "0",
            "funds": d.fund_names if not entry.part2 else [],
            "years": d.financial_years if not entry.part2 else [],
            "term": entry.term, "status": "Part 2: withheld" if entry.part2 else d.status.value.capitalize(),
            "key_decision": d.key_decision and not entry.part2,
            "files": entry.files, "snippet": Markup(self.snippet(entry)),
            "parent": {"reference": parent.decision.reference, "path": parent.path} if parent else None,
            "addenda": [{"reference": a.decision.reference, "path": a.path} for a in addenda if self.published(a)],
        }

    def name(self, entry: RegisterEntry) -> str:
        return _relative(self.project, entry.record)

    @staticmethod
    def published(entry: RegisterEntry) -> bool:
        return entry.part2 or bool(entry.files)

    def keep_snippet(self, entry: RegisterEntry, html: str) -> None:
        """Park a public web snippet on disk until the pages are written (they link only to
        decisions that were published, known once every batch is done)."""
        write_atomic(self.scratch / f"{entry.slug}.{entry.term}.html", html.encode("utf-8"))

    def snippet(self, entry: RegisterEntry) -> str:
        path = self.scratch / f"{entry.slug}.{entry.term}.html"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def page(self, template: str, path: str, **context: Any) -> None:
        depth = path.count("/")
        html = render_html(self.templates / template, {**self.common, **context, "root": "../" * depth, "listings": self.listings})
        write_atomic(self.root / path, html.encode("utf-8"))

    def write_pages(self, entries: list[RegisterEntry]) -> None:
        """A page for each published decision, then the index, browse pages, feed and open data."""
        office = self.office
        years = sorted({y for e in entries if not e.part2 for y in e.decision.financial_years}, reverse=True)
        funds = sorted({f for e in entries if not e.part2 for f in e.decision.fund_names})
        terms = sorted({e.term for e in entries}, reverse=True)
        self.listings.update({kind: [{"label": value, "slug": slug} for value, slug in _slugs(values).items()]
                              for kind, values in (("term", terms), ("year", years), ("fund", funds))})
        views = []
        for entry in entries:
            view = self.view(entry)
            self.page("decision.html.j2", f"{view['path']}index.html", decision=view)
            views.append({**view, "snippet": ""})
        shutil.rmtree(self.scratch, ignore_errors=True)
        rows = [facts(e, self.base_url) for e in entries]
        self.page("index.html.j2", "index.html", decisions=views, heading=office.publishing.title, filters=True)
        for kind, values in self.listings.items():
            for value in values:
                chosen = [v for v in views if value["label"] in ({"term": [v["term"]], "year": v["years"], "fund": v["funds"]}[kind])]
                label = {"term": "commissioner's term", "year": "financial year", "fund": "fund"}[kind]
                self.page("index.html.j2", f"by/{kind}/{value['slug']}/index.html", decisions=chosen,
                          heading=f"{office.publishing.title}: {label} {value['label']}", filters=False)
        feed = render_html(self.templates / "feed.atom.j2", {**self.common, "base_url": self.base_url,
                                                            "decisions": views[: office.publishing.feed_entries],
                                                            "updated": views[0]["iso_date"] if views else "1970-01-01"})
        write_atomic(self.root / "feed.atom", feed.encode("utf-8"))
        write_atomic(self.root / "decisions.json", (json.dumps({"decisions": rows}, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        write_atomic(self.root / "decisions.csv", _csv(rows).encode("utf-8"))
        for asset in ("register.css", "register.js"):
            write_atomic(self.root / "assets" / asset, (self.templates / asset).read_bytes())


def _swap_in(staging: Path, out: Path) -> None:
    """Replace the old site with the new one in two renames: a reader sees one or the other."""
    old = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        out.rename(old)
    mode = file_mode()
    staging.chmod(mode | (mode & 0o444) >> 2)  # mkdtemp's 0700, as a new folder would be: 0755 under umask 022
    staging.rename(out)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
