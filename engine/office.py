"""The office's configuration: who the office is, its reference scheme, its commissioners' terms,
the fields its papers carry and its house style and layout. Another office adopts the engine by
writing its own office.yaml: no template and no code of its own (README, "Adopting the engine")."""

from __future__ import annotations

import datetime as dt
import re
import string
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Union

if TYPE_CHECKING:
    from .model import Decision

from pydantic import AfterValidator, BeforeValidator, StrictBool, Discriminator, Field, PrivateAttr, StringConstraints, Tag, ValidationInfo, field_validator, model_validator

from .kinds import ENGINE_KINDS, KIND_ONLY_RULES, Kind, check_kind_name
from .layout import CORE_FIELDS, Layout
from .forward_plan import DEFAULT_FILE, DEFAULT_NOTICE_DAYS, Plan, load_plan
from .model import Count, Day, Line, Model, Text, Url, as_financial_year, earliest, financial_year_of, latest
from .problems import RecordError
from .yaml_source import read_yaml, validate


class Term(Model):
    """A commissioner's term: where references restart in each, e.g. PCC/D/001 in 2016, 2021 and 2024."""

    # A folder name: the papers of the term are written under it, so it must not lead elsewhere.
    name: Line = Field(description="Also the folder under records/ and build/, e.g. 2021-2024: letters, digits, '.', '_' and '-'")
    commissioner: Line
    start: Day
    end: Day | None = None

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value, re.ASCII):
            raise ValueError("a term's name is also its folder's: use letters, digits, '.', '_' and '-' only, e.g. 2021-2024")
        if value.lower() == "site":  # the archive's folder for the public register (project.SITE)
            raise ValueError("a term may not be named 'site': the archive keeps the public register in that folder")
        return value

    def holds(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class LastUsed(Model):
    """The last number an office used in a period, where its archive in the engine is incomplete."""

    period: Annotated[Line, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v)] = Field(
        description="A term's name (2024-2028), a year (2023) or a financial year (2023-24), as the scheme numbers")
    number: Count = Field(ge=0)


Numbering = Literal["term", "calendar_year", "financial_year"]
_FORMAT_FIELDS = {"number", "year", "short_year", "financial_year", "term"}
_SAMPLE = {"number": 1, "year": 2024, "short_year": "24", "financial_year": "2024-25", "term": "2024-2028"}


def named_year(groups: dict[str, str | None]) -> int | None:
    """The calendar year a reference names in its `year` group: 2023, or 23 for 2023 (as in
    OPCC.D.036.25)."""
    year = groups.get("year") or ""
    if not (year.isascii() and year.isdigit()):
        return None
    return 2000 + int(year) if len(year) == 2 else int(year)
_WIDTH = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?([0-9]+)")  # the width in a format spec
_PERIOD_FIELD = {"calendar_year": "year", "financial_year": "financial_year"}


