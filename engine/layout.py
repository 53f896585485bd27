"""The paper's layout: an office's house form as data, in office.yaml.

A paper is an ordered list of blocks (letterhead, title block, sections, recommendation, sign-off
blocks, fixed texts...), each with its options, and a running header and footer. The Word, PDF and
web papers are all rendered from this one list (engine/render/layout.py), so an office changes its
form once, in configuration, and the outputs cannot drift apart. Nothing here is Word's: a block
says what the paper shows and in what order, never how a page is drawn.

Blocks are written in office.yaml one a line, by name, with their options under the name:

    layout:
      blocks:
        - draft_mark
        - form_title: Decision Making Record
        - fields:
            rows:
              - {value: '{reference} – {subject}', emphasis: heading}
              - {label: 'Author and Job Role:', field: author}
        - sections
        - sign_offs: {heading: Police and Crime Commissioner Approval}
        - text: All decisions must be added to the decision register
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, ValidationInfo, model_validator

from .model import Day, Line, Model

# {name} in a value names a field of the paper; nothing else in braces is read (no attributes,
# no indexes, no format specs), so a layout cannot reach into the engine.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_BRACES = re.compile(r"[{}]")

# The fields of the paper a layout may name, and what each is.
CORE_FIELDS: dict[str, str] = {
    "reference": "the paper's reference, e.g. PCC/D/102",
    "subject": "the paper's subject (its title)",
    "report_of": "whose report it is, e.g. Police and Crime Commissioner",
    "author": "the author's name and role, e.g. Molly Slominski, Partnerships and Community Safety Officer",
    "author_name": "the author's name",
    "author_role": "the author's role",
    "date": "the paper's date, in the office's date format",
    "protective_marking": "the protective marking, e.g. OFFICIAL",
    "kind": "the kind of decision, e.g. Grants round",
    "office": "the office's name",
    "commissioner": "the commissioner's role, e.g. Police and Crime Commissioner for Anytown",
}


def fields_named(template: str) -> list[str]:
    """The fields a value names, in order: '{reference} – {subject}' names reference, subject."""
    return PLACEHOLDER.findall(template)


def _template(value: str, info: ValidationInfo) -> str:
    """A value's braces name fields and nothing else: a stray brace is an error, not text that
    vanishes; a field the paper does not have is an error where it is named (office.yaml is
    read with the office's own fields as the validation context)."""
    if _BRACES.search(PLACEHOLDER.sub("", value)):
        raise ValueError("braces name a field, e.g. {reference} or {subject}; a field's name is lower case, "
                         "letters, digits and '_'")
    known_fields(fields_named(value), info)
    return value


def known_fields(names: list[str], info: ValidationInfo) -> None:
    """Each name is a field of the paper: the engine's, or one the office declares (known only
    when office.yaml gives its fields as the context; the office checks again when loaded)."""
    own = (info.context or {}).get("office_fields") if info is not None else None
    if own is None:
        return
    known = set(CORE_FIELDS) | set(own)
    for name in names:
        if name not in known:
            raise ValueError(f"'{{{name}}}' is not a field of the paper; the fields are {', '.join(sorted(known))} "
                             "(declare the office's own under `fields:`)")


# A layout's text is one line: a line break would be a break in Word and none on the web page.
Template = Annotated[Line, AfterValidator(_template)]


class Row(Model):
    """A line of the title block: a label and the field (or fields) it shows. A row whose fields
    are all empty (a paper without a 'Report of' line, a date not stated) is left out whole."""

    label: Line | None = Field(None, description="Printed before the value, e.g. 'Subject:'")
    field: str | None = Field(None, description="The field shown: reference, subject, date... or one of the office's fields")
    value: Template | None = Field(None, description="Instead of field: text naming fields, e.g. '{reference} – {subject}'")
    emphasis: Literal["plain", "strong", "heading"] = Field("plain", description="heading: the paper's main heading line")

    @model_validator(mode="after")
    def _one_value(self, info: ValidationInfo) -> "Row":
        if (self.field is None) == (self.value is None):
            raise ValueError("give a row either `field:` (e.g. field: subject) or `value:` (e.g. value: '{reference} – {subject}')")
        if self.field is not None:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", self.field):
                raise ValueError(f"'{self.field}' is not a field's name: lower case letters, digits and '_', e.g. report_of")
            known_fields([self.field], info)
        return self

    @property
    def template(self) -> str:
        return self.value if self.value is not None else "{" + str(self.field) + "}"


class LayoutBlock(Model):
    """What every block may say: the kinds of decision it is printed for (none: every kind),
    e.g. funding lines on commissioning papers only."""

    kinds: list[Line] | None = Field(None, min_length=1, description="Print this block only on papers of these kinds")

    def applies(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


class DraftMark(LayoutBlock):
    """The mark at the top of a paper not approved, or no longer in force: DRAFT – NOT APPROVED,
    FOR DECISION, DECLINED, WITHDRAWN, RESCINDED, SUPERSEDED (style.labels holds each)."""

    type: Literal["draft_mark"] = "draft_mark"
    text: Line | None = Field(None, description="A draft's mark; default: style.labels.draft (the other statuses' are style.labels')")


class Letterhead(LayoutBlock):
    """The office's logo, address, contact and name."""

    type: Literal["letterhead"] = "letterhead"
    logo: bool = True
    address: bool = True
    contact: bool = True
    office_name: bool = Field(True, description="The office's name under the address, as a title")


class FormTitle(LayoutBlock):
    """The form's own title, e.g. 'Decision Making Record' or 'Record of Decision'."""

    type: Literal["form_title"] = "form_title"
    text: Template


class Banners(LayoutBlock):
    """KEY DECISION and the record's own banners."""

    type: Literal["banners"] = "banners"


class Confidentiality(LayoutBlock):
    """A Part 2 paper's reason, boxed; nothing on a public paper."""

    type: Literal["confidentiality"] = "confidentiality"
    label: Line | None = Field(None, description="Default: style.labels.part2")


class Markings(LayoutBlock):
    """Check boxes for open and confidential papers and the reason a confidential one is:
    'OPEN ☒ CONFIDENTIAL ☐', then 'Reason if Confidential:'."""

    type: Literal["markings"] = "markings"
    open: Line = "OPEN"
    confidential: Line = "CONFIDENTIAL"
    reason: Line | None = Field("Reason if Confidential:", description="The reason's label; null leaves the line out")


class Fields(LayoutBlock):
    """The title block: rows of a label and a value, as lines or as a two-column table."""

    type: Literal["fields"] = "fields"
    form: Literal["lines", "table"] = "lines"
    rows: list[Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _table_labels(self) -> "Fields":
        if self.form == "table" and not all(row.label for row in self.rows):
            raise ValueError("a title block in table form gives each row a label: its first column")
        return self


class Funding(LayoutBlock):
    """The funding lines: 'Sexual Exploitation Support – MoJ B992 – £40,000'."""

    type: Literal["funding"] = "funding"


class Sections(LayoutBlock):
    """The record's sections (its narrative): all of them, or those from the one with a heading
    and/or until the one with another, so that the form can print its own blocks between them
    (a DECISION section after the recommendation). Headings match whatever their case."""

    type: Literal["sections"] = "sections"
    start: Line | None = Field(None, alias="from", description="From the section with this heading (none such: no sections)")
    until: Line | None = Field(None, description="Up to, not including, the section with this heading (none such: to the end)")

    def chooses(self, headings: list[str | None]) -> range:
        """The indexes of the sections this block prints, of the sections with these headings."""
        def at(heading: str | None, missing: int) -> int:
            wanted = heading.casefold() if heading else None
            return next((i for i, h in enumerate(headings) if h is not None and h.casefold() == wanted), missing)
        first = at(self.start, len(headings)) if self.start else 0
        last = at(self.until, len(headings)) if self.until else len(headings)
        return range(first, max(first, last))


class AfterApproval(LayoutBlock):
    """The record's sections printed after the approval (after_approval)."""

    type: Literal["after_approval"] = "after_approval"


class Links(LayoutBlock):
    """The decisions the paper amends, supersedes or cites."""

    type: Literal["links"] = "links"
    heading: Line | None = Field(None, description="Default: style.labels.links")


class Documents(LayoutBlock):
    """Appendices and background papers."""

    type: Literal["documents"] = "documents"
    heading: Line | None = Field(None, description="Default: style.labels.documents")


class RecommendationBlock(LayoutBlock):
    """The recommendation, under the paper's own heading, else this one (none: no heading)."""

    type: Literal["recommendation"] = "recommendation"
    heading: Line | None = Field(None, description="Default: style.labels.recommendation")


class SignOffs(LayoutBlock):
    """Sign-off blocks: each signatory's role, comments (the sign-off's statement), name,
    signature and date. `which` places the commissioner's approval and the others' sign-offs
    apart, e.g. the officers' before the recommendation and the approval after it."""

    type: Literal["sign_offs"] = "sign_offs"
    which: Literal["all", "approval", "others"] = "all"
    heading: Line | None = Field(None, description="Printed above the blocks when any is printed; the record's approval heading wins")
    role_suffix: str = Field("", max_length=3, description="e.g. ':' for 'Chief Finance Officer:'")
    statement_label: Line | None = Field(None, description="e.g. 'Comments:'; none prints the statement alone")
    name_label: Line = "Name:"
    signature_label: Line = "Signature:"
    signature: Line | None = Field(None, description="Printed on an approved paper whose record gives none, e.g. 'Wet signed copy held at PCC Office'")
    signature_line: Line = Field("______________________________", description="A draft's line to sign on")
    blank_signature: bool = Field(False, description="Print the signature's label with nothing after it where an approved paper gives none (as some offices' web pages do)")
    date_label: Line = "Date:"
    note: Template | None = Field(None, description="A fixed line printed after the blocks, when any is: e.g. 'All decisions must be added to the decision register'")


class Corrections(LayoutBlock):
    """The corrections made to the approved decision, each dated, with who made it and why.
    A layout that does not place them has them at the end of the paper."""

    type: Literal["corrections"] = "corrections"
    heading: Line | None = Field(None, description="Default: style.labels.corrections")


class FixedText(LayoutBlock):
    """A fixed text of the form, e.g. 'All decisions must be added to the decision register'."""

    type: Literal["text"] = "text"
    text: Template
    emphasis: Literal["plain", "strong"] = "plain"


BLOCKS: dict[str, type[Model]] = {cls.model_fields["type"].default: cls for cls in (  # type: ignore[misc]
    DraftMark, Letterhead, FormTitle, Banners, Confidentiality, Markings, Fields, Funding, Sections, AfterApproval,
    Links, Documents, RecommendationBlock, SignOffs, Corrections, FixedText)}
# The one option a block written as `name: value` sets.
_SHORT = {"form_title": "text", "text": "text", "fields": "rows", "sign_offs": "which", "recommendation": "heading",
          "corrections": "heading",
          "links": "heading", "documents": "heading", "confidentiality": "label", "draft_mark": "text"}


def _block(value: Any) -> Any:
    """A block as office.yaml writes it (`sections`, `form_title: Record of Decision`, `fields:
    {rows: [...]}`) as the model takes it ({type: ..., options})."""
    if isinstance(value, str):
        name, options = value, {}
    elif isinstance(value, dict) and len(value) == 1:
        name, options = next(iter(value.items()))
        if options is None:
            options = {}
        elif not isinstance(options, dict):
            if name not in _SHORT:
                raise ValueError(f"'{name}' takes its options as a set of fields under its name, or none")
            options = {_SHORT[name]: options}
    elif isinstance(value, dict) and "type" in value:
        return value
    elif isinstance(value, dict) and value and next(iter(value)) in BLOCKS:
        name = next(iter(value))
        raise ValueError(f"give the options of '{name}' under its name, e.g. - {name}: {{{', '.join(str(k) for k in value if k != name)}: ...}}")
    else:
        raise ValueError("write a block as its name (e.g. - sections) or its name and options (e.g. - form_title: Record of Decision)")
    if not isinstance(name, str) or name not in BLOCKS:
        raise ValueError(f"'{name}' is not a block of the layout; the blocks are: {', '.join(BLOCKS)}")
    if isinstance(options, dict) and "type" in options:
        raise ValueError("a block's name says its type: leave `type:` out")
    return {"type": name, **options}


Block = Annotated[
    Annotated[
        Union[tuple(Annotated[cls, Tag(name)] for name, cls in BLOCKS.items())],  # type: ignore[misc]
        Discriminator(lambda v: v.get("type") if isinstance(v, dict) else getattr(v, "type", None)),
    ],
    BeforeValidator(_block),
]


class Running(Model):
    """A running header or footer: text at the left and right of every page, page numbers, and
    fixed lines under them. Pages are Word's and the PDF's; the web page has none."""

    left: Template | None = None
    right: Template | None = None
    page_numbers: Line | None = Field(None, description="e.g. 'Page {page} of {pages}'")
    lines: list[Template] = Field(default_factory=list, description="Fixed lines, e.g. a protective marking")

    @model_validator(mode="after")
    def _pages(self) -> "Running":
        if self.page_numbers is not None:
            rest = PLACEHOLDER.sub(lambda m: "" if m.group(1) in ("page", "pages") else m.group(0), self.page_numbers)
            if "{page}" not in self.page_numbers or _BRACES.search(rest):
                raise ValueError("page_numbers names {page} and may name {pages}, e.g. 'Page {page} of {pages}'")
            if self.page_numbers.count("{page}") > 1 or self.page_numbers.count("{pages}") > 1:
                raise ValueError("page_numbers names {page} once and {pages} at most once")
            if "{pages}" in self.page_numbers and self.page_numbers.index("{pages}") < self.page_numbers.index("{page}"):
                raise ValueError("page_numbers names {page} before {pages}, e.g. 'Page {page} of {pages}'")
            if self.right is not None:
                raise ValueError("the page numbers stand at the right: give `right` or `page_numbers`, not both")
        return self

    @property
    def templates(self) -> list[str]:
        return [t for t in (self.left, self.right, *self.lines) if t]


def _default_blocks() -> list[Any]:
    return [DraftMark(), Letterhead(), Banners(), Confidentiality(),
            Fields(rows=[Row(label="Reference:", field="reference", emphasis="heading"), Row(label="Subject:", field="subject"),
                         Row(label="Report of:", field="report_of"), Row(label="Author:", field="author"),
                         Row(label="Protective marking:", field="protective_marking"), Row(label="Date:", field="date")]),
            Funding(), Sections(), Links(), Documents(), RecommendationBlock(), SignOffs(), AfterApproval()]


class Layout(Model):
    """The paper's blocks in order, and its running header and footer. An office that gives no
    layout gets this one: the engine's plain form, with no office's wording."""

    since: Day | None = Field(None, description="The first date this form was used, where the office changed its form")
    blocks: list[Block] = Field(default_factory=_default_blocks, min_length=1)  # type: ignore[valid-type]
    header: Running = Running(left="{office}", right="{reference}")
    footer: Running = Running(left="{reference}", page_numbers="Page {page} of {pages}")

    @model_validator(mode="after")
    def _safe_form(self) -> "Layout":
        # A draft and a Part 2 paper always say so: every form has a place for both, on papers
        # of every kind.
        for block, what in ((DraftMark, "a draft_mark block (a draft must say it is one)"),
                            ((Confidentiality, Markings), "a confidentiality or markings block (a Part 2 paper must say it is one)")):
            if not any(isinstance(b, block) and b.kinds is None for b in self.blocks):
                raise ValueError(f"the layout needs {what}, for papers of every kind")
        if self.header.page_numbers is not None:
            raise ValueError("header: page numbers go in the footer")
        return self

    def templates(self) -> list[str]:
        """Every text of the layout that may name fields, for checking the names."""
        found: list[str] = []
        for block in self.blocks:
            if isinstance(block, Fields):
                found += [row.template for row in block.rows]
            elif isinstance(block, (FormTitle, FixedText)):
                found.append(block.text)
            elif isinstance(block, SignOffs) and block.note:
                found.append(block.note)
        return found + self.header.templates + self.footer.templates

    def names(self) -> list[str]:
        return [name for template in self.templates() for name in fields_named(template)]
