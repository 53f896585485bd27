"""Finding a decision in the register (issue 12, point 6): the search covers recipients, funds,
budget codes, amounts however written and the public text of the papers, and never a Part 2
paper's; the search, filters and sort live in the page's address; a search that finds nothing
says so; the caption follows the sort; dates are written the GOV.UK way; the office's logo,
contact line and an icon; and the register's addresses never say decisions twice.

The hostile tests come first: what arrives in the address (?q=, ?fund=, ?sort=) is the
reader's to write, and must never run as script, break the page or hang it."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus, urlencode

import pytest

from engine.project import Project
from engine.publish import PublishError, page_folder, publish, searchable, snippet_text

from .conftest import ROOT
from .support import png, write_project
from .test_publish import axe_violations, everything_readable

SECRET = "ZZS-SECRET"  # in every fact and word of the Part 2 decision, and in a confidential paragraph
BASE = "https://www.bedfordshire.pcc.police.uk/decision-register/"

RECORDS = {
    # A public decision: a recipient, a fund, a budget code, an amount printed "£18,500", a word
    # found only in its paper ("kaleidoscope"), and a confidential paragraph.
    "2024-2028/PCC-D-201.yaml": f"""
kind: funding_allocation
reference: PCC/D/201
subject: Support for survivors of domestic abuse
report_of: Police and Crime Commissioner
date: 2026-11-29
status: approved
funding:
  - recipient: Luton Women's Refuge Trust
    service: Refuge support
    fund: Community Safety Fund
    budget_code: CSF-4471
    amount: 18500
    financial_year: 2026-27
sections:
  - heading: Background
    content:
      - The refuge runs a kaleidoscope of group sessions for survivors, costing £18,500 in all.
      - text: The trust's bank details are {SECRET}-PARAGRAPH.
        confidential: true
recommendation: To approve the funding
approval: {{name: John Tizard, date: 2026-11-29}}
""",
    # A sum that holds 18500 but is not it, in another fund, dated with a one-digit day.
    "2024-2028/PCC-D-202.yaml": """
kind: funding_allocation
reference: PCC/D/202
subject: Youth diversion scheme
date: 2025-03-06
status: approved
funding:
  - recipient: Bedford Youth Trust
    service: Youth diversion
    fund: MoJ
    budget_code: MOJ-77
    amount: 118500
    financial_year: 2024-25
sections:
  - content:
      - Diversion for young people at risk, run from the Café on the High Street (‘drop-in’ sessions), 2024–25.
recommendation: To approve the funding
approval: {name: John Tizard, date: 2025-03-07}
""",
    # Part 2: the same amount and the same word as PCC/D/201, and the secret in every fact.
    "2024-2028/PCC-D-203.yaml": f"""
kind: funding_allocation
reference: PCC/D/203
subject: Estates disposal
date: 2026-10-01
status: approved
funding:
  - recipient: {SECRET}-RECIPIENT
    service: {SECRET}-SERVICE
    fund: {SECRET}-FUND
    budget_code: {SECRET}-CODE
    amount: 18500
    financial_year: 2026-27
sections:
  - content:
      - A kaleidoscope {SECRET}-NARRATIVE.
recommendation: To approve the sale
approval: {{name: John Tizard, date: 2026-10-02}}
publication:
  part: part2
  reason: Exempt under section 43 (commercial interests) of the Freedom of Information Act
""",
    # Hostile words in a public paper: they must stay words in the page and in the search's text.
    "2024-2028/PCC-D-204.yaml": """
kind: policy_or_governance
reference: PCC/D/204
subject: Publication of panel notes
date: 2025-01-10
status: approved
sections:
  - content:
      - 'Notes are published. </script><script>window.__pwned = "paper"</script> "quoted\\" end'