class ReferenceScheme(Model):
    pattern: Text = Field(description="A regular expression with the groups 'number' and, for addenda, 'addendum'")
    format: Text = Field(description="How a new reference is written: PCC/D/{number:03d}, {number:02d}/{year}, PCC/D/{year}/{number:02d} or {number}/{financial_year}")
    example: Text
    numbering: Numbering = Field("term", description="When numbers restart: each commissioner's term, calendar year or financial year")
    since: Day | None = Field(None, description="The first date this scheme was used, where the office changed its scheme")
    last_used: list[LastUsed] = Field(default_factory=list, description="Numbers already published outside the engine, so `new` never offers them")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if "number" not in compiled.groupindex:
            raise ValueError("the pattern needs a group named 'number', e.g. (?P<number>\\d{3})")
        return value

    @field_validator("format")
    @classmethod
    def _formats(cls, value: str) -> str:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a reference format: {exc}") from None
        for _, name, spec, _ in string.Formatter().parse(value):
            if spec and ("{" in spec or "}" in spec):
                raise ValueError("a reference format's spec is written out, e.g. {number:03d}, without fields inside it")
            width = _WIDTH.match(spec or "")
            if width and width.group(1) and int(width.group(1)) > 20:
                raise ValueError(f"{{{name}:{spec}}} pads to {int(width.group(1))} characters; a reference needs a few, e.g. {{number:03d}}")
        unknown = fields - _FORMAT_FIELDS
        if unknown or "number" not in fields:
            raise ValueError("a reference format takes {number} and may take {year}, {short_year} (24 for 2024), "
                             "{financial_year} and {term}, e.g. PCC/D/{number:03d} or {number:02d}/{year}")
        try:
            value.format(**_SAMPLE)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise ValueError(f"not a reference format: {exc}") from None
        return value

    @model_validator(mode="after")
    def _agrees(self) -> "ReferenceScheme":
        sample = self.format.format(**_SAMPLE)
        if not re.fullmatch(self.pattern, sample, re.ASCII):
            raise ValueError(f"the format writes {sample!r}, which the pattern does not match; make them agree")
        if not re.fullmatch(self.pattern, self.example, re.ASCII):
            raise ValueError(f"the example {self.example!r} does not match the pattern")
        wanted = _PERIOD_FIELD.get(self.numbering)
        named = {name for _, name, _, _ in string.Formatter().parse(self.format) if name}
        if "short_year" in named:
            named.add("year")
        if wanted and wanted not in named:
            raise ValueError(f"numbers restart each {self.numbering.replace('_', ' ')}, so the reference must say which: "
                             f"add {{{wanted}}} to the format, e.g. {{number:02d}}/{{{wanted}}}")
        return self

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Matched whole (fullmatch), ASCII only: `$` alone lets a trailing newline through, and
        Unicode \\d lets full-width digits through; either would give a second record the same
        papers as the first."""
        return re.compile(self.pattern, re.ASCII)

    def period_of(self, day: dt.date, term: str) -> str:
        """The period a number is counted in: the term, the calendar year or the financial year."""
        if self.numbering == "calendar_year":
            return str(day.year)
        if self.numbering == "financial_year":
            return financial_year_of(day)
        return term

    def period_named(self, period: str, terms: set[str]) -> str | None:
        """A period as this scheme counts in it (a term's name, 2023, or 2023-24 however the
        financial year is written), or None when it names no such period."""
        if self.numbering == "term":
            return period if period in terms else None
        if self.numbering == "calendar_year":
            return period if re.fullmatch(r"(19|20)[0-9]{2}", period, re.ASCII) else None
        return as_financial_year(period)

    def write(self, number: int, day: dt.date, term: str) -> str:
        return self.format.format(number=number, year=day.year, short_year=f"{day.year % 100:02d}",
                                  financial_year=financial_year_of(day), term=term)

    def file_stem(self, reference: str) -> str:
        """PCC/D/102 -> PCC-D-102: the record's file name, and (lower-cased) its build folder."""
        return re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-")


# Labels that were fixed fields of style.labels before the layout took the title block's rows.
MOVED_LABELS = {"reference", "subject", "report_of", "date", "author", "protective_marking"}


class Labels(Model):
    """Wording the engine prints beside the layout's own (whose blocks may each give theirs)."""

    recommendation: Text | None = Field(None, description="The recommendation's heading where the paper gives none")
    links: Text = "Related decisions"
    documents: Text = "Background papers"
    draft: Text = "DRAFT – NOT APPROVED"
    # The mark each status puts on the paper (the layout's draft_mark block prints it); an
    # approved paper has none.
    submitted: Text = "FOR DECISION"
    declined: Text = "DECLINED"
    withdrawn: Text = "WITHDRAWN"
    rescinded: Text = "RESCINDED"
    superseded: Text = "SUPERSEDED"
    part2: Text = "PART 2 – NOT FOR PUBLICATION"
    corrections: Text = "Corrections"

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, value: object) -> object:
        moved = sorted(MOVED_LABELS & set(value)) if isinstance(value, dict) else []
        if moved:
            raise ValueError(f"{', '.join(moved)}: these are now the labels of the layout's title block: "
                             "give each as a row's `label:` under layout: blocks: - fields: rows:")
        return value




