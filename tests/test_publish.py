"""`decisions publish`: the public register, with nothing confidential leaking, read back in a browser."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import os
import shutil
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest

from engine.project import Project
from engine.publish import publish

from .conftest import ROOT, SEED
from .support import make_project, replaced

MARKER = "ZZQ-CONFIDENTIAL-4417"
DRAFT_SUBJECT = "Draft Subject Never To Be Published"
AXE = ROOT / "tests" / "accessibility" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "office.yaml", root / "office.yaml")
    shutil.copytree(ROOT / "templates", root / "templates")
    term = root / "records" / "2021-2024"
    term.mkdir(parents=True)
    seed = SEED.read_text(encoding="utf-8")
    shutil.copy(SEED, term)
    # Confidential paragraphs and a confidential section in an approved, public paper.
    (term / "PCC-D-103.yaml").write_text(replaced(
        seed, **{"reference: PCC/D/102": "reference: PCC/D/103",
                 "Sexual Exploitation Support 2023-2024": "Rural Crime Advice 2023-2024",
                 "      - >-\n          The provider will be required": f"      - text: Part 2 detail {MARKER} in a paragraph.\n        confidential: true\n      - >-\n          The provider will be required",
                 "  - heading: Long Term Considerations\n": f"  - heading: Commercial terms {MARKER}\n    confidential: true\n    content:\n      - The rate is {MARKER}.\n  - heading: Long Term Considerations\n"}),
        encoding="utf-8")
    # A Part 2 decision: only its reference, title and the reason it is withheld may appear.
    (term / "PCC-D-104.yaml").write_text(replaced(
        seed, **{"reference: PCC/D/102": "reference: PCC/D/104",
                 "Sexual Exploitation Support 2023-2024": "Estates Disposal 2023-2024",
                 "A service to deliver support": f"{MARKER} A service to deliver support",
                 "  part: public": "  part: part2\n  reason: Exempt under section 43 (commercial interests) of the Freedom of Information Act",
                 "    budget_code: B992": "    budget_code: B99Z"}),
        encoding="utf-8")
    # A draft: never published.
    (term / "PCC-D-105.yaml").write_text(replaced(
        seed, **{"reference: PCC/D/102": "reference: PCC/D/105", "status: approved": "status: draft",
                 "Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024": f"{DRAFT_SUBJECT} 2023-2024",
                 # a draft's approval is yet to come: it has no date, stated or not
                 "  date: not stated   # the published paper does not give the date the Commissioner signed it\n": ""}),
        encoding="utf-8")
    # An addendum to PCC/D/102, linked both ways.
    (term / "PCC-D-102a.yaml").write_text(replaced(
        seed, **{"reference: PCC/D/102": "reference: PCC/D/102a\naddendum_to: PCC/D/102",
                 "date: 2023-09-06": "date: 2023-10-02", "Sexual Exploitation Support 2023-2024": "Sexual Exploitation Support 2023-2024 (addendum)"}),
        encoding="utf-8")
    project = Project.load(root / "office.yaml")
    summary = publish(project, root / "site")
    assert summary.failed == [], summary.failed
    assert (summary.published, summary.withheld, summary.skipped) == (["PCC/D/102a", "PCC/D/103", "PCC/D/102"], ["PCC/D/104"], ["PCC/D/105"])
    return root / "site"


def everything_readable(site: Path) -> Iterator[tuple[Path, str]]:
    """Every file of the site as text a reader or a machine could get at: page text and
    metadata of PDFs, every XML part of Word files, and the bytes of the rest."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".pdf":
            reader = pypdf.PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() for page in reader.pages)
            text += json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()})
            with pikepdf.open(io.BytesIO(data)) as pdf:
                text += pdf.Root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in pdf.Root else ""
            yield path, text
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                yield path, "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
        else:
            yield path, data.decode("utf-8", "replace")


def test_nothing_confidential_leaks(site: Path) -> None:
    scanned = list(everything_readable(site))
    kinds = {p.suffix for p, _ in scanned}
    assert {".html", ".json", ".csv", ".atom", ".pdf", ".docx"} <= kinds
    leaks = [str(p.relative_to(site)) for p, text in scanned if MARKER in text]
    assert leaks == []
    # The check can fail: the marker is in the record that was published.
    assert MARKER in (site.parent / "records" / "2021-2024" / "PCC-D-103.yaml").read_text()


def test_public_paper_keeps_what_is_not_confidential(site: Path) -> None:
    text = dict(everything_readable(site))[site / "decisions" / "2021-2024" / "pcc-d-103" / "pcc-d-103.pdf"]
    assert "The provider will be required to work the network" in text
    assert "Long Term Considerations" in text and "Commercial terms" not in text


