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
from functools import cached_property
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    WithJsonSchema,
)

from .yaml_source import NARRATIVE, TEXT


class Model(BaseModel):
    # A typo in a field name must never vanish silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


# Text is something to read: not empty, not only spaces (yaml_source words the error).
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S"), TEXT]
# The paper's narrative words: its paragraphs, list items and recommendation. The reader takes a
# comment after them on their line for words cut short at ' #' (engine/yaml_source.py).
Words = Annotated[Text, NARRATIVE]

_SINGULAR = {"banners": "banner", "organisations": "organisation"}


def _one_line(value: str, info: ValidationInfo) -> str:
    if "\n" in value or "\t" in value:
        name = info.field_name or "text"
        raise ValueError(f"write the {_SINGULAR.get(name, name.replace('_', ' '))} on one line, without line breaks or tabs")
    # 'not stated' means "the paper does not give this" only where a field can be not stated;
    # anywhere else it would be printed, and published, as if it were the paper's words. (A
    # paragraph may say it: the narrative is the paper's words.)
    if value.strip().casefold() == "not stated":
        raise ValueError("this field cannot be 'not stated': leave it out where the paper does not give it")
    return value


# Text that is one line on the paper (a reference, a subject, a heading, a name): a line break or
# a tab in it would break the title block, a table or the register's feed.
OneLine = Annotated[str, AfterValidator(_one_line)]
Line = Annotated[Text, AfterValidator(_one_line)]

_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.ASCII)


def _web_address(value: str) -> str:
    # Only http(s): a javascript: or data: address would run in the register's pages. Only
    # ASCII: a right-to-left mark (U+202E) or a look-alike letter can disguise where it leads.
    if not _URL.fullmatch(value):
        raise ValueError("write a web address starting https:// (or http://), without spaces or quotes")
    if not value.isascii() or not value.isprintable():
        raise ValueError("write a web address in plain ASCII: percent-encode other characters (é is %C3%A9)")
    return value


Url = Annotated[str, AfterValidator(_web_address), WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"})]

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
    if _is_not_stated(value):
        raise ValueError("this date cannot be 'not stated': leave it out where the paper does not give it")
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

_FINANCIAL_YEAR = re.compile(r"([0-9]{4})\s?[-/\u2013]\s?([0-9]{2}|[0-9]{4})")


def financial_year_name(first: int) -> str:
    """The one way the engine writes a financial year: 2024-25 (1 April 2024 to 31 March 2025)."""
    return f"{first}-{(first + 1) % 100:02d}"


def _financial_year(value: Any) -> Any:
    """2024/25, 2024-25 and 2024-2025 are one year: all are kept as 2024-25, so that filters,
    open data and rules never see one year as two."""
    if isinstance(value, str):
        m = _FINANCIAL_YEAR.fullmatch(value)
        if not m:
            raise ValueError("a financial year is written 2023-24 (or 2023/24, or 2023-2024)")
        first, second = int(m.group(1)), m.group(2)
        expected = first + 1
        if int(second) != (expected if len(second) == 4 else expected % 100):
            raise ValueError(f"a financial year runs from one year to the next, so {financial_year_name(first)}")
        if not FIRST_YEAR <= first < LAST_YEAR:
            raise ValueError(YEARS)
        return financial_year_name(first)
    return value


FinancialYear = Annotated[
    str,
    BeforeValidator(_financial_year),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}\s?[-/–]\s?(\d{2}|\d{4})$", "examples": ["2023-24"],
                    "description": "A financial year (1 April to 31 March): 2023-24, 2023/24 or 2023-2024"}),
]


def as_financial_year(text: str) -> str | None:
    """2024/25, 2024-25 or 2024-2025 as the engine writes it (2024-25); None for text that is no
    financial year. The one reading of a financial year: the model, the reference schemes and
    `decisions new` all use it."""
    try:
        return _financial_year(text)  # type: ignore[no-any-return]
    except ValueError:
        return None


def financial_year_bounds(name: str) -> tuple[dt.date, dt.date]:
    first = int(name[:4])
    return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)


def financial_year_of(day: dt.date) -> str:
    return financial_year_name(day.year if day.month >= 4 else day.year - 1)


# A fact the published paper does not give (its date, a fund, the approver...). It shows as
# nothing, is null in open data and satisfies the rules that want the fact. A draft's unfilled
# placeholder is a different thing ("TODO: ..."), and stays an error.
NOT_STATED = "not stated"


def _the_keyword_as_written(value: Any) -> Any:
    if isinstance(value, str) and value != NOT_STATED and _is_not_stated(value):
        raise ValueError("write not stated in lower case, as 'not stated'")
    return value