class OfficeField(Model):
    """A field the office's papers carry beyond the engine's, e.g. an originator. Records
    give it under `fields:`; the layout may show it; the register's open data carries it."""

    label: Line = Field(description="How the paper and the register name it, e.g. Originator")
    type: Literal["text", "date", "number", "yes_no"] = "text"
    required: StrictBool = Field(False, description="Every paper must give it: true or false")
    values: list[Line] | None = Field(None, min_length=1, description="The only values allowed, e.g. [OFFICIAL, OFFICIAL-SENSITIVE]")
    public: StrictBool = Field(True, description="false: internal papers only; never in a public paper or the open data")
    description: Text | None = None

    @model_validator(mode="after")
    def _values_are_text(self) -> "OfficeField":
        if self.values is not None and self.type != "text":
            raise ValueError("only a text field lists its values")
        return self


# The engine's own fields an office may constrain by declaring them (values allowed, required):
# where the record keeps each.
CONSTRAINABLE = {"protective_marking": ("publication", "protective_marking"), "report_of": ("report_of",)}

class SpecLabels(Model):
    """The wording of the service specification's parts."""

    title: Text = "Service Specification: {service}"
    invitation: Text = "Invitation to bid"
    opportunity: Text = "The opportunity"
    service: Text = "The service"
    requirements_intro: Text = "The service must provide:"
    eligibility: Text = "Who must be served"
    timetable: Text = "Timetable"
    show_stoppers: Text = "Show-stopper requirements"
    show_stoppers_intro: Text = "A bid that does not meet each of these requirements is not evaluated."
    criteria: Text = "Evaluation criteria"
    criteria_intro: Text = "Bids that pass the show-stoppers are evaluated against these criteria:"
    response: Text = "What your response must contain"
    questions: Text = "Questions"
    questions_intro: Text = "Send questions about this opportunity to the"
    not_stated: Text = "* Not stated in the published decision paper."


class HouseStyle(Model):
    font: Text = "Liberation Sans"
    body_size: float = Field(11, ge=6, le=20, description="points")
    heading_colour: Text = Field("1F3864", pattern=r"^[0-9A-Fa-f]{6}$")
    accent_colour: Text = Field("1F3864", pattern=r"^[0-9A-Fa-f]{6}$")
    date_format: Text = Field("%d/%m/%Y", description="strftime format for dates: %d (or %-d) %m (or %-m) %y %Y %B %b %A %a")
    heading_suffix: str = Field(":", description="Written after each section's heading, e.g. ':' for 'Description of Service:'")
    funding_separator: Text = " – "
    labels: Labels = Labels()
    spec: SpecLabels = SpecLabels()
    month_names: list[Line] | None = Field(None, min_length=12, max_length=12, description=(
        "The months' names in the office's language, January first; default: from `language` (English, Welsh)"))



# The months in the languages the engine knows, January first, with their short forms (%b).
MONTHS: dict[str, tuple[list[str], list[str]]] = {
    "en": (["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December"],
           ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]),
    "cy": (["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
            "Tachwedd", "Rhagfyr"],
           ["Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"]),
}