def test_a_draft_is_never_published(site: Path) -> None:
    assert not (site / "decisions" / "2021-2024" / "pcc-d-105").exists()
    assert [str(p) for p, text in everything_readable(site) if DRAFT_SUBJECT in text or "PCC/D/105" in text] == []


def test_part2_decision_shows_only_reference_title_and_reason(site: Path) -> None:
    folder = site / "decisions" / "2021-2024" / "pcc-d-104"
    assert [p.name for p in folder.iterdir()] == ["index.html"]
    page = (folder / "index.html").read_text()
    assert "PCC/D/104: Allocation of MoJ Funding for Estates Disposal 2023-2024" in page
    assert "This decision is not published in full: Exempt under section 43" in page
    assert "£40,000" not in page and "B99Z" not in page
    [row] = [r for r in json.loads((site / "decisions.json").read_text())["decisions"] if r["reference"] == "PCC/D/104"]
    assert set(row) == {"reference", "date", "subject", "term", "url", "part2", "withheld_reason"}
    assert not any("B99Z" in text for _, text in everything_readable(site))


def test_open_data_and_feed(site: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((site / "decisions.csv").read_text())))
    [seed] = [r for r in rows if r["reference"] == "PCC/D/102"]
    # The paper's approval block names the commissioner's role only: the decision maker is the
    # commissioner of its term. Financial years are written one way, 2023-24.
    assert {k: seed[k] for k in list(seed)[:16]} == {
        "reference": "PCC/D/102", "date": "2023-09-06", "subject": "Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024",
        "decision_maker": "Festus Akinbusoye, Bedfordshire Police and Crime Commissioner", "total_amount": "40000", "funds": "MoJ",
        "financial_years": "2023-24", "recipients": "", "route_to_market": "competition", "bidding_limit": "40000",
        "status": "approved", "key_decision": "False", "term": "2021-2024", "part2": "False", "withheld_reason": "",
        "url": "https://www.bedfordshire.pcc.police.uk/decision-register/decisions/2021-2024/pcc-d-102/"}
    assert (seed["kind"], seed["kind_label"], seed["funding"], seed["addendum_to"], seed["linked_from"]) == (
        "commissioning", "Commissioning", "Sexual Exploitation Support – MoJ B992 – £40,000 (2023-24)", "", "addendum PCC/D/102a")
    [addendum] = [r for r in rows if r["reference"] == "PCC/D/102a"]
    assert addendum["addendum_to"] == "PCC/D/102"
    data = json.loads((site / "decisions.json").read_text())["decisions"]
    assert [d["reference"] for d in data] == ["PCC/D/102a", "PCC/D/104", "PCC/D/103", "PCC/D/102"]
    feed = ET.parse(site / "feed.atom").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert ids[0] == "https://www.bedfordshire.pcc.police.uk/decision-register/decisions/2021-2024/pcc-d-102a/"
    assert len(ids) == 4 and feed.findtext("a:updated", namespaces=ns) == "2023-10-02T00:00:00Z"


def test_addenda_are_linked_both_ways(site: Path) -> None:
    parent = (site / "decisions" / "2021-2024" / "pcc-d-102" / "index.html").read_text()
    child = (site / "decisions" / "2021-2024" / "pcc-d-102a" / "index.html").read_text()
    assert 'Addenda: <a href="../../../decisions/2021-2024/pcc-d-102a/index.html">PCC/D/102a</a>' in parent
    assert 'This is an addendum to <a href="../../../decisions/2021-2024/pcc-d-102/index.html">PCC/D/102</a>.' in child


def test_browse_pages_work_without_javascript(site: Path) -> None:
    page = (site / "by" / "fund" / "moj" / "index.html").read_text()
    # The Part 2 decision's fund is not published, so it is not listed under its fund.
    assert "<script" not in page and page.count('<tr data-term=') == 3
    index = (site / "index.html").read_text()
    assert 'href="by/term/2021-2024/index.html"' in index and "hidden>" in index


def test_republishing_replaces_the_site_whole_without_converting_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.render.pdf import Converter

    def no_conversion(self, papers):
        assert list(papers) == [], "a PDF made before was made again"
        return []

    monkeypatch.setattr(Converter, "convert", no_conversion)
    project = Project.load(site.parent / "office.yaml")
    before = {p: p.read_bytes() for p in site.rglob("*.pdf")}
    (site / "stale.html").write_text("old")
    publish(project, site)
    assert not (site / "stale.html").exists()
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site.") and p.is_dir()]
    assert {p: p.read_bytes() for p in site.rglob("*.pdf")} == before


