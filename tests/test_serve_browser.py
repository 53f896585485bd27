"""The editor in Chromium, driven from the keyboard: open a paper, see a problem appear at its
field and go when fixed, watch the preview follow, save, save again unchanged, meet a file
changed on disk; and every page without an axe-core violation."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.serve.app import make_app

from .support import SEED, make_project
from .test_lifecycle import draft_text
from .test_publish import axe_violations, browser  # noqa: F401 - the shared Chromium

PLACE = "2021-2024/PCC-D-102.yaml"


@pytest.fixture()
def editor(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    import uvicorn

    project = make_project(tmp_path)
    (tmp_path / "records" / "2021-2024" / SEED.name).write_text(draft_text(), encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(project), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/", tmp_path
    server.should_exit = True
    thread.join(10)


def test_an_officer_edits_a_paper_from_the_keyboard(editor: tuple[str, Path], browser) -> None:  # noqa: F811
    url, root = editor
    record = root / "records" / PLACE
    page = browser.new_page(bypass_csp=True)  # axe-core is injected; the editor's own pages run only its script
    page.goto(url)
    assert axe_violations(page) == []
    page.click("text=PCC/D/102")
    page.wait_for_selector("#ed-form")
    assert axe_violations(page) == []
    # A problem appears at its field as the officer types, and goes when fixed.
    page.focus("#f-subject")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.wait_for_selector("#f-subject-problems")
    assert page.get_attribute("#f-subject", "aria-invalid") == "true"
    assert page.locator("#ed-counts").inner_text() == "1 error, 0 warnings"
    page.keyboard.type("Allocation of MoJ Funding: #KnifeFree support 2023-2024")
    page.wait_for_selector("#f-subject-problems", state="detached")
    # The preview follows.
    page.wait_for_function("document.getElementById('ed-preview').srcdoc.includes('#KnifeFree support')")
    # Save from the keyboard.
    page.focus("button[value=save] >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved 2021-2024/PCC-D-102.yaml.")
    assert "subject: 'Allocation of MoJ Funding: #KnifeFree support 2023-2024'" in record.read_text(encoding="utf-8") or \
        "Allocation of MoJ Funding: #KnifeFree support 2023-2024" in record.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(root / "office.yaml"), "check", str(record)])
    assert result.exit_code == 0 and result.output.endswith("1 record checked: 0 errors, 0 warnings\n"), result.output
    saved = record.read_bytes()
    page.focus("button[value=save] >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved 2021-2024/PCC-D-102.yaml.")
    assert record.read_bytes() == saved  # a second save round-trips unchanged
    # A file changed on disk since it was opened is not overwritten.
    record.write_text(record.read_text(encoding="utf-8").replace("#KnifeFree support", "support (edited elsewhere)"),
                      encoding="utf-8")
    theirs = record.read_bytes()
    page.fill("#f-report_of", "Chief Executive")
    page.focus("button[value=save] >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Nothing was saved, and your changes are still in the form below.")
    assert record.read_bytes() == theirs and page.input_value("#f-report_of") == "Chief Executive"
    assert axe_violations(page) == []


def test_a_new_decision_is_started_from_the_keyboard(editor: tuple[str, Path], browser) -> None:  # noqa: F811
    url, root = editor
    page = browser.new_page(bypass_csp=True)
    page.goto(url)
    page.focus("#new-date")
    page.fill("#new-date", "2023-10-02")
    page.select_option("#new-kind", "funding_allocation")
    page.focus("text=Start a new decision")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ed-form")
    assert page.locator("h1").inner_text().startswith("PCC/D/")
    assert "placeholder not filled in" in page.locator("#ed-summary").inner_text()
    [created] = [p for p in (root / "records").rglob("*.yaml") if p.name != "PCC-D-102.yaml"]
    assert axe_violations(page) == []
    # Fill it in, field by field, from the keyboard, until the check has nothing to say.
    for field, words in (("f-subject", "Grant to Leaders Unlocked: #YouthVoice 2023-24"),
                         ("f-funding-0-recipient", "Leaders Unlocked"), ("f-funding-0-service", "Youth commission"),
                         ("f-funding-0-fund", "Community Safety Fund"), ("f-funding-0-budget_code", "B993"),
                         ("f-funding-0-amount", "18500"),
                         ("f-sections-0-content-0", "A youth commission: young people's voices, heard."),
                         ("f-sections-1-content-0", "A direct award: the only provider of its kind."),
                         ("f-recommendation", "To approve the grant of £18,500.")):
        page.focus(f"#{field}")
        page.keyboard.press("Control+A")
        page.keyboard.type(words)
    try:
        page.wait_for_selector("text=No problems: decisions check will pass this record.", timeout=8000)
    except Exception:
        raise AssertionError(page.locator("#ed-summary").inner_text()) from None
    page.focus("button[value=save] >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved ")
    result = CliRunner().invoke(main, ["--office", str(root / "office.yaml"), "check", str(created)])
    assert result.exit_code == 0 and " 0 errors" in result.output, result.output
    text = created.read_text(encoding="utf-8")
    assert "Grant to Leaders Unlocked: #YouthVoice 2023-24" in text and "# yaml-language-server: $schema=" in text
    saved = created.read_bytes()
    page.focus("button[value=save] >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved ")
    assert created.read_bytes() == saved
    page.goto(url + "edit?record=../office.yaml")
    assert "no such record in this archive" in page.locator("main").inner_text()
    assert axe_violations(page) == []
