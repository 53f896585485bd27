"""The office's configuration: who the office is, its reference scheme, its commissioners' terms
and its house style. Another office adopts the engine by editing office.yaml and the templates."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator

from .model import Day, Line, Model, Text
from .yaml_source import read_yaml, validate


class Term(Model):
    """A commissioner's term: references restart at 001 in each (Bedfordshire: 2016, 2021, 2024)."""

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


class ReferenceScheme(Model):
    pattern: Text = Field(description="A regular expression with the groups 'number' and, for addenda, 'addendum'")
    format: Text = Field(description="How a new reference is written, e.g. PCC/D/{number:03d}")
    example: Text

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

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Matched whole (fullmatch), ASCII only: `$` alone lets a trailing newline through, and
        Unicode \\d lets full-width digits through; either would give a second record the same
        papers as the first."""
        return re.compile(self.pattern, re.ASCII)

    def file_stem(self, reference: str) -> str:
        """PCC/D/102 -> PCC-D-102: the record's file name, and (lower-cased) its build folder."""
        return re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-")


class Labels(Model):
    reference: Text = "Title and Reference –"
    subject: Text = "Subject:"
    report_of: Text = "Report of:"
    date: Text = "Date:"
    recommendation: Text | None = None
    draft: Text = "DRAFT – NOT APPROVED"
    part2: Text = "PART 2 – NOT FOR PUBLICATION"


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
    date_format: Text = Field("%d/%m/%Y", description="strftime format for dates in the title block")
    heading_suffix: str = Field(":", description="Bedfordshire's papers head sections 'Description of Service:'")
    funding_separator: Text = " – "
    labels: Labels = Labels()
    spec: SpecLabels = SpecLabels()


class SignOffWording(Model):
    commissioner_role: Text = Field(description="e.g. Bedfordshire Police and Crime Commissioner")
    statement: Text = "I hereby approve the recommendations above."


class Templates(Model):
    """Where each document's templates are, relative to office.yaml."""

    decision: Path = Path("templates/decision")
    spec: Path = Path("templates/spec")
    site: Path = Path("templates/site")


class Register(Model):
    """The public decision register that `decisions publish` writes."""

    title: Text = "Decision register"
    base_url: Text = Field("https://example.org/decisions/", description="Where the register is hosted; the feed's links and ids start with it")
    feed_entries: int = Field(50, ge=1)


class Office(Model):
    name: Line = Field(description="e.g. Office of the Bedfordshire Police and Crime Commissioner")
    author: Line = Field(description="Author in document metadata")
    address: list[Text] = Field(min_length=1)
    contact: Text | None = None
    logo: Path | None = Field(None, description="Image for the letterhead, relative to office.yaml")
    language: Text = "en-GB"
    references: ReferenceScheme
    terms: list[Term] = Field(min_length=1)
    style: HouseStyle = HouseStyle()
    sign_off: SignOffWording
    templates: Templates = Templates()
    publishing: Register = Register()

    def term_of(self, day: dt.date) -> Term | None:
        for term in self.terms:
            if term.holds(day):
                return term
        return None

    def term_name(self, day: dt.date) -> str:
        term = self.term_of(day)
        return term.name if term else "no-term"

    def place_of(self, day: dt.date, reference: str) -> str:
        """2021-2024/pcc-d-102: where a paper lives, in build/ and on the public site."""
        return f"{self.term_name(day)}/{self.references.file_stem(reference).lower()}"


def load_office(path: Path) -> Office:
    """Load office.yaml; raises RecordError with located problems."""
    return validate(read_yaml(path), Office)
