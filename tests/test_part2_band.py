"""Part 2 visible inside, absent outside: the internal Word, PDF and web papers mark what will be
withheld with a PART 2 band; `decisions render --public` shows exactly what the register would
publish, at any status, and none of it."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from click.testing import CliRunner

from engine.cli import main

from .support import SEED, make_project
from .text import docx_text, html_text, normalise, pdf_text

BAND = "PART 2 – NOT FOR PUBLICATION"
SECRET_PARAGRAPH = "The provider's rate is ZZQ-BAND-SECRET-1."
SECRET_SECTION = "Commercial terms"
SECRET_SECTION_TEXT = "The discount is ZZQ-BAND-SECRET-2."


def project_with_part2(tmp_path: Path, status: str = "approved") -> Path:
    """The seed record with a confidential paragraph in one section and a confidential section."""
    make_project(tmp_path)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    text = record.read_text(encoding="utf-8")
    old = "  - heading: Long Term Considerations\n    content:\n"
    assert text.count(old) == 1
    text = text.replace(old, f"  - heading: {SECRET_SECTION}\n    confidential: true\n    content:\n      - {SECRET_SECTION_TEXT}\n"
                        + old + f"      - text: \"{SECRET_PARAGRAPH}\"\n        confidential: true\n")
    if status != "approved":  # not yet approved: no approval block, and a status that says so
        start = text.index("\napproval:\n")
        end = text.index("\npublication:\n")
        text = text[:start] + "\n" + text[end:]
        text = text.replace("status: approved", f"status: {status}")
    record.write_text(text, encoding="utf-8")
    return tmp_path / "office.yaml"


def render(office: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(office), "render", "PCC/D/102", "--out", str(office.parent / "out"), *options])
    return result.exit_code, result.output


def test_the_internal_papers_band_what_will_be_withheld(tmp_path: Path) -> None:
    """The officer and the Commissioner see, in every internal output, which words the public
    will not: a band above the confidential section's heading and above the paragraph."""
    office = project_with_part2(tmp_path)
    code, output = render(office)
    assert code == 0, output
    out = office.parent / "out"
    texts = {"Word": normalise(docx_text((out / "pcc-d-102.docx").read_bytes())),
             "web": normalise(html_text((out / "pcc-d-102.internal.html").read_bytes())),
             "PDF": normalise(pdf_text((out / "pcc-d-102.pdf").read_bytes()))}
    for kind, text in texts.items():
        section = text.index(f"{BAND} {SECRET_SECTION}")
        assert text.index(SECRET_SECTION_TEXT) > section, kind
        assert f"{BAND} {SECRET_PARAGRAPH}" in text, kind
        assert text.count(BAND) == 2, (kind, text.count(BAND))  # the section's paragraphs share its band
    styles = [p.style.name for p in docx.Document(io.BytesIO((out / "pcc-d-102.docx").read_bytes())).paragraphs
              if p.text == BAND]
    assert styles == ["Part 2 Band", "Part 2 Band"]


def test_render_public_shows_what_will_be_published_at_any_status(tmp_path: Path) -> None:
    """Before approval, the public version can be seen: no confidential word, no band."""
    office = project_with_part2(tmp_path, status="submitted")
    code, output = render(office, "--public", "--format", "docx,html")
    assert code == 0, output
    out = office.parent / "out"
    assert sorted(p.name for p in out.iterdir()) == ["pcc-d-102.public-preview.html", "pcc-d-102.public.docx", "pcc-d-102.public.html"]
    for path in out.iterdir():
        data = path.read_bytes()
        text = docx_text(data) if path.suffix == ".docx" else html_text(data)
        assert "ZZQ-BAND-SECRET" not in text and BAND not in text and SECRET_SECTION not in text, path.name
        assert "Long Term Considerations" in text, path.name  # the rest of the paper is there
    with io.BytesIO((out / "pcc-d-102.public.docx").read_bytes()) as data:
        import zipfile

        raw = b"".join(zipfile.ZipFile(data).read(name) for name in zipfile.ZipFile(data).namelist())
    assert b"ZZQ-BAND-SECRET" not in raw


def test_a_part_2_paper_has_no_public_version(tmp_path: Path) -> None:
    office = project_with_part2(tmp_path)
    record = office.parent / "records" / "2021-2024" / SEED.name
    text = record.read_text(encoding="utf-8")
    assert "  part: public\n" in text
    record.write_text(text.replace("  part: public\n", "  part: part2\n  reason: Commercially sensitive until contracts are signed.\n"),
                      encoding="utf-8")
    code, output = render(office, "--public", "--format", "html")
    assert code == 1
    assert output.strip().endswith("PCC/D/102 is Part 2: the register publishes none of its papers, only its reference, "
                                   "date, subject and the reason it is withheld"), output
    assert not (office.parent / "out").exists() or not any((office.parent / "out").iterdir())
