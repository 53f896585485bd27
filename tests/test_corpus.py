"""The corpus: twelve real published papers from five offices, written as records under examples/.

Each paper's transcription (../shared/reference/papers/) gives its facts: references, dates,
names, amounts, labels and headings. Each is written out below as the paper prints it, or as
the office's house style renders it, and must appear in the record's rendered paper (Word and
web, both) or, where the paper's layout has no place for it, in its open data (the register's
row, or the record itself as JSON). Amounts are compared as numbers (£14k on the page is
£14,000 rendered). And nothing may appear that the paper does not state: no "TODO", no "not
stated", no approval wording where the approval is not stated, no date where the paper gives
none.

The narrative of these records is a summary of the published wording (each record says so in
its `provenance`), so unlike PCC/D/102 they are checked for their facts, not word for word.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import publish
from engine.cli import main
from engine.model import NOT_STATED, Decision, stated_date
from engine.papers import render_sources
from engine.project import Project
from engine.records import read_record

from .conftest import ROOT
from .text import docx_text, html_text, normalise

EXAMPLES = ROOT / "examples"
TRANSCRIPTIONS = ROOT.parent / "shared" / "reference" / "papers"
OFFICES = ("bedfordshire", "surrey", "west-mercia", "cleveland", "cambridgeshire")


@dataclass(frozen=True)
class Paper:
    name: str  # the transcription's file name, less .txt
    office: str  # examples/<office>/
    record: str  # the record under examples/<office>/records/
    commissioner: str  # who made the decision: the approver, else the commissioner of its term
    shown: tuple[str, ...]  # in the Word and the web paper, as printed or in the house style
    amounts: tuple[str, ...] = ()  # as the page writes them: in the papers or the open data, as numbers
    data: tuple[str, ...] = ()  # facts the paper's layout has no place for: in the open data
    dates: tuple[str, ...] = ()  # every date the rendered paper may show
    not_shown: tuple[str, ...] = ()  # facts the record holds that the paper does not print
    date: str | None = None  # the paper's date in open data; None when not stated
    approval: str = "not stated"  # "not stated", "printed" (role and formula, no date) or "signed"
    html: tuple[str, ...] = ()  # markup the web paper must have (a numbered list...)
    raw: dict[str, Any] = field(default_factory=dict)  # open-data row: field -> value


PAPERS = [
    Paper(
        name="beds-pcc-d-022-2021-100-day-report", office="bedfordshire", record="2021-2024/PCC-D-022.yaml",
        commissioner="Festus Akinbusoye", date="2021-11-24",
        shown=("Title and Reference – PCC/D/022", "Subject: 100 Day Report – Decisions Made",
               "Report of: Police and Crime Commissioner", "Date: 24.11.2021",
               "log each decision in his 100-day report as a formal decision, for transparency",
               "Special Constables are ring-fenced to the area they represent", "community specials",
               "12 months' initial training", "Community Policing Model of 64 PCs and PCSOs",
               "Speedwatch groups across the county", "Black Police Officers Association AGM",
               "Counselling Foundation", "Bedfordshire Police employees", "two SEN pupils from a Luton school",
               "annual intern programme", "two interns from September 2021"),
        amounts=("£9,000", "£20,000"),
        dates=("24.11.2021", "September 2021"),
        html=("<ol",),
        raw={"key_decision": False},
    ),
    Paper(
        name="beds-pcc-d-028-2024-eastern-european-da", office="bedfordshire", record="2024-2028/PCC-D-028.yaml",
        commissioner="John Tizard", date="2024-10-19",
        shown=("Title and Reference – PCC/D/028",
               "Subject: Domestic Abuse Services for Eastern European Women in Bedfordshire",
               "Report of: Police and Crime Commissioner", "Date: 19/10/2024", "quarter-one monitoring",
               "domestic abuse", "Eastern European", "Albanian and Romanian", "needs assessment",
               "ethnicity, religion and culture", "practical and emotional support", "Romanian, Albanian and Polish",
               "7 Force Commercial Services", "'mini competition'", "smaller, unknown providers",
               "initial 6-month pilot", "with a view to extension"),
        data=("Q1 2024-25", "mini_competition", "https://bedfordshire.pcc.police.uk/pcc-jt-d-028"),
        dates=("19/10/2024",),
        raw={"term": "2024-2028", "key_decision": False},
    ),
    Paper(
        name="beds-pcc-d-032-2021-halt-commissioning", office="bedfordshire", record="2021-2024/PCC-D-032.yaml",
        commissioner="Festus Akinbusoye", date="2021-11-13", approval="printed",
        shown=("KEY DECISION", "POLICE AND CRIME COMMISSIONER FOR BEDFORDSHIRE", "Title and Reference – PCC/D/032",
               "Subject: Halt – Commissioning Process", "Report of: Office of the Police and Crime Commissioner",
               "Date: 13/11/2021", "Summary:", "commissioning (grant) process is paused", "processes and procedures",
               "taxpayers' money", "withstand scrutiny", "not duplicated", "start of 2022",
               "Recommendation: To note decision",
               "Bedfordshire Police and Crime Commissioner I hereby approve the recommendations above."),
        dates=("13/11/2021",),
        raw={"key_decision": True, "published_url": "https://www.bedfordshire.pcc.police.uk/?p=13480"},
    ),
    Paper(
        name="beds-pcc-d-037-2022-funded-services", office="bedfordshire", record="2021-2024/PCC-D-037.yaml",
        commissioner="Festus Akinbusoye", date="2022-03-04",
        shown=("KEY DECISION", "POLICE AND CRIME COMMISSIONER FOR BEDFORDSHIRE", "Title and Reference – PCC.D.037",
               "Subject: Funded Services 2022 – 2023", "Report of: Police and Crime Commissioner", "Date: 04/03/2022",
               "Summary:", "Ministry of Justice and Home Office", "December 2021", "interim Chief Executive",
               "January 2022", "February 2022", "2022/23", "September 2021",
               "Commissioner's Fund (formerly the Community Safety Fund)", "MoJ fund", "total to be awarded",
               "Domestic Violence", "Counselling", "Sexual Violence support", "Victims and witnesses (not domestic abuse)",
               "Mental Health", "separate paper on the same agenda"),
        amounts=("£1,634,000", "£497,000", "£20,000", "£90,000", "£270,000", "£70,000", "£1.6m"),
        data=("PCC/D/037", "PCC.D.037", "Grant Fund", "a share of the Grant Fund totalling £1.6m", "PCC/D/032"),
        dates=("04/03/2022", "December 2021", "January 2022", "February 2022", "September 2021"),
        not_shown=("PCC/D/032",),  # the paper is not seen to cite it: the register's link alone
        raw={"key_decision": True, "aliases": ["PCC.D.037"]},
    ),
    Paper(
        name="beds-pcc-d-111-2023-csf-competition", office="bedfordshire", record="2021-2024/PCC-D-111.yaml",
        commissioner="Festus Akinbusoye", date="2023-11-13",
        shown=("Title and Reference – PCC/D/111",
               "Subject: Release of Office of the Police and Crime Commissioner Community Safety Fund Competition",
               "Report of: Police and Crime Commissioner", "Date: 13/11/2023", "Community Safety Fund", "2023/24",
               "sports-based early intervention", "community mediation and hate crime", "out-of-court disposals",
               "youth offending services", "Neighbourhood and Community Watch", "restorative justice", "HMP Bedford",
               "Family Drug and Alcohol Court", "up to 8 further projects of up to £5,000 each",
               "three local authority areas", "25-30%", "disability or a learning difference",
               "SEND and neurodiversity", "community engagement", "reoffending", "support for victims",
               "7 Force Commercial Services", "Financial Regulations and Contract Standing Orders"),
        amounts=("£5,000",),
        data=("PCC/D/112", "companion"),
        dates=("13/11/2023",),
        raw={"route_to_market": "competition", "bidding_limit": "5000"},
    ),
    Paper(
        name="beds-pcc-d-127-2024-amend-tor", office="bedfordshire", record="2021-2024/PCC-D-127.yaml",
        commissioner="Festus Akinbusoye", date="2024-02-09", approval="printed",
        shown=("Title and Reference – PCC/D/127",
               "Subject: Amendment to Terms of Reference for Chief Constable One to One Accountability Meetings",
               "Report of: Police and Crime Commissioner", "Date: 09/02/2024", "six-weekly",
               "published on the office's website", "confidential items", "continue weekly", "key points",
               "Performance and Accountability meetings", "executive team", "To note decision",
               "Bedfordshire Police and Crime Commissioner I hereby approve the recommendations above."),
        data=("PCC/D/083", "Governance change in how the PCC holds the Chief Constable to account", "2023-06-14",
              "https://bedfordshire.pcc.police.uk/pcc-d-083", "amends"),
        dates=("09/02/2024",),
        not_shown=("PCC/D/083", "Governance change"),  # not cited by the paper: the register's link alone
    ),
    Paper(
        name="surrey-048-2021-csf-applications", office="surrey", record="2021-2024/048-2021.yaml",
        commissioner="Lisa Townsend", date="2021-11",
        shown=("Police and Crime Commissioner for Surrey – Decision Making Record", "Decision number: 048/2021",
               "Community Safety Applications – November 2021",
               "Author and Job Role: Sarah Haywood, Commissioning and Policy Lead for Community Safety",
               "Protective Marking: Official", "Executive Summary:", "For 2020/21",
               "Applications for Core Service Awards over £5000",
               "Applications for Small Grant Awards up to £5000 – Community Safety Fund",
               "To award Surrey Police £20,000", "engagement vehicle and e-bikes for Spelthorne",
               "engagement vehicle for Waverley", "SMEF – Active Communities", "6th year",
               "violence against women and girls", "substance misuse", "online safety for BAME communities",
               "SmartMove resource for Youth Engagement Officers", "Runnymede Neighbourhood Watch",
               "social media project with a university"),
        amounts=("£538,000", "£20,000", "£10,000", "£28,712", "£7,650", "£4,000", "£5000"),
        data=("Community Safety Fund", "2020-21"),
        dates=("November 2021",),
        raw={"protective_marking": "Official"},
    ),
    Paper(
        name="surrey-20-2023-csf-cyp-applications", office="surrey", record="2021-2024/20-2023.yaml",
        commissioner="Lisa Townsend", date="2023-09", approval="signed",
        shown=("20/2023 – Community Safety Fund Applications and Children and Young People Applications: September 2023",
               "Author and Job Role: Molly Slominski, Partnerships and Community Safety Officer",
               "Protective Marking: Official", "Executive Summary:", "2023/24", "Community Safety Fund",
               "Children and Young People's Fund", "Applications for the Children & Young People's Fund",
               "Leaders Unlocked – Surrey Youth Commission on Police and Crime",
               "continue the Surrey Youth Commission on Police and Crime", "structured way to influence",
               "Recommendation £43,200 to Leaders Unlocked", "Police and Crime Commissioner for Surrey",
               "Police and Crime Commissioner Approval", "Lisa Townsend", "Wet signed copy held at Office of the PCC", "07 September 2023",
               "decision register", "Areas of consideration", "Consultation", "Lead officers were consulted",
               "evidence of consultation and community engagement"),
        amounts=("£383,000", "£275,000", "£43,200"),
        dates=("September 2023", "07 September 2023"),
        raw={"protective_marking": "Official"},
    ),
    Paper(
        name="westmercia-pcc-d-2023-08-budget-precept", office="west-mercia", record="2021-2024/PCC-D-2023-08.yaml",
        commissioner="John Campion", date=None,
        shown=("Ref: PCC/D/2023/08", "Title: Setting the Budget 2023-2024", "EXECUTIVE SUMMARY", "PROPOSAL",
               "1 April 2023 - 31 March 2024", "5.94% (£14.84)", "Band D", "net revenue budget is £273.038m",
               "PCC/D/2023/03", "Police Reform and Social Responsibility Act 2011",
               "Police and Crime Panel (Precept and Chief Constable Appointments) Regulations 2013",
               "Appendix A", "Police and Crime Panel", "Appendix B", "Treasurer's Budget Report", "Appendix C",
               "reply letter dated 10 February 2023", "rounded to 2 decimal places",
               "A 6/9 £176.33", "B 7/9 £205.72", "C 8/9 £235.11", "D £264.50", "E 11/9 £323.28", "F 13/9 £382.06",
               "G 15/9 £440.83", "H 18/9 £529.00", "Chief Executive is authorised to issue precept notices",
               "billing authorities",
               "Bromsgrove DC £10,029,691.88", "Herefordshire Council £18,798,837.59", "Malvern Hills DC £8,694,440.34",
               "Redditch BC £6,957,656.63", "Shropshire Council £31,239,058.16",
               "Telford and Wrekin Council £14,631,055.55", "Worcester City Council £8,716,359.45",
               "Wychavon DC £13,869,189.75", "Wyre Forest Council £9,188,201.00", "TOTAL £122,124,490.35",
               "APPROVAL OF West Mercia Police and Crime Commissioner"),
        amounts=("£14.84", "£273.038m", "£264.50", "£4.030m", "£277.068m", "£253.901m", "£23.167m"),
        data=("2023-24", "2023-02-10", "2,496", "Part 2",
              "https://www.westmercia-pcc.gov.uk/key-information/decision-making/decisions-2023/record-of-decision-setting-the-budget-2023-2024/"),
        dates=("1 April 2023", "31 March 2024", "10 February 2023"),
        raw={"precept": {"financial_year": "2023-24", "band_d": "264.50", "increase": "14.84", "increase_percent": "5.94",
                         "net_revenue_budget": "273038000", "total_precept": "122124490.35"}},
    ),
    Paper(
        name="westmercia-pcc-d-2025-01-governance-departure", office="west-mercia", record="2024-2028/PCC-D-2025-01.yaml",
        commissioner="John Campion", date=None,
        shown=("Ref: PCC/D/2025/01", "Title: Temporary departure from Corporate Governance Framework",
               "EXECUTIVE SUMMARY", "2025/26", "management-of-change processes in West Mercia Police",
               "financial pressures", "PROPOSAL",
               "clause 11.3 of the Joint Financial Regulations (Part B of the Corporate Governance Framework)",
               "settlements on termination of employment", "temporary arrangement", "Chief Executive",
               "Director of Commercial Services", "Director of Business Services", "best value",
               "An allocation of £1.8m is created for this work and delegated to those Directors",
               "no agreement of the Chief Executive is needed for settlements above £15,000",
               "no agreement of the Police and Crime Commissioner is needed for settlements above £25,000"),
        amounts=("£1.8m", "£15,000", "£25,000"),
        data=("2025-26", "varies", "Joint Financial Regulations (Part B of the Corporate Governance Framework), clause 11.3"),
        raw={"financial_year": "2025-26", "term": "2024-2028"},
    ),
    Paper(
        name="cleveland-65-2014-community-safety-fund", office="cleveland", record="2012-2016/65-2014.yaml",
        commissioner="Barry Coppinger", date="2014",
        shown=("Decision 65-2014", "PCC's Community Safety Fund", "Date: 2014",
               "Decision 65-2014. Establishment of the PCC's Community Safety Fund", "2014/15 budget",
               "18 February 2014", "PCC Initiatives", "Special Constables", "would not be spent as planned",
               "arrest referral", "Integrated Offender Management", "uncertain", "Community Safety Fund",
               "modelled on the Property Act Fund", "Decision record", "Guidance notes", "Application form"),
        amounts=("£1,510k", "£300k", "£140k", "£248k", "£500k"),
        data=("application, 3MB", "https://www.cleveland.pcc.police.uk/working-for-you/decisions/decision-notices/pccs-community-safety-fund/",
              "2017-36899", "Unsuccessful Applications for Funding 2017/18",
              "https://www.cleveland.pcc.police.uk/working-for-you/decisions/decision-notices/unsuccessful-funding-applications-3/"),
        dates=("18 February 2014",),
    ),
    Paper(
        name="cambs-2015-road-casualty-reduction-fund", office="cambridgeshire", record="2012-2016/CPCC-2015-045.yaml",
        commissioner="Sir Graham Bright", date="2015-12-17",
        not_shown=("CPCC 2015 045",),  # the page does not print its own reference
        shown=("Road Casualty Reduction and Support Fund", "December 17th, 2015", "Decision",
               "Decision Summary", "first tranche of the Road Casualty Reduction and Support Fund",
               "Constabulary's share of the BCH", "Camera, Ticket and Collision underspend for 2014/15",
               "Decision Notice CPCC 2015-025", "Business Coordination Board (\"the Board\")", "27 August 2015",
               "Finance Sub-Group", "first allocations", "29 October 2015", "operating report", "26 November 2015",
               "16 December 2015", "approved by the Police and Crime Commissioner",
               "These allocations are hereby approved as follows:", "Speedwatch support",
               "60% of a police staff post", "static ANPR cameras", "Fenland trial", "defibrillators in six patrol cars",
               "two safety camera vans", "Christmas drink-drive campaign", "drug-driving education for young drivers",
               "January/February 2016", "Brake (charity)", "family support packs"),
        amounts=("£14k", "£146k", "£5k", "£83k", "£20k", "£1k", "£515k"),
        data=("CPCC 2015 045", "CPCC 2015-025", "Business Coordination Board", "2015-12-16", "2016-02-08",
              "https://www.cambridgeshire-pcc.gov.uk/decisions/casualty-reduction-and-support-fund/",
              "Delegation of an element of the Casualty Reduction and Support Fund to the Cambridgeshire and Peterborough Road Safety Partnership"),
        dates=("December 17th, 2015", "27 August 2015", "29 October 2015", "26 November 2015", "16 December 2015",
               "February 2016"),
    ),
]

BY_NAME = {paper.name: paper for paper in PAPERS}

# What a rendered paper must not show, beside each paper's own list: (paper, text, why).
NOT_PRINTED: list[tuple[str, str, str]] = [
    ("surrey-20-2023-csf-cyp-applications", "I hereby approve the recommendations above.",
     "the wording of Surrey's approval sentence is not in the transcription: the record says `statement: not stated`, "
     "so the office's default statement must not be printed"),
    ("westmercia-pcc-d-2023-08-budget-precept",
     "Police and Crime Panel (Precept and Chief Constable Appointments) Regulations 2012",
     "the paper printed 2013 for the year meant, 2012 (as_printed): the background papers list shows what was printed"),
]


# --- reading the corpus ------------------------------------------------------------------------


@cache
def project(office: str) -> Project:
    return Project.load(EXAMPLES / office / "office.yaml")


@cache
def decision(name: str) -> Decision:
    paper = BY_NAME[name]
    record = read_record(EXAMPLES / paper.office / "records" / paper.record, project(paper.office).office)
    assert record.ok, record.problems
    assert record.decision is not None
    return record.decision


@cache
def rendered(name: str) -> tuple[str, str, str]:
    """The Word paper's text and the web paper's text, whitespace made single; and the web
    paper's markup."""
    paper = BY_NAME[name]
    files = render_sources(decision(name), project(paper.office), ["docx", "html"]).files
    return normalise(docx_text(files["docx"])), normalise(html_text(files["html"])), files["html"].decode("utf-8")