# The days in the languages the engine knows, Monday first, with their short forms (%a).
DAYS: dict[str, tuple[list[str], list[str]]] = {
    "en": (["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
           ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    "cy": (["Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul"],
           ["Llun", "Maw", "Mer", "Iau", "Gwe", "Sad", "Sul"]),
}
# What a date format may use: a day, month or year (a paper's dates have no time of day).
_DATE_CODES = re.compile(r"%(?:[-#]?[dm]|[yYBbAa%])")


class SignOffWording(Model):
    commissioner_role: Text = Field(description="e.g. Police and Crime Commissioner for Anytown")
    statement: Text | None = Field(None, description="The approval's words where the record gives none, e.g. I hereby approve the recommendations above.")


class Templates(Model):
    """Where each document's templates are, relative to office.yaml; by default the engine's own
    (its templates/ folder), which draw any office's layout: an office needs none of its own."""

    decision: Path | None = None
    spec: Path | None = None
    site: Path | None = None


MAX_ADDRESS = 500  # a home page's address is short; a long one is a mistake, or a way to bloat every page


def _short_address(value: str) -> str:
    if len(value) > MAX_ADDRESS:
        raise ValueError(f"this address is {len(value)} characters long: give the office's home page, in at most "
                         f"{MAX_ADDRESS} characters, e.g. https://www.anyshire-pcc.example/")
    return value


class WordPress(Model):
    """The office's WordPress site, for `decisions publish --to wordpress`. The user's
    application password is never here: it comes from DECISIONS_WORDPRESS_PASSWORD."""

    url: Annotated[Url, AfterValidator(_short_address)] = Field(description="The site, e.g. https://www.anyshire-pcc.example/")
    user: Line = Field(description="The WordPress user that publishes, with an application password")
    register_page: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,190}$")] = Field(
        "decision-register", description="The slug of the page that lists the decisions")


class Register(Model):
    """The public decision register that `decisions publish` writes."""

    title: Text = "Decision register"
    base_url: Text = Field("https://example.org/decisions/", description="Where the register is hosted; the feed's links and ids start with it")
    feed_entries: int = Field(50, ge=1)
    home_url: Annotated[Url, AfterValidator(_short_address)] | None = Field(None, description=(
        "The office's own website, e.g. https://www.anyshire-pcc.example/: each page of the register links back to it"))
    wordpress: WordPress | None = Field(None, description="The office's WordPress site, for `decisions publish --to wordpress`")


class ForwardPlanSettings(Model):
    """Where the office keeps its forward plan (notice of the decisions to come), and the notice
    a key decision is given: engine/forward_plan.py."""

    file: Line = Field(DEFAULT_FILE, description="The plan's file, relative to office.yaml, e.g. forward-plan.yaml")
    notice_days: Count = Field(DEFAULT_NOTICE_DAYS, ge=0, le=365, description=(
        "The clear days' notice of a key decision: neither the day its entry is published nor the day it is taken counts"))

    @field_validator("file")
    @classmethod
    def _in_the_project(cls, value: str) -> str:
        parts = value.split("/")
        if value.startswith("/") or "\\" in value or ":" in value or ".." in parts or not value.endswith((".yaml", ".yml")):
            raise ValueError("name the forward plan's .yaml file relative to office.yaml, inside the project, e.g. forward-plan.yaml")
        if parts[0] == "records":
            raise ValueError("records/ holds the decisions' records only: keep the forward plan beside office.yaml, e.g. forward-plan.yaml")
        return value