recommendation: To note decision
approval: {name: John Tizard, date: 2025-01-11}
""",
}
PUBLIC = ["PCC/D/201", "PCC/D/202", "PCC/D/204"]  # newest first
ALL = ["PCC/D/201", "PCC/D/203", "PCC/D/202", "PCC/D/204"]


def make(root: Path, base_url: str = BASE, terms: str | None = None) -> Project:
    office = (ROOT / "office.yaml").read_text(encoding="utf-8")
    office = office.replace("contact: null ", "contact: 'Email enquiries@bedfordshire.example or call 01234 567890' ", 1)
    office = office.replace("logo: null ", "logo: logo.png ", 1)
    office = re.sub(r"(?m)^  base_url: .*$", f"  base_url: {base_url}", office)
    if terms:
        office = office.replace("  - name: 2016-2021\n", f"  - name: {terms}\n", 1)
    (root / "logo.png").write_bytes(png(120, 40))
    return write_project(root, office, RECORDS)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    summary = publish(make(root), root / "site")
    assert summary.failed == [], summary.failed
    assert (summary.published, summary.withheld) == (PUBLIC, ["PCC/D/203"])
    return root / "site"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    assert errors == [], errors  # no script error and no alert, whatever the address held
    context.close()


def shown(page) -> list[str]:
    """The references of the rows a reader sees, in order."""
    if page.locator("#reg-table").is_hidden():
        return []
    return page.eval_on_selector_all("#reg-table tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].textContent.trim())")


def search(page, words: str) -> list[str]:
    page.fill("#reg-q", words)
    page.wait_for_selector('#reg-filters[data-search="ready"]')
    return shown(page)


def opened(page, server: str, query: str = "") -> None:
    page.goto(server + "index.html" + query)
    page.wait_for_selector("#reg-filters:not([hidden])")


def not_run(page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    # Nothing from the address became an element: the page's pictures are the logo only.
    assert page.eval_on_selector_all("img, svg, iframe, object, embed", "els => els.map(e => e.outerHTML)") == [
        page.eval_on_selector(".reg-logo", "e => e.outerHTML")]


# --- hostile: what arrives in the address ------------------------------------------------------------

INJECTIONS = ['<script>window.__pwned = "q"</script>', '"><img src=x onerror="window.__pwned=1">',
              "<svg onload=window.__pwned=1>", "javascript:window.__pwned=1", "'); window.__pwned = 1; ('",
              "</p><iframe src=javascript:window.__pwned=1>"]


@pytest.mark.parametrize("words", INJECTIONS)
def test_script_in_the_search_address_is_text_never_run(page, server: str, words: str) -> None:
    opened(page, server, "?" + urlencode({"q": words}))
    page.wait_for_selector('#reg-filters[data-search="ready"]')
    assert page.input_value("#reg-q") == words
    status = page.inner_text("#reg-count")
    assert status.startswith("No decisions match “") and words[:20] in status
    not_run(page)


def test_script_in_the_filter_and_sort_address_is_text_never_run(page, server: str) -> None:
    hostile = '"><img src=x onerror="window.__pwned=1">'
    opened(page, server, "?" + urlencode({"term": hostile, "year": hostile, "fund": hostile, "kind": hostile, "sort": hostile,
                                           "order": hostile}))
    notice = page.inner_text("#reg-notice")
    assert "The register has no fund “\"><img src=x onerror=" in notice and "no column" in notice
    assert shown(page) == ALL and page.inner_text("#reg-count") == "4 decisions"
    not_run(page)


def test_a_huge_search_in_the_address_neither_breaks_nor_hangs_the_page(site: Path, page, server: str) -> None:
    # The page is served for any address, however long (a real server may refuse a long one).
    index = (site / "index.html").read_text(encoding="utf-8")
    page.route("**/index.html?*", lambda route: route.fulfill(body=index, content_type="text/html; charset=utf-8"))
    for words in ("kaleidoscope" + "x" * 1_000_000, " ".join(["18500"] * 200_000), "é" * 300_000, "%" * 100_000):
        started = time.monotonic()
        opened(page, server, "?q=" + quote_plus(words))
        page.wait_for_selector('#reg-filters[data-search="ready"]')
        assert time.monotonic() - started < 10
        assert page.input_value("#reg-q") == words[:200]
        assert page.inner_text("#reg-count")  # the page says what it found
        assert len(page.url) < 2000  # the address keeps only what the search uses
        page.fill("#reg-q", "")
        assert shown(page) == ALL  # and the page is still usable


@pytest.mark.parametrize("query", ["?term=1999-2000", "?fund=Nope", "?kind=__proto__", "?kind=constructor", "?year=toString",
                                   "?sort=__proto__&order=sideways", "?sort=amount&order=sideways", "?fund=&term=&q=",
                                   "?q=%E0%A4%A", "?fund=MoJ&fund=Community+Safety+Fund", "?q[]=x&constructor=1"])
def test_unknown_values_in_the_address_show_everything_and_say_so(page, server: str, query: str) -> None:
    opened(page, server, query)
    assert page.locator("#reg-table tbody tr").count() == 4
    rows = shown(page)
    assert set(rows) <= set(ALL) and (rows or page.inner_text("#reg-count").startswith("No decisions match"))
    if re.search(r"term=1999|fund=Nope|kind=__proto__|kind=constructor|year=toString|sort=__proto__", query):
        assert rows == ALL and page.locator("#reg-notice").is_visible()
    assert axe_violations(page) == []


def test_the_papers_text_is_data_never_script(site: Path, page, server: str) -> None:
    script = (site / "assets" / "search-text.js").read_text(encoding="utf-8")
    body = script.split("window.decisionRegisterText = ", 1)[1].rstrip().rstrip(";")
    text = json.loads(body)  # the whole file is one object of strings
    assert all(isinstance(v, str) for v in text.values())
    assert "\u2028" not in script and "</script>" in text["decisions/2024-2028/pcc-d-204/"]
    opened(page, server)
    assert search(page, "pwned") == ["PCC/D/204"]
    not_run(page)


# --- what the search finds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "found"), [
    ("Luton Women's Refuge Trust", ["PCC/D/201"]),  # a recipient
    ("refuge trust", ["PCC/D/201"]),
    ("bedford youth", ["PCC/D/202"]),
    ("18,500", ["PCC/D/201"]),  # an amount, three ways; never the Part 2 paper's, nor 118,500
    ("£18,500", ["PCC/D/201"]),
    ("18500", ["PCC/D/201"]),
    ("118,500", ["PCC/D/202"]),
    ("CSF-4471", ["PCC/D/201"]),  # a budget code
    ("moj-77", ["PCC/D/202"]),
    ("community safety fund", ["PCC/D/201"]),  # a fund
    ("kaleidoscope", ["PCC/D/201"]),  # a word of the paper only, not the Part 2 paper's
    ("group sessions survivors", ["PCC/D/201"]),
    ("cafe drop-in 2024-25", ["PCC/D/202"]),  # accents, curly quotes and dashes as typed
    ("pcc/d/203", ["PCC/D/203"]),  # a Part 2 decision by what is published of it
    ("estates disposal", ["PCC/D/203"]),
])
def test_search_finds_a_decision_by(page, server: str, words: str, found: list[str]) -> None:
    opened(page, server)
    assert search(page, words) == found


def test_part2_and_confidential_words_are_in_no_index_and_no_file(site: Path, page, server: str) -> None:
    leaks = [str(p.relative_to(site)) for p, text in everything_readable(site) if SECRET in text]
    assert leaks == []
    script = (site / "assets" / "search-text.js").read_text(encoding="utf-8")
    text = json.loads(script.split("= ", 1)[1].rstrip().rstrip(";"))
    assert sorted(text) == ["decisions/2024-2028/pcc-d-201/", "decisions/2024-2028/pcc-d-202/", "decisions/2024-2028/pcc-d-204/"]
    index = (site / "index.html").read_text(encoding="utf-8")
    [part2] = [m for m in re.findall(r'data-text="([^"]*)"', index) if m.startswith("pcc/d/203")]
    assert part2 == "pcc/d/203 estates disposal"
    # The index holds what the decision's own page publishes, and nothing more.
    page_text = snippet_text((site / "decisions" / "2024-2028" / "pcc-d-201" / "index.html").read_text(encoding="utf-8"))
    assert text["decisions/2024-2028/pcc-d-201/"] in page_text
    opened(page, server)
    for words in (SECRET, "secret", "narrative", "zzs"):
        assert search(page, words) == []


def test_python_and_the_page_compare_text_the_same_way(page, server: str) -> None:
    opened(page, server)
    js = (ROOT / "templates" / "site" / "register.js").read_text(encoding="utf-8")
    normal = re.search(r"  function normal\(text\) \{.*?\n  \}\n", js, re.DOTALL).group(0)
    for text in ("£18,500.00 and 1,234,567", "Café ‘drop-in’ – “MoJ”", "STI’s\u00a0  Ŵyn", "Ünïcödé 2024–25", "a,b 1, 2"):
        assert page.evaluate(f"(text) => {{ {normal} return normal(text); }}", text) == searchable(text), text


def test_nothing_found_is_said_and_announced(page, server: str) -> None:
    opened(page, server)
    assert search(page, "zzyzx") == []
    status = page.locator("#reg-count")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == "No decisions match “zzyzx”. Try other or fewer words, or clear the search and filters."
    assert page.locator("#reg-table").is_hidden()  # no empty table
    assert axe_violations(page) == []
    page.select_option("#reg-fund", "MoJ")
    assert "“zzyzx” with the filters chosen" in status.inner_text()
    page.click("#reg-clear")
    assert shown(page) == ALL and status.inner_text() == "4 decisions" and page.url.endswith("/index.html")
    assert page.evaluate("document.activeElement.id") == "reg-q"


# --- the address, the sort and the caption -----------------------------------------------------------


def test_search_filters_and_sort_round_trip_through_the_address(page, server: str) -> None:
    opened(page, server)
    page.select_option("#reg-year", "2026-27")
    page.click("#reg-table th[data-key=amount] button")
    page.click("#reg-table th[data-key=amount] button")
    page.fill("#reg-q", "survivors")
    assert shown(page) == ["PCC/D/201"]
    assert page.url.endswith("/index.html?q=survivors&year=2026-27&sort=amount&order=desc")
    caption = page.inner_text("#reg-table caption")
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_selector('#reg-filters[data-search="ready"]')
    assert (other.input_value("#reg-q"), other.input_value("#reg-year"), shown(other)) == ("survivors", "2026-27", ["PCC/D/201"])
    assert other.inner_text("#reg-table caption") == caption == "Decisions by amount, largest first"
    assert other.get_attribute("#reg-table th[data-key=amount]", "aria-sort") == "descending"
    assert other.url == shared
    other.goto(server + "index.html?fund=MoJ&sort=reference&order=asc")
    assert shown(other) == ["PCC/D/202"] and other.input_value("#reg-fund") == "MoJ"
    other.goto(server + "index.html?sort=reference&order=desc")
    assert shown(other) == ["PCC/D/204", "PCC/D/203", "PCC/D/202", "PCC/D/201"]
    other.close()


def test_the_caption_follows_the_sort(page, server: str) -> None:
    opened(page, server)
    caption = page.locator("#reg-table caption")
    assert caption.inner_text() == "Decisions, newest first"
    steps = [("reference", "Decisions by reference, first to last", ["PCC/D/201", "PCC/D/202", "PCC/D/203", "PCC/D/204"]),
             ("reference", "Decisions by reference, last to first", ["PCC/D/204", "PCC/D/203", "PCC/D/202", "PCC/D/201"]),
             ("date", "Decisions, oldest first", ["PCC/D/204", "PCC/D/202", "PCC/D/203", "PCC/D/201"]),
             ("date", "Decisions, newest first", ALL),
             ("amount", "Decisions by amount, smallest first", ["PCC/D/203", "PCC/D/204", "PCC/D/201", "PCC/D/202"]),
             ("recipient", "Decisions by recipient, A to Z", ["PCC/D/202", "PCC/D/201", "PCC/D/203", "PCC/D/204"])]
    for key, words, order in steps:
        page.click(f"#reg-table th[data-key={key}] button")
        assert (caption.inner_text(), shown(page)) == (words, order), key
    page.click("#reg-table th[data-key=date] button")
    page.click("#reg-table th[data-key=date] button")
    assert page.url.endswith("/index.html")  # the register's own order needs nothing in the address
    # Without JavaScript the caption says the order the page is in.
    assert "<caption>Decisions, newest first</caption>" in page.context.request.get(server + "index.html").text()


# --- what the pages show ----------------------------------------------------------------------------


def test_fund_and_recipient_columns(site: Path, page, server: str) -> None:
    opened(page, server)
    heads = page.eval_on_selector_all("#reg-table thead th", "ths => ths.map(th => th.textContent.trim())")
    assert heads == ["Reference", "Date", "Subject", "Kind", "Fund", "Recipient", "Amount", "Status", "Key decision"]
    cells = page.eval_on_selector_all("#reg-table tbody tr", "rows => rows.map(r => [r.cells[4].textContent, r.cells[5].textContent])")
    assert cells == [["Community Safety Fund", "Luton Women's Refuge Trust"], ["", ""], ["MoJ", "Bedford Youth Trust"], ["", ""]]
    browse = (site / "by" / "fund" / "moj" / "index.html").read_text(encoding="utf-8")
    assert '<td data-label="Recipient" data-value="Bedford Youth Trust">Bedford Youth Trust</td>' in browse


def test_dates_are_written_the_govuk_way_in_the_register(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    dates = dict(re.findall(r'>([^<]+)</a></td>\s*<td data-label="Date" data-value="[^"]*">([^<]*)</td>', index))
    assert dates == {"PCC/D/201": "29 November 2026", "PCC/D/203": "1 October 2026", "PCC/D/204": "10 January 2025",
                     "PCC/D/202": "6 March 2025"}
    decision = (site / "decisions" / "2024-2028" / "pcc-d-202" / "index.html").read_text(encoding="utf-8")
    assert "<dt>Date</dt> <dd>6 March 2025</dd>" in decision
    assert "06/03/2025" in decision  # the paper itself keeps the office's format
    assert "<dt>Date</dt> <dd>1 October 2026</dd>" in (site / "decisions" / "2024-2028" / "pcc-d-203" / "index.html").read_text()


def test_the_offices_logo_contact_and_icon(site: Path, page, server: str) -> None:
    assert (site / "assets" / "logo.png").read_bytes() == png(120, 40)
    for place in ("index.html", "decisions/2024-2028/pcc-d-201/index.html", "by/fund/moj/index.html"):
        page.goto(server + place)
        assert page.get_attribute(".reg-header img.reg-logo", "alt") == ""  # the link says the office's name
        assert page.evaluate("document.querySelector('.reg-logo').naturalWidth") == 120
        assert page.inner_text(".reg-contact") == "Email enquiries@bedfordshire.example or call 01234 567890"
        assert page.get_attribute(".reg-contact a", "href") == "mailto:enquiries@bedfordshire.example"
        icon = page.get_attribute("link[rel=icon]", "href")
        assert icon.startswith("data:image/svg+xml,") and "1F3864" in icon
        assert axe_violations(page) == [], place


def test_an_office_with_no_logo_or_contact_shows_neither(tmp_path: Path) -> None:
    project = make(tmp_path)
    office = (tmp_path / "office.yaml").read_text(encoding="utf-8")
    (tmp_path / "office.yaml").write_text(re.sub(r"(?m)^(contact|logo): .*$", r"\1: null", office), encoding="utf-8")
    records = tmp_path / "records" / "2024-2028"
    for name in ("PCC-D-201.yaml", "PCC-D-203.yaml", "PCC-D-204.yaml"):
        (records / name).unlink()
    project = Project.load(tmp_path / "office.yaml")
    assert publish(project, tmp_path / "site").published == ["PCC/D/202"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "reg-logo" not in index and "reg-contact" not in index and not (tmp_path / "site" / "assets" / "logo.png").exists()


# --- the register's addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "folder"), [
    ("https://www.bedfordshire.pcc.police.uk/decision-register/", "decisions/"),  # this office: as ever
    ("https://www.surrey-pcc.gov.uk/decisions/", ""),
    ("https://www.example.org/Decisions/", ""),
    ("https://www.example.org/about/decisions", ""),
    ("https://www.example.org/", "decisions/"),
    ("https://www.example.org/my-decisions/", "decisions/"),
    ("https://www.example.org/decisions/register/", "decisions/"),
    ("https://www.example.org/?page=decisions", "decisions/"),
])
def test_page_folder(base: str, folder: str) -> None:
    assert page_folder(base) == folder


def test_a_register_at_a_decisions_address_never_says_decisions_twice(tmp_path: Path) -> None:
    base = "https://www.example-pcc.gov.uk/decisions/"
    summary = publish(make(tmp_path, base), tmp_path / "site")
    assert summary.failed == [] and summary.published == PUBLIC
    site = tmp_path / "site"
    assert (site / "2024-2028" / "pcc-d-201" / "pcc-d-201.pdf").is_file() and not (site / "decisions").exists()
    rows = {r["reference"]: r for r in json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]}
    assert rows["PCC/D/201"]["url"] == base + "2024-2028/pcc-d-201/" and rows["PCC/D/203"]["url"] == base + "2024-2028/pcc-d-203/"
    assert not [p for p, text in everything_readable(site) if "decisions/decisions" in text]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="2024-2028/pcc-d-201/index.html">PCC/D/201</a>' in index
    page = (site / "2024-2028" / "pcc-d-201" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../assets/register.css"' in page and 'href="../../index.html"' in page
    text = (site / "assets" / "search-text.js").read_text(encoding="utf-8")
    assert '"2024-2028/pcc-d-201/": ' in text


def test_a_term_named_as_the_sites_own_folder_is_refused_at_a_decisions_address(tmp_path: Path) -> None:
    project = make(tmp_path, "https://www.example-pcc.gov.uk/decisions/", terms="by")
    with pytest.raises(PublishError, match="the term by would be a folder beside the register's own by"):
        publish(project, tmp_path / "site")
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").iterdir())


# --- how it looks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (375, 812)])
def test_the_register_reads_well_at_desktop_and_mobile_widths(browser, server: str, tmp_path: Path, width: int, height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    opened(page, server, "?q=18%2C500")
    page.wait_for_selector('#reg-filters[data-search="ready"]')
    assert shown(page) == ["PCC/D/201"]
    # Nothing wider than the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"index-{width}.png"), full_page=True)
    opened(page, server, "?q=nothing-at-all")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"none-{width}.png"), full_page=True)
    page.goto(server + "decisions/2024-2028/pcc-d-201/index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"decision-{width}.png"), full_page=True)
    context.close()


def test_a_long_list_of_recipients_is_cut_short_in_the_table_and_searched_whole() -> None:
    from engine.render.html import render_html

    names = [f"Recipient {n}" for n in range(1, 8)]
    row = {"reference": "PCC/D/048", "path": "decisions/2021-2024/pcc-d-048/", "term": "2021-2024", "years": [], "funds": [],
           "kind": "", "kind_label": "", "search": searchable(" ".join(names)), "sort_date": "", "date": "", "subject": "Grants",
           "recipients": names, "amount": "", "amount_sort": "0", "status": "Approved", "key_decision": False}
    html = render_html(ROOT / "templates" / "site" / "index.html.j2", {
        "office": {"name": "An office", "address": [], "contact": None, "logo": None, "home_url": None},
        "register": "Decision register", "forward_plan": False, "language": "en-GB", "style": {}, "favicon": "data:,", "heading": "Decision register", "filters": True,
        "decisions": [row], "listings": {"term": [], "year": [], "fund": [], "kind": []}, "root": ""})
    assert '<td data-label="Recipient" data-value="' + ", ".join(names) + '">Recipient 1, Recipient 2 and 5 others</td>' in html
    assert "recipient 7" in re.search(r'data-text="([^"]*)"', html).group(1)
