"""The decision record: a typed model of a commissioner's decision paper.

Field names are the paper's own words. The narrative is kept word for word as published, in
`sections`; the facts the narrative speaks of (funding, route to market, the procurement history)
are typed fields beside it, so that rules can check the two agree and other outputs (the register,
the specification) can use the facts without parsing prose.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    WithJsonSchema,
)


class Model(BaseModel):
    # A typo in a field name must never vanish silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = Annotated[str, StringConstraints(min_length=1)]

_SINGULAR = {"banners": "banner", "organisations": "organisation"}


def _one_line(value: str, info: ValidationInfo) -> str:
    if "\n" in value or "\t" in value:
        name = info.field_name or "text"
        raise ValueError(f"write the {_SINGULAR.get(name, name.replace('_', ' '))} on one line, without line breaks or tabs")
    return value


# Text that is one line on the paper (a reference, a subject, a heading, a name): a line break or
# a tab in it would break the title block, a table or the register's feed.
OneLine = Annotated[str, AfterValidator(_one_line)]
Line = Annotated[Text, AfterValidator(_one_line)]

# Counts, weightings and months are whole numbers as written: never true read as 1, nor 12.0 or
# "12" taken for 12. Flags are true or false as written: never "yes", "off" or 1.
Count = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]


def _not_negative_zero(amount: Decimal) -> Decimal:
    if amount.is_zero() and amount.is_signed():
        raise ValueError("an amount is never negative: write 0, without the minus sign")
    return amount


Pounds = Annotated[
    Decimal,
    Field(ge=0, max_digits=13, decimal_places=2, description="Pounds as an exact number, e.g. 40000 or 1250.50: no £ sign, no commas."),
    AfterValidator(_not_negative_zero),
    PlainSerializer(lambda d: str(d), return_type=str, when_used="json"),
]

# --- dates -------------------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 1900, 2099  # a decision paper's dates, and the terms and years they fall in
YEARS = f"the year must be from {FIRST_YEAR} to {LAST_YEAR}"
WRITE_DATE = "write dates as YYYY-MM-DD, e.g. 2023-09-06"
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}")


def _date_alone(value: Any) -> Any:
    """A date as YYYY-MM-DD, never a time (2023-09-06T00:00:00+05:00 is not silently 2023-09-06),
    nor a number (pydantic would read 0 as 1970-01-01)."""
    if isinstance(value, str) and not _DATE_TEXT.fullmatch(value):
        if _DATE_TEXT.match(value) and value[10:11] in ("T", "t", " "):
            raise ValueError("give the date alone, without a time or time zone, as YYYY-MM-DD, e.g. 2023-09-06")
        raise ValueError(WRITE_DATE)
    if isinstance(value, dt.datetime):
        raise ValueError("give the date alone, without a time or time zone, as YYYY-MM-DD, e.g. 2023-09-06")
    if not isinstance(value, (str, dt.date)):
        raise ValueError(WRITE_DATE)
    if not FIRST_YEAR <= (int(value[:4]) if isinstance(value, str) else value.year) <= LAST_YEAR:
        raise ValueError(YEARS)
    return value


Day = Annotated[dt.date, BeforeValidator(_date_alone)]

_FINANCIAL_YEAR = re.compile(r"([0-9]{4})[-/]([0-9]{2}|[0-9]{4})")


def _financial_year(value: Any) -> Any:
    if isinstance(value, str):
        m = _FINANCIAL_YEAR.fullmatch(value)
        if not m:
            raise ValueError("a financial year is written 2023-2024 (or 2023/24)")
        first, second = int(m.group(1)), m.group(2)
        expected = first + 1
        if int(second) != (expected if len(second) == 4 else expected % 100):
            raise ValueError(f"a financial year runs from one year to the next, so {first}-{expected}")
    return value


FinancialYear = Annotated[
    str,
    BeforeValidator(_financial_year),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}[-/](\d{2}|\d{4})$", "examples": ["2023-2024"]}),
]


def money(amount: Decimal) -> str:
    """£40,000, or £1,250.50 when there are pence: the house way of writing an amount."""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(YEARS)
    return year


class Month(Model):
    """A date known only to the month ("approval was given in November 2022")."""

    year: Annotated[Count, AfterValidator(_year)]
    month: Count = Field(ge=1, le=12)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _month(value: Any) -> Any:
    if isinstance(value, str):
        if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(YEARS)
        return {"year": int(value[:4]), "month": int(value[5:])}
    return value


def _date_or_month(value: Any) -> str:
    if isinstance(value, (dict, Month)) or (isinstance(value, str) and _MONTH_TEXT.fullmatch(value)):
        return "YYYY-MM"
    return "YYYY-MM-DD"


When = Annotated[
    Union[Annotated[Day, Tag("YYYY-MM-DD")], Annotated[Month, BeforeValidator(_month), Tag("YYYY-MM")]],
    Discriminator(_date_or_month),
    PlainSerializer(lambda v: v.isoformat() if isinstance(v, dt.date) else str(v), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "A date (2023-03-30) or, when only the month is known, 2022-11"}),
]


def earliest(when: dt.date | Month) -> dt.date:
    return when.first_day if isinstance(when, Month) else when


def latest(when: dt.date | Month) -> dt.date:
    return when.last_day if isinstance(when, Month) else when


class Status(str, Enum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"


# --- the narrative -----------------------------------------------------------------------------


class Paragraph(Model):
    text: Text
    confidential: Flag = Field(False, description="Part 2 text: left out of every public output")


class BulletList(Model):
    bullets: list[Text] = Field(min_length=1)
    confidential: Flag = False


def _block_kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "bullets" if "bullets" in value else "paragraph"
    return "bullets" if isinstance(value, BulletList) else "paragraph"


def _as_block(value: Paragraph | BulletList | str) -> Paragraph | BulletList:
    return Paragraph(text=value) if isinstance(value, str) else value


# A paragraph may be written as plain text; the renderers always see Paragraph or BulletList.
Block = Annotated[
    Union[
        Annotated[Text, Tag("text")],
        Annotated[Paragraph, Tag("paragraph")],
        Annotated[BulletList, Tag("bullets")],
    ],
    Discriminator(_block_kind),
    AfterValidator(_as_block),
]


class Section(Model):
    heading: Line | None = Field(None, description="As published, without the trailing colon; none for an untitled run of paragraphs")
    content: list[Block] = Field(min_length=1)
    confidential: Flag = False


# --- the facts ---------------------------------------------------------------------------------


class Period(Model):
    start: Day
    end: Day


class FundingLine(Model):
    service: Line
    fund: Line = Field(description="MoJ, Community Safety Fund, ...")
    budget_code: OneLine | None = Field(None, description="e.g. B992")
    amount: Pounds
    financial_year: FinancialYear
    period: Period | None = None


class Priority(Model):
    number: Line = Field(description="The Police and Crime Plan's numbering, e.g. 4.1")
    title: Line


class RouteToMarketMethod(str, Enum):
    competition = "competition"
    quotes = "quotes"
    direct_award = "direct_award"
    grant = "grant"
    framework = "framework"
    none = "none"


class RouteToMarket(Model):
    method: RouteToMarketMethod
    bidding_limit: Pounds | None = None
    duration_months: Count | None = Field(None, ge=1, le=120)
    pilot: Flag = False
    long_term_considerations: list[Text] = Field(default_factory=list, description="In brief; the words as published stay in sections")


class EventKind(str, Enum):
    paper_prepared = "paper_prepared"
    paper_approved = "paper_approved"
    specification_drawn_up = "specification_drawn_up"
    opportunity_released = "opportunity_released"
    response_deadline = "response_deadline"
    applications_received = "applications_received"
    show_stopper = "show_stopper"
    evaluation = "evaluation"
    meeting = "meeting"
    decision_not_to_award = "decision_not_to_award"
    award = "award"
    other = "other"


class Event(Model):
    """One step of the procurement history. Counts and reasons belong to the kinds that have them."""

    event: EventKind
    date: When | None = None
    by: Line | None = None
    received: Count | None = Field(None, ge=0, description="applications_received: how many")
    discounted: Count | None = Field(None, ge=0, description="show_stopper: how many failed it")
    evaluated: Count | None = Field(None, ge=0, description="evaluation: how many reached evaluation")
    awarded: Count | None = Field(None, ge=0, description="evaluation or award: how many were awarded")
    reason: Text | None = None
    organisations: list[Line] = Field(default_factory=list, description="meeting: who was present")
    note: Text | None = None


class Approval(Model):
    role: Line | None = Field(None, description="Defaults to the office's commissioner role")
    name: Line | None = None
    date: Day | None = None
    statement: Text | None = Field(None, description="Defaults to the office's approval statement")


class SignOff(Model):
    """A sign-off beyond the commissioner's, e.g. the Chief Finance Officer's (Surrey, Kent)."""

    role: Line
    name: Line | None = None
    statement: Text | None = None
    date: Day | None = None


class Publication(Model):
    part: Literal["public", "part2"] = "public"
    reason: Text | None = Field(None, description="Part 2: why it is withheld, e.g. an FOI exemption")
    foi_exemption: Line | None = Field(None, description="e.g. Section 43 (commercial interests)")


class Waiver(Model):
    rule: Line
    field: Line | None = Field(None, description="Waive the rule only for this field path")
    reason: str = Field(min_length=10, description="Why the published paper is kept as it was")


# --- the service specification ---------------------------------------------------------------


class Stage(str, Enum):
    """Stages of a competition's timetable beyond the two the procurement history holds
    (the opportunity's release and the response deadline, taken from there, not typed again)."""

    clarification_deadline = "clarification_deadline"
    evaluation = "evaluation"
    award = "award"
    service_start = "service_start"


STAGE_ORDER = ["opportunity_released", "clarification_deadline", "response_deadline", "evaluation", "award", "service_start"]


class Milestone(Model):
    stage: Stage
    date: When
    stated: Flag = Field(True, description="False when the published paper does not give this date")


class Criterion(Model):
    criterion: Line
    weighting: Count = Field(ge=0, le=100, description="Percent; the weightings add up to 100")
    description: Text | None = None
    stated: Flag = Field(True, description="False when the published paper does not give the weighting")


class ShowStopper(Model):
    requirement: Text
    stated: Flag = True


class Contact(Model):
    role: Line
    name: Line | None = None
    email: Line | None = None


class Specification(Model):
    """The invitation to bid for the service a decision funds. The facts it shares with the
    decision paper (service, fund, amount, bidding limit, length, pilot, release and deadline)
    are not fields here: they are taken from the decision, so they cannot disagree."""

    status: Literal["draft", "released"] = "draft"
    funding_line: Count = Field(0, ge=0, description="Which funding line is the service (0 = the first)")
    description_section: Line | None = Field(None, description="The heading of the paper's section that describes the service")
    requirements: list[Text] = Field(default_factory=list)
    eligibility: list[Text] = Field(default_factory=list, description="Who must be served, and where")
    timetable: list[Milestone] = Field(default_factory=list)
    show_stoppers: list[ShowStopper] = Field(default_factory=list)
    evaluation_criteria: list[Criterion] = Field(default_factory=list)
    response_must_contain: list[Text] = Field(default_factory=list)
    contact: Contact | None = None
    notes: list[Text] = Field(default_factory=list, description="e.g. which facts the published paper does not state")


class Decision(Model):
    """One decision paper, e.g. PCC/D/102."""

    reference: Line = Field(description="As the office's configuration patterns it, e.g. PCC/D/102 or PCC/D/072a")
    addendum_to: Line | None = Field(None, description="An addendum's parent reference, e.g. PCC/D/072")
    subject: Line
    report_of: Line
    date: Day
    banners: list[Line] = Field(default_factory=list, description="e.g. KEY DECISION")
    key_decision: Flag = False
    status: Status
    funding: list[FundingLine] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    police_and_crime_plan: list[Priority] = Field(default_factory=list)
    partners: list[Text] = Field(default_factory=list, description="Partnership considerations: who the provider works with")
    route_to_market: RouteToMarket | None = None
    procurement_history: list[Event] = Field(default_factory=list)
    recommendation: Text
    approval: Approval | None = None
    sign_offs: list[SignOff] = Field(default_factory=list)
    publication: Publication = Publication()
    specification: Specification | None = None
    waivers: list[Waiver] = Field(default_factory=list)

    def timetable(self) -> list[tuple[str, dt.date | Month, tuple[str | int, ...], bool]]:
        """The competition's timetable in stage order, as (stage, date, field path, stated):
        the release and the response deadline from the procurement history, the other
        stages from the specification, so that no date is typed twice."""
        rows: list[tuple[str, dt.date | Month, tuple[str | int, ...], bool]] = []
        for index, event in enumerate(self.procurement_history):
            if event.event in (EventKind.opportunity_released, EventKind.response_deadline) and event.date:
                rows.append((event.event.value, event.date, ("procurement_history", index, "date"), True))
        if self.specification:
            for index, milestone in enumerate(self.specification.timetable):
                rows.append((milestone.stage.value, milestone.date, ("specification", "timetable", index, "date"), milestone.stated))
        return sorted(rows, key=lambda row: STAGE_ORDER.index(row[0]))

    @property
    def total_funding(self) -> Decimal:
        return sum((line.amount for line in self.funding), Decimal(0))

    @property
    def is_draft(self) -> bool:
        return self.status is not Status.approved
