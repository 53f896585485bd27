"""`decisions publish --to wordpress`: the published register put on the office's WordPress site,
through its REST API.

Data flows one way: from the published site (`build/site`, public content only, which the leak
tests hold to that) to WordPress, never from the records. Each public decision becomes a page
at a stable address: the one the office already uses where the record gives its first published
address on the same site (`publication.url`: .../pcc-d-102/), else the register's own slug; its
PDF and Word files are uploaded as media, named by their hash, so that an unchanged file is
never uploaded again; a register page lists them all.

A run is idempotent: it finds each page by its slug, updates one only when its content changed,
and a second run over an unchanged archive makes no write request. It only ever touches pages
it made (their content starts with its mark), never deletes, and stops at the first failure with
a one-line message: the next run finishes the job. A slug WordPress changed (pcc-d-102-2,
because the address is taken) is an error, never a silent duplicate.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from markupsafe import Markup, escape

PASSWORD_VARIABLE = "DECISIONS_WORDPRESS_PASSWORD"
MARK = "<!-- decisions-engine: {reference} -->"
_MARK_START = "<!-- decisions-engine: "
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,190}$")
_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class WordPressError(Exception):
    """Publishing to WordPress stopped: the message says why, in one line."""


@dataclass
class Change:
    """One write the run makes (or, with --dry-run, would make)."""

    verb: str  # create page, update page, upload
    what: str  # the page's slug or the file's name

    def __str__(self) -> str:
        return f"{self.verb} {self.what}"


class Client:
    """The REST API of one WordPress site, as one user with an application password. Counts
    its write requests (a second run over an unchanged archive makes none)."""

    def __init__(self, url: str, user: str, password: str, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0):
        self.base = url.rstrip("/") + "/"
        self.http = httpx.Client(auth=(user, password), timeout=timeout, transport=transport, follow_redirects=False,
                                 headers={"User-Agent": "decision-paper-engine"})
        self.writes = 0

    def _call(self, method: str, route: str, **kwargs: Any) -> Any:
        # ?rest_route= works whatever the site's permalinks are.
        params = {"rest_route": "/wp/v2/" + route, **kwargs.pop("params", {})}
        if method != "GET":
            self.writes += 1
        try:
            response = self.http.request(method, self.base, params=params, **kwargs)
        except httpx.HTTPError as exc:
            raise WordPressError(f"{self.base}: cannot reach WordPress ({type(exc).__name__}: {exc})") from None
        if response.status_code in (401, 403):
            raise WordPressError(f"{self.base}: WordPress refused the user ({response.status_code}): check the user and "
                                 f"the application password in {PASSWORD_VARIABLE}")
        if response.status_code >= 400:
            raise WordPressError(f"{self.base}: {method} {route} failed ({response.status_code}): {_said(response)}")
        try:
            return response.json()
        except ValueError:
            raise WordPressError(f"{self.base}: {method} {route} answered with no JSON: is this a WordPress site?") from None

    def _one(self, route: str, answer: Any) -> dict[str, Any]:
        """An object WordPress answered, with the fields the engine reads of its kind."""
        if not (isinstance(answer, dict) and isinstance(answer.get("id"), int) and isinstance(answer.get("slug"), str)):
            raise WordPressError(f"{self.base}: {route} answered with something that is not a WordPress object: is this a "
                                 "WordPress site?")
        return answer

    def _found(self, route: str, params: dict[str, str]) -> dict[str, Any] | None:
        found = self._call("GET", route, params=params)
        if not isinstance(found, list):
            raise WordPressError(f"{self.base}: {route} answered with something that is not a list: is this a WordPress site?")
        return self._one(route, found[0]) if found else None

    def page(self, slug: str) -> dict[str, Any] | None:
        return self._found("pages", {"slug": slug, "status": "publish,draft,pending,private,future", "context": "edit"})

    def media(self, slug: str) -> dict[str, Any] | None:
        return self._found("media", {"slug": slug})

    def create_page(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self._one("pages", self._call("POST", "pages", json=fields))

    def update_page(self, page_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._one("pages", self._call("POST", f"pages/{int(page_id)}", json=fields))

    def upload(self, name: str, data: bytes, kind: str, slug: str, title: str) -> dict[str, Any]:
        return self._one("media", self._call("POST", "media", content=data, params={"slug": slug, "title": title},
                                             headers={"Content-Type": kind, "Content-Disposition": f'attachment; filename="{name}"'}))


def _text_of(value: Any, key: str) -> str:
    """value[key] where WordPress gave it as text; "" for anything else (a crafted answer)."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


def _said(response: httpx.Response) -> str:
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return " ".join(str(message or response.reason_phrase).split())[:200]


@dataclass
class Settings:
    """Where to publish: the site and the user (office.yaml `publishing.wordpress`), and the
    application password (from the environment only: never a file in the repository, never a
    command-line argument, which other users of the machine can see)."""

    url: str
    user: str
    register_page: str = "decision-register"
    password: str = field(default="", repr=False)

    @classmethod
    def from_environment(cls, url: str, user: str, register_page: str) -> "Settings":
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise WordPressError(f"set {PASSWORD_VARIABLE} to the application password of {user} on {url} "
                                 "(WordPress: Users, Profile, Application Passwords)")
        return cls(url, user, register_page, password)