@cache
def register_row(name: str) -> str:
    """The register's open-data row for the decision, as JSON."""
    paper = BY_NAME[name]
    office = project(paper.office).office
    d = decision(name)
    entry = publish.RegisterEntry(decision=d, place=office.place_of(d),
                                  record=EXAMPLES / paper.office / "records" / paper.record, digest="")
    parameters = inspect.signature(publish.facts).parameters
    extra = {"office": office} if "office" in parameters else {}
    return json.dumps(publish.facts(entry, office.publishing.base_url, **extra), ensure_ascii=False)


def rows(name: str) -> list[Any]:
    """What open data holds: the record as JSON, and the register's row. The row is tested on
    its own (test_the_register_row); a fact the record holds is held whatever the row's state."""
    found: list[Any] = [decision(name).model_dump(mode="json")]
    try:
        found.append(json.loads(register_row(name)))
    except Exception:  # noqa: BLE001, S110 - test_the_register_row reports it
        pass
    return found


def open_data(name: str) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows(name))


_POUNDS = re.compile(r"£\s?(\d[\d,]*(?:\.\d+)?)\s?(k|m|million|bn)?(?![a-z])", re.IGNORECASE)
_SCALE = {"": 1, "k": 1000, "m": 1_000_000, "million": 1_000_000, "bn": 1_000_000_000}


