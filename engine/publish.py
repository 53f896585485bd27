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
site is written to a temporary folder and swapped in whole."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .model import Decision, EventKind, Status, money
from .build import file_stem, profile_pool
from .papers import KnownPdfs, Paper, convert_pdfs, render_sources
from .project import Project
from .records import Record, read_records
from .render.context import house_date
from .render.html import render_html
from .render.pdf import Converter
from .writing import write_atomic


@dataclass
class Entry:
    """One decision as the register shows it."""

    decision: Decision
    place: str  # 2021-2024/pcc-d-102, as in build/
    files: list[dict[str, Any]] = field(default_factory=list)  # label, href, size
    snippet: str = ""

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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def publishable(record: Record) -> bool:
    return record.ok and record.decision is not None and record.decision.status is Status.approved


def facts(entry: Entry, base_url: str) -> dict[str, Any]:
    """The open-data fields of a decision; a Part 2 decision gives only what may be known."""
    d = entry.decision
    row: dict[str, Any] = {
        "reference": d.reference,
        "date": d.date.isoformat(),
        "subject": d.subject,
        "term": entry.term,
        "url": base_url + entry.path,
        "part2": entry.part2,
    }
    if entry.part2:
        row["withheld_reason"] = d.publication.reason
        return row
    approval = d.approval
    recipients = [o for e in d.procurement_history if e.event is EventKind.award for o in e.organisations]
    row.update(
        status=d.status.value,
        key_decision=d.key_decision,
        decision_maker=", ".join(x for x in ((approval.name if approval else None),
                                              (approval.role if approval and approval.role else None)) if x),
        report_of=d.report_of,
        total_amount=str(d.total_funding) if d.funding else None,
        funding=[{"service": f.service, "fund": f.fund, "budget_code": f.budget_code, "amount": str(f.amount),
                  "financial_year": f.financial_year} for f in d.funding],
        funds=sorted({f.fund for f in d.funding}),
        financial_years=sorted({f.financial_year for f in d.funding}),
        recipients=recipients,
        route_to_market=d.route_to_market.method.value if d.route_to_market else None,
        bidding_limit=str(d.route_to_market.bidding_limit) if d.route_to_market and d.route_to_market.bidding_limit is not None else None,
        addendum_to=d.addendum_to,
    )
    return row


CSV_FIELDS = ["reference", "date", "subject", "decision_maker", "total_amount", "funds", "financial_years", "recipients",
              "route_to_market", "bidding_limit", "status", "key_decision", "term", "part2", "withheld_reason", "url"]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
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