def page_slug(row: dict[str, Any], site_host: str) -> str:
    """A decision's page: the address the office already uses for it, where the record gives
    one on the same site (.../pcc-d-102/ -> pcc-d-102), else the register's own (pcc-d-102)."""
    published = row.get("published_url") or ""
    parts = urlsplit(published)
    if parts.hostname and parts.hostname == site_host:
        last = [p for p in parts.path.split("/") if p]
        if len(last) == 1 and _SLUG.match(last[0]):
            return last[0]
    return row["url"].rstrip("/").rsplit("/", 1)[-1]


def push(site: Path, settings: Settings, client: Client, dry_run: bool = False,
         say: Callable[[str], None] = lambda line: None) -> list[Change]:
    """Put the published site on WordPress; the changes made (or, dry, to be made)."""
    try:
        data = json.loads((site / "decisions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WordPressError(f"{site}: no published register to put on WordPress ({exc}); run `decisions publish` first") from None
    host = urlsplit(settings.url).hostname or ""
    changes: list[Change] = []
    listed = []
    for row in data.get("decisions", []):
        if row.get("part2"):
            listed.append((row, None))
            continue
        slug = page_slug(row, host)
        folder = _folder_of(site, row)
        links = []
        for suffix in ("pdf", "docx"):
            path = folder / f"{folder.name}.{suffix}"
            if not path.is_file():
                continue
            body = path.read_bytes()
            media_slug = f"{folder.name}-{suffix}-{hashlib.sha256(body).hexdigest()[:16]}"
            found = client.media(media_slug)
            if found is None:
                changes.append(Change("upload", path.name))
                say(str(changes[-1]))
                if not dry_run:
                    found = client.upload(path.name, body, _TYPES[suffix], media_slug, f"{row['reference']} ({suffix.upper()})")
                    if found.get("slug") != media_slug:
                        raise WordPressError(f"WordPress named the upload of {path.name} {found.get('slug')!r}, not {media_slug!r}")
            url = _text_of(found, "source_url")
            links.append((suffix.upper(), url, len(body)))
        fragment = (folder / f"{folder.name}.fragment.html")
        text = fragment.read_text(encoding="utf-8") if fragment.is_file() else ""
        text = re.sub(r"^<!--.*?-->\n", "", text, count=1, flags=re.S)
        content = _page(row, text, links)
        _put_page(client, slug, f"{row['reference']}: {row['subject']}", content, row["reference"], changes, dry_run, say)
        listed.append((row, slug))
    register = _register(listed, settings.url)
    _put_page(client, settings.register_page, "Decision register", register, "register", changes, dry_run, say)
    return changes


def _folder_of(site: Path, row: dict[str, Any]) -> Path:
    """The decision's folder in the published site, from its register address."""
    path = urlsplit(row["url"]).path.strip("/").split("/")
    term, slug = path[-2], path[-1]
    for folder in (site / "decisions" / term / slug, site / term / slug):
        if folder.is_dir():
            return folder
    raise WordPressError(f"{site}: the published site has no folder for {row['reference']}; run `decisions publish` again")


def _page(row: dict[str, Any], fragment: str, links: list[tuple[str, str, int]]) -> str:
    mark = MARK.format(reference=escape(row["reference"]))
    steps = "".join(Markup("<p><strong>{} on {}</strong>: {}</p>").format(s["event"].capitalize(), s["date"], s["note"])
                    for s in row.get("steps", []))
    files = "".join(Markup('<li><a href="{}">The decision paper ({}, {} KB)</a></li>').format(
        url, {"PDF": "PDF", "DOCX": "Word"}[kind], max(1, size // 1024)) for kind, url, size in links if url)
    return f"{mark}\n{steps}{'<ul>' + files + '</ul>' if files else ''}\n{fragment}".strip() + "\n"


def _register(listed: list[tuple[dict[str, Any], str | None]], base: str) -> str:
    items = []
    for row, slug in listed:
        if slug is None:
            items.append(Markup("<li>{}: {} (not published in full: {})</li>").format(
                row["reference"], row["subject"], row.get("withheld_reason") or ""))
        else:
            items.append(Markup('<li><a href="{}">{}</a>: {}</li>').format(base.rstrip("/") + "/" + slug + "/",
                                                                            row["reference"], row["subject"]))
    return MARK.format(reference="register") + "\n<ul>\n" + "\n".join(items) + "\n</ul>\n"


def _put_page(client: Client, slug: str, title: str, content: str, owner: str, changes: list[Change], dry_run: bool,
              say: Callable[[str], None]) -> None:
    """Create the page, or update it where its content or title changed; refuse a page the
    engine did not make, and a slug WordPress changed."""
    page = client.page(slug)
    if page is None:
        changes.append(Change("create page", slug))
        say(str(changes[-1]))
        if not dry_run:
            made = client.create_page({"slug": slug, "title": title, "content": content, "status": "publish"})
            if made.get("slug") != slug:
                raise WordPressError(f"WordPress gave the page for {owner} the address {made.get('slug')!r}, not {slug!r} "
                                     "(the address is taken, perhaps by a page in the bin): free it, then publish again")
        return
    raw = _text_of(page.get("content"), "raw")
    if not raw.startswith(_MARK_START):
        raise WordPressError(f"the page {slug!r} on WordPress was not made by the engine: it is never touched; give the "
                             "decision another address, or move that page")
    if raw == content and _text_of(page.get("title"), "raw") == title:
        return
    changes.append(Change("update page", slug))
    say(str(changes[-1]))
    if not dry_run:
        client.update_page(page["id"], {"title": title, "content": content})