def pounds(text: str) -> Decimal:
    m = _POUNDS.fullmatch(text.strip())
    assert m, f"not an amount: {text}"
    return Decimal(m.group(1).replace(",", "")) * _SCALE[(m.group(2) or "").lower()]


def amounts_in(text: str) -> set[Decimal]:
    return {Decimal(m.group(1).replace(",", "")) * _SCALE[(m.group(2) or "").lower()] for m in _POUNDS.finditer(text)}


def amounts_in_data(name: str) -> set[Decimal]:
    """The amounts open data holds: its numbers, and the amounts its texts write."""
    found: set[Decimal] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.add(Decimal(str(value)))
        elif isinstance(value, str):
            if re.fullmatch(r"\d+(\.\d+)?", value):
                found.add(Decimal(value))
            found.update(amounts_in(value))

    for row in rows(name):
        walk(row)
    return found


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATES = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? \d{{4}}\b"
    rf"|\b(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?, \d{{4}}\b"
    rf"|\b(?:{_MONTHS}) \d{{4}}\b"
)


def ids(papers: list[Paper]) -> list[str]:
    return [p.name for p in papers]


# --- every fact the transcription gives ------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS, ids=ids(PAPERS))
def test_the_paper_shows_its_facts(paper: Paper) -> None:
    docx, html, markup = rendered(paper.name)
    for kind, text in (("Word", docx), ("web", html)):
        missing = [fact for fact in paper.shown if normalise(fact) not in text]
        assert not missing, f"{paper.name}: the {kind} paper lacks {missing}"
    for fragment in paper.html:
        assert fragment in markup, f"{paper.name}: the web paper lacks {fragment}"