def test_publish_takes_the_builds_pdfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.build import build
    from engine.render.pdf import Converter

    shutil.copy(ROOT / "office.yaml", tmp_path / "office.yaml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "records" / "2021-2024").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "records" / "2021-2024")
    project = Project.load(tmp_path / "office.yaml")
    build(project, jobs=1)
    monkeypatch.setattr(Converter, "convert", lambda self, papers: [] if not papers else pytest.fail("converted again"))
    publish(project, tmp_path / "build" / "site")
    folder = "2021-2024/pcc-d-102/"
    assert (tmp_path / "build" / "site" / "decisions" / folder / "pcc-d-102.pdf").read_bytes() == \
        (tmp_path / "build" / folder / "pcc-d-102.pdf").read_bytes()


# --- in a browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def test_register_in_a_browser(server: str, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(server + "index.html")
    assert axe_violations(page) == []
    rows = page.locator("#reg-table tbody tr")
    assert rows.count() == 4 and page.locator("#reg-count").inner_text() == "4 decisions"
    # Keyboard: tab to the search box and type; then pick a fund with the keyboard.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the office's name: its own website
    page.keyboard.press("Tab")  # the register's title
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reg-q"
    page.keyboard.type("rural")
    assert page.locator("#reg-count").inner_text() == "1 decision of 4"
    assert rows.locator("visible=true").all_inner_texts()[0].startswith("PCC/D/103")
    page.fill("#reg-q", "")
    page.focus("#reg-term")
    page.select_option("#reg-term", "2021-2024")
    assert page.locator("#reg-count").inner_text() == "4 decisions"
    # Sort by reference with the keyboard.
    page.focus("#reg-table th button >> nth=0")
    page.keyboard.press("Enter")
    assert [r.split("\t")[0] for r in rows.all_inner_texts()] == ["PCC/D/102", "PCC/D/102a", "PCC/D/103", "PCC/D/104"]
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    # Open PCC/D/102 and follow its PDF link.
    page.click("text=PCC/D/102 >> nth=0")
    page.wait_for_url("**/decisions/2021-2024/pcc-d-102/index.html")
    assert page.locator("h1").inner_text() == "PCC/D/102: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024"
    assert axe_violations(page) == []
    href = page.get_attribute("a:has-text('The decision paper (PDF')", "href")
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    page.screenshot(path=str(tmp_path / "decision.png"), full_page=True)


def test_register_with_javascript_off(server: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "index.html")
    assert page.locator("#reg-filters").is_hidden()
    assert page.locator("#reg-table tbody tr").count() == 4
    page.click("nav >> text=MoJ")
    assert page.locator("h1").inner_text() == "Decision register: fund MoJ"
    assert page.locator("#reg-table tbody tr").count() == 3
    page.click("text=PCC/D/103")
    assert page.locator("h1").inner_text().startswith("PCC/D/103: ")
    context.close()


def test_kept_public_pdfs_are_forgotten_once_unused(tmp_path: Path) -> None:
    from engine.publish import KnownPdfs

    first = KnownPdfs(tmp_path)
    first.put(b"docx a", b"pdf a")
    first.put(b"docx b", b"pdf b")
    second = KnownPdfs(tmp_path)
    assert second.get(b"docx a") == b"pdf a"
    second.forget_unused()
    assert KnownPdfs(tmp_path).get(b"docx b") is None and KnownPdfs(tmp_path).get(b"docx a") == b"pdf a"


def test_each_public_decision_has_a_public_fragment_for_the_offices_site(site: Path) -> None:
    """A fragment to put on a page of the office's WordPress site: public content only (the leak
    test above scans it too), styled by assets/fragment.css; none for a Part 2 decision."""
    folder = site / "decisions" / "2021-2024"
    fragment = (folder / "pcc-d-103" / "pcc-d-103.fragment.html").read_text(encoding="utf-8")
    assert fragment.startswith("<!-- PCC/D/103: the public paper, for a page of the office's site (its style: assets/fragment.css).")
    assert '<article class="dpe-decision' in fragment and "The provider will be required to work the network" in fragment
    assert MARKER not in fragment and "Commercial terms" not in fragment
    assert not list((folder / "pcc-d-104").glob("*.fragment.html"))
    page = (folder / "pcc-d-103" / "index.html").read_text(encoding="utf-8")
    assert '<a href="pcc-d-103.fragment.html">The paper as a web page fragment (HTML, ' in page
    assert ".dpe-table" in (site / "assets" / "fragment.css").read_text(encoding="utf-8")


def test_the_site_is_readable_by_a_web_server_running_as_another_user(tmp_path: Path) -> None:
    import stat

    from engine.publish import publish as publish_site

    project = make_project(tmp_path)
    old = os.umask(0o077)  # a publisher whose files are private to them
    try:
        publish_site(project)
    finally:
        os.umask(old)
    site = tmp_path / "build" / "site"
    modes = {p.relative_to(site).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")]}
    assert {m for p, m in modes.items() if (site / p).is_dir()} == {0o755}
    assert {m for p, m in modes.items() if (site / p).is_file()} == {0o644}
