"""Word: render the decision template with docxtpl, apply the house style, fix the bytes."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.image.exceptions import UnrecognizedImageError
from docxtpl import DocxTemplate, InlineImage
from markupsafe import Markup, escape

from ..office import Office
from ..problems import Problem, RecordError, Severity

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# docxtpl, after rendering, turns every {_{ }_} {_% %_} in the XML into {{ }} {% %} (its way of
# letting a template show braces; ours do not use it). In a record's text that changed the words.
_DOCXTPL_ESCAPE = re.compile(r"(?<=[{}%])_|_(?=[{}%])")


def _as_written(value: Any) -> Any:
    """A value as the XML text docxtpl will leave alone: escaped, and an underscore beside a brace
    or % written as the character reference &#95;, which an XML reader reads as "_" but which is
    not the sequence docxtpl looks for. Markup (a picture) is the renderer's own, left as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(_DOCXTPL_ESCAPE.sub("&#95;", escape(value)))


class _CachingEnvironment(jinja2.Environment):
    """Compiles each template source once per process: docxtpl hands us the same XML for every
    record, and compiling it is a quarter of the render time."""

    def __init__(self) -> None:
        # Autoescape: docxtpl otherwise lets '&' or '<' in user text break the XML, silently.
        # StrictUndefined: a field the template names but the context lacks is an error, not "".
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                         finalize=_as_written)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


ENVIRONMENT = _CachingEnvironment()


# --- tables and links: Word XML made from the context's data -----------------------------------

# The template's text width in twentieths of a point: A4 less tools/make_templates.py's 2.3 cm margins.
TEXT_WIDTH = 9298
MIN_CHARACTERS = 6  # a column is never narrower than this many characters' share


CHARACTER = 115  # twips one character of the 10-point table text takes, with room (a digit is 111)
BOLD_CHARACTER = 150  # a bold capital's (ORIGINATOR:), with room
PADDING = 240  # twips of a cell's left and right margins, with room