class Office(Model):
    name: Line = Field(description="e.g. Office of the Police and Crime Commissioner for Anytown")
    author: Line = Field(description="Author in document metadata")
    address: list[Text] = Field(default_factory=list, description="The letterhead's address lines; none for an office whose form has no letterhead")
    contact: Text | None = None
    logo: Path | None = Field(None, description="Image for the letterhead, relative to office.yaml")
    language: Text = "en-GB"
    # The terms come before the reference schemes: a scheme's last_used may name a term.
    terms: list[Term] = Field(min_length=1)
    references: Annotated[
        Union[Annotated[ReferenceScheme, Tag("one")], Annotated[list[ReferenceScheme], Tag("list")]],
        Discriminator(lambda v: "list" if isinstance(v, list) else "one"),
    ] = Field(
        description="The office's reference scheme; a list, each with `since`, where the office changed it")
    kinds: dict[str, Kind] = Field(default_factory=dict, description="The office's own kinds of decision, beside the engine's")
    fields: dict[str, OfficeField] = Field(default_factory=dict, description="Fields the office's papers carry beyond the engine's")
    style: HouseStyle = HouseStyle()
    sign_off: SignOffWording
    layout: Annotated[
        Union[Annotated[Layout, Tag("one")], Annotated[list[Layout], Tag("list")]],
        Discriminator(lambda v: "list" if isinstance(v, list) else "one"),
    ] = Field(Layout(), description="The paper's blocks in order; a list, each with `since`, where the office changed its form")
    templates: Templates = Templates()
    publishing: Register = Register()
    forward_plan: ForwardPlanSettings | None = Field(None, description=(
        "The office's forward plan, e.g. {file: forward-plan.yaml, notice_days: 28}; none: the office keeps none"))
    _plan: Plan | None = PrivateAttr(None)  # the plan as read with the office (load_office)

    @property
    def plan(self) -> Plan | None:
        """The office's forward plan, read with office.yaml; None where it keeps none."""
        return self._plan

    @field_validator("references")
    @classmethod
    def _schemes(cls, value: ReferenceScheme | list[ReferenceScheme], info: ValidationInfo) -> ReferenceScheme | list[ReferenceScheme]:
        if "terms" not in info.data:
            return value  # the terms are wrong, and say so: a period cannot be checked against them
        terms = {t.name for t in info.data["terms"]}
        for scheme in value if isinstance(value, list) else [value]:
            for used in scheme.last_used:
                if scheme.period_named(used.period, terms) is None:
                    what = {"term": f"a term's name ({', '.join(sorted(terms))})", "calendar_year": "a year, e.g. 2023",
                            "financial_year": "a financial year, e.g. 2023-24"}[scheme.numbering]
                    raise ValueError(f"last_used: '{used.period}' is not a period of the scheme for {scheme.example}, "
                                     f"which numbers each {scheme.numbering.replace('_', ' ')}: give {what}")
        if isinstance(value, list):
            if not value:
                raise ValueError("give at least one reference scheme")
            # A scheme without `since` is one the office used at some unknown time: references in it
            # are recognised, but `new` only numbers in the first scheme or one with `since`.
            starts = [s.since for s in value[1:] if s.since is not None]
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                raise ValueError("list the reference schemes in the order the office used them, each `since` later than the last")
        return value

    @field_validator("kinds")
    @classmethod
    def _own_kinds(cls, value: dict[str, Kind]) -> dict[str, Kind]:
        for name in value:
            check_kind_name(name)
            if name in ENGINE_KINDS:
                raise ValueError(f"'{name}' is one of the engine's kinds already; give the office's kind another name")
        for name, kind in value.items():
            for rule in kind.rules:
                if rule not in KIND_ONLY_RULES:
                    raise ValueError(f"{name}: '{rule}' is not a rule that only some kinds need "
                                     f"(those are {', '.join(sorted(KIND_ONLY_RULES))}); every other rule applies to every kind")
        return value

    @field_validator("fields")
    @classmethod
    def _own_fields(cls, value: dict[str, OfficeField]) -> dict[str, OfficeField]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name, re.ASCII):
                raise ValueError(f"'{name}': a field's name is lower case letters, digits and '_', e.g. originator")
            if name in CORE_FIELDS and name not in CONSTRAINABLE:
                raise ValueError(f"'{name}' is one of the engine's fields already; give the office's field another name")
            if name in CONSTRAINABLE and not value[name].public:
                raise ValueError(f"'{name}' is the engine's own field, which the register publishes: it cannot be internal")
            if name in CONSTRAINABLE and value[name].type != "text":
                raise ValueError(f"'{name}' is the engine's own text field: the office may give its label, values and "
                                 "whether it is required, not another type")
        return value

    @field_validator("layout")
    @classmethod
    def _forms_in_order(cls, value: Layout | list[Layout]) -> Layout | list[Layout]:
        if isinstance(value, list):
            if not value:
                raise ValueError("give at least one layout")
            starts = [layout.since for layout in value[1:]]
            if None in starts:
                raise ValueError("each layout after the first says from when the office used it (`since:`)")
            if starts != sorted(starts) or len(set(starts)) != len(starts):  # type: ignore[type-var]
                raise ValueError("list the layouts in the order the office used them, each `since` later than the last")
        return value

    @property
    def layouts(self) -> list[Layout]:
        return self.layout if isinstance(self.layout, list) else [self.layout]

    def layout_for(self, decision: "Decision") -> Layout:
        """The form the paper is printed in: the office's in use on its date; for a paper whose
        date is not known, on the first day of the year its reference names, else of its term,
        else the latest form."""
        day = decision.first_day
        if day is None:
            scheme = self.scheme_for(decision.reference)
            found = scheme.regex.fullmatch(decision.reference) if scheme else None
            year = named_year(found.groupdict()) if found else None
            term = self.term_for(decision)
            day = dt.date(year, 1, 1) if year else term.start if term else None
        return self.layout_at(day)

    def layout_at(self, day: dt.date | None) -> Layout:
        """The form in use on a day (the latest when the day is not known)."""
        chosen = self.layouts[0]
        for layout in self.layouts[1:]:
            if layout.since is not None and (day is None or layout.since <= day):
                chosen = layout
        return chosen

    @model_validator(mode="after")
    def _layout_names_kinds(self) -> "Office":
        for layout in self.layouts:
            for block in layout.blocks:
                for kind in block.kinds or []:
                    # Not self.all_kinds: a cached value would outlive a copy with other kinds.
                    if kind not in ENGINE_KINDS and kind not in self.kinds:
                        raise ValueError(f"layout: the {block.type} block names the kind '{kind}', which is neither the "
                                         f"engine's nor the office's (`decisions kinds` lists them)")
        return self

    @model_validator(mode="after")
    def _layout_names_fields(self) -> "Office":
        known = set(CORE_FIELDS) | set(self.fields)
        for name in (n for layout in self.layouts for n in layout.names()):
            if name not in known:
                raise ValueError(f"layout: '{{{name}}}' is not a field of the paper; the fields are "
                                 f"{', '.join(sorted(known))} (declare the office's own under `fields:`)")
        return self

    @field_validator("style")
    @classmethod
    def _months_known(cls, value: HouseStyle, info: ValidationInfo) -> HouseStyle:
        language = info.data.get("language")
        known = bool(language) and language.split("-")[0].lower() in MONTHS
        if language and value.month_names is None and not known:
            raise ValueError(f"the engine knows the months' names in English (en) and Welsh (cy), not in the office's "
                             f"language '{language}': give them, January first, as style.month_names")
        rest = _DATE_CODES.sub("", value.date_format)
        if "%" in rest:
            raise ValueError(f"date_format: '{rest[rest.index('%'):rest.index('%') + 2]}' is not a date's part; use %d (or %-d), "
                             "%m (or %-m), %y, %Y, %B, %b, %A, %a, and %% for a %")
        if re.search(r"%[Aa]", value.date_format.replace("%%", "")) and not known:
            raise ValueError(f"date_format: the engine knows the days' names in English and Welsh, not in '{language}'; "
                             "leave %A and %a out")
        return value

    @property
    def days(self) -> tuple[list[str], list[str]]:
        """The days' names in the office's language, Monday first, and their short forms."""
        return DAYS.get(self.language.split("-")[0].lower(), DAYS["en"])

    @property
    def months(self) -> tuple[list[str], list[str]]:
        """The months' names in the office's language, and their short forms."""
        if self.style.month_names is not None:
            return list(self.style.month_names), [name[:3] for name in self.style.month_names]
        return MONTHS[self.language.split("-")[0].lower()]

    @property
    def schemes(self) -> list[ReferenceScheme]:
        return self.references if isinstance(self.references, list) else [self.references]

    def scheme_at(self, day: dt.date | None) -> ReferenceScheme:
        """The reference scheme in use on a day (the latest when the day is not known)."""
        chosen = self.schemes[0]
        for scheme in self.schemes[1:]:
            if scheme.since is not None and (day is None or scheme.since <= day):
                chosen = scheme
        return chosen

    def scheme_for(self, reference: str, day: dt.date | None = None) -> ReferenceScheme | None:
        """The scheme a reference follows: the one in use on the day if it fits, else one in use
        before it (never one first used after the day)."""
        preferred = self.scheme_at(day)
        if preferred.regex.fullmatch(reference):
            return preferred
        return next((s for s in self.schemes if s.regex.fullmatch(reference)
                     and (day is None or s.since is None or s.since <= day)), None)

    def file_stem(self, reference: str) -> str:
        return self.schemes[0].file_stem(reference)

    @cached_property
    def all_kinds(self) -> dict[str, Kind]:
        return {**ENGINE_KINDS, **self.kinds}


    def is_commissioner_role(self, role: str | None) -> bool:
        """The commissioner's own role: none given, the office's, or the office's written
        shorter (Police and Crime Commissioner for Anytown Police and Crime Commissioner);
        a deputy's or an acting commissioner's is their own."""
        if role is None:
            return True
        theirs = _role_words(role)
        if theirs & {"deputy", "acting", "interim", "assistant", "vice"}:
            return False
        return theirs <= _role_words(self.sign_off.commissioner_role) | {"for", "of", "the"}

    def term_of(self, day: dt.date) -> Term | None:
        for term in self.terms:
            if term.holds(day):
                return term
        return None

    def term_named(self, name: str) -> Term | None:
        return next((t for t in self.terms if t.name == name), None)

    def term_for(self, decision: "Decision") -> Term | None:
        """The decision's term: the one it names, else the one its date falls in (all of it:
        a paper dated only 2021 could be either side of May's election)."""
        if decision.term is not None:
            return self.term_named(decision.term)
        first, last = earliest(decision.date), latest(decision.date)
        if first is None or last is None:
            return None
        term = self.term_of(first)
        return term if term is not None and term.holds(last) else None

    def term_name(self, decision: "Decision") -> str:
        term = self.term_for(decision)
        return term.name if term else "no-term"

    def place_of(self, decision: "Decision") -> str:
        """2021-2024/pcc-d-102: where a paper lives, in build/ and on the public site."""
        return f"{self.term_name(decision)}/{self.file_stem(decision.reference).lower()}"


