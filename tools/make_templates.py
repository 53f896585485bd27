"""Make the Word templates: templates/decision/decision.docx and templates/spec/spec.docx.

Run once to bootstrap them; after that each .docx is the source: open it in Word to restyle it
(keep each {{ tag }} in one formatting run). Fonts, colours and the language are applied from
office.yaml at render time, so the styles here only set sizes and spacing.

    .venv/bin/python tools/make_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent


def border(paragraph_format_element, side: str, size: int = 8, colour: str = "1F3864", space: int = 4) -> None:
    ppr = paragraph_format_element
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), colour)
    bdr.append(edge)


def field(paragraph, instruction: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def paragraph_style(doc, name: str, base: str = "Normal", size: float | None = None, bold: bool = False,
                    before: float = 0, after: float = 6, align=None, colour: str | None = None):
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[base]
    style.quick_style = True
    if size:
        style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    if colour:
        style.font.color.rgb = RGBColor.from_string(colour)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    if align is not None:
        style.paragraph_format.alignment = align
    return style


def add(doc_or_part, text: str, style: str | None = None, bold_label: str | None = None):
    paragraph = doc_or_part.add_paragraph(style=style)
    if bold_label:
        paragraph.add_run(bold_label).bold = True
        paragraph.add_run(" ")
    paragraph.add_run(text)
    return paragraph


def prune(doc) -> None:
    """Drop what the default python-docx template carries but no paper uses: about 160 unused
    styles (350 KB of styles.xml), a 440 KB stylesWithEffects part, a thumbnail. LibreOffice
    parses all of it for every paper: pruned, a paper converts in half the time."""
    styles = doc.styles.element
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    used = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}
    for tag in ("w:pStyle", "w:tblStyle"):
        for element in doc.element.body.iter(qn(tag)):
            used.add(element.get(qn("w:val")))
    for part in (doc.sections[0].header, doc.sections[0].footer):
        for element in part._element.iter(qn("w:pStyle")):
            used.add(element.get(qn("w:val")))
    used |= {"ListBullet", "ListBullet2", "ListNumber", "Heading3", "TableGrid", "TableHeading", "TableText", "TableTotal",
             "TableCaption", "AfterTable", "Hyperlink"}  # the renderer's tables, lists and links use them
    pending = list(used)
    while pending:  # follow basedOn, link and next
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for ref in ("w:basedOn", "w:link", "w:next"):
            target = style.find(qn(ref))
            if target is not None and target.get(qn("w:val")) not in used:
                used.add(target.get(qn("w:val")))
                pending.append(target.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in used:
            styles.remove(style)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/webSettings")):
            doc.part.drop_rel(rel_id)
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]


def base_document(header_text: str = "", running: bool = False):
    """Page, styles, bullets, header and footer shared by every paper."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.6), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.0)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.widow_control = True

    paragraph_style(doc, "Title", size=17, bold=True, after=10)
    border(doc.styles["Title"].element.get_or_add_pPr(), "bottom", size=12, space=6)
    paragraph_style(doc, "Heading 1", size=13, bold=True, before=6, after=6)
    paragraph_style(doc, "Heading 2", size=12, bold=True, before=14, after=6)
    paragraph_style(doc, "Heading 3", size=11, bold=True, before=10, after=4)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        doc.styles[name].paragraph_format.keep_with_next = True
    paragraph_style(doc, "Letterhead", size=9, after=0, align=WD_ALIGN_PARAGRAPH.RIGHT, colour="404040")
    paragraph_style(doc, "Title Block", after=3)
    paragraph_style(doc, "Funding", size=11.5, bold=True, before=10, after=10)
    border(doc.styles["Funding"].element.get_or_add_pPr(), "top", size=6, space=4)
    border(doc.styles["Funding"].element.get_or_add_pPr(), "bottom", size=6, space=4)
    paragraph_style(doc, "Banner", size=12, bold=True, before=6, after=6, align=WD_ALIGN_PARAGRAPH.CENTER)
    draft = paragraph_style(doc, "Draft Mark", size=16, bold=True, before=0, after=10,
                            align=WD_ALIGN_PARAGRAPH.CENTER, colour="C00000")
    for side in ("top", "bottom", "left", "right"):
        border(draft.element.get_or_add_pPr(), side, size=18, colour="C00000", space=4)
    box = paragraph_style(doc, "Confidentiality", before=6, after=10)
    for side in ("top", "bottom", "left", "right"):
        border(box.element.get_or_add_pPr(), side, size=12, colour="1F3864", space=4)
    # Above what an internal paper will withhold: PART 2 – NOT FOR PUBLICATION, red on a rule.
    band = paragraph_style(doc, "Part 2 Band", size=10, bold=True, before=8, after=2, colour="C00000")
    border(band.element.get_or_add_pPr(), "top", size=12, colour="C00000", space=2)
    band.paragraph_format.keep_with_next = True
    paragraph_style(doc, "Sign-off", before=16, after=4, bold=True)
    doc.styles["Sign-off"].paragraph_format.keep_with_next = True
    paragraph_style(doc, "Recommendation", before=12, after=6, bold=True)
    paragraph_style(doc, "List Bullet", after=3)
    paragraph_style(doc, "List Number", after=3)
    paragraph_style(doc, "List Bullet 2", after=3)
    # Tables (the decision's typed tables, the specification's timetable and criteria).
    paragraph_style(doc, "Table Heading", size=10, bold=True, after=2, before=2)
    paragraph_style(doc, "Table Text", size=10, after=2, before=2)
    paragraph_style(doc, "Table Total", size=10, bold=True, after=2, before=2)
    paragraph_style(doc, "Table Caption", size=10, bold=True, before=6, after=4)
    doc.styles["Table Caption"].paragraph_format.keep_with_next = True
    paragraph_style(doc, "After Table", size=4, after=6)
    link = doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor.from_string("0563C1")
    link.font.underline = True
    for name in ("Header", "Footer"):
        style = paragraph_style(doc, name, size=8.5, after=0, colour="404040")
        ppr = style.element.get_or_add_pPr()
        for tabs in ppr.findall(qn("w:tabs")):  # Letter-size stops from the default template
            ppr.remove(tabs)
    paragraph_style(doc, "Draft Header", base="Header", size=10, bold=True, colour="C00000",
                    align=WD_ALIGN_PARAGRAPH.CENTER)

    # Bullets: a plain bullet in the body font (the default uses the Symbol font, which
    # LibreOffice substitutes).
    numbering = doc.part.numbering_part.element
    for lvl in numbering.iter(qn("w:lvl")):
        if lvl.get(qn("w:ilvl")) == "0":
            lvl_text = lvl.find(qn("w:lvlText"))
            if lvl_text is not None and lvl.find(qn("w:numFmt")).get(qn("w:val")) == "bullet":
                lvl_text.set(qn("w:val"), "•")
                rpr = lvl.find(qn("w:rPr"))
                if rpr is not None:
                    lvl.remove(rpr)
    # A list's second level, in bulleted and numbered lists alike: a dash, indented once more
    # (an item's own list, e.g. a service area's amounts). The renderer puts "List Bullet 2"
    # paragraphs on their list's second level; the style alone puts them on the bullets'.
    bullets = doc.styles["List Bullet"].element.pPr.numPr.numId.val
    for name in ("List Bullet", "List Number"):
        num_id = doc.styles[name].element.pPr.numPr.numId.val
        abstract_id = next(n.abstractNumId.val for n in numbering.num_lst if n.numId == num_id)
        abstract = next(a for a in numbering.iterchildren(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == str(abstract_id))
        abstract.find(qn("w:multiLevelType")).set(qn("w:val"), "hybridMultilevel")
        abstract.find(qn("w:lvl")).addnext(parse_xml(
            f'<w:lvl {nsdecls("w")} w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="–"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:tabs><w:tab w:val="num" w:pos="720"/></w:tabs>'
            '<w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'))
    second_style = doc.styles["List Bullet 2"].element.pPr.numPr
    second_style.get_or_add_ilvl().val = 1
    second_style.numId.val = bullets

    if running:
        running_header_footer(doc)
        return doc
    # Header and footer: the office and the title; Page X of Y.
    header = section.header
    header.paragraphs[0].text = "{%p if mark %}"
    add(header, "{{ mark }}", "Draft Header")
    add(header, "{%p endif %}", "Header")
    line = add(header, header_text, "Header")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    border(line._p.get_or_add_pPr(), "bottom", size=4, colour="808080", space=2)

    footer = section.footer
    foot = footer.paragraphs[0]
    foot.style = doc.styles["Footer"]
    foot.add_run("{{ reference }}\t")
    foot.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    foot.add_run("Page ")
    field(foot, "PAGE")
    foot.add_run(" of ")
    field(foot, "NUMPAGES")

    return doc


def running_header_footer(doc) -> None:
    """The decision paper's running header and footer, from the layout (the context's header
    and footer, engine/render/layout.py's running): left and right texts, fixed lines, and the
    page numbers' words around Word's PAGE and NUMPAGES fields."""
    section = doc.sections[0]
    header = section.header
    header.paragraphs[0].text = "{%p if mark %}"
    add(header, "{{ mark }}", "Draft Header")
    add(header, "{%p endif %}", "Header")
    line = add(header, "{{ header.left }}\t{{ header.right }}", "Header")
    line.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    border(line._p.get_or_add_pPr(), "bottom", size=4, colour="808080", space=2)
    add(header, "{%p for line in header.lines %}", "Header")
    add(header, "{{ line }}", "Header")
    add(header, "{%p endfor %}", "Header")

    footer = section.footer
    footer.paragraphs[0].text = "{%p for line in footer.lines %}"
    footer.paragraphs[0].style = doc.styles["Footer"]
    add(footer, "{{ line }}", "Footer")
    add(footer, "{%p endfor %}", "Footer")
    add(footer, "{%p if footer.pages.total %}", "Footer")
    foot = add(footer, "{{ footer.left }}\t{{ footer.pages.before }}", "Footer")
    foot.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    field(foot, "PAGE")
    foot.add_run("{{ footer.pages.middle }}")
    field(foot, "NUMPAGES")
    foot.add_run("{{ footer.pages.after }}")
    add(footer, "{%p elif footer.page_numbers %}", "Footer")
    foot = add(footer, "{{ footer.left }}\t{{ footer.pages.before }}", "Footer")
    foot.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    field(foot, "PAGE")
    foot.add_run("{{ footer.pages.after }}")
    add(footer, "{%p else %}", "Footer")
    plain = add(footer, "{{ footer.left }}\t{{ footer.right }}", "Footer")
    plain.paragraph_format.tab_stops.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    add(footer, "{%p endif %}", "Footer")


def letterhead(doc) -> None:
    """The draft mark, the logo, the address block and the office's name: every paper's top."""
    add(doc, "{%p if draft %}")
    add(doc, "{{ labels.draft }}", "Draft Mark")
    add(doc, "{%p endif %}")
    add(doc, "{%p if logo %}")
    add(doc, "{{ logo }}", "Letterhead")
    add(doc, "{%p endif %}")
    add(doc, "{%p for line in office.address %}")
    add(doc, "{{ line }}", "Letterhead")
    add(doc, "{%p endfor %}")
    add(doc, "{%p if office.contact %}")
    add(doc, "{{ office.contact }}", "Letterhead")
    add(doc, "{%p endif %}")
    spacer = add(doc, "", "Letterhead")
    spacer.paragraph_format.space_after = Pt(12)
    add(doc, "{{ office.name }}", "Title")


def number_first(paragraph) -> None:
    """Give a "List Number" paragraph its list's numbering directly: the renderer takes that as
    the first item of a list, which starts again at 1 (engine/render/docx.py, number_lists)."""
    num_id = paragraph.part.document.styles["List Number"].element.pPr.numPr.numId.val
    number = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    number.get_or_add_ilvl().val = 0
    number.get_or_add_numId().val = num_id


def blocks(doc, content: str) -> None:
    """Paragraphs, lists and tables, as the context gives them (engine/render/context.py's
    block): a list's items in "List Bullet" or "List Number", each item's own list under it in
    "List Bullet 2"; a table with its caption."""
    add(doc, f"{{%p for block in {content} %}}")
    add(doc, "{%p if block.band %}")
    add(doc, "{{ block.band }}", "Part 2 Band")
    add(doc, "{%p endif %}")
    add(doc, "{%p if block.bullets %}")
    add(doc, "{%p for item in block.bullets %}")
    add(doc, "{%p if not block.numbered %}")
    add(doc, "{{ item.text }}", "List Bullet")
    add(doc, "{%p elif loop.first %}")
    number_first(add(doc, "{{ item.text }}", "List Number"))
    add(doc, "{%p else %}")
    add(doc, "{{ item.text }}", "List Number")
    add(doc, "{%p endif %}")
    add(doc, "{%p for sub in item.bullets %}")
    add(doc, "{{ sub }}", "List Bullet 2")
    add(doc, "{%p endfor %}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p elif block.table %}")
    add(doc, "{%p if block.table.caption %}")
    add(doc, "{{ block.table.caption }}", "Table Caption")
    add(doc, "{%p endif %}")
    add(doc, "{{p block.table | word_table }}")
    # Space after the table; and Word joins two tables with no paragraph between into one.
    add(doc, "", "After Table")
    add(doc, "{%p else %}")
    add(doc, "{{ block.text }}")
    add(doc, "{%p endif %}")
    add(doc, "{%p endfor %}")


def decision_body(doc) -> None:
    """The decision paper: one loop over the elements the office's layout gives (engine/
    render/layout.py), each type drawn once here. The order and presence of everything come
    from the layout; this template gives only the styles, page set-up and fonts."""
    add(doc, "{%p for el in elements %}")
    add(doc, "{%p if el.type == 'draft_mark' %}")
    add(doc, "{{ el.text }}", "Draft Mark")
    add(doc, "{%p elif el.type == 'letterhead' %}")
    add(doc, "{%p if el.logo and logo %}")
    add(doc, "{{ logo }}", "Letterhead")
    add(doc, "{%p endif %}")
    add(doc, "{%p for line in el.lines %}")
    add(doc, "{{ line }}", "Letterhead")
    add(doc, "{%p endfor %}")
    add(doc, "{%p if el.contact %}")
    add(doc, "{{ el.contact }}", "Letterhead")
    add(doc, "{%p endif %}")
    add(doc, "{%p if el.name %}")
    spacer = add(doc, "", "Letterhead")
    spacer.paragraph_format.space_after = Pt(12)
    add(doc, "{{ el.name }}", "Title")
    add(doc, "{%p endif %}")
    add(doc, "{%p elif el.type == 'title' %}")
    add(doc, "{{ el.text }}", "Title")
    add(doc, "{%p elif el.type == 'banner' %}")
    add(doc, "{{ el.text }}", "Banner")
    add(doc, "{%p elif el.type == 'notice' %}")
    add(doc, "{{ el.text }}", "Confidentiality", bold_label="{{ el.label }}:")
    add(doc, "{%p elif el.type == 'markings' %}")
    # The boxes in a font that has them: the house font may not, and LibreOffice's fallback
    # then writes them out of the line's reading order in the PDF.
    marks = add(doc, "{{ el.open }} ", "Title Block")
    marks.add_run("{{ el.open_box }}").font.name = "DejaVu Sans"
    marks.add_run(" {{ el.confidential }} ")
    marks.add_run("{{ el.confidential_box }}").font.name = "DejaVu Sans"
    add(doc, "{%p if el.label %}")
    add(doc, "{{ el.reason }}", "Title Block", bold_label="{{ el.label }}")
    add(doc, "{%p endif %}")
    add(doc, "{%p elif el.type == 'fields' and el.form == 'table' %}")
    add(doc, "{{p el | word_fields }}")
    add(doc, "", "After Table")
    add(doc, "{%p elif el.type == 'fields' %}")
    # A row's label is bold before its value; a row without one is its value alone.
    add(doc, "{%p for row in el.rows %}")
    add(doc, "{%p if row.emphasis == 'heading' and row.label %}")
    add(doc, "{{ row.value }}", "Heading 1", bold_label="{{ row.label }}")
    add(doc, "{%p elif row.emphasis == 'heading' %}")
    add(doc, "{{ row.value }}", "Heading 1")
    add(doc, "{%p elif row.emphasis == 'strong' and row.label %}")
    strong = add(doc, "", "Title Block", bold_label="{{ row.label }}")
    strong.add_run("{{ row.value }}").bold = True
    add(doc, "{%p elif row.emphasis == 'strong' %}")
    add(doc, "", "Title Block").add_run("{{ row.value }}").bold = True
    add(doc, "{%p elif row.label %}")
    add(doc, "{{ row.value }}", "Title Block", bold_label="{{ row.label }}")
    add(doc, "{%p else %}")
    add(doc, "{{ row.value }}", "Title Block")
    add(doc, "{%p endif %}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p elif el.type == 'funding' %}")
    add(doc, "{{ el.text }}", "Funding")
    add(doc, "{%p elif el.type == 'section' %}")
    add(doc, "{%p if el.band %}")
    add(doc, "{{ el.band }}", "Part 2 Band")
    add(doc, "{%p endif %}")
    add(doc, "{%p if el.heading and el.level == 2 %}")
    add(doc, "{{ el.heading }}", "Heading 3")
    add(doc, "{%p elif el.heading %}")
    add(doc, "{{ el.heading }}", "Heading 2")
    add(doc, "{%p endif %}")
    blocks(doc, "el.content")
    add(doc, "{%p elif el.type == 'references' %}")
    add(doc, "{{ el.heading }}", "Heading 2")
    add(doc, "{%p for entry in el.entries %}")
    add(doc, "{{ entry.text }}{% if entry.url %} ({{r entry | word_link }}){% endif %}", "List Bullet")
    add(doc, "{%p endfor %}")
    add(doc, "{%p elif el.type == 'recommendation' %}")
    add(doc, "{%p if el.heading %}")
    add(doc, "{{ el.heading }}", "Heading 2")
    add(doc, "{%p endif %}")
    add(doc, "{%p if el.text %}")
    add(doc, "{{ el.text }}", "Recommendation")
    add(doc, "{%p endif %}")
    add(doc, "{%p for item in el.bullets %}")
    add(doc, "{{ item }}", "List Bullet")
    add(doc, "{%p endfor %}")
    add(doc, "{%p elif el.type == 'heading' %}")
    add(doc, "{{ el.text }}", "Heading 2")
    add(doc, "{%p elif el.type == 'sign_off' %}")
    # A sign-off block is never split across pages: each of its lines keeps with the next, up to
    # its last (Bedfordshire's approved paper had "Name" on one page and "Signature" on the next).
    add(doc, "{{ el.role }}", "Sign-off")
    add(doc, "{%p for line in el.lines %}")
    add(doc, "{%p if line.label and not loop.last %}")
    keep_with_next(add(doc, "{{ line.text }}", bold_label="{{ line.label }}"))
    add(doc, "{%p elif not loop.last %}")
    keep_with_next(add(doc, "{{ line.text }}"))
    add(doc, "{%p elif line.label %}")
    add(doc, "{{ line.text }}", bold_label="{{ line.label }}")
    add(doc, "{%p else %}")
    add(doc, "{{ line.text }}")
    add(doc, "{%p endif %}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p elif el.type == 'text' and el.emphasis == 'strong' %}")
    add(doc, "").add_run("{{ el.text }}").bold = True
    add(doc, "{%p elif el.type == 'text' %}")
    add(doc, "{{ el.text }}")
    add(doc, "{%p endif %}")
    add(doc, "{%p endfor %}")


def keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def finish(doc, out: Path) -> None:
    prune(doc)
    # Keep jinja out of the core properties (they would be escaped twice); the renderer sets them.
    props = doc.core_properties
    props.title = props.subject = props.author = props.keywords = props.comments = ""
    props.last_modified_by = ""
    props.revision = 1

    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    print(out)


def table(doc, headings: list[str], cells: list[str], loop: str, widths: list[float]):
    """A table whose header row repeats on every page and is tagged as headers, and one row
    that docxtpl repeats for each item of `loop` ("m in timetable")."""
    grid = doc.add_table(rows=4, cols=len(headings))
    grid.style = doc.styles["Table Grid"]
    for cell, text in zip(grid.rows[0].cells, headings):
        cell.text = ""
        cell.paragraphs[0].style = doc.styles["Table Heading"]
        cell.paragraphs[0].add_run(text)
    header_pr = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    grid.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for cell, text in zip(grid.rows[2].cells, cells):
        cell.text = text
        cell.paragraphs[0].style = doc.styles["Table Text"]
    grid.rows[3].cells[0].text = "{%tr endfor %}"
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        column.width = Cm(width)  # the grid LibreOffice lays out by
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    return grid


def spec_body(doc) -> None:
    paragraph_style(doc, "Subtitle", size=14, bold=True, after=12)
    paragraph_style(doc, "Note", size=9, after=4, colour="404040")
    letterhead(doc)
    add(doc, "{{ title }}", "Heading 1")
    add(doc, "{{ invitation }}", "Subtitle")
    add(doc, "{{ reference }}", "Title Block", bold_label="Decision paper:")
    add(doc, "{{ funding_line }}", "Title Block", bold_label="Funding:")
    add(doc, "{%p if bidding_limit %}")
    add(doc, "{{ bidding_limit }}", "Title Block", bold_label="Bidding limit:")
    add(doc, "{%p endif %}")
    add(doc, "{%p if response_deadline %}")
    add(doc, "{{ response_deadline }}", "Title Block", bold_label="Response deadline:")
    add(doc, "{%p endif %}")
    doc.add_page_break()
    add(doc, "{%p for part in parts %}")
    add(doc, "{{ part.number }}. {{ part.heading }}", "Heading 2")
    blocks(doc, "part.content")
    add(doc, "{%p if part.kind == 'timetable' %}")
    table(doc, ["Stage", "Date"], ["{{ m.stage }}", "{{ m.date }}{% if not m.stated %} *{% endif %}"], "m in timetable", [11.4, 5.0])
    add(doc, "{%p elif part.kind == 'show_stoppers' %}")
    table(doc, ["Requirement (pass or fail)", "Met? Yes / No"], ["{{ s.requirement }}", ""], "s in show_stoppers", [12.9, 3.5])
    add(doc, "{%p elif part.kind == 'criteria' %}")
    table(doc, ["Criterion", "Weighting"], ["{{ c.criterion }}{% if c.description %}: {{ c.description }}{% endif %}",
                                            "{{ c.weighting }}{% if not c.stated %} *{% endif %}"], "c in criteria", [12.9, 3.5])
    add(doc, "{%p endif %}")
    add(doc, "{%p endfor %}")
    add(doc, "{%p for note in notes %}")
    add(doc, "{{ note }}", "Note")
    add(doc, "{%p endfor %}")


def main() -> None:
    doc = base_document(running=True)
    decision_body(doc)
    finish(doc, ROOT / "templates" / "decision" / "decision.docx")
    doc = base_document("{{ office.name }}\t{{ title }}")
    spec_body(doc)
    finish(doc, ROOT / "templates" / "spec" / "spec.docx")


if __name__ == "__main__":
    sys.exit(main())