def _widths(table: dict[str, Any]) -> list[int]:
    """Each column's width. A figure must never wrap (£1,510,000.0 / 0 reads as two numbers), so
    a right-aligned column gets what its longest figure needs; the text columns share the rest
    by the characters they need: their longest cell, or the longest word of the heading (a
    heading wraps at spaces). Where figures alone would fill the page, all share by need."""
    rows = table["rows"] + ([table["total"]] if table["total"] else [])
    needs: list[int] = []
    for index, column in enumerate(table["columns"]):
        longest = max([len(row[index]["text"]) for row in rows] + [len(word) for word in column["heading"].split()])
        needs.append(max(MIN_CHARACTERS, min(longest, 60)))
    figures = {i: n * CHARACTER + PADDING for i, (n, c) in enumerate(zip(needs, table["columns"])) if c["align"] == "right"}
    texts = [i for i in range(len(needs)) if i not in figures]
    if not figures or not texts or sum(figures.values()) > TEXT_WIDTH * 3 // 4:
        widths = [TEXT_WIDTH * n // sum(needs) for n in needs]
    else:
        rest = TEXT_WIDTH - sum(figures.values())
        share = sum(needs[i] for i in texts)
        widths = [figures[i] if i in figures else rest * needs[i] // share for i in range(len(needs))]
    widths[texts[0] if texts else 0] += TEXT_WIDTH - sum(widths)
    return widths


def _cell(text: str, width: int, style: str, align: str) -> str:
    jc = '<w:jc w:val="right"/>' if align == "right" else ""
    run = f'<w:r><w:t xml:space="preserve">{_as_written(text)}</w:t></w:r>' if text else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>{run}</w:p></w:tc>')


# A row of cells no longer than this is kept on one page: one longer might not fit on a page,
# and Word then cuts off what does not fit rather than break the row.
KEEP_ROW_CHARACTERS = 400


def _row(cells: list[tuple[str, str]], widths: list[int], style: str, header: bool = False) -> str:
    # The header row repeats on every page a table runs onto, and tagged PDF readers take its
    # cells as the columns' headers.
    keep = "<w:cantSplit/>" if max(len(text) for text, _ in cells) <= KEEP_ROW_CHARACTERS else ""
    properties = f"<w:trPr>{keep}" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
    return f"<w:tr>{properties}" + "".join(_cell(t, w, style, a) for (t, a), w in zip(cells, widths)) + "</w:tr>"


def word_table(table: dict[str, Any]) -> Markup:
    """A typed table (see engine/render/context.py's table_of) as a real Word table: the
    template's Table Grid style, a header row marked to repeat, figures aligned right, the
    total row in the Table Total style. Placed with {{p block.table | word_table }}."""
    columns = table["columns"]
    widths = _widths(table)
    caption = f'<w:tblCaption w:val="{_as_written(table["caption"])}"/>' if table.get("caption") else ""
    xml = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>',
           f'<w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/><w:tblLayout w:type="fixed"/>',
           f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="{1 if table["total"] else 0}" w:firstColumn="0" '
           f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>{caption}</w:tblPr><w:tblGrid>',
           *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
           _row([(c["heading"], c["align"]) for c in columns], widths, "TableHeading", header=True)]
    xml += [_row([(c["text"], c["align"]) for c in row], widths, "TableText") for row in table["rows"]]
    if table["total"]:
        xml.append(_row([(c["text"], c["align"]) for c in table["total"]], widths, "TableTotal"))
    xml.append("</w:tbl>")
    return Markup("".join(xml))


def word_fields(fields: dict[str, Any]) -> Markup:
    """A title block in table form (a 'Record of Decision' form): a row each, its label in the
    first column, in bold, its value in the second. The label column takes what its longest
    label needs, up to two fifths of the page."""
    rows = fields["rows"]
    label_width = min(TEXT_WIDTH * 2 // 5, max(len(r["label"]) for r in rows) * BOLD_CHARACTER + PADDING)
    widths = [label_width, TEXT_WIDTH - label_width]
    xml = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>',
           f'<w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/><w:tblLayout w:type="fixed"/>',
           '<w:tblLook w:val="0080" w:firstRow="0" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
           '</w:tblPr><w:tblGrid>', *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
    for row in rows:
        value_style = "TableHeading" if row["emphasis"] != "plain" else "TableText"
        xml.append(_row([(row["label"], "left"), (row["value"], "left")], widths, "TableText")
                   .replace('<w:pStyle w:val="TableText"/>', '<w:pStyle w:val="TableHeading"/>', 1)
                   .replace('<w:pStyle w:val="TableText"/>', f'<w:pStyle w:val="{value_style}"/>', 1))
    xml.append("</w:tbl>")
    return Markup("".join(xml))


def word_link(reference: dict[str, Any]) -> Markup:
    """A reference's address as a run of the paper: a HYPERLINK field (a link in Word and in
    the PDF) showing the address itself, so that the printed paper carries it too; an address
    that is not http, https or mailto is shown as text only. Placed with {{r x | word_link }}."""
    text = f'<w:t xml:space="preserve">{_as_written(reference["url"])}</w:t>'
    if not reference.get("href"):
        return Markup(f"<w:r>{text}</w:r>")
    shown = f'<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>{text}</w:r>'
    return Markup(f'<w:fldSimple w:instr=" HYPERLINK &quot;{_as_written(reference["href"])}&quot; ">{shown}</w:fldSimple>')


ENVIRONMENT.filters["word_table"] = word_table
ENVIRONMENT.filters["word_link"] = word_link
ENVIRONMENT.filters["word_fields"] = word_fields


_HYPERLINK_FIELD = re.compile(r' HYPERLINK "([^"]+)" ')


def link_fields(document: Any) -> None:
    """Make each HYPERLINK field (what word_link writes, having no part to relate a link to)
    a Word hyperlink, as Word itself writes one: the same runs in a w:hyperlink whose
    relationship holds the address. Word, LibreOffice and python-docx all read these as links."""
    part = document.part
    for field in list(document.element.body.iter(qn("w:fldSimple"))):
        found = _HYPERLINK_FIELD.fullmatch(field.get(qn("w:instr"), ""))
        if not found:
            continue
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), part.relate_to(found.group(1), RT.HYPERLINK, is_external=True))
        link.set(qn("w:history"), "1")
        for run in list(field):
            link.append(run)
        field.addprevious(link)
        field.getparent().remove(field)


LIST_STYLES = ("List Number", "List Bullet", "List Bullet 2")


