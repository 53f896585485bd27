"""`decisions publish` for every kind of decision: kinds, dates as published or not stated,
money per recipient and year, funds with envelopes, a precept and its vote, links both ways,
aliases, a paper's earlier address, and nothing of a Part 2 decision beyond what may be known.

The records are written here, whole, so that the register's behaviour is tested against records
this file controls (the seed record is edited by others as the model grows)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from engine.project import Project
from engine.publish import CSV_FIELDS, _web_address, publish

from .conftest import ROOT
from .support import write_project

SECRET = "ZZP2-SECRET"  # in every fact of the Part 2 decision; must appear nowhere in the site
BASE = "https://www.bedfordshire.pcc.police.uk/decision-register/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}

OFFICE_KINDS = f"""
kinds:
  estates_disposal:
    label: Estates disposal {SECRET}-KIND
    description: Land and buildings sold
"""

RECORDS: dict[str, str] = {
    # Nothing but the core: no funding, no date (it names its term), no approval block.
    "2016-2021/PCC-D-022.yaml": """
kind: policy_or_governance
reference: PCC/D/022
term: 2016-2021
subject: The Commissioner's first hundred days
date: not stated
status: approved
sections:
  - content:
      - A report of the Commissioner's first hundred days in office.
recommendation: not stated
approval: not stated
""",
    # Governance, dated to the day, with an alias, its existing address and an approver named.
    "2021-2024/PCC-D-083.yaml": """
kind: policy_or_governance
reference: PCC/D/083
aliases: [PCC.D.083]
subject: Governance change in how the PCC holds the Chief Constable to account
report_of: Police and Crime Commissioner
date: 2023-06-14
status: approved
sections:
  - heading: Summary
    content:
      - The Commissioner will hold the Chief Constable to account in public meetings.
recommendation: To note decision
approval:
  name: Festus Akinbusoye
  role: Bedfordshire Police and Crime Commissioner
  date: 2023-06-15
publication:
  part: public
  protective_marking: OFFICIAL
  url: https://bedfordshire.pcc.police.uk/pcc-d-083
  title: PCC/D/083 Governance change
amounts:
  - {label: '=Meetings budget', amount: 1200.50, financial_year: 2023/24}
""",
    # An alias that is another term's decision's reference (in its own term it would fail the
    # alias-clash rule): links to PCC/D/022 must not come here.
    "2021-2024/PCC-D-084.yaml": """
kind: policy_or_governance
reference: PCC/D/084
aliases: [PCC/D/022]
subject: Publication of accountability meeting notes
date: 2023-06-20
status: approved
sections:
  - content:
      - Notes of the public accountability meetings will be published.
recommendation: To note decision
approval: {role: Bedfordshire Police and Crime Commissioner, date: 2023-06-21}
""",
    # An amendment: links both ways, a link outside the register, an unnumbered paper, documents,
    # and hostile text where a spreadsheet or a browser would run it.
    "2021-2024/PCC-D-127.yaml": """
kind: amendment
reference: PCC/D/127
subject: Amendment to Terms of Reference for Chief Constable One to One Accountability Meetings
report_of: Police and Crime Commissioner
date: 2024-02-09
status: approved
links:
  - relation: amends
    reference: PCC/D/083
    title: Governance change in how the PCC holds the Chief Constable to account
    date: 2023-06-14
    url: https://bedfordshire.pcc.police.uk/pcc-d-083
    printed: false
  - relation: cites
    reference: PCC/D/999
    title: '=HYPERLINK("http://evil.example/steal","click") <b>bold</b>'
    url: https://example.org/pcc-d-999
  - relation: supersedes
    title: Terms of reference for one to one meetings
    date: 2019-03
  - relation: cites
    reference: PCC/D/022
documents:
  - title: '=HYPERLINK("http://evil.example/doc","doc")'
    url: https://example.org/appendix-a.pdf
  - title: Terms of reference
    label: Appendix A
    url: https://example.org/tor.pdf
sections:
  - content:
      - Only the public six-weekly meeting will be published on the website.
recommendation: To note decision
approval:
  role: Bedfordshire Police and Crime Commissioner
publication:
  part: public
  protective_marking: '@SUM(1+1)'
  url: https://bedfordshire.pcc.police.uk/pcc-d-127
waivers:
  - rule: approval-dated
    reason: The published paper does not state the date on which the Commissioner signed it.
""",
    # A grants round dated only to the month, several recipients, money per year, a fund not
    # stated, a fund envelope with a stale year, award groups; years written three ways.
    "2021-2024/PCC-D-048.yaml": """
kind: grants_round
reference: PCC/D/048
subject: Community Safety Applications November 2021
date: 2021-11
key_decision: true
status: approved
financial_year: 2021/22
funds:
  - name: Community Safety Fund
    available: 538000
    financial_year: 2021/2022
award_groups:
  - {name: Applications for Core Service Awards over £5000, over: 5000, fund: Community Safety Fund}
  - {name: Applications for Small Grant Awards up to £5000, up_to: 5000}
funding:
  - recipient: Surrey Police
    service: engagement vehicle
    purpose: An engagement vehicle and e-bikes for Spelthorne
    fund: Community Safety Fund
    budget_code: CSF1
    amount: 20000
    financial_year: 2021-2022
    group: Applications for Core Service Awards over £5000
  - recipient: Runnymede Neighbourhood Watch
    service: social media project
    fund: Community Safety Fund
    amount: 4000
    financial_year: 2021-22
    group: Applications for Small Grant Awards up to £5000
  - recipient: Leaders Unlocked
    service: Youth commission
    fund: not stated
    per_year:
      - {financial_year: 2021/22, amount: 10000}
      - {financial_year: 2022-2023, amount: 12000}
    group: Applications for Core Service Awards over £5000