def _is_not_stated(value: Any) -> bool:
    return isinstance(value, str) and value.strip().casefold() == NOT_STATED


NotStated = Annotated[Literal["not stated"], BeforeValidator(_the_keyword_as_written),
                      WithJsonSchema({"const": "not stated", "description": "The published paper does not give this"})]


def _stated_or_value(value: Any) -> str:
    return NOT_STATED if _is_not_stated(value) else "value"


class _OrNotStated:
    """OrNotStated[X]: a value of type X, or 'not stated'. Discriminated, so that a bad value gets
    X's one message rather than one for each alternative."""

    def __class_getitem__(cls, item: Any) -> Any:
        return Annotated[Union[Annotated[NotStated, Tag(NOT_STATED)], Annotated[item, Tag("value")]], Discriminator(_stated_or_value)]


OrNotStated = _OrNotStated


def stated(value: Any) -> Any:
    """The value, or None when it is not stated."""
    return None if value == NOT_STATED else value


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


class Year(Model):
    """A date known only to the year ("2014": a web page that gives no day or month)."""

    year: Annotated[Count, AfterValidator(_year)]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    def __str__(self) -> str:
        return f"{self.year:04d}"


_QUARTER_TEXT = re.compile(r"Q([1-4]) ([0-9]{4}[-/][0-9]{2,4})")


class Quarter(Model):
    """A quarter of a financial year ("Q4 2022-23": January to March 2023), as monitoring
    reports date things."""

    quarter: Count = Field(ge=1, le=4)
    financial_year: FinancialYear

    @property
    def first_day(self) -> dt.date:
        begins, _ = financial_year_bounds(self.financial_year)
        month = 4 + 3 * (self.quarter - 1)
        return dt.date(begins.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> dt.date:
        start = self.first_day
        following = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.financial_year}"


def _month(value: Any) -> Any:
    if isinstance(value, str):
        if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(YEARS)
        if not 1 <= int(value[5:]) <= 12:
            raise ValueError("a month is written 01 to 12 after the year, e.g. 2022-11")
        return {"year": int(value[:4]), "month": int(value[5:])}
    return value


def _year_only(value: Any) -> Any:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return {"year": int(value)}
    return value


def _quarter(value: Any) -> Any:
    if isinstance(value, str):
        m = _QUARTER_TEXT.fullmatch(value)
        if m is None:
            raise ValueError("write a quarter as Q1 to Q4 and its financial year, e.g. Q4 2022-23")
        return {"quarter": int(m.group(1)), "financial_year": m.group(2)}
    return value


def _date_form(value: Any) -> str:
    if isinstance(value, Month) or (isinstance(value, dict) and "month" in value):
        return "YYYY-MM"
    if isinstance(value, Year) or (isinstance(value, dict) and set(value) == {"year"}):
        return "YYYY"
    if isinstance(value, Quarter) or (isinstance(value, dict) and "quarter" in value):
        return "quarter"
    if isinstance(value, str):
        if _is_not_stated(value):
            return NOT_STATED
        if _MONTH_TEXT.fullmatch(value):
            return "YYYY-MM"
        if re.fullmatch(r"[0-9]{4}", value):
            return "YYYY"
        if value.startswith("Q"):
            return "quarter"
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return "YYYY"
    return "YYYY-MM-DD"


def _date_json(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


_DAY = Annotated[Day, Tag("YYYY-MM-DD")]
_MONTH = Annotated[Month, BeforeValidator(_month), Tag("YYYY-MM")]
_YEAR = Annotated[Year, BeforeValidator(_year_only), Tag("YYYY")]
_QUARTER = Annotated[Quarter, BeforeValidator(_quarter), Tag("quarter")]
_NOT_STATED = Annotated[NotStated, Tag(NOT_STATED)]

def _when_form(value: Any) -> str:
    return "YYYY-MM" if _date_form(value) == "YYYY-MM" else "YYYY-MM-DD"


When = Annotated[
    Union[_DAY, _MONTH],
    Discriminator(_when_form),
    PlainSerializer(_date_json, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "A date (2023-03-30) or, when only the month is known, 2022-11"}),
]

# When something happened, as precisely as the paper says it: a day, a month, a year, a
# quarter of a financial year.
def _occasion_form(value: Any) -> str:
    form = _date_form(value)
    return "YYYY-MM-DD" if form == NOT_STATED else form  # the day's validator says it cannot be


Occasion = Annotated[
    Union[_DAY, _MONTH, _YEAR, _QUARTER],
    Discriminator(_occasion_form),
    PlainSerializer(_date_json, return_type=str, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1900, "maximum": 2099}], "description": "A date (2023-03-30), a month (2022-11), a year (2014) or a quarter (Q4 2022-23)"}),
]

