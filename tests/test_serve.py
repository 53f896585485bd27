"""`decisions serve`, the officers' editor, driven as a browser would drive it (its forms read
from the pages it serves, posted back): what it refuses, what it checks, what it saves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from engine.cli import main
from engine.serve.app import COOKIE, make_app
from engine.serve.form import posted_items

from .support import ROOT, make_project

PLACE = "2021-2024/PCC-D-102.yaml"


def form_of(page: str) -> list[tuple[str, str]]:
    """The page's form as a browser would post it (the editor's own reading of a drawn form)."""
    return posted_items(page)


def with_(items: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    names = {k.replace("__", "."): v for k, v in changes.items()}
    return [(k, names.get(k, v)) for k, v in items]


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    project = make_project(tmp_path)
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    # What a browser gets, an error page and all (not the server's exception raised in the test).
    return TestClient(make_app(project, token="the-token"), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)


def opened(client: TestClient, place: str = PLACE) -> str:
    response = client.get("/edit", params={"record": place})
    assert response.status_code == 200, response.text
    return response.text


# --- what it refuses ------------------------------------------------------------------------------


@pytest.mark.parametrize("place", ["../office.yaml", "/etc/passwd", "2021-2024/../../office.yaml", "2021-2024/PCC-D-102.yaml\x00",
                                   "", "2021-2024", "..", "%2e%2e/office.yaml"])
def test_a_record_the_archive_does_not_hold_is_not_opened(client: TestClient, place: str) -> None:
    response = client.get("/edit", params={"record": place})
    assert response.status_code == 404 and "no such record in this archive" in response.text
    assert "Traceback" not in response.text and "root:" not in response.text


def test_a_change_without_the_pages_token_is_refused(client: TestClient, tmp_path: Path) -> None:
    page = opened(client)
    items = form_of(page)
    before = (tmp_path / "records" / PLACE).read_bytes()
    forged = with_(items, csrf="guessed", op="save")
    response = client.post("/edit", data=dict(forged))
    assert response.status_code == 403 and "this page is out of date" in response.text
    client.cookies.clear()
    response = client.post("/edit", data={**dict(items), "op": "save"})
    assert response.status_code == 403
    assert (tmp_path / "records" / PLACE).read_bytes() == before


def test_a_change_from_another_sites_page_is_refused(client: TestClient) -> None:
    items = form_of(opened(client))
    response = client.post("/edit", data={**dict(items), "op": "save"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "came from another site&#39;s page" in response.text


def test_the_session_cookie_is_strict_and_not_for_scripts(client: TestClient) -> None:
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=the-token") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]


def test_a_form_past_any_records_size_is_refused(client: TestClient) -> None:
    opened(client)
    response = client.post("/edit", content=b"csrf=the-token&" + b"x" * 5_000_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "too large" in response.text


def test_serving_beyond_this_machine_warns_that_there_is_no_sign_in(tmp_path: Path, monkeypatch) -> None:
    import uvicorn

    make_project(tmp_path)
    ran = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: ran.append(kw))
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "warning: listening on 0.0.0.0: anyone who can reach this machine on port 8123 can read and change the records" in result.output
    assert ran == [{"host": "0.0.0.0", "port": 8123, "log_level": "warning", "server_header": False}]
    ran.clear()
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "serve"])
    assert "warning" not in result.output and ran[0]["host"] == "127.0.0.1"


# --- the list -------------------------------------------------------------------------------------


def test_the_list_searches_and_filters_in_the_address(client: TestClient) -> None:
    page = client.get("/").text
    assert "PCC/D/102</a>" in page and "1 of 1 records." in page
    assert "0 of 1 records." in client.get("/", params={"q": "precept"}).text
    page = client.get("/", params={"q": "moj funding", "status": "approved"}).text
    assert "1 of 1 records." in page and '<option selected>approved</option>' in page
    assert "No record matches" in client.get("/", params={"status": "draft"}).text


def test_a_new_decision_takes_the_next_free_reference(client: TestClient, tmp_path: Path) -> None:
    client.get("/")
    response = client.post("/new", data={"csrf": "the-token", "date": "2023-10-01", "kind": "funding_allocation"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    place = response.headers["location"].split("record=")[1].replace("%2F", "/")
    assert (tmp_path / "records" / place).exists()
    page = opened(client, place)
    assert "placeholder not filled in" in page


# --- the form -------------------------------------------------------------------------------------


def test_the_form_has_every_field_of_the_record(client: TestClient) -> None:
    page = opened(client)
    names = {name for name, _ in form_of(page)}
    for name in ("f.reference", "f.subject", "f.funding.0.amount", "f.funding.0.fund", "f.sections.0.heading",
                 "f.approval.name", "f.route_to_market.method", "f.history.0.event"):
        assert name in names, name
    assert '<input type="text" id="f-approval-date" name="f.approval.date" value="not stated">' in page  # as the paper gives it


def test_an_untouched_form_saved_changes_nothing(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    before = path.read_bytes()
    page = opened(client)
    response = client.post("/edit", data={**dict(form_of(page)), "op": "save"})
    assert response.status_code == 200 and "Saved 2021-2024/PCC-D-102.yaml." in response.text, response.text[-2000:]
    assert path.read_bytes() == before


def test_a_problem_appears_at_its_field_and_goes_when_fixed(client: TestClient) -> None:
    items = form_of(opened(client))
    wrong = with_(items, f__subject="")
    response = client.post("/edit", data={**dict(wrong), "op": "check"}, headers={"Accept": "application/json"})
    data = response.json()
    assert any("subject" in key for key in data["fields"]), data["fields"]
    assert data["errors"] >= 1 and data["warnings"] == 0
    fixed = client.post("/edit", data={**dict(items), "op": "check"}, headers={"Accept": "application/json"}).json()
    assert not any("subject" in key for key in fixed["fields"])
    assert "PCC/D/102" in fixed["preview"] and "PCC/D/102" in fixed["public_preview"]


# --- saving -------------------------------------------------------------------------------------


def test_a_change_saved_is_in_the_file_checks_clean_and_saves_again_unchanged(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    items = with_(form_of(opened(client)), f__subject="Allocation of MoJ Funding: #KnifeFree and 'quotes' 2023-2024")
    page = client.post("/edit", data={**dict(items), "op": "save"}).text
    assert "Saved 2021-2024/PCC-D-102.yaml." in page
    assert "Allocation of MoJ Funding: #KnifeFree and 'quotes' 2023-2024" in path.read_text(encoding="utf-8")
    once = path.read_bytes()
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "check", str(path)])
    # Approved and sealed? Not here: the test project keeps no ledger, so the edit checks clean.
    assert result.exit_code == 0 and result.output.endswith("1 record checked: 0 errors, 0 warnings\n"), result.output
    again = client.post("/edit", data={**dict(form_of(page)), "op": "save"})
    assert again.status_code == 200 and path.read_bytes() == once


def test_a_file_changed_on_disk_since_it_was_opened_is_not_overwritten(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    items = with_(form_of(opened(client)), f__subject="The officer's subject")
    path.write_text(path.read_text(encoding="utf-8").replace("subject: Allocation", "subject: Someone else's Allocation"),
                    encoding="utf-8")
    theirs = path.read_bytes()
    response = client.post("/edit", data={**dict(items), "op": "save"})
    assert response.status_code == 409 and "Nothing was saved, and your changes are still in the form below." in response.text
    assert path.read_bytes() == theirs
    assert 'value="The officer&#39;s subject"' in response.text  # what the officer typed is kept
    # Shown the conflict, the officer saves again to keep theirs.
    kept = client.post("/edit", data={**dict(form_of(response.text)), "op": "save"})
    assert kept.status_code == 200 and "subject: The officer's subject" in path.read_text(encoding="utf-8")


def test_a_funding_line_is_added_and_removed_from_the_keyboard(client: TestClient) -> None:
    items = form_of(opened(client))
    page = client.post("/edit", data={**dict(items), "op": "add:f.funding"}).text
    assert 'name="f.funding.1.service"' in page and "Remove funding line 2</button>" in page
    page = client.post("/edit", data={**dict(form_of(page)), "op": "remove:f.funding.1"}).text
    assert 'name="f.funding.1.service"' not in page


def test_a_record_that_cannot_be_read_shows_where(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    path.write_text("reference: PCC/D/102\nsubject: [unclosed\n", encoding="utf-8")
    page = client.get("/edit", params={"record": PLACE})
    assert page.status_code == 200 and "2021-2024/PCC-D-102.yaml cannot be read as a record" in page.text
    assert "<li>line 3, column 1: malformed YAML: while parsing a flow sequence" in page.text


def test_a_request_that_fails_keeps_what_the_officer_typed(client: TestClient, monkeypatch) -> None:
    items = with_(form_of(opened(client)), f__subject="What the officer typed")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("engine.papers.render_sources", broken)
    response = client.post("/edit", data={**dict(items), "op": "docx"})
    assert response.status_code == 500 and "nothing was saved, and what you typed is still in the form" in response.text
    assert 'value="What the officer typed"' in response.text and "Traceback" not in response.text


# --- from the hostile review of the editor ------------------------------------------------------------


@pytest.mark.parametrize("old,new", [
    ("kind: commissioning", "kind: comissioning"),  # not one of the choices
    ("subject: Allocation", "subjet: typo\nsubject: Allocation"),  # a field the form cannot show
    ("status: draft", "status: draft\nkey_decision: 'yes'"),  # the wrong type
    ("partners:\n", "partners:\n  - ''\n"),  # an empty item
    ("report_of: Police and Crime Commissioner", "report_of: '  Police and Crime Commissioner  '"),  # spaces around words
    ("recommendation: To note decision", "recommendation: |\n  To note decision\n"),  # a block's last newline
], ids=["an unknown kind", "an unknown field", "a wrong type", "an empty list item", "padded words", "a literal block"])
def test_an_untouched_form_saved_keeps_what_it_cannot_show(client: TestClient, tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "records" / PLACE
    text = path.read_text(encoding="utf-8").replace("status: approved", "status: draft")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = path.read_bytes()
    page = opened(client)
    response = client.post("/edit", data={**dict(form_of(page)), "op": "save"})
    assert "Saved 2021-2024/PCC-D-102.yaml." in response.text
    assert path.read_bytes() == before


def test_a_value_not_given_is_not_given_a_form_the_officer_did_not_choose(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recommendation: To note decision\n", ""), encoding="utf-8")
    items = form_of(opened(client))
    assert ("f.recommendation.__form", "") in items
    page = client.post("/edit", data={**dict(with_(items, f__subject="Changed subject")), "op": "save"}).text
    assert "Saved" in page and "recommendation:" not in path.read_text(encoding="utf-8")


def test_a_request_naming_another_host_is_refused(client: TestClient) -> None:
    response = client.get("/", headers={"Host": "attacker.example:8000"})
    assert response.status_code == 400 and "decisions_editor" not in response.headers.get("set-cookie", "")


def test_a_character_no_record_can_hold_is_a_problem_at_its_field(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "records" / PLACE
    before = path.read_bytes()
    items = with_(form_of(opened(client)), f__subject="Pasted from Word\x0bwith a vertical tab")
    response = client.post("/edit", data={**dict(items), "op": "save"})
    assert response.status_code == 400 and "Nothing was saved: mend the problem marked first." in response.text
    assert 'id="f-subject-problems"' in response.text and "U+000B" in response.text
    assert "Pasted from Word" in response.text and path.read_bytes() == before
    data = client.post("/edit", data={**dict(items), "op": "check"}, headers={"Accept": "application/json"}).json()
    assert any("U+000B" in m for m in data["fields"]["f-subject"])


@pytest.mark.parametrize("text,message", [
    (b"- a\n- b\n", "not a record: a record is a list of fields"),
    (b"subject: \xff\xfe\n", "not UTF-8"),
])
def test_a_file_that_is_no_record_is_not_opened_as_an_empty_form(client: TestClient, tmp_path: Path, text: bytes, message: str) -> None:
    (tmp_path / "records" / PLACE).write_bytes(text)
    page = client.get("/edit", params={"record": PLACE})
    assert page.status_code == 200 and "cannot be read as a record" in page.text and message in page.text
    assert 'id="ed-form"' not in page.text


def test_a_link_out_of_the_archive_is_neither_listed_nor_opened(client: TestClient, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.yaml").write_text("reference: PCC/D/900\nsubject: TOP SECRET\n", encoding="utf-8")
    (outside / "dir" / "PCC-D-901.yaml").write_text("reference: PCC/D/901\nsubject: ALSO SECRET\n", encoding="utf-8")
    (tmp_path / "records" / "2021-2024" / "evil.yaml").symlink_to(outside / "secret.yaml")
    (tmp_path / "records" / "linked").symlink_to(outside / "dir")
    page = client.get("/").text
    assert "SECRET" not in page and "1 of 1 records." in page
    for place in ("2021-2024/evil.yaml", "linked/PCC-D-901.yaml"):
        response = client.get("/edit", params={"record": place})
        assert response.status_code == 404 and "SECRET" not in response.text


@pytest.mark.parametrize("change", [
    {"csrf": "é"},
    {"f.funding.00001.amount": "5"},
    {"op": "add:f.."},
    {"op": "add:f.subject.0.x"},
    {"op": "remove:f.funding.99"},
], ids=["a token not ASCII", "an index written 00001", "an empty place", "a place inside text", "no such item"])
def test_a_crafted_form_is_a_message_not_a_failure(client: TestClient, change: dict) -> None:
    items = {**dict(form_of(opened(client))), "op": "check", **change}
    response = client.post("/edit", data=items)
    assert response.status_code in (200, 400, 403) and "could not do this" not in response.text, response.text[-500:]


def test_a_new_decision_on_a_day_no_term_holds_is_refused_with_a_message(client: TestClient) -> None:
    client.get("/")
    response = client.post("/new", data={"csrf": "the-token", "date": "9999-12-31"})
    assert response.status_code == 400 and "no new decision:" in response.text


def test_serving_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    import socket

    make_project(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "serve", "--port", str(port)])
    assert result.exit_code == 1 and result.output == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_the_papers_of_the_form_as_it_stands_come_back_as_word_and_pdf(client: TestClient) -> None:
    from .text import docx_text, normalise, pdf_text

    items = with_(form_of(opened(client)), f__subject="Allocation of MoJ Funding, as edited")
    word = client.post("/edit", data={**dict(items), "op": "docx"})
    assert word.headers["content-disposition"] == 'attachment; filename="pcc-d-102.docx"'
    assert "Allocation of MoJ Funding, as edited" in normalise(docx_text(word.content))
    pdf = client.post("/edit", data={**dict(items), "op": "public-pdf"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="pcc-d-102.public.pdf"'
    assert "Allocation of MoJ Funding, as edited" in normalise(pdf_text(pdf.content))


def test_a_paragraph_is_made_part_2_by_its_own_switch(client: TestClient, tmp_path: Path) -> None:
    """Each paragraph has its Part 2 switch at hand, written as text or not; the public preview
    then leaves it out."""
    path = tmp_path / "records" / PLACE
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: draft"), encoding="utf-8")
    page = opened(client)
    assert '<label for="f-sections-0-content-0-__confidential">Paragraph 1: confidential (Part 2)</label>' in page
    items = {**dict(form_of(page)), "f.sections.0.content.0.__confidential": "true"}
    response = client.post("/edit", data={**items, "op": "check"}, headers={"Accept": "application/json"}).json()
    assert "A service to deliver support" in response["preview"] and "PART 2" in response["preview"]
    assert "A service to deliver support" not in response["public_preview"]
    saved = client.post("/edit", data={**items, "op": "save"})
    assert "Saved" in saved.text and "confidential: true" in path.read_text(encoding="utf-8")


def test_after_adding_or_moving_an_item_the_page_opens_at_it(client: TestClient) -> None:
    items = form_of(opened(client))
    page = client.post("/edit", data={**dict(items), "op": "add:f.funding"}).text
    assert page.count(" autofocus ") == 1 and '<input type="text" autofocus id="f-funding-1-recipient"' in page
    page = client.post("/edit", data={**dict(form_of(page)), "op": "up:f.funding.1"}).text
    assert '<input type="text" autofocus id="f-funding-0-recipient"' in page
