"""`decisions publish --to wordpress` against a WordPress made of its REST API's rules (pages and
media by slug, a taken slug given -2): what a run writes, that a second run writes nothing, and
what it refuses. (The tests against a real WordPress are tests/test_wordpress_*.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from engine.project import Project
from engine.publish import publish
from engine.wordpress import Client, Settings, WordPressError, push

from .support import make_project

URL = "https://www.bedfordshire.pcc.police.uk/"


class FakeWordPress:
    """Pages and media kept as WordPress keeps them, answered as its REST API answers."""

    def __init__(self) -> None:
        self.pages: list[dict] = []
        self.media: list[dict] = []
        self.writes = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        route = query.pop("rest_route")
        if request.method != "GET":
            self.writes += 1
        if route == "/wp/v2/pages" and request.method == "GET":
            return httpx.Response(200, json=[p for p in self.pages if p["slug"] == query["slug"]])
        if route == "/wp/v2/media" and request.method == "GET":
            return httpx.Response(200, json=[m for m in self.media if m["slug"] == query["slug"]])
        if route == "/wp/v2/pages":
            fields = json.loads(request.content)
            page = {"id": len(self.pages) + 1, "slug": self._free(fields["slug"], self.pages),
                    "title": {"raw": fields["title"]}, "content": {"raw": fields["content"]}}
            self.pages.append(page)
            return httpx.Response(201, json=page)
        if m := re.fullmatch(r"/wp/v2/pages/(\d+)", route):
            page = self.pages[int(m.group(1)) - 1]
            fields = json.loads(request.content)
            page["title"], page["content"] = {"raw": fields["title"]}, {"raw": fields["content"]}
            return httpx.Response(200, json=page)
        if route == "/wp/v2/media":
            name = re.search(r'filename="([^"]+)"', request.headers["content-disposition"]).group(1)
            item = {"id": 1000 + len(self.media), "slug": self._free(query["slug"], self.media),
                    "source_url": f"{URL}wp-content/uploads/{name}", "size": len(request.content)}
            self.media.append(item)
            return httpx.Response(201, json=item)
        return httpx.Response(404, json={"message": "No route was found"})

    @staticmethod
    def _free(slug: str, taken: list[dict]) -> str:
        names = {t["slug"] for t in taken}
        n = 2
        chosen = slug
        while chosen in names:
            chosen, n = f"{slug}-{n}", n + 1
        return chosen


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    project = make_project(tmp_path)
    publish(project)
    return tmp_path / "build" / "site"


def run(site: Path, wordpress: FakeWordPress, dry_run: bool = False) -> tuple[list[str], int]:
    client = Client(URL, "governance", "app pass", transport=httpx.MockTransport(wordpress))
    changes = push(site, Settings(URL, "governance", "decision-register", "app pass"), client, dry_run=dry_run)
    return [str(c) for c in changes], client.writes


def test_a_first_run_makes_the_pages_and_uploads_the_papers_and_a_second_writes_nothing(site: Path) -> None:
    wordpress = FakeWordPress()
    changes, writes = run(site, wordpress)
    assert changes == ["upload pcc-d-102.pdf", "upload pcc-d-102.docx", "create page pcc-d-102", "create page decision-register"]
    assert writes == 4
    [page, register] = wordpress.pages
    content = page["content"]["raw"]
    assert content.startswith("<!-- decisions-engine: PCC/D/102 -->\n")
    assert '<a href="https://www.bedfordshire.pcc.police.uk/wp-content/uploads/pcc-d-102.pdf">The decision paper (PDF, ' in content
    assert '<article class="dpe-decision' in content and "Sexual Exploitation Support" in content
    assert '<a href="https://www.bedfordshire.pcc.police.uk/pcc-d-102/">PCC/D/102</a>' in register["content"]["raw"]
    assert run(site, wordpress) == ([], 0)  # a second run: nothing to write, and no write request
    assert wordpress.writes == 4


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(site: Path) -> None:
    wordpress = FakeWordPress()
    changes, writes = run(site, wordpress, dry_run=True)
    assert changes == ["upload pcc-d-102.pdf", "upload pcc-d-102.docx", "create page pcc-d-102", "create page decision-register"]
    assert writes == 0 and wordpress.pages == [] and wordpress.media == []


def test_a_changed_paper_is_uploaded_anew_and_its_page_updated(site: Path, tmp_path: Path) -> None:
    wordpress = FakeWordPress()
    run(site, wordpress)
    record = tmp_path / "records" / "2021-2024" / "PCC-D-102.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    publish(Project.load(tmp_path / "office.yaml"))
    changes, writes = run(site, wordpress)
    assert changes == ["upload pcc-d-102.pdf", "upload pcc-d-102.docx", "update page pcc-d-102"] and writes == 3
    assert "£38,000" in wordpress.pages[0]["content"]["raw"] and len(wordpress.media) == 4  # the old files stay


def test_a_page_the_engine_did_not_make_is_never_touched(site: Path) -> None:
    wordpress = FakeWordPress()
    wordpress.pages.append({"id": 1, "slug": "pcc-d-102", "title": {"raw": "Ours"}, "content": {"raw": "<p>The office's own page</p>"}})
    with pytest.raises(WordPressError, match="the page 'pcc-d-102' on WordPress was not made by the engine: it is never touched"):
        run(site, wordpress)
    assert wordpress.pages[0]["content"]["raw"] == "<p>The office's own page</p>"


def test_a_slug_wordpress_changed_is_an_error_not_a_duplicate(site: Path) -> None:
    wordpress = FakeWordPress()
    # A page in the bin holds the address: WordPress answers a new page with pcc-d-102-2.
    wordpress._free = lambda slug, taken: f"{slug}-2" if taken is wordpress.pages else slug  # type: ignore[method-assign]
    with pytest.raises(WordPressError, match="WordPress gave the page for PCC/D/102 the address 'pcc-d-102-2', not 'pcc-d-102'"):
        run(site, wordpress)
    assert [p["slug"] for p in wordpress.pages] == ["pcc-d-102-2"]  # it stays, for the office to move: nothing is deleted


def test_the_password_comes_from_the_environment_only(monkeypatch) -> None:
    monkeypatch.delenv("DECISIONS_WORDPRESS_PASSWORD", raising=False)
    with pytest.raises(WordPressError, match="set DECISIONS_WORDPRESS_PASSWORD to the application password of governance"):
        Settings.from_environment(URL, "governance", "decision-register")


def test_a_refusing_wordpress_is_one_line(site: Path) -> None:
    client = Client(URL, "governance", "wrong", transport=httpx.MockTransport(lambda r: httpx.Response(401, json={})))
    with pytest.raises(WordPressError, match="WordPress refused the user \\(401\\): check the user and the application password"):
        push(site, Settings(URL, "governance", "decision-register", "wrong"), client)


def test_publish_to_wordpress_without_a_site_or_a_password_says_what_to_set(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    make_project(tmp_path)
    office = tmp_path / "office.yaml"
    result = CliRunner().invoke(main, ["--office", str(office), "publish", "--to", "wordpress"])
    assert result.exit_code == 1 and result.output.endswith(
        "error: office.yaml names no WordPress site: add `publishing: wordpress: {url: ..., user: ...}`\n"), result.output
    office.write_text(office.read_text(encoding="utf-8").replace(
        "publishing:\n", "publishing:\n  wordpress: {url: 'https://www.bedfordshire.pcc.police.uk/', user: governance}\n", 1),
        encoding="utf-8")
    monkeypatch.delenv("DECISIONS_WORDPRESS_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["--office", str(office), "publish", "--to", "wordpress", "--dry-run"])
    assert result.exit_code == 1 and "error: set DECISIONS_WORDPRESS_PASSWORD to the application password of governance" in result.output


@pytest.mark.parametrize("setting,message", [
    ("{url: 'javascript:alert(1)', user: g}", "publishing.wordpress.url"),
    ("{url: 'https://wp.example/', user: g, register_page: '../x'}", "publishing.wordpress.register_page"),
    ("{url: 'https://wp.example/', user: g, password: hunter2}", "publishing.wordpress.password"),
], ids=["not a web address", "not a slug", "a password in the file"])
def test_wordpress_settings_it_cannot_use_are_one_line_naming_the_field(tmp_path: Path, setting: str, message: str) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    make_project(tmp_path)
    office = tmp_path / "office.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("publishing:\n", f"publishing:\n  wordpress: {setting}\n", 1),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(office), "check"])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output, result.output


def test_a_run_that_fails_part_way_stops_with_a_message_and_the_next_finishes(site: Path) -> None:
    wordpress = FakeWordPress()
    calls = {"writes": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            calls["writes"] += 1
            if calls["writes"] == 3:  # the page, after both uploads
                return httpx.Response(503, json={"message": "Service Unavailable"})
        return wordpress(request)

    client = Client(URL, "governance", "app pass", transport=httpx.MockTransport(flaky))
    with pytest.raises(WordPressError, match=r"POST pages failed \(503\): Service Unavailable$"):
        push(site, Settings(URL, "governance", "decision-register", "app pass"), client)
    assert len(wordpress.media) == 2 and wordpress.pages == []
    assert run(site, wordpress) == (["create page pcc-d-102", "create page decision-register"], 2)  # the uploads are not made again


def test_a_dry_run_of_the_site_alone_is_refused_not_ignored(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    make_project(tmp_path)
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "publish", "--dry-run"])
    assert result.exit_code == 2 and "--dry-run is for --to wordpress" in result.output
    assert not (tmp_path / "build" / "site").exists()


@pytest.mark.parametrize("answer", [[1], "a page", {"pages": []}, [{"id": "1", "slug": "pcc-d-102"}], [{"id": 1}],
                                    [{"id": 1, "slug": "pcc-d-102", "content": "not a mapping", "title": 7}]],
                         ids=["a list of numbers", "a string", "a mapping", "an id as text", "no slug", "content as text"])
def test_a_crafted_answer_from_wordpress_is_one_line_not_a_crash(site: Path, answer) -> None:
    def crafted(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer if request.method == "GET" else {})

    client = Client(URL, "governance", "app pass", transport=httpx.MockTransport(crafted))
    with pytest.raises(WordPressError, match="is not a WordPress object|is not a list|was not made by the engine"):
        push(site, Settings(URL, "governance", "decision-register", "app pass"), client)