def _paper_date_form(value: Any) -> str:
    form = _date_form(value)
    return "YYYY-MM-DD" if form == "quarter" else form  # a paper is not dated by a quarter


# The paper's own date: as precise as the paper gives it, or not stated at all.
PaperDate = Annotated[
    Union[_DAY, _MONTH, _YEAR, _NOT_STATED],
    Discriminator(_paper_date_form),
    PlainSerializer(_date_json, return_type=str, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1900, "maximum": 2099}], "description": "The date printed on the paper (2023-03-30); 2021-11 or 2014 when "
                    "only the month or year is published; 'not stated' when the paper gives none"}),
]

Fuzzy = dt.date | Month | Year | Quarter


def stated_date(when: Fuzzy | str | None) -> str | None:
    """A date as open data gives it: 2023-03-30, 2021-11, 2014 or Q4 2022-23; None when not stated."""
    if when is None or when == NOT_STATED:
        return None
    return _date_json(when)


def earliest(when: Fuzzy | str | None) -> dt.date | None:
    """The first day a date can mean (None when not stated)."""
    if when is None or isinstance(when, str):
        return None
    return when if isinstance(when, dt.date) else when.first_day


def latest(when: Fuzzy | str | None) -> dt.date | None:
    """The last day a date can mean (None when not stated)."""
    if when is None or isinstance(when, str):
        return None
    return when if isinstance(when, dt.date) else when.last_day