@pytest.mark.parametrize("paper", PAPERS, ids=ids(PAPERS))
def test_every_amount_is_in_the_paper_or_its_open_data(paper: Paper) -> None:
    docx, html, _ = rendered(paper.name)
    shown = amounts_in(docx) & amounts_in(html)
    data = amounts_in_data(paper.name)
    missing = [a for a in paper.amounts if pounds(a) not in shown and pounds(a) not in data]
    assert not missing, f"{paper.name}: no {missing} in the papers or the open data"


@pytest.mark.parametrize("paper", [p for p in PAPERS if p.data], ids=ids([p for p in PAPERS if p.data]))
def test_facts_without_a_place_on_the_paper_are_in_its_open_data(paper: Paper) -> None:
    data = open_data(paper.name)
    missing = [fact for fact in paper.data if fact not in data]
    assert not missing, f"{paper.name}: open data lacks {missing}"


@pytest.mark.parametrize("paper", PAPERS, ids=ids(PAPERS))
def test_the_register_row(paper: Paper) -> None:
    d = decision(paper.name)
    row = json.loads(register_row(paper.name))
    assert row["reference"] == d.reference
    assert row["subject"] == d.subject
    assert row["date"] == paper.date == stated_date(d.date)
    assert paper.commissioner in (row.get("decision_maker") or ""), row.get("decision_maker")
    for key, value in paper.raw.items():
        assert row.get(key) == value, (key, row.get(key))
    # Nothing the paper does not state: no "not stated" as a value, a fund or a name.
    assert NOT_STATED not in json.dumps(row).lower(), row
    assert "TODO" not in json.dumps(row)