sections:
  - heading: Executive Summary
    content:
      - The Community Safety Fund has £538,000 available.
recommendation: {awards: true}
approval: not stated
""",
    # Dated to the day in the same month: sorted after the month-dated paper (its last day is later).
    "2021-2024/PCC-D-049.yaml": """
kind: funding_allocation
reference: PCC/D/049
subject: Rural crime advice 2021-22
date: 2021-11-15
status: approved
funding:
  - service: Rural crime advice
    fund: MoJ
    amount: 1500
    financial_year: 2021-22
sections:
  - content:
      - Advice for rural businesses.
recommendation: To note decision
approval: {name: Festus Akinbusoye, date: 2021-11-16}
links:
  - {relation: companion, reference: PCC/D/048, printed: false}
""",
    # A precept: its facts, the consultation and the panel's vote against its veto threshold.
    "2021-2024/PCC-D-090.yaml": """
kind: precept_and_budget
reference: PCC/D/090
subject: Setting the Budget 2023-2024
date: 2023-02-10
status: approved
precept:
  financial_year: 2023/24
  band_d: 264.50
  increase: 14.84
  increase_percent: 5.94
  net_revenue_budget: 273038000
history:
  - event: consultation
    date: 2022-12-01
    until: 2023-01-15
    responses: 1234
    result: Most respondents supported a rise
  - event: meeting
    name: Police and Crime Panel
    date: 2023-02-03
    participants:
      - {name: Cllr Ann Example, role: Chair, organisation: Anytown Council, internal: false}
      - {role: Chief Executive, internal: true}
  - event: vote
    name: Police and Crime Panel
    date: 2023-02-03
    votes: {in_favour: 3, against: 8, abstained: 1, threshold: 10, threshold_rule: two-thirds of the panel's members, carried: false}
    result: The veto was not carried
sections:
  - content:
      - The Band D council tax rises to £264.50.
recommendation: To approve the precept
approval: {name: Festus Akinbusoye, date: 2023-02-11}
""",
    # Part 2: every fact beyond reference, date, subject, term and reason carries the secret.
    "2021-2024/PCC-D-104.yaml": f"""
kind: estates_disposal
reference: PCC/D/104
aliases: [{SECRET}-ALIAS]
subject: Estates Disposal
date: 2023-09-06
status: approved
financial_year: 2019-20
key_decision: true
funds:
  - {{name: {SECRET}-FUND, available: 777777, financial_year: 2018-19}}
funding:
  - recipient: {SECRET}-RECIPIENT
    service: {SECRET}-SERVICE
    fund: {SECRET}-FUND
    amount: 777777
    financial_year: 2018-19
precept:
  financial_year: 2017-18
  band_d: 777.77
history:
  - {{event: meeting, name: {SECRET}-PANEL, date: 2023-09-01, participants: [{{name: {SECRET}-PERSON}}]}}
links:
  - {{relation: amends, reference: PCC/D/083, title: {SECRET}-LINK}}
  - {{relation: supersedes, reference: PCC/D/084}}
documents:
  - {{title: {SECRET}-DOCUMENT, url: "https://example.org/{SECRET}-DOC.pdf"}}
sections:
  - content:
      - {SECRET} narrative.
recommendation: {SECRET}-RECOMMENDATION
approval: {{name: {SECRET}-APPROVER, role: Chief Executive, date: 2023-09-07}}
publication:
  part: part2
  reason: Exempt under section 43 (commercial interests) of the Freedom of Information Act
  protective_marking: {SECRET}-MARKING
  url: https://example.org/{SECRET}-URL
  title: {SECRET}-TITLE
amounts:
  - {{label: {SECRET}-AMOUNT, amount: 777777}}
""",
    # An addendum whose parent is not in the register: text, not an error.
    "2021-2024/PCC-D-072a.yaml": """
kind: amendment
reference: PCC/D/072a
addendum_to: PCC/D/072
subject: Addendum to the estates strategy
date: 2022-07-01
status: approved
sections:
  - content:
      - The strategy's second phase is brought forward.
recommendation: To note decision
approval: {name: Festus Akinbusoye, date: 2022-07-02}
""",
    # A paper dated only to the year, in a term that the year does not straddle.
    "2016-2021/PCC-D-010.yaml": """
kind: research
reference: PCC/D/010
subject: Needs assessment
date: 2018
status: approved
sections:
  - content:
      - A needs assessment is commissioned.
recommendation: To note decision
approval: not stated
""",
}

ORDER = ["PCC/D/127", "PCC/D/104", "PCC/D/084", "PCC/D/083", "PCC/D/090", "PCC/D/072a", "PCC/D/048", "PCC/D/049",
         "PCC/D/010", "PCC/D/022"]


def make(root: Path, records: dict[str, str] = RECORDS) -> Project:
    return write_project(root, (ROOT / "office.yaml").read_text(encoding="utf-8") + OFFICE_KINDS, records)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kinds")
    project = make(root)
    summary = publish(project, root / "site")
    assert summary.failed == [], summary.failed
    assert summary.withheld == ["PCC/D/104"]
    assert summary.published == [r for r in ORDER if r != "PCC/D/104"]
    return root / "site"


def rows(site: Path) -> dict[str, dict]:
    return {r["reference"]: r for r in json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]}


def csv_rows(site: Path) -> dict[str, dict[str, str]]:
    text = (site / "decisions.csv").read_text(encoding="utf-8")
    return {r["reference"]: r for r in csv.DictReader(io.StringIO(text))}


def page(site: Path, place: str) -> str:
    return (site / "decisions" / place / "index.html").read_text(encoding="utf-8")


def flat(html: str) -> str:
    """A page's text, tags dropped and white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- open data ---------------------------------------------------------------------------------------


def test_json_row_of_a_grants_round(site: Path) -> None:
    row = rows(site)["PCC/D/048"]
    assert row["kind"] == "grants_round" and row["kind_label"] == "Grants round"
    assert row["date"] == "2021-11"
    assert row["financial_year"] == "2021-22" and row["period"] is None
    assert row["key_decision"] is True
    assert row["total_amount"] == "46000"
    assert row["funding"] == [
        {"recipient": "Surrey Police", "service": "engagement vehicle", "purpose": "An engagement vehicle and e-bikes for Spelthorne",
         "fund": "Community Safety Fund", "budget_code": "CSF1", "amount": "20000", "per_year": [], "financial_years": ["2021-22"],
         "period": None, "group": "Applications for Core Service Awards over £5000"},
        {"recipient": "Runnymede Neighbourhood Watch", "service": "social media project", "purpose": None,
         "fund": "Community Safety Fund", "budget_code": None, "amount": "4000", "per_year": [], "financial_years": ["2021-22"],
         "period": None, "group": "Applications for Small Grant Awards up to £5000"},
        {"recipient": "Leaders Unlocked", "service": "Youth commission", "purpose": None, "fund": None, "budget_code": None,
         "amount": "22000", "per_year": [{"financial_year": "2021-22", "amount": "10000"}, {"financial_year": "2022-23", "amount": "12000"}],
         "financial_years": ["2021-22", "2022-23"], "period": None, "group": "Applications for Core Service Awards over £5000"},
    ]
    assert row["funds"] == ["Community Safety Fund"]
    assert row["fund_envelopes"] == [{"name": "Community Safety Fund", "available": "538000", "financial_year": "2021-22", "budget_code": None}]
    assert row["award_groups"] == [
        {"name": "Applications for Core Service Awards over £5000", "over": "5000", "up_to": None, "fund": "Community Safety Fund"},
        {"name": "Applications for Small Grant Awards up to £5000", "over": None, "up_to": "5000", "fund": None}]
    assert row["financial_years"] == ["2021-22", "2022-23"]
    assert row["recipients"] == ["Surrey Police", "Runnymede Neighbourhood Watch", "Leaders Unlocked"]
    # Approval not stated: the commissioner of the paper's term, in the office's commissioner role.
    assert (row["decision_maker"], row["decision_maker_name"], row["decision_maker_role"]) == (
        "Festus Akinbusoye, Bedfordshire Police and Crime Commissioner", "Festus Akinbusoye", "Bedfordshire Police and Crime Commissioner")


def test_not_stated_is_null_never_words(site: Path) -> None:
    for name in ("decisions.json", "decisions.csv", "index.html", "feed.atom"):
        assert "not stated" not in (site / name).read_text(encoding="utf-8").lower(), name
    for path in (site / "by").rglob("*.html"):
        assert "not stated" not in path.read_text(encoding="utf-8").lower(), path
    assert not any("not-stated" in str(p) for p in site.rglob("*"))


def test_a_core_only_decision_publishes(site: Path) -> None:
    row = rows(site)["PCC/D/022"]
    assert row["date"] is None and row["term"] == "2016-2021"
    assert row["kind_label"] == "Policy or governance"
    assert row["funding"] == [] and row["total_amount"] is None and row["funds"] == [] and row["financial_years"] == []
    assert row["decision_maker"] == "Kathryn Holloway, Bedfordshire Police and Crime Commissioner"
    assert row["url"] == BASE + "decisions/2016-2021/pcc-d-022/"
    assert "<dt>Date</dt>" not in page(site, "2016-2021/pcc-d-022")
    assert "<dt>Date</dt>" in page(site, "2016-2021/pcc-d-010")
    assert (site / "decisions" / "2016-2021" / "pcc-d-022" / "pcc-d-022.pdf").read_bytes().startswith(b"%PDF-")


def test_decision_maker_from_the_approval(site: Path) -> None:
    data = rows(site)
    assert data["PCC/D/083"]["decision_maker"] == "Festus Akinbusoye, Bedfordshire Police and Crime Commissioner"
    # An approval naming only the commissioner's role: the commissioner in office that day.
    assert data["PCC/D/127"]["decision_maker"] == "Festus Akinbusoye, Bedfordshire Police and Crime Commissioner"
    # An approval naming only the approver: the role defaults to the commissioner's.
    assert data["PCC/D/049"]["decision_maker_role"] == "Bedfordshire Police and Crime Commissioner"
    assert data["PCC/D/010"]["decision_maker"] == "Kathryn Holloway, Bedfordshire Police and Crime Commissioner"


def test_json_row_of_a_precept(site: Path) -> None:
    row = rows(site)["PCC/D/090"]
    assert row["precept"] == {"financial_year": "2023-24", "band_d": "264.50", "increase": "14.84", "increase_percent": "5.94",
                              "net_revenue_budget": "273038000", "total_precept": None}
    assert row["financial_years"] == ["2023-24"]
    assert row["history"] == [
        {"event": "consultation", "date": "2022-12-01", "until": "2023-01-15", "responses": 1234, "result": "Most respondents supported a rise"},
        {"event": "meeting", "date": "2023-02-03", "name": "Police and Crime Panel",
         "participants": [{"name": "Cllr Ann Example", "role": "Chair", "organisation": "Anytown Council", "internal": False},
                          {"role": "Chief Executive", "internal": True}]},
        {"event": "vote", "date": "2023-02-03", "name": "Police and Crime Panel",
         "votes": {"in_favour": 3, "against": 8, "abstained": 1, "threshold": 10, "threshold_rule": "two-thirds of the panel's members",
                   "carried": False},
         "result": "The veto was not carried"},
    ]


def test_json_links_documents_aliases_and_markings(site: Path) -> None:
    data = rows(site)
    row = data["PCC/D/127"]
    assert row["links"] == [
        {"relation": "amends", "reference": "PCC/D/083", "title": "Governance change in how the PCC holds the Chief Constable to account",
         "date": "2023-06-14", "url": "https://bedfordshire.pcc.police.uk/pcc-d-083", "register_url": BASE + "decisions/2021-2024/pcc-d-083/"},
        {"relation": "cites", "reference": "PCC/D/999", "title": '=HYPERLINK("http://evil.example/steal","click") <b>bold</b>',
         "date": None, "url": "https://example.org/pcc-d-999", "register_url": None},
        {"relation": "supersedes", "reference": None, "title": "Terms of reference for one to one meetings", "date": "2019-03",
         "url": None, "register_url": None},
        {"relation": "cites", "reference": "PCC/D/022", "title": None, "date": None, "url": None,
         "register_url": BASE + "decisions/2016-2021/pcc-d-022/"},
    ]
    assert row["documents"][1] == {"title": "Terms of reference", "label": "Appendix A", "date": None, "url": "https://example.org/tor.pdf"}
    assert row["protective_marking"] == "@SUM(1+1)" and row["published_url"] == "https://bedfordshire.pcc.police.uk/pcc-d-127"
    # The other ends, in the register, know who links to them; the Part 2 decision's links are not shown.
    assert data["PCC/D/083"]["linked_from"] == [{"relation": "amended_by", "reference": "PCC/D/127", "register_url": BASE + "decisions/2021-2024/pcc-d-127/"}]
    assert data["PCC/D/022"]["linked_from"] == [{"relation": "cited_by", "reference": "PCC/D/127", "register_url": BASE + "decisions/2021-2024/pcc-d-127/"}]
    assert data["PCC/D/084"]["linked_from"] == []
    assert data["PCC/D/083"]["aliases"] == ["PCC.D.083"] and data["PCC/D/083"]["published_url"] == "https://bedfordshire.pcc.police.uk/pcc-d-083"
    assert data["PCC/D/083"]["protective_marking"] == "OFFICIAL"
    assert data["PCC/D/083"]["published_title"] == "PCC/D/083 Governance change"
    assert data["PCC/D/083"]["stated_amounts"] == [{"label": "=Meetings budget", "amount": "1200.50", "financial_year": "2023-24"}]
    # A companion reads the same both ways.
    assert data["PCC/D/049"]["links"][0]["register_url"] == BASE + "decisions/2021-2024/pcc-d-048/"
    assert data["PCC/D/048"]["linked_from"] == [{"relation": "companion", "reference": "PCC/D/049", "register_url": BASE + "decisions/2021-2024/pcc-d-049/"}]
    assert data["PCC/D/072a"]["addendum_to"] == "PCC/D/072"


def test_part2_gives_only_what_may_be_known(site: Path) -> None:
    row = rows(site)["PCC/D/104"]
    assert row == {"reference": "PCC/D/104", "date": "2023-09-06", "subject": "Estates Disposal", "term": "2021-2024",
                   "url": BASE + "decisions/2021-2024/pcc-d-104/", "part2": True,
                   "withheld_reason": "Exempt under section 43 (commercial interests) of the Freedom of Information Act"}
    leaks = [str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []
    # Its years, funds and kind are not in the filters or browse pages.
    index = (site / "index.html").read_text(encoding="utf-8")
    for value in ("2019-20", "2018-19", "2017-18", "777"):
        assert value not in index
    assert not (site / "by" / "year" / "2019-20").exists()
    # What it links to does not learn of it.
    assert "PCC/D/104" not in flat(page(site, "2021-2024/pcc-d-083")) and "PCC/D/104" not in flat(page(site, "2021-2024/pcc-d-084"))
    # The check can fail: the secret is in the record.
    assert SECRET in (site.parent / "records" / "2021-2024" / "PCC-D-104.yaml").read_text(encoding="utf-8")


def test_csv_carries_what_the_json_carries(site: Path) -> None:
    header = next(csv.reader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8"))))
    assert header == CSV_FIELDS
    # Stable: the columns of before keep their places, new ones come after.
    assert header[:16] == ["reference", "date", "subject", "decision_maker", "total_amount", "funds", "financial_years", "recipients",
                           "route_to_market", "bidding_limit", "status", "key_decision", "term", "part2", "withheld_reason", "url"]
    for row in rows(site).values():
        assert set(row) <= set(header), set(row) - set(header)
    data = csv_rows(site)
    grants = data["PCC/D/048"]
    assert grants["funding"] == ("Surrey Police – engagement vehicle – An engagement vehicle and e-bikes for Spelthorne – "
                                 "Community Safety Fund CSF1 – £20,000 (2021-22) [Applications for Core Service Awards over £5000]; "
                                 "Runnymede Neighbourhood Watch – social media project – Community Safety Fund – £4,000 (2021-22) "
                                 "[Applications for Small Grant Awards up to £5000]; "
                                 "Leaders Unlocked – Youth commission – £22,000 (2021-22 £10,000, 2022-23 £12,000) "
                                 "[Applications for Core Service Awards over £5000]")
    assert grants["fund_envelopes"] == "Community Safety Fund – £538,000 available (2021-22)"
    assert grants["award_groups"] == ("Applications for Core Service Awards over £5000 (over £5,000, Community Safety Fund); "
                                      "Applications for Small Grant Awards up to £5000 (up to £5,000)")
    assert grants["financial_years"] == "2021-22; 2022-23" and grants["financial_year"] == "2021-22"
    assert grants["date"] == "2021-11" and grants["kind"] == "grants_round" and grants["kind_label"] == "Grants round"
    assert grants["decision_maker"] == "Festus Akinbusoye, Bedfordshire Police and Crime Commissioner"
    assert grants["key_decision"] == "True" and grants["period"] == ""
    precept = data["PCC/D/090"]
    assert precept["precept"] == "2023-24: Band D £264.50, a rise of £14.84 (5.94%), net revenue budget £273,038,000"
    assert precept["history"] == (
        "consultation 2022-12-01 to 2023-01-15 – 1234 responses – Most respondents supported a rise; "
        "meeting 2023-02-03 – Police and Crime Panel – with Cllr Ann Example (Chair, Anytown Council, external), Chief Executive, internal; "
        "vote 2023-02-03 – Police and Crime Panel – 3 for, 8 against, 1 abstained, threshold 10 (two-thirds of the panel's members), "
        "not carried – The veto was not carried")
    amendment = data["PCC/D/127"]
    assert amendment["links"].startswith("amends PCC/D/083 – Governance change in how the PCC holds the Chief Constable to account – "
                                         "2023-06-14 – https://bedfordshire.pcc.police.uk/pcc-d-083 – " + BASE + "decisions/2021-2024/pcc-d-083/; ")
    assert data["PCC/D/083"]["linked_from"] == "amended by PCC/D/127"
    assert data["PCC/D/072a"]["addendum_to"] == "PCC/D/072"
    assert data["PCC/D/083"]["stated_amounts"] == "'=Meetings budget – £1,200.50 (2023-24)"
    assert data["PCC/D/083"]["published_title"] == "PCC/D/083 Governance change"
    assert data["PCC/D/022"]["date"] == "" and data["PCC/D/104"]["kind"] == "" and data["PCC/D/104"]["funding"] == ""


def test_csv_cells_never_start_a_formula(site: Path) -> None:
    cells = [cell for row in csv.reader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8"))) for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    data = csv_rows(site)["PCC/D/127"]
    assert data["protective_marking"] == "'@SUM(1+1)"
    assert data["documents"].startswith("'=HYPERLINK(")


# --- the pages --------------------------------------------------------------------------------------


def test_index_order_dates_and_kinds(site: Path) -> None:
    assert [r for r in rows(site)] == ORDER
    index = (site / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<td data-label="Reference"[^>]*><a [^>]*>([^<]+)</a>', index) == ORDER
    dates = dict(re.findall(r'<a [^>]*>([^<]+)</a></td>\s*<td data-label="Date" data-value="[^"]*">([^<]*)</td>', index))
    # The register's pages write dates the GOV.UK way, not in the paper's format (15/11/2021).
    assert dates["PCC/D/048"] == "November 2021" and dates["PCC/D/049"] == "15 November 2021"
    assert dates["PCC/D/010"] == "2018" and dates["PCC/D/022"] == ""
    assert 'data-kind="grants_round"' in index and '<td data-label="Kind" data-value="Grants round">Grants round</td>' in index
    # Undated last when sorted either way: its sort value is empty, which the script puts last.
    assert re.search(r'pcc-d-022/index.html">PCC/D/022</a></td>\s*<td data-label="Date" data-value=""', index)
    js = (site / "assets" / "register.js").read_text(encoding="utf-8")
    assert 'x === ""' in js


def test_filters_use_one_name_for_a_year_and_no_unstated_fund(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    year_options = re.search(r'<select id="reg-year".*?</select>', index, re.DOTALL).group(0)
    assert re.findall(r"<option>([^<]+)</option>", year_options) == ["2023-24", "2022-23", "2021-22"]
    fund_options = re.search(r'<select id="reg-fund".*?</select>', index, re.DOTALL).group(0)
    assert re.findall(r"<option>([^<]+)</option>", fund_options) == ["Community Safety Fund", "MoJ"]
    assert sorted(p.name for p in (site / "by" / "year").iterdir()) == ["2021-22", "2022-23", "2023-24"]
    assert sorted(p.name for p in (site / "by" / "fund").iterdir()) == ["community-safety-fund", "moj"]
    year = (site / "by" / "year" / "2021-22" / "index.html").read_text(encoding="utf-8")
    assert year.count("<tr data-term=") == 2  # PCC/D/048 (its own year and its lines') and PCC/D/049
    precept_year = (site / "by" / "year" / "2023-24" / "index.html").read_text(encoding="utf-8")
    assert "PCC/D/090" in precept_year
    kinds = sorted(p.name for p in (site / "by" / "kind").iterdir())
    assert kinds == ["amendment", "funding-allocation", "grants-round", "policy-or-governance", "precept-and-budget", "research"]
    assert (site / "by" / "kind" / "policy-or-governance" / "index.html").read_text(encoding="utf-8").count("<tr data-term=") == 3


def test_links_both_ways_and_outside_the_register(site: Path) -> None:
    amendment = page(site, "2021-2024/pcc-d-127")
    amended = page(site, "2021-2024/pcc-d-083")
    assert 'Amends <a href="../../../decisions/2021-2024/pcc-d-083/index.html">PCC/D/083</a>' in amendment
    assert 'Amended by <a href="../../../decisions/2021-2024/pcc-d-127/index.html">PCC/D/127</a>' in amended
    assert 'Cites <a href="../../../decisions/2016-2021/pcc-d-022/index.html">PCC/D/022</a>' in amendment
    assert 'Cited by <a href="../../../decisions/2021-2024/pcc-d-127/index.html">PCC/D/127</a>' in page(site, "2016-2021/pcc-d-022")
    text = flat(amendment)
    assert 'Cites PCC/D/999: =HYPERLINK("http://evil.example/steal","click") <b>bold</b> – https://example.org/pcc-d-999' in text
    assert '– <a href="https://example.org/pcc-d-999">https://example.org/pcc-d-999</a>' in amendment
    assert "Supersedes Terms of reference for one to one meetings (March 2019)" in text
    # The alias that is PCC/D/083 does not take PCC/D/083's links.
    assert "Amended by" not in page(site, "2021-2024/pcc-d-084")
    assert "This is an addendum to PCC/D/072." in flat(page(site, "2021-2024/pcc-d-072a"))
    assert 'Issued with <a href="../../../decisions/2021-2024/pcc-d-049/index.html">PCC/D/049</a>' in page(site, "2021-2024/pcc-d-048")
    assert 'Issued with <a href="../../../decisions/2021-2024/pcc-d-048/index.html">PCC/D/048</a>' in page(site, "2021-2024/pcc-d-049")


def test_every_relation_reads_both_ways() -> None:
    from engine.model import LinkRelation
    from engine.publish import RELATIONS

    assert set(RELATIONS) == {r.value for r in LinkRelation}


def test_no_page_makes_a_script_url_a_link(site: Path) -> None:
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'href="\s*javascript:', html, re.IGNORECASE), path
        assert "<b>bold</b>" not in html
    # The model refuses any address but http(s); the register checks again before it links one.
    for address in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "https://a.example/\"onmouseover=x",
                    "//evil.example", "vbscript:x", "https://a.example/ b", None, ""):
        assert _web_address(address) is None, address
    assert _web_address("HTTPS://example.org/a?b=c") == "HTTPS://example.org/a?b=c"


def test_aliases_and_first_address(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    [text] = [m for m in re.findall(r'data-text="([^"]*)"', index) if m.startswith("pcc/d/083 ")]
    assert "pcc.d.083" in text
    [other] = [m for m in re.findall(r'data-text="([^"]*)"', index) if m.startswith("pcc/d/084 ")]
    assert "pcc/d/022" in other  # found by what it was printed as too
    amended = flat(page(site, "2021-2024/pcc-d-083"))
    assert "Also printed as PCC.D.083." in amended
    assert ('First published as “PCC/D/083 Governance change” at <a href="https://bedfordshire.pcc.police.uk/pcc-d-083">'
            'https://bedfordshire.pcc.police.uk/pcc-d-083</a>.' in page(site, "2021-2024/pcc-d-083"))
    assert ('First published at <a href="https://bedfordshire.pcc.police.uk/pcc-d-127">https://bedfordshire.pcc.police.uk/pcc-d-127</a>.'
            in page(site, "2021-2024/pcc-d-127"))
    assert "Kind of decision Policy or governance" in amended


def test_decision_page_shows_the_date_as_published(site: Path) -> None:
    assert "Date November 2021" in flat(page(site, "2021-2024/pcc-d-048"))
    assert "Date 2018" in flat(page(site, "2016-2021/pcc-d-010"))
    assert "Financial years 2021-22, 2022-23" in flat(page(site, "2021-2024/pcc-d-048"))
    assert "Financial year 2023-24" in flat(page(site, "2021-2024/pcc-d-090"))


def test_feed_is_valid_with_partial_and_unstated_dates(site: Path) -> None:
    feed = ET.parse(site / "feed.atom").getroot()
    updated = {e.findtext("a:title", namespaces=ATOM).split(":")[0]: e.findtext("a:updated", namespaces=ATOM)
               for e in feed.findall("a:entry", ATOM)}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", u) for u in updated.values()), updated
    assert updated["PCC/D/048"] == "2021-11-01T00:00:00Z"  # the first day it can mean
    assert updated["PCC/D/010"] == "2018-01-01T00:00:00Z"
    assert "PCC/D/022" not in updated  # no date, no approval date: left out of the feed, never given a date
    assert feed.findtext("a:updated", namespaces=ATOM) == "2024-02-09T00:00:00Z"
    categories = {e.findtext("a:title", namespaces=ATOM).split(":")[0]: [c.get("term") for c in e.findall("a:category", ATOM)]
                  for e in feed.findall("a:entry", ATOM)}
    assert categories["PCC/D/048"] == ["grants_round"] and categories["PCC/D/104"] == []


def test_feed_takes_the_approval_date_of_an_undated_paper(tmp_path: Path) -> None:
    record = RECORDS["2016-2021/PCC-D-022.yaml"].replace("approval: not stated", "approval: {name: Kathryn Holloway, date: 2017-03-04}")
    # An undated Part 2 paper: its approval date is not published, so the feed has no date for it
    # and leaves it out rather than invent one (it is in the register and the open data).
    withheld = (record.replace("PCC/D/022", "PCC/D/023").replace("2017-03-04", "2018-08-09")
                + "publication: {part: part2, reason: Exempt under section 43}\n")
    project = make(tmp_path, {"2016-2021/PCC-D-022.yaml": record, "2016-2021/PCC-D-023.yaml": withheld})
    summary = publish(project, tmp_path / "site")
    assert summary.failed == [] and summary.withheld == ["PCC/D/023"]
    feed = ET.parse(tmp_path / "site" / "feed.atom").getroot()
    updated = {e.findtext("a:title", namespaces=ATOM)[:9]: e.findtext("a:updated", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)}
    assert updated == {"PCC/D/022": "2017-03-04T00:00:00Z"}
    assert "PCC/D/023" in rows(tmp_path / "site")
    assert feed.findtext("a:updated", namespaces=ATOM) == "2017-03-04T00:00:00Z"
    assert not [p for p in (tmp_path / "site").rglob("*") if p.is_file() and b"2018-08-09" in p.read_bytes()]
    # No decision gives a fund or a financial year: no empty filter and no empty browse line.
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="reg-fund"' not in index and "By fund" not in index and 'id="reg-year"' not in index
    assert 'id="reg-kind"' in index and "By kind of decision" in index


# --- in a browser -----------------------------------------------------------------------------------


def test_register_pages_in_a_browser(site: Path, tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from .test_publish import axe_violations

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    server = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(server + "index.html")
            assert axe_violations(page) == []
            rows = page.locator("#reg-table tbody tr")
            page.select_option("#reg-kind", "grants_round")
            assert page.locator("#reg-count").inner_text() == "1 decision of 10"
            page.select_option("#reg-kind", "")
            page.fill("#reg-q", "pcc.d.083")  # an alias
            assert [r.split("\t")[0] for r in rows.locator("visible=true").all_inner_texts()] == ["PCC/D/083"]
            page.fill("#reg-q", "")
            # Sorted by date either way, the undated paper stays last.
            page.click("#reg-table th >> nth=1 >> button")
            assert rows.first.inner_text().split("\t")[0] == "PCC/D/010"
            assert [r.split("\t")[0] for r in rows.all_inner_texts()][-1] == "PCC/D/022"
            page.click("#reg-table th >> nth=1 >> button")
            assert [r.split("\t")[0] for r in rows.all_inner_texts()][:2] == ["PCC/D/127", "PCC/D/104"]
            assert [r.split("\t")[0] for r in rows.all_inner_texts()][-1] == "PCC/D/022"
            page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
            for place in ("2021-2024/pcc-d-127", "2021-2024/pcc-d-083", "2021-2024/pcc-d-104", "2021-2024/pcc-d-048"):
                page.goto(server + f"decisions/{place}/index.html")
                assert axe_violations(page) == [], place
                page.screenshot(path=str(tmp_path / f"{place.replace('/', '-')}.png"), full_page=True)
            page.goto(server + "decisions/2021-2024/pcc-d-127/index.html")
            page.click("text=PCC/D/083 >> nth=0")
            page.wait_for_url("**/decisions/2021-2024/pcc-d-083/index.html")
            assert page.locator("h1").inner_text().startswith("PCC/D/083: ")
            browser.close()
    finally:
        httpd.shutdown()


def test_a_link_is_followed_only_where_it_is_plain(office) -> None:
    """Bedfordshire restarts its numbers each term: PCC/D/001 is two decisions. A link finds the
    one in its own term, else the one its date falls in, else none (text, never a guess)."""
    from engine.model import Decision
    from engine.publish import Links, RegisterEntry

    def entry(reference: str, term: str, date: str, links: list[dict] | None = None, aliases: list[str] | None = None,
              part: str = "public") -> RegisterEntry:
        d = Decision.model_validate({
            "kind": "amendment", "reference": reference, "subject": "A subject", "date": date, "status": "approved",
            "sections": [{"content": ["Text."]}], "recommendation": "To note decision", "approval": "not stated",
            "links": links or [], "aliases": aliases or [],
            "publication": {"part": part, "reason": "Exempt" if part == "part2" else None}})
        return RegisterEntry(d, f"{term}/{office.file_stem(reference).lower()}", Path("x"), "")

    old = entry("PCC/D/001", "2016-2021", "2017-01-05")
    new = entry("PCC/D/001", "2021-2024", "2022-01-05")
    aliased = entry("PCC/D/003", "2021-2024", "2022-02-05", aliases=["PCC/D/001", "PCC.D.003"])
    same_term = entry("PCC/D/002", "2021-2024", "2022-03-01", [{"relation": "amends", "reference": "PCC/D/001"}])
    later = entry("PCC/D/050", "2024-2028", "2024-06-01", [{"relation": "cites", "reference": "PCC/D/001"},
                                                            {"relation": "cites", "reference": "PCC/D/001", "date": "2017-01"},
                                                            {"relation": "cites", "reference": "PCC.D.003"},
                                                            {"relation": "cites", "reference": "PCC/D/050"}])
    withheld = entry("PCC/D/060", "2024-2028", "2024-07-01", [{"relation": "amends", "reference": "PCC/D/050"}],
                     aliases=["PCC/D/099"], part="part2")
    citing_alias = entry("PCC/D/061", "2024-2028", "2024-07-02", [{"relation": "cites", "reference": "PCC/D/099"}])
    links = Links([old, new, aliased, same_term, later, withheld, citing_alias], office)
    assert [x.target for x in links.links_of(same_term)] == [new]  # its own term's, not the alias
    # Two terms' PCC/D/001 and no date: text. Dated 2017: the old one. An alias: found. Itself: text.
    assert [x.target for x in links.links_of(later)] == [None, old, aliased, None]
    assert [(x.phrase, x.target) for x in links.linked_from(new)] == [("Amended by", same_term)]
    assert [(x.phrase, x.target) for x in links.linked_from(old)] == [("Cited by", later)]
    # A Part 2 decision's links and aliases are its own facts: not followed, not shown.
    assert links.links_of(withheld) == [] and links.linked_from(later) == []
    assert [x.target for x in links.links_of(citing_alias)] == [None]


def _paper(reference: str, extra: str = "", part2: bool = False) -> str:
    text = (f"kind: policy_or_governance\nreference: {reference}\nsubject: Paper {reference}\ndate: 2022-07-01\nstatus: approved\n{extra}"
            "sections:\n  - content: [Words.]\nrecommendation: To note decision\napproval: {date: 2022-07-02}\n")
    return text + ("publication: {part: part2, reason: Exempt under section 43}\n" if part2 else "")


def test_a_part2_addendum_is_tied_to_its_parent_nowhere(tmp_path: Path) -> None:
    project = make(tmp_path, {"2021-2024/PCC-D-050.yaml": _paper("PCC/D/050", "links: [{relation: cites, reference: PCC/D/001}]\n"),
                              "2021-2024/PCC-D-050a.yaml": _paper("PCC/D/050a", "addendum_to: PCC/D/050\n", part2=True)})
    summary = publish(project, tmp_path / "site")
    assert summary.failed == [] and summary.withheld == ["PCC/D/050a"]
    parent = page(tmp_path / "site", "2021-2024/pcc-d-050")
    withheld = page(tmp_path / "site", "2021-2024/pcc-d-050a")
    assert "050a" not in flat(parent).replace("pcc-d-050a", "") and "Addend" not in parent
    assert "addendum to" not in flat(withheld).lower()
    row = rows(tmp_path / "site")["PCC/D/050"]
    assert row["linked_from"] == []


def test_a_link_both_papers_state_is_shown_once(tmp_path: Path) -> None:
    project = make(tmp_path, {
        "2021-2024/PCC-D-070.yaml": _paper("PCC/D/070", "links: [{relation: companion, reference: PCC/D/071}]\n"),
        "2021-2024/PCC-D-071.yaml": _paper("PCC/D/071", "links: [{relation: companion, reference: PCC/D/070}]\n")})
    assert publish(project, tmp_path / "site").failed == []
    for reference, other in (("PCC/D/070", "PCC/D/071"), ("PCC/D/071", "PCC/D/070")):
        text = flat(page(tmp_path / "site", f"2021-2024/{reference.lower().replace('/', '-')}"))
        register_part = text.split("Download")[0]  # the paper itself prints its own link once more
        assert register_part.count(f"Issued with {other}") == 1, text
        assert rows(tmp_path / "site")[reference]["linked_from"] == []


def test_the_decision_maker_is_named_whatever_the_commissioners_role_is_written(tmp_path: Path) -> None:
    papers = {f"2021-2024/PCC-D-06{i}.yaml": _paper(f"PCC/D/06{i}").replace("approval: {date: 2022-07-02}", f"approval: {approval}")
              for i, approval in enumerate(["{role: Police and Crime Commissioner, date: 2022-07-02}",
                                            "{role: BEDFORDSHIRE POLICE AND CRIME COMMISSIONER, date: not stated}",
                                            "{role: Deputy Police and Crime Commissioner, date: 2022-07-02}"])}
    assert publish(make(tmp_path, papers), tmp_path / "site").failed == []
    found = {r: (row["decision_maker_name"], row["decision_maker_role"]) for r, row in rows(tmp_path / "site").items()}
    assert found == {"PCC/D/060": ("Festus Akinbusoye", "Police and Crime Commissioner"),
                     "PCC/D/061": ("Festus Akinbusoye", "BEDFORDSHIRE POLICE AND CRIME COMMISSIONER"),
                     "PCC/D/062": (None, "Deputy Police and Crime Commissioner")}


def test_publish_locates_a_problem_found_across_records_as_check_does(tmp_path: Path) -> None:
    text = _paper("PCC/D/070", "links:\n  - {relation: cites, reference: PCC/D/001}\n  - {relation: cites, reference: PCC/D/070}\n")
    project = make(tmp_path, {"2021-2024/PCC-D-070.yaml": text, "2021-2024/PCC-D-071.yaml": _paper("PCC/D/071")})
    summary = publish(project, tmp_path / "site")
    assert [line for _, line in summary.failed] == [
        "records/2021-2024/PCC-D-070.yaml:8:23: error: links[1].reference: PCC/D/070 links to itself (cites); "
        "name the other decision's reference [links]"]


def test_a_different_relation_coming_back_is_kept(tmp_path: Path) -> None:
    project = make(tmp_path, {
        "2021-2024/PCC-D-120.yaml": _paper("PCC/D/120", "links: [{relation: cites, reference: PCC/D/121}]\n"),
        "2021-2024/PCC-D-121.yaml": _paper("PCC/D/121", "links: [{relation: amends, reference: PCC/D/120}]\n")})
    assert publish(project, tmp_path / "site").failed == []
    row = rows(tmp_path / "site")["PCC/D/120"]
    assert [(x["relation"], x["reference"]) for x in row["linked_from"]] == [("amended_by", "PCC/D/121")]
    register_part = flat(page(tmp_path / "site", "2021-2024/pcc-d-120")).split("Download")[0]
    assert "Cites PCC/D/121" in register_part and "Amended by PCC/D/121" in register_part, register_part


def test_confidential_text_after_the_approval_reaches_no_public_file(tmp_path: Path) -> None:
    from .text import docx_text, pdf_text

    after = ("after_approval:\n  - heading: Areas of consideration\n    content:\n      - Public words.\n"
             f"      - {{text: {SECRET}-AFTER-PARAGRAPH, confidential: true}}\n"
             f"  - heading: {SECRET}-AFTER-HEADING\n    confidential: true\n    content: [{SECRET}-AFTER-SECTION]\n")
    project = make(tmp_path, {"2021-2024/PCC-D-060.yaml": _paper("PCC/D/060") + after})
    assert publish(project, tmp_path / "site").published == ["PCC/D/060"]
    seen = []
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            text = docx_text(data) if path.suffix == ".docx" else pdf_text(data) if path.suffix == ".pdf" else data.decode("utf-8", "replace")
            seen.append(text)
            assert SECRET not in text, path
    assert any("Public words." in text for text in seen)  # the public part is there, so the scan read the papers
