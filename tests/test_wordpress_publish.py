"""`decisions publish --to wordpress` against a real WordPress (Debian's, started by the tests):
publish, publish again (no write request), correct, withdraw; then read what WordPress serves,
through its REST API and its rendered pages: the content is right, the media open, and no Part 2
marker is anywhere."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.project import Project
from engine.publish import publish
from engine.wordpress import Client, Settings, push

from .support import SEED, make_project

MARKER = "PART2-MARKER-4471"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The seed paper, with a confidential paragraph holding the marker."""
    make_project(tmp_path)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    text = record.read_text(encoding="utf-8")
    at = text.index("sections:\n") + len("sections:\n")
    record.write_text(text[:at] + f"  - heading: Commercial terms\n    confidential: true\n    content:\n      - The rate is {MARKER}.\n"
                      + text[at:], encoding="utf-8")
    return tmp_path


def pushed(root: Path, wordpress) -> tuple[list[str], int]:
    publish(Project.load(root / "office.yaml"))
    client = Client(wordpress.base_url, wordpress.user, wordpress.password)
    changes = push(root / "build" / "site", Settings(wordpress.base_url, wordpress.user, "decision-register", wordpress.password), client)
    return [str(c) for c in changes], client.writes


def served(wordpress, path: str) -> httpx.Response:
    return httpx.get(wordpress.base_url + path, timeout=30, follow_redirects=True)


def test_publishing_to_a_real_wordpress(project: Path, fresh_wordpress) -> None:
    wordpress = fresh_wordpress
    changes, writes = pushed(project, wordpress)
    assert changes == ["upload pcc-d-102.pdf", "upload pcc-d-102.docx", "create page pcc-d-102", "create page decision-register"]
    assert writes == 4
    # Again, nothing changed: no write request at all.
    assert pushed(project, wordpress) == ([], 0)

    page = served(wordpress, "/pcc-d-102/")
    assert page.status_code == 200 and "Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024" in page.text
    assert "A service to deliver support" in page.text and MARKER not in page.text and "Commercial terms" not in page.text
    [media] = [m for m in httpx.get(wordpress.base_url + "/", params={"rest_route": "/wp/v2/media", "per_page": 100}, timeout=30).json()
               if m["source_url"].endswith(".pdf")]
    pdf = httpx.get(media["source_url"], timeout=30)
    assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf") and pdf.content.startswith(b"%PDF-")
    register = served(wordpress, "/decision-register/")
    assert register.status_code == 200 and "PCC/D/102" in register.text

    # Corrected: a new paper, its page updated.
    record = project / "records" / "2021-2024" / SEED.name
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    changes, writes = pushed(project, wordpress)
    assert changes == ["upload pcc-d-102.pdf", "upload pcc-d-102.docx", "update page pcc-d-102"] and writes == 3
    assert "£38,000" in served(wordpress, "/pcc-d-102/").text

    # Withdrawn: its page says so.
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn"), encoding="utf-8")
    changes, _ = pushed(project, wordpress)
    assert "update page pcc-d-102" in changes and "WITHDRAWN" in served(wordpress, "/pcc-d-102/").text

    # No Part 2 marker anywhere WordPress serves: pages (REST and rendered), media.
    everything = [served(wordpress, path).text for path in ("/pcc-d-102/", "/decision-register/", "/?rest_route=/wp/v2/pages&context=view")]
    everything += [httpx.get(m["source_url"], timeout=30).text for m in
                   httpx.get(wordpress.base_url + "/", params={"rest_route": "/wp/v2/media", "per_page": 100}, timeout=30).json()]
    assert not [text for text in everything if MARKER in text]