def number_lists(document: Any) -> None:
    """Word numbers every "List Number" paragraph of a document as one list; each of the
    paper's numbered lists starts again at 1. The template marks a list's first item by giving
    it its numbering directly; each list then gets a numbering of its own that restarts at 1.
    A list's sub-items ("List Bullet 2") become the second level of their list, so that Word
    and a tagged PDF's reader see them nested in it. A list followed by a paragraph of text
    ends with the space a paragraph ends with, not a list item's."""
    present = {s.name: s for s in document.styles}
    try:
        numbered = present["List Number"].element.pPr.numPr.numId.val
        bulleted = present["List Bullet"].element.pPr.numPr.numId.val
    except (KeyError, AttributeError):
        return  # a template without these styles numbers as Word does
    styles = {present[name].style_id: name for name in LIST_STYLES if name in present}
    numbering = document.part.numbering_part.element
    abstract = next(n.abstractNumId.val for n in numbering.num_lst if n.numId == numbered)
    paragraph_end = present["Normal"].element.pPr.spacing.after if "Normal" in present else None
    current: int | None = None
    last = None
    for element in document.element.body.iterchildren():
        style = element.style if element.tag == qn("w:p") else None
        kind = styles.get(style)
        if kind is None:
            if last is not None and element.tag == qn("w:p") and style is None and paragraph_end is not None:
                last.get_or_add_pPr().get_or_add_spacing().after = paragraph_end
            current = last = None
            continue
        last = element
        ppr = element.get_or_add_pPr()
        if kind == "List Bullet":
            current = bulleted
        elif kind == "List Number":
            if ppr.numPr is not None or current is None or current == bulleted:
                num = numbering.add_num(abstract)
                num.add_lvlOverride(ilvl=0).add_startOverride(1)
                current = num.numId
            _set_number(ppr, current, 0)
        elif current is not None:  # a sub-item
            _set_number(ppr, current, 1)


def _set_number(ppr: Any, num_id: int, level: int) -> None:
    number = ppr.get_or_add_numPr()
    number.get_or_add_ilvl().val = level
    number.get_or_add_numId().val = num_id


def template_error(template: Path, message: str) -> RecordError:
    return RecordError([Problem(template, 1, 1, Severity.error, "", message)])


def render_docx(template: Path, context: dict[str, Any], properties: dict[str, Any], office: Office,
                office_dir: Path | None = None) -> bytes:
    """The .docx bytes of one paper; the same inputs give the same bytes."""
    if not template.is_file():
        raise template_error(template, "template not found")
    try:
        document = DocxTemplate(io.BytesIO(_styled_template(template, office)))
        context = dict(context)
        if office.logo:
            logo = (office_dir or Path.cwd()) / office.logo
            context["logo"] = InlineImage(document, str(logo), height=Mm(18))
        try:
            document.render(context, jinja_env=ENVIRONMENT, autoescape=True)
        except (UnrecognizedImageError, OSError) as exc:  # the picture is read only as it is placed
            why = ("is not there: give its path relative to office.yaml" if isinstance(exc, FileNotFoundError) else
                   "is not a picture Word can show: give a PNG, JPEG, GIF, BMP or TIFF")
            raise RecordError([Problem(office_dir / "office.yaml" if office_dir else Path("office.yaml"), 1, 1, Severity.error,
                                       "logo", f"the logo {office.logo} {why}")]) from None
    except jinja2.UndefinedError as exc:
        raise template_error(template, f"the template uses a field the record does not have: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise template_error(template, f"template syntax error: {exc.message}") from None
    except (zipfile.BadZipFile, KeyError) as exc:
        raise template_error(template, f"not a Word template: {exc}") from None
    number_lists(document.docx)
    link_fields(document.docx)
    for picture in document.docx.element.body.iter(qn("wp:docPr")):
        if not picture.get("descr"):  # a picture without a text alternative fails accessibility
            picture.set("descr", f"{office.name} logo")
    set_core_properties(document.docx, properties)
    return _fixed_bytes(document.docx)


_STYLED: dict[tuple[Path, int, int, str], bytes] = {}


def _styled_template(template: Path, office: Office) -> bytes:
    """The template with the house style applied, made once per process, not once per paper."""
    stat = template.stat()
    key = (template.resolve(), stat.st_mtime_ns, stat.st_size, office.style.model_dump_json() + office.language)
    if key not in _STYLED:
        document = Document(str(template))
        apply_house_style(document, office)
        buffer = io.BytesIO()
        document.save(buffer)
        _STYLED[key] = buffer.getvalue()
    return _STYLED[key]


def apply_house_style(document: Any, office: Office) -> None:
    """Fonts, colours and language come from office.yaml, so another office changes them there."""
    style = office.style
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default, style.font)
    _set_language(rpr_default, office.language)
    for element in styles.iterfind(qn("w:style")):
        rpr = element.find(qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, style.font)
    document.styles["Normal"].font.size = Pt(style.body_size)
    present = {s.name for s in document.styles}
    colours = {"Title": style.heading_colour, "Heading 1": style.heading_colour, "Heading 2": style.heading_colour,
               "Heading 3": style.heading_colour, "Funding": style.accent_colour}
    for name, colour in colours.items():
        if name in present:  # a template may not use them all
            document.styles[name].font.color.rgb = RGBColor.from_string(colour.upper())
    for name in ("Title", "Funding", "Confidentiality"):  # their rules and boxes
        if name in present:
            for edge in document.styles[name].element.iter(qn("w:top"), qn("w:bottom"), qn("w:left"), qn("w:right")):
                if edge.getparent().tag == qn("w:pBdr"):
                    edge.set(qn("w:color"), style.heading_colour.upper())