class Status(str, Enum):
    """Where a decision is in its life: drafted, submitted for decision, then approved or
    declined; an approved decision may later be withdrawn, rescinded or superseded (by a new
    decision), and stays on the record."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"
    rescinded = "rescinded"
    superseded = "superseded"


# The statuses of a decision that was approved: it has an approval, and the register keeps it.
WAS_APPROVED = frozenset({Status.approved, Status.withdrawn, Status.rescinded, Status.superseded})
# The statuses of a paper still being decided: it may not say 'not stated', and has a line to sign on.
IN_DRAFT = frozenset({Status.draft, Status.submitted})


# --- the narrative -----------------------------------------------------------------------------


class Paragraph(Model):
    text: Words
    confidential: Flag = Field(False, description="Part 2 text: left out of every public output")


class Item(Model):
    """A list item with a list of its own under it (PCC/D/037's service areas, each with amounts)."""

    text: Words
    bullets: list[Words] = Field(min_length=1)


def _item_kind(value: Any) -> str:
    return "item" if isinstance(value, (dict, Item)) else "text"


ListItem = Annotated[Union[Annotated[Words, Tag("text")], Annotated[Item, Tag("item")]], Discriminator(_item_kind)]


class BulletList(Model):
    bullets: list[ListItem] = Field(min_length=1)
    numbered: Flag = Field(False, description="A numbered list (1, 2, 3...) rather than bullets")
    confidential: Flag = False


class ColumnType(str, Enum):
    text = "text"
    money = "money"  # pounds to 2 places: a total row re-adds these
    ratio = "ratio"  # 6/9: a ratio column derives each row's money from the base row's (Band D)
    number = "number"
    date = "date"


class Column(Model):
    heading: Line
    type: ColumnType = ColumnType.text


Cell = Union[Decimal, int, dt.date, str, None]


class Table(Model):
    """A table as the paper prints it, with typed columns, e.g. council tax by band, or the
    precept due from each billing authority with their total."""

    caption: OneLine | None = None
    columns: list[Column] = Field(min_length=1)
    rows: list[list[Cell]] = Field(min_length=1)
    total: list[Cell] | None = Field(None, description="A total row as printed; a rule re-adds its money columns")
    confidential: Flag = False

    @model_validator(mode="after")
    def _cells(self) -> "Table":
        width = len(self.columns)
        for name, row in [(f"row {i + 1}", r) for i, r in enumerate(self.rows)] + ([("the total row", self.total)] if self.total else []):
            if len(row) != width:
                raise ValueError(f"{name} has {len(row)} cells; the table has {width} columns")
            for column, cell in zip(self.columns, row):
                _check_cell(column, cell, name)
        return self


_RATIO = re.compile(r"[0-9]+/[0-9]+")


def _check_cell(column: Column, cell: Cell, row: str) -> None:
    where = f"{row}, column '{column.heading}'"
    if cell is None or cell == "":
        return
    if column.type is ColumnType.money:
        if not isinstance(cell, (Decimal, int)) or isinstance(cell, bool) or cell < 0 or Decimal(cell).as_tuple().exponent < -2:
            raise ValueError(f"{where}: write pounds as a number with at most 2 decimal places, e.g. 176.33")
        amount = Decimal(cell)
        if amount.is_zero() and amount.is_signed():
            raise ValueError(f"{where}: an amount is never negative: write 0, without the minus sign")
        if amount >= Decimal("1e13"):  # as funding amounts: 13 digits, so a total's pence are never lost
            raise ValueError(f"{where}: an amount is below £10,000,000,000,000")
    elif column.type is ColumnType.ratio:
        m = _RATIO.fullmatch(cell) if isinstance(cell, str) else None
        if m is None or int(cell.split("/")[1]) == 0 or int(cell.split("/")[0]) == 0:  # type: ignore[union-attr]
            raise ValueError(f"{where}: write a ratio as 6/9 (neither number 0), or leave the base row's empty")
    elif column.type is ColumnType.number:
        if not isinstance(cell, (Decimal, int)) or isinstance(cell, bool):
            raise ValueError(f"{where}: write a number")
    elif column.type is ColumnType.date:
        if isinstance(cell, str) and _DATE_TEXT.fullmatch(cell):
            raise ValueError(f"{where}: write the date without quotes, e.g. 2023-09-06")
        if not isinstance(cell, dt.date):
            raise ValueError(f"{where}: {WRITE_DATE}")
        if not FIRST_YEAR <= cell.year <= LAST_YEAR:
            raise ValueError(f"{where}: {YEARS}")
    elif not isinstance(cell, str) or "\n" in cell:
        raise ValueError(f"{where}: write the text on one line, in quotes if it looks like a number")


def _block_kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "bullets" if "bullets" in value else "table" if "columns" in value else "paragraph"
    return "bullets" if isinstance(value, BulletList) else "table" if isinstance(value, Table) else "paragraph"


def _as_block(value: Any) -> Any:
    return Paragraph(text=value) if isinstance(value, str) else value


# A paragraph may be written as plain text; the renderers always see Paragraph, BulletList or Table.
Block = Annotated[
    Union[
        Annotated[Words, Tag("text")],
        Annotated[Paragraph, Tag("paragraph")],
        Annotated[BulletList, Tag("bullets")],
        Annotated[Table, Tag("table")],
    ],
    Discriminator(_block_kind),
    AfterValidator(_as_block),
]


class Section(Model):
    heading: Line | None = Field(None, description="As published, without the office's heading suffix; none for an untitled run of paragraphs")
    suffix: OneLine | None = Field(None, description="Overrides the office's heading suffix for this heading, e.g. '' for one printed without a colon")
    level: Count = Field(1, ge=1, le=2, description="2 for a sub-heading, e.g. a recipient and project under a group of awards")
    content: list[Block] = Field(default_factory=list, description="May be empty under a heading printed with no text under it")
    confidential: Flag = False

    @model_validator(mode="after")
    def _something(self) -> "Section":
        if self.heading is None and not self.content:
            raise ValueError("a section without a heading needs content")
        return self

    @cached_property
    def tables(self) -> list[tuple[int, Table]]:
        """The section's tables, as (block index, table); kept, since a section never changes."""
        return [(b, block) for b, block in enumerate(self.content) if type(block) is Table]


# --- the facts ---------------------------------------------------------------------------------


class Period(Model):
    start: Day
    end: Day


class YearAmount(Model):
    financial_year: FinancialYear
    amount: Pounds


class FundingLine(Model):
    """Money the decision gives: to whom, for what, from which fund, how much. The amount is
    either one sum (`amount`) or a sum for each financial year (`per_year`), whose total is
    computed, never typed a second time."""

    recipient: Line | None = Field(None, description="The organisation funded, e.g. Leaders Unlocked")
    service: Line = Field(description="The service, project or purpose funded, as the paper names it")
    purpose: Text | None = Field(None, description="What the money is for, in brief, where the paper says more than the project's name")
    fund: OrNotStated[Line] = Field(description="MoJ, Community Safety Fund, ...; 'not stated' when the paper does not say")
    budget_code: OneLine | None = Field(None, description="e.g. B992")
    amount: Pounds | None = Field(None, description="The amount, or the total over the period")
    per_year: list[YearAmount] = Field(default_factory=list, description="The amount for each financial year, instead of `amount`")
    financial_year: OrNotStated[FinancialYear] | None = Field(None, description="The financial year of `amount`")
    period: Period | None = None
    group: Line | None = Field(None, description="The award group it is listed under (its name in award_groups)")

    @model_validator(mode="after")
    def _one_amount(self) -> "FundingLine":
        if self.amount is None and not self.per_year:
            raise ValueError("give the `amount`, or the amount for each financial year in `per_year`")
        if self.amount is not None and self.per_year:
            raise ValueError("give either `amount` or `per_year`, not both: the total of per_year is computed")
        if self.per_year and self.financial_year is not None:
            raise ValueError("a line with `per_year` takes its financial years from there: leave out `financial_year`")
        years = [y.financial_year for y in self.per_year]
        if len(set(years)) != len(years):
            raise ValueError("per_year names a financial year twice")
        return self

    @property
    def total(self) -> Decimal:
        if self.amount is not None:
            return self.amount
        return sum((y.amount for y in self.per_year), Decimal(0))

    @property
    def years(self) -> list[str]:
        """The financial years the line's money falls in, as stated."""
        if self.per_year:
            return [y.financial_year for y in self.per_year]
        year = stated(self.financial_year)
        return [year] if year else []

    @property
    def fund_name(self) -> str | None:
        return stated(self.fund)


class Fund(Model):
    """A fund the decision awards from, with its envelope ("£538,000 available")."""

    name: Line
    available: Pounds | None = Field(None, description="How much the fund has for the year, as the paper says")
    financial_year: OrNotStated[FinancialYear] | None = None
    budget_code: OneLine | None = None


class AwardGroup(Model):
    """Awards grouped as the paper groups them, e.g. core awards over £5,000 and small grants up
    to £5,000; a rule checks each award lies inside its group's bounds."""

    name: Line = Field(description="As printed, e.g. Applications for Core Service Awards over £5000")
    over: Pounds | None = Field(None, description="Every award in the group is above this")
    up_to: Pounds | None = Field(None, description="Every award in the group is at most this")
    fund: Line | None = None


class Precept(Model):
    """A precept decision's facts: the Band D council tax and its rise, the budget it funds."""

    financial_year: FinancialYear
    band_d: Pounds = Field(description="The Band D council tax for policing, e.g. 264.50")
    increase: Pounds | None = Field(None, description="The rise in Band D, in pounds, e.g. 14.84")
    increase_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = Field(None, description="e.g. 5.94")
    net_revenue_budget: Pounds | None = None
    total_precept: Pounds | None = Field(None, description="The precept due from all the billing authorities together")


class StatedAmount(Model):
    """A sum the paper states that is neither money given nor a fund: a threshold, a budget line,
    an earmark ("£300k for extra Special Constables"), so that rules and open data know it."""

    label: Line = Field(description="What the sum is, e.g. Settlements needing the PCC's agreement, above")
    amount: Pounds
    financial_year: OrNotStated[FinancialYear] | None = None


class Priority(Model):
    number: Line = Field(description="The Police and Crime Plan's numbering, e.g. 4.1")
    title: Line


class RouteToMarketMethod(str, Enum):
    competition = "competition"
    quotes = "quotes"
    direct_award = "direct_award"
    grant = "grant"
    framework = "framework"
    mini_competition = "mini_competition"
    none = "none"


class RouteToMarket(Model):
    method: RouteToMarketMethod
    bidding_limit: Pounds | None = Field(None, description="The most one bid may ask for")
    awards: Count | None = Field(None, ge=1, description="A round: how many awards it may make (up to 8 awards of up to £5,000)")
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
    consultation = "consultation"
    vote = "vote"
    review = "review"
    announcement = "announcement"
    outcome = "outcome"
    other = "other"


class Participant(Model):
    name: Line | None = None
    role: Line | None = None
    organisation: Line | None = None
    internal: Flag | None = Field(None, description="True for the office's own people, false for others")

    @model_validator(mode="after")
    def _someone(self) -> "Participant":
        if not (self.name or self.role or self.organisation):
            raise ValueError("a participant needs a name, a role or an organisation")
        return self


class Vote(Model):
    """A panel's vote, e.g. on a precept, against the threshold that would carry a veto."""

    in_favour: Count = Field(ge=0)
    against: Count = Field(ge=0)
    abstained: Count = Field(0, ge=0)
    threshold: Count | None = Field(None, ge=1, description="Votes needed to carry it, e.g. a veto needs two-thirds of the panel's members")
    threshold_rule: Text | None = Field(None, description="The threshold in words, e.g. two-thirds of the panel's members")
    carried: Flag | None = None


class Event(Model):
    """One step of the decision's history: procurement, meetings and panels, consultations,
    votes, outcomes. Counts and reasons belong to the kinds that have them."""

    event: EventKind
    date: Occasion | None = None
    until: Occasion | None = Field(None, description="The end of an event that lasts (a consultation's period)")
    name: Line | None = Field(None, description="e.g. Business Coordination Board, Police and Crime Panel")
    by: Line | None = None
    received: Count | None = Field(None, ge=0, description="applications_received: how many")
    discounted: Count | None = Field(None, ge=0, description="show_stopper: how many failed it")
    evaluated: Count | None = Field(None, ge=0, description="evaluation: how many reached evaluation")
    awarded: Count | None = Field(None, ge=0, description="evaluation or award: how many were awarded")
    responses: Count | None = Field(None, ge=0, description="consultation: how many responded")
    votes: Vote | None = None
    result: Text | None = Field(None, description="consultation, vote or outcome: what came of it")
    reason: Text | None = None
    organisations: list[Line] = Field(default_factory=list, description="meeting or award: the organisations")
    participants: list[Participant] = Field(default_factory=list, description="Who took part: name, role, organisation")
    note: Text | None = None


class SignedCopy(Model):
    """The signed paper, kept with the record: its file (relative to the record) and its SHA-256,
    so that the copy cannot be swapped unnoticed."""

    file: Line
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Correction(Model):
    """An erratum to an approved decision: when, who, what changed and why. The paper and the
    register print it; `decisions correct` writes it and moves the seal on in the ledger."""

    date: Day
    by: Line
    fields: list[Line] = Field(min_length=1, description="The fields corrected, e.g. funding, subject")
    why: Text
    withhold_earlier: Flag = Field(False, description="The paper before this correction is not published again (it held "
                                   "what should never have been published)")


class Approval(Model):
    role: Line | None = Field(None, description="Defaults to the office's commissioner role")
    name: OrNotStated[Line] | None = None
    date: OrNotStated[Day] | None = None
    statement: OrNotStated[Text] | None = Field(None, description="Defaults to the office's approval statement; 'not stated' prints none")
    signature: Line | None = Field(None, description="e.g. Wet signed copy held at the Office of the PCC")
    heading: Line | None = Field(None, description="The approval block's heading as printed, e.g. Police and Crime Commissioner Approval")
    signed_copy: SignedCopy | None = Field(None, description="The signed paper kept with the record, with its hash")


class SignOff(Model):
    """A sign-off beyond the commissioner's, e.g. the Chief Finance Officer's or the Chief Executive's."""

    role: Line
    name: Line | None = None
    statement: Text | None = None
    date: Day | None = None


class Publication(Model):
    part: Literal["public", "part2"] = Field("public", description="public (Part 1) or part2: the whole paper withheld")
    reason: Text | None = Field(None, description="Part 2: why it is withheld, e.g. an FOI exemption")
    foi_exemption: Line | None = Field(None, description="e.g. Section 43 (commercial interests)")
    protective_marking: Line | None = Field(None, description="As printed, e.g. OFFICIAL or OFFICIAL-SENSITIVE")
    url: Url | None = Field(None, description="Where the paper is already published, so the register can keep or redirect it")
    title: Line | None = Field(None, description="The published page's title where it differs from the subject, e.g. Decision Log 048/2021 – ...")


class LinkRelation(str, Enum):
    amends = "amends"
    supersedes = "supersedes"
    corrects = "corrects"
    cites = "cites"
    varies = "varies"  # a governance document it changes, e.g. Joint Financial Regulations cl. 11.3
    follows = "follows"  # a decision it carries on from
    companion = "companion"  # issued with it, e.g. on the same agenda or the same day
    related = "related"  # tied to it in some other way the note explains


class Link(Model):
    """Another decision (in the archive or not), an unnumbered earlier paper, or a document this
    one is tied to. A decision outside the archive is a note, not an error."""

    relation: LinkRelation
    reference: Line | None = None
    title: Line | None = None
    date: Occasion | None = None
    url: Url | None = None
    printed: Flag = Field(True, description="False when the paper does not state the link (the register shows it, the paper does not)")
    note: Text | None = None

    @model_validator(mode="after")
    def _names_something(self) -> "Link":
        if not (self.reference or self.title):
            raise ValueError("a link names the decision's reference, or a paper's title")
        return self


class Document(Model):
    """An appendix or a background paper: a panel's report, a budget report, a form."""

    title: Line
    label: Line | None = Field(None, description="As the paper labels it, e.g. Appendix A")
    date: Occasion | None = None
    url: Url | None = None
    note: Text | None = None


class Person(Model):
    name: Line | None = None
    role: Line | None = None


class Recommendation(Model):
    """The recommendation as the paper prints it: words, a list, or the list of awards made from
    the funding lines (so the awards are not typed twice)."""

    heading: Line | None = Field(None, description="As printed, where the paper heads it, e.g. Recommendation")
    text: Words | None = None
    bullets: list[Words] = Field(default_factory=list)
    awards: Flag = Field(False, description="List the funding lines' awards as the recommendation's bullets")

    @model_validator(mode="after")
    def _something(self) -> "Recommendation":
        if not (self.text or self.bullets or self.awards):
            raise ValueError("a recommendation needs text, bullets or `awards: true`")
        return self


def _recommendation_kind(value: Any) -> str:
    if _is_not_stated(value):
        return NOT_STATED
    return "text" if isinstance(value, str) else "full"


RecommendationField = Annotated[
    Union[Annotated[NotStated, Tag(NOT_STATED)], Annotated[Words, Tag("text")], Annotated[Recommendation, Tag("full")]],
    Discriminator(_recommendation_kind),
]


class AsPrinted(Model):
    """A value the paper printed wrongly (a misprinted year): the field holds the value meant,
    which rules and open data use; the paper renders what was printed."""

    field: Line = Field(description="The field's path, as check names it, e.g. funding[0].period.end or date")
    printed: Line = Field(description="Exactly as the paper prints it")
    note: Text = Field(description="Why the value meant differs")


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


class Provenance(Model):
    """Where a record's words come from: the office's own papers keep the published wording;
    a corpus paper or an import may keep a summary. Not printed on the paper."""

    narrative: Literal["as published", "summary"] = Field(description="Whether sections hold the published wording or a summary of it")
    source: Line | None = Field(None, description="Where the paper was read, e.g. its web address")
    seen: Text | None = Field(None, description="How much of the paper was seen, where not all of it")


# An office field's name: the office-fields rule says in words when it is not one the office
# declares (a pattern here would answer a misspelling with a regular expression).
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_LARGEST = 10**15


def _office_value(value: Any) -> Any:
    """An office field's value: yes or no, a date, a whole number or one line of text (the
    office's declaration says which; the office-fields rule checks it). One message for any
    other value, not one for each type it might have been."""
    if isinstance(value, bool) or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, int):
        if abs(value) >= _LARGEST:
            raise ValueError("a number this long is not a field's value: write it in quotes, as text")
        return value
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("write some text here, not only spaces; leave the field out where the paper does not give it")
        if "\n" in value or "\t" in value:
            raise ValueError("write the field's value on one line, without line breaks or tabs")
        if value.strip().casefold() == "not stated":
            raise ValueError("an office field cannot be 'not stated': leave it out where the paper does not give it")
        return value
    raise ValueError("an office field's value is one line of text, a date (YYYY-MM-DD), a whole number, or true or false")


