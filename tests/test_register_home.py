"""The register's link back to the office's own website (`publishing.home_url`): on every page,
the office's name (and logo) lead to it; absent where the office gives none.

The hostile tests come first: an address that could run script, a relative one, an over-long
one and a value that is no text at all are each one located line naming office.yaml's field,
and `decisions check` exits 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.office import load_office
from engine.publish import publish

from .support import ROOT, SEED, write_project

HOME = "https://www.bedfordshire.pcc.police.uk/"
OFFICE = (ROOT / "office.yaml").read_text(encoding="utf-8")
RECORDS = {"2021-2024/PCC-D-102.yaml": SEED.read_text(encoding="utf-8")}


def with_home(value: str | None) -> str:
    """The project's office.yaml, its home page given as value (a line of YAML) or left out."""
    text = re.sub(r"(?m)^  home_url: .*\n", "", OFFICE)
    return text if value is None else text.replace("\npublishing:\n", f"\npublishing:\n  home_url: {value}\n", 1)


def check(root: Path, office: str) -> tuple[int, list[str]]:
    (root / "office.yaml").write_text(office, encoding="utf-8")
    (root / "records" / "2021-2024").mkdir(parents=True, exist_ok=True)
    (root / "records" / "2021-2024" / SEED.name).write_text(RECORDS["2021-2024/PCC-D-102.yaml"], encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(root / "office.yaml"), "check"])
    assert "Traceback" not in result.output and "This is a bug" not in result.output, result.output
    return result.exit_code, result.output.splitlines()


def the_line(office: str) -> int:
    return office.splitlines().index(next(line for line in office.splitlines() if line.startswith("  home_url:"))) + 1


# --- hostile ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("'javascript:alert(document.domain)'", "write a web address starting https:// (or http://), without spaces or quotes "
                                            "(got 'javascript:alert(document.domain)')"),
    ("'JavaScript://%0Aalert(1)'", "write a web address starting https:// (or http://), without spaces or quotes"),
    ("'data:text/html,<script>alert(1)</script>'", "write a web address starting https:// (or http://)"),
    ("/about-us/", "write a web address starting https:// (or http://), without spaces or quotes (got '/about-us/')"),
    ("www.bedfordshire.pcc.police.uk", "write a web address starting https:// (or http://)"),
    ("'https://www.bedfordshire.pcc.police.uk/\" onmouseover=\"alert(1)'", "write a web address starting https://"),
    ("'https://www.bedfordshire.pcc.police.uk/\u202egnp.exe'", "write a web address in plain ASCII"),
    ("https://www.example.org/" + "a" * 600, "this address is 624 characters long: give the office's home page, in at "
                                               "most 500 characters, e.g. https://www.anyshire-pcc.example/"),
    ("42", "Input should be a valid string"),
    ("[https://www.example.org/]", "Input should be a valid string"),
    ("{url: https://www.example.org/}", "Input should be a valid string"),
    ("true", "Input should be a valid string"),
])
def test_a_home_page_that_is_no_web_address_is_one_located_line(tmp_path: Path, value: str, message: str) -> None:
    office = with_home(value)
    code, lines = check(tmp_path, office)
    assert code == 1
    [line] = lines
    assert line.startswith(f"{tmp_path / 'office.yaml'}:{the_line(office)}:3: error: publishing.home_url: {message}"), line


def test_an_empty_home_page_is_none(tmp_path: Path) -> None:
    code, lines = check(tmp_path, with_home("null"))
    assert code == 0 and lines[-1] == "1 record checked: 0 errors, 0 warnings"
    assert load_office(tmp_path / "office.yaml").publishing.home_url is None


# --- the register ------------------------------------------------------------------------------------

def test_every_page_of_the_register_links_back_to_the_offices_website(tmp_path: Path) -> None:
    project = write_project(tmp_path, with_home(HOME), RECORDS)
    summary = publish(project, tmp_path / "site")
    assert summary.failed == [] and summary.published == ["PCC/D/102"]
    site = tmp_path / "site"
    pages = sorted(p for p in site.rglob("*.html") if not p.name.endswith(".fragment.html"))  # a fragment is no page
    assert len(pages) >= 3  # the index, the decision's page and the browse pages
    name = "Office of the Bedfordshire Police and Crime Commissioner"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        header = html[html.index('<header class="reg-header">'):html.index("</header>")]
        # The office's name leads home; the register's title leads to the register.
        assert (f'<a class="reg-home" href="{HOME}"><span class="reg-back" aria-hidden="true">←</span>'
                f'<span>{name}</span></a>') in header, page
        depth = page.relative_to(site).as_posix().count("/")
        assert f'<p class="reg-register"><a href="{"../" * depth}index.html">Decision register</a></p>' in header, page


def test_without_a_home_page_the_header_is_as_it_was(tmp_path: Path) -> None:
    project = write_project(tmp_path, with_home(None), RECORDS)
    assert publish(project, tmp_path / "site").published == ["PCC/D/102"]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "reg-home" not in index and "reg-back" not in index and "←" not in index
    assert '<p class="reg-office"><a href="index.html"><span>Office of the Bedfordshire Police and Crime Commissioner</span></a></p>' in index
    assert '<p class="reg-register">Decision register</p>' in index


@pytest.mark.parametrize("office", [ROOT / "office.yaml", *sorted((ROOT / "examples").glob("*/office.yaml"))],
                         ids=lambda p: p.parent.name if p.parent != ROOT else "(root)")
def test_each_office_links_its_register_to_its_own_site(office: Path) -> None:
    """The examples' real offices, each to its own site (from the addresses its papers were read at)."""
    home = load_office(office).publishing.home_url
    assert home is not None and re.fullmatch(r"https://[a-z0-9.-]+/", home), home
    base = load_office(office).publishing.base_url
    assert base.startswith(home), (home, base)