def _set_fonts(rpr: Any, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):  # a theme font would override the house font
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), font)


def _set_language(rpr: Any, language: str) -> None:
    # LibreOffice takes the PDF's /Lang from here, not from the document properties.
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)


# Word keeps a document property's text to 255 characters, counted in UTF-16 code units
# (Office's DocumentProperty: "limited in length to 255 characters"; python-docx refuses more).
WORD_PROPERTY_LIMIT = 255
_JOINERS = {"\u200d", "\u034f"}  # zero-width joiner, combining grapheme joiner


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _joins_previous(text: str, index: int) -> bool:
    """Whether text[index] belongs to the character before it: a combining mark, a variation
    selector, an emoji skin tone, what follows a joiner, or the second of a flag's pair."""
    char, before = text[index], text[index - 1]
    if unicodedata.category(char) in ("Mn", "Mc", "Me") or char in _JOINERS or before in _JOINERS:
        return True
    if "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef" or "\U0001f3fb" <= char <= "\U0001f3ff":
        return True
    if "\U0001f1e6" <= char <= "\U0001f1ff":  # regional indicators pair up into flags
        run = 0
        while index - run - 1 >= 0 and "\U0001f1e6" <= text[index - run - 1] <= "\U0001f1ff":
            run += 1
        return run % 2 == 1
    return False


def word_property(value: str) -> str:
    """A document property's text as Word keeps it: the whole value when it fits in 255 UTF-16
    code units, else its start, cut at a space (or between characters, never inside one) and
    ending in "…". Only the .docx's properties are cut: the paper shows the whole value, and
    the PDF's metadata holds it whole."""
    if _utf16_length(value) <= WORD_PROPERTY_LIMIT:
        return value
    end = used = 0
    for char in value:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > WORD_PROPERTY_LIMIT - 1:  # room for the "…"
            break
        end += 1
    while end > 0 and _joins_previous(value, end):
        end -= 1
    head = value[:end]
    space = head.rfind(" ")
    if space > len(head) // 2:  # a word boundary not too far back
        head = head[:space]
    return head.rstrip(" ,;:–-") + "…"


def set_core_properties(document: Any, properties: dict[str, Any]) -> None:
    core = document.core_properties
    core.title = word_property(properties["title"])
    core.author = word_property(properties["author"])
    core.last_modified_by = word_property(properties["author"])
    core.subject = word_property(properties["subject"])
    core.keywords = word_property(properties["keywords"])
    core.language = word_property(properties["language"])
    core.identifier = word_property(properties["reference"])
    core.category = "Decision paper"
    core.content_status = word_property(properties["status"])
    core.created = core.modified = properties["timestamp"].replace(tzinfo=None)
    core.revision = 1


class _FixedZipWriter:
    """python-docx's package writer, less the clock: every zip entry gets the same date and
    attributes (the only thing that differed between two saves of one document)."""

    def __init__(self, target: io.BytesIO):
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)

    def write(self, uri: Any, blob: bytes) -> None:
        entry = zipfile.ZipInfo(uri.membername, date_time=ZIP_EPOCH)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        entry.create_system = 3
        self._zip.writestr(entry, blob)

    def close(self) -> None:
        self._zip.close()


def _fixed_bytes(document: Any) -> bytes:
    # What docx.opc.package.OpcPackage.save and PackageWriter.write do, with our zip writer
    # (saving and then rewriting the zip compressed everything twice: a third of the render).
    # PackageWriter's methods are private, so python-docx is pinned to the minor version this
    # was written for, and tests/test_render_hostile.py checks their signatures and that the
    # package written here is, but for zip dates, the one Document.save() writes.
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    writer = _FixedZipWriter(buffer)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return buffer.getvalue()