OfficeValue = Annotated[Any, PlainValidator(_office_value), WithJsonSchema({"type": ["string", "integer", "boolean"]})]

# A forward plan entry's identifier, the office's own (FP/2026/014): a decision names its entry
# by it, and the register makes an anchor of it (engine/forward_plan.py).
_PLAN_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9/._ -]{0,38}[A-Za-z0-9])?", re.ASCII)


def _plan_id(value: str) -> str:
    if not _PLAN_ID.fullmatch(value):
        raise ValueError("a forward plan entry's id is the office's own identifier, e.g. FP/2026/014: up to 40 letters, "
                         "digits, '/', '.', '_', '-' and spaces, starting and ending with a letter or digit")
    return value


PlanId = Annotated[Line, AfterValidator(_plan_id), WithJsonSchema({
    "type": "string", "pattern": "^[A-Za-z0-9]([A-Za-z0-9/._ -]{0,38}[A-Za-z0-9])?$", "examples": ["FP/2026/014"],
    "description": "A forward plan entry's id, as forward-plan.yaml gives it"})]


class Decision(Model):
    """One decision paper, e.g. PCC/D/102. Every decision has the core (kind, reference, subject,
    date, narrative sections, recommendation, approval, publication); the typed facts beside it
    are optional, and which ones a decision needs is its kind's to say."""

    kind: Line = Field(description="The kind of decision, e.g. commissioning or precept_and_budget: the engine's kinds or the office's own")
    reference: Line = Field(description="As the office's configuration patterns it, e.g. PCC/D/102 or PCC/D/072a")
    aliases: list[Line] = Field(default_factory=list, description="Other forms the office has printed for this reference, e.g. PCC.D.037")
    term: Line | None = Field(None, description="The commissioner's term, where the paper's date does not show it")
    addendum_to: Line | None = Field(None, description="An addendum's parent reference, e.g. PCC/D/072")
    subject: Line
    report_of: Line | None = Field(None, description="As printed on the paper's 'Report of' line; none when the office's form has no such line")
    author: Person | None = Field(None, description="The author and their job role, where the paper names them")
    date: PaperDate = Field(description="The paper's date as printed: 2023-03-30, or 2021-11, 2014 or 'not stated' when the paper gives less")
    financial_year: OrNotStated[FinancialYear] | None = Field(None, description="The financial year the decision is for, apart from its funding lines")
    period: Period | None = Field(None, description="The period the decision covers, e.g. a temporary arrangement's")
    banners: list[Line] = Field(default_factory=list, description="e.g. KEY DECISION")
    key_decision: Flag = False
    forward_plan: PlanId | None = Field(None, description=(
        "The forward plan entry that gave notice of this decision (forward-plan.yaml), e.g. FP/2026/014"))
    status: Status
    funds: list[Fund] = Field(default_factory=list, description="The funds awarded from, with what each has available")
    award_groups: list[AwardGroup] = Field(default_factory=list)
    funding: list[FundingLine] = Field(default_factory=list)
    precept: Precept | None = None
    amounts: list[StatedAmount] = Field(default_factory=list, description="Other sums the paper states: thresholds, budgets, earmarks")
    sections: list[Section] = Field(min_length=1)
    police_and_crime_plan: list[Priority] = Field(default_factory=list)
    partners: list[Text] = Field(default_factory=list, description="Partnership considerations: who the provider works with")
    route_to_market: RouteToMarket | None = None
    history: list[Event] = Field(default_factory=list, description="What led to the decision, in date order: procurement, meetings, consultations, votes")
    links: list[Link] = Field(default_factory=list, description="Decisions this one amends, supersedes, corrects, cites or follows")
    documents: list[Document] = Field(default_factory=list, description="Appendices and background papers")
    recommendation: RecommendationField
    approval: OrNotStated[Approval] | None = None
    sign_offs: list[SignOff] = Field(default_factory=list)
    after_approval: list[Section] = Field(default_factory=list, description="Sections printed after the approval block, e.g. Areas of consideration")
    publication: Publication = Publication()
    fields: dict[FieldName, OfficeValue] = Field(default_factory=dict, description=(
        "The office's own fields (office.yaml `fields:`), e.g. originator: Chief Executive"))
    as_printed: list[AsPrinted] = Field(default_factory=list, description="Values the paper printed wrongly, with the value meant in the field")
    provenance: Provenance | None = None
    specification: Specification | None = None
    corrections: list[Correction] = Field(default_factory=list, description="Errata to the approved decision, oldest first")
    waivers: list[Waiver] = Field(default_factory=list)

    @property
    def tables(self) -> list[tuple[int, int, Table]]:
        """The tables in the narrative, as (section index, block index, table)."""
        return [(s, b, table) for s, section in enumerate(self.sections) for b, table in section.tables]

    @property
    def first_day(self) -> dt.date | None:
        """The first day the paper's date can mean; None when it is not stated."""
        return earliest(self.date)

    @property
    def last_day(self) -> dt.date | None:
        return latest(self.date)

    @property
    def approved_on(self) -> dt.date | None:
        approval = self.approval if isinstance(self.approval, Approval) else None
        return stated(approval.date) if approval else None

    @property
    def recipients(self) -> list[str]:
        names = [line.recipient for line in self.funding if line.recipient]
        names += [o for e in self.history if e.event is EventKind.award for o in e.organisations]
        return list(dict.fromkeys(names))

    @property
    def fund_names(self) -> list[str]:
        names = [line.fund_name for line in self.funding if line.fund_name] + [f.name for f in self.funds]
        return sorted(set(names))

    @property
    def financial_years(self) -> list[str]:
        years = [y for line in self.funding for y in line.years]
        own = stated(self.financial_year)
        if own:
            years.append(own)
        if self.precept:
            years.append(self.precept.financial_year)
        if self.period is not None and self.period.start <= self.period.end:
            first, last = int(financial_year_of(self.period.start)[:4]), int(financial_year_of(self.period.end)[:4])
            years += [financial_year_name(y) for y in range(first, min(last, first + 20) + 1)]
        return sorted(set(years))

    def timetable(self) -> list[tuple[str, dt.date | Month, tuple[str | int, ...], bool]]:
        """The competition's timetable in stage order, as (stage, date, field path, stated):
        the release and the response deadline from the procurement history, the other
        stages from the specification, so that no date is typed twice."""
        rows: list[tuple[str, dt.date | Month, tuple[str | int, ...], bool]] = []
        for index, event in enumerate(self.history):
            if event.event in (EventKind.opportunity_released, EventKind.response_deadline) and event.date:
                rows.append((event.event.value, event.date, ("history", index, "date"), True))
        if self.specification:
            for index, milestone in enumerate(self.specification.timetable):
                rows.append((milestone.stage.value, milestone.date, ("specification", "timetable", index, "date"), milestone.stated))
        return sorted(rows, key=lambda row: STAGE_ORDER.index(row[0]))

    @property
    def total_funding(self) -> Decimal:
        return sum((line.total for line in self.funding), Decimal(0))

    @property
    def in_draft(self) -> bool:
        """Still being decided: drafted, or submitted for decision."""
        return self.status in IN_DRAFT

    @property
    def was_approved(self) -> bool:
        """Approved, whether or not it is still in force."""
        return self.status in WAS_APPROVED