# --- nothing the paper does not state -------------------------------------------------------------


@pytest.mark.parametrize("paper", PAPERS, ids=ids(PAPERS))
def test_the_paper_states_nothing_more(paper: Paper) -> None:
    docx, html, _ = rendered(paper.name)
    office = project(paper.office).office
    for kind, text in (("Word", docx), ("web", html)):
        assert "TODO" not in text, kind
        assert NOT_STATED not in text.lower(), f"{paper.name}: 'not stated' in the {kind} paper"
        assert not re.search(r"\bNone\b", text), f"{paper.name}: 'None' in the {kind} paper"
        for fact in paper.not_shown:
            assert fact not in text, f"{paper.name}: the {kind} paper shows {fact!r}, which the paper does not print"
        # Every date on the paper is one the paper gives: none invented, none from an unprinted link.
        dates = set(_DATES.findall(text))
        assert dates <= set(paper.dates), f"{paper.name}: the {kind} paper shows dates the paper does not give: {dates - set(paper.dates)}"
        if paper.date is None:
            assert "Date:" not in text, f"{paper.name}: a date line on a paper that gives no date"
        if paper.approval == "not stated":
            # A paper whose approval block is not published prints none: no role, no formula, no signature.
            if office.sign_off.statement:
                assert office.sign_off.statement not in text, f"{paper.name}: an approval statement the paper does not give"
            assert "I hereby approve" not in text, f"{paper.name}: an approval statement the paper does not give"
            assert "Signature:" not in text, kind
        elif paper.approval == "printed":
            # The approval formula is printed, with no date: the only date line is the paper's own.
            assert f"{office.sign_off.commissioner_role} {office.sign_off.statement}" in text
            assert text.count("Date:") == 1, f"{paper.name}: an approval date line the paper does not have"