def publish(project: Project, out: Path, records_dir: Path | None = None) -> PublishSummary:
    summary = PublishSummary()
    records = read_records([records_dir or project.records], project.office)
    entries: list[Entry] = []
    for record in records:
        if record.decision is None or not record.ok:
            errors = [p for p in record.problems if p.severity.value == "error"]
            summary.failed.append((str(record.path), str(errors[0]) if errors else "unreadable"))
            continue
        d = record.decision
        if d.status is not Status.approved:
            summary.skipped.append(d.reference)
            continue
        entries.append(Entry(d, project.office.place_of(d.date, d.reference)))
    entries.sort(key=lambda e: (e.decision.date, e.decision.reference), reverse=True)

    # The public papers: rendered again without confidential content, converted in one batch.
    papers: list[tuple[Entry, Paper]] = []
    for entry in entries:
        if entry.part2:
            summary.withheld.append(entry.decision.reference)
            continue
        paper = render_sources(entry.decision, project, ["docx", "html"], public=True)
        entry.snippet = paper.files["html"].decode("utf-8")
        papers.append((entry, paper))
        spec = entry.decision.specification
        if spec is not None and spec.status == "released":
            papers.append((entry, render_sources(entry.decision, project, ["docx"], public=True, document="spec")))
    if papers:
        from .manifest import MANIFEST

        known = KnownPdfs(project.root / "build" / ".cache" / "public-pdf", project.root / "build" / MANIFEST)
        with profile_pool(project).lease() as lease:
            convert_pdfs([p for _, p in papers], project, Converter.leased(lease), known)
        known.forget_unused()

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for entry, paper in papers:
            if paper.error:
                summary.failed.append((entry.decision.reference, paper.error))
                continue
            folder = staging / entry.path
            stem = file_stem(paper, entry.slug)
            for suffix, kind in (("pdf", "PDF"), ("docx", "Word")):
                data = paper.files[suffix]
                write_atomic(folder / f"{stem}.{suffix}", data)
                what = "decision paper" if paper.document == "decision" else "service specification"
                entry.files.append({"label": f"The {what} ({kind}, {_size(len(data))})", "href": f"{stem}.{suffix}",
                                    "kind": kind})
        published = [e for e in entries if e.part2 or any(f for f in e.files)]
        summary.published = [e.decision.reference for e in published if not e.part2]
        _write_site(project, staging, published)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _write_site(project: Project, site: Path, entries: list[Entry]) -> None:
    office = project.office
    templates = project.templates("site")
    base_url = office.publishing.base_url
    by_reference = {(e.term, e.decision.reference): e for e in entries}
    rows = [facts(e, base_url) for e in entries]
    common = {"office": {"name": office.name, "address": list(office.address)}, "register": office.publishing.title,
              "language": office.language, "style": {"heading_colour": office.style.heading_colour}}

    def view(entry: Entry) -> dict[str, Any]:
        d = entry.decision
        parent = by_reference.get((entry.term, d.addendum_to)) if d.addendum_to else None
        addenda = [e for e in entries if e.term == entry.term and e.decision.addendum_to == d.reference]
        return {
            "reference": d.reference, "subject": d.subject, "date": house_date(d.date, office), "iso_date": d.date.isoformat(),
            "path": entry.path, "part2": entry.part2, "withheld_reason": d.publication.reason,
            "amount": money(d.total_funding) if d.funding and not entry.part2 else "",
            "amount_sort": str(d.total_funding) if d.funding and not entry.part2 else "0",
            "funds": sorted({f.fund for f in d.funding}) if not entry.part2 else [],
            "years": sorted({f.financial_year for f in d.funding}) if not entry.part2 else [],
            "term": entry.term, "status": "Part 2: withheld" if entry.part2 else d.status.value.capitalize(),
            "key_decision": d.key_decision and not entry.part2,
            "files": entry.files, "snippet": Markup(entry.snippet),
            "parent": {"reference": parent.decision.reference, "path": parent.path} if parent else None,
            "addenda": [{"reference": a.decision.reference, "path": a.path} for a in addenda],
        }

    views = [view(e) for e in entries]
    terms = sorted({v["term"] for v in views}, reverse=True)
    years = sorted({y for v in views for y in v["years"]}, reverse=True)
    funds = sorted({f for v in views for f in v["funds"]})
    listings = {kind: [{"label": value, "slug": _slug(value)} for value in values]
                for kind, values in (("term", terms), ("year", years), ("fund", funds))}

    def page(template: str, path: str, **context: Any) -> None:
        depth = path.count("/")
        html = render_html(templates / template, {**common, **context, "root": "../" * depth, "listings": listings})
        write_atomic(site / path, html.encode("utf-8"))

    page("index.html.j2", "index.html", decisions=views, heading=office.publishing.title, filters=True)
    for kind, values in listings.items():
        for value in values:
            chosen = [v for v in views if value["label"] in ({"term": [v["term"]], "year": v["years"], "fund": v["funds"]}[kind])]
            label = {"term": "commissioner's term", "year": "financial year", "fund": "fund"}[kind]
            page("index.html.j2", f"by/{kind}/{value['slug']}/index.html", decisions=chosen,
                 heading=f"{office.publishing.title}: {label} {value['label']}", filters=False)
    for v in views:
        page("decision.html.j2", f"{v['path']}index.html", decision=v)
    feed = render_html(templates / "feed.atom.j2", {**common, "base_url": base_url, "decisions": views[: office.publishing.feed_entries],
                                                    "updated": views[0]["iso_date"] if views else "1970-01-01"})
    write_atomic(site / "feed.atom", feed.encode("utf-8"))
    write_atomic(site / "decisions.json", (json.dumps({"decisions": rows}, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    write_atomic(site / "decisions.csv", _csv(rows).encode("utf-8"))
    for asset in ("register.css", "register.js"):
        write_atomic(site / "assets" / asset, (templates / asset).read_bytes())


def _swap_in(staging: Path, out: Path) -> None:
    """Replace the old site with the new one in two renames: a reader sees one or the other."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        out.rename(old)
    staging.chmod(0o755)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