def _role_words(role: str) -> set[str]:
    """A role's words, however written: 'PCC', '&' and spacing aside."""
    words = re.findall(r"[a-z]+|&", role.casefold())
    out: set[str] = set()
    for word in words:
        out |= {"police", "and", "crime", "commissioner"} if word == "pcc" else {"and"} if word == "&" else {word}
    return out


def load_office(path: Path) -> Office:
    """Load office.yaml; raises RecordError with located problems. The office's own fields are
    the context its layout is read in, so that a field the layout names and the paper lacks is
    named where the layout names it."""
    source = read_yaml(path)
    declared = source.data.get("fields") if isinstance(source.data, dict) else None
    office = validate(source, Office, context={"office_fields": list(declared) if isinstance(declared, dict) else []})
    settings = office.forward_plan
    if settings is not None:
        # Read with the office, so that every command sees the one plan: the rules hold decisions to it,
        # the register publishes it.
        plan_path = path.parent / settings.file
        if not plan_path.exists() and not plan_path.is_symlink():
            raise RecordError([source.problem(("forward_plan", "file"), (
                f"{settings.file} does not exist: write the forward plan there (`entries: []` for a plan with no entries "
                "yet), or leave `forward_plan:` out of office.yaml"))])
        office._plan = load_plan(plan_path, settings.file, settings.notice_days)
    return office