@pytest.mark.parametrize(("name", "text", "why"), NOT_PRINTED, ids=[f"{n}:{t[:40]}" for n, t, _ in NOT_PRINTED])
def test_what_the_papers_must_not_print(name: str, text: str, why: str) -> None:
    docx, html, _ = rendered(name)
    for paper in (docx, html):
        assert normalise(text) not in paper, why


# --- the records ------------------------------------------------------------------------------------


@pytest.mark.parametrize("office", OFFICES)
def test_every_corpus_record_checks_clean(office: str) -> None:
    count = len(list((EXAMPLES / office / "records").rglob("*.yaml")))
    result = CliRunner().invoke(main, ["--office", str(EXAMPLES / office / "office.yaml"), "check"])
    noun = "record" if count == 1 else "records"
    assert result.output.endswith(f"{count} {noun} checked: 0 errors, 0 warnings\n"), result.output
    assert result.exit_code == 0


def test_the_corpus_is_the_twelve_papers() -> None:
    records = sorted(str(p.relative_to(EXAMPLES)) for office in OFFICES for p in (EXAMPLES / office).glob("records/*/*.yaml"))
    assert records == sorted(f"{p.office}/records/{p.record}" for p in PAPERS)
    assert len(PAPERS) == 12 and len({p.office for p in PAPERS}) == 5


