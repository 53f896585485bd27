"""The test WordPress (tests/wordpress_server.py) answers its REST API as the publisher will use it."""
from __future__ import annotations

import subprocess

import httpx2 as httpx
import pytest

from . import wordpress_server
from .wordpress_server import WordPressUnavailable, running_wordpress

# A one-page PDF, small but real enough for WordPress's check of a file's type by its content.
PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


@pytest.fixture
def client(wordpress):
    with httpx.Client(base_url=f"{wordpress.base_url}/wp-json", auth=wordpress.auth, timeout=30) as c:
        yield c


def test_the_application_password_logs_the_editor_in(client, wordpress):
    me = client.get("/wp/v2/users/me", params={"context": "edit"})
    assert me.status_code == 200, me.text
    assert me.json()["username"] == wordpress.user
    assert me.json()["name"] == wordpress_server.DISPLAY_NAME
    assert "editor" in me.json()["roles"]
    assert client.get("/wp/v2/users/me", auth=(wordpress.user, "wrong password")).status_code == 401


def test_a_page_is_created_at_its_slug_and_served(client, wordpress):
    created = client.post("/wp/v2/pages", json={
        "title": "PCC/D/102", "slug": "pcc-d-102", "status": "publish",
        "content": "<p>The committee approved the plan.</p>",
    })
    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "pcc-d-102"
    found = client.get("/wp/v2/pages", params={"slug": "pcc-d-102", "context": "edit"})
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()] == [created.json()["id"]]
    assert "The committee approved the plan." in found.json()[0]["content"]["raw"]
    # Pretty permalinks: the page is at /pcc-d-102/, rendered by the theme.
    assert created.json()["link"] == f"{wordpress.base_url}/pcc-d-102/"
    page = httpx.get(created.json()["link"], timeout=30)
    assert page.status_code == 200
    assert "The committee approved the plan." in page.text


def test_a_pdf_is_uploaded_as_media_and_served(client):
    uploaded = client.post("/wp/v2/media", content=PDF, headers={
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="PCC-D-102.pdf"',
    })
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["mime_type"] == "application/pdf"
    served = httpx.get(uploaded.json()["source_url"], timeout=30)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/pdf")
    assert served.content == PDF


def test_missing_packages_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(wordpress_server, "WORDPRESS", tmp_path / "nowhere")
    monkeypatch.setattr(wordpress_server, "THEME", tmp_path / "nowhere" / "theme")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(WordPressUnavailable) as error:
        with running_wordpress():
            pass
    for package in ("wordpress", "wordpress-theme-twentytwentythree", "mariadb-server-core", "php-cli"):
        assert package in str(error.value)


def test_nothing_is_left_running_after_a_site_stops():
    with running_wordpress() as site:
        folder = site.folder
        assert _processes_in(folder)
    assert not folder.exists()
    assert _processes_in(folder) == []


def _processes_in(folder) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True, check=True).stdout
    return [line for line in ps.splitlines() if str(folder) in line]