def test_waivers_only_where_the_paper_is_wrong() -> None:
    """One waiver in the corpus: Surrey 048/2021's stale "For 2020/21" in a November 2021 paper.
    Every other fact a paper does not give is 'not stated', which needs no waiver."""
    waivers = [(p.name, w) for p in PAPERS for w in decision(p.name).waivers]
    assert [(name, w.rule) for name, w in waivers] == [("surrey-048-2021-csf-applications", "fund-year")]
    for name, waiver in waivers:
        assert len(waiver.reason) >= 40 and "TODO" not in waiver.reason, (name, waiver.reason)
        assert "2020/21" in waiver.reason


@pytest.mark.parametrize("paper", PAPERS, ids=ids(PAPERS))
def test_each_record_says_where_its_narrative_comes_from(paper: Paper) -> None:
    d = decision(paper.name)
    assert d.provenance is not None and d.provenance.narrative == "summary"
    assert d.provenance.source and d.provenance.seen
    transcription = TRANSCRIPTIONS / f"{paper.name}.txt"
    if not transcription.exists():
        pytest.skip("the transcriptions are not beside this clone")
    text = transcription.read_text(encoding="utf-8")
    source = re.search(r"source_url:\s+(\S+)", text)
    assert source and d.provenance.source == source.group(1)
    seen = re.search(r"completeness:\s+(.+(?:\n\s{16}.+)*)", text)
    assert seen and normalise(d.provenance.seen) == normalise(seen.group(1))


def test_every_transcription_is_in_the_corpus() -> None:
    if not TRANSCRIPTIONS.exists():
        pytest.skip("the transcriptions are not beside this clone")
    assert sorted(p.stem for p in TRANSCRIPTIONS.glob("*.txt")) == sorted(BY_NAME)


def test_the_derived_figures_hold() -> None:
    """Figures the transcriptions work out from the paper, which the records' typed facts give."""
    d111 = decision("beds-pcc-d-111-2023-csf-competition")
    assert d111.route_to_market is not None
    assert d111.route_to_market.awards == 8 and d111.route_to_market.bidding_limit * 8 == 40000  # "max £40,000"
    d037 = decision("beds-pcc-d-037-2022-funded-services")
    assert d037.total_funding == 947000  # the five lines seen; the published total is £1,634,000
    precept = decision("westmercia-pcc-d-2023-08-budget-precept").precept
    assert precept is not None and precept.total_precept == Decimal("122124490.35")


def test_the_rules_re_add_the_corpus_tables(tmp_path: Path) -> None:
    """West Mercia's tables are typed: a band off its ratio, or a total that is not the sum of
    its rows, is an error."""
    office = tmp_path / "west-mercia"
    (office / "records" / "2021-2024").mkdir(parents=True)
    (office / "office.yaml").write_text((EXAMPLES / "west-mercia" / "office.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    source = (EXAMPLES / "west-mercia" / "records" / "2021-2024" / "PCC-D-2023-08.yaml").read_text(encoding="utf-8")
    for old, new in (("[B, 7/9, 205.72]", "[B, 7/9, 205.73]"), ("[Wyre Forest Council, 9188201.00]", "[Wyre Forest Council, 9188201.01]")):
        assert source.count(old) == 1
        source = source.replace(old, new)
    (office / "records" / "2021-2024" / "PCC-D-2023-08.yaml").write_text(source, encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office / "office.yaml"), "check"])
    assert "7/9 of £264.50 is £205.72, but the row says £205.73 [table-ratios]" in result.output, result.output
    assert "add up to £122,124,490.36, but the total row says £122,124,490.35 [table-totals]" in result.output, result.output


def test_surreys_approval_block_comes_before_the_areas_of_consideration() -> None:
    docx, html, _ = rendered("surrey-20-2023-csf-cyp-applications")
    for text in (docx, html):
        order = [text.index(normalise(words)) for words in (
            "Recommendation", "Police and Crime Commissioner Approval", "Lisa Townsend", "07 September 2023",
            "All decisions must be added to the decision register", "Areas of consideration", "Lead officers were consulted")]
        assert order == sorted(order), order
