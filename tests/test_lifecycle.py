"""A decision's life: draft, submitted, approved (and sealed), corrected, superseded and
withdrawn, each step marked on the paper and recorded in the ledger; and an approved decision
that changes silently, or a ledger edited by hand, fails `check`."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

from .support import ROOT, SEED, make_project
from .text import docx_text, html_text, normalise, pdf_text

REF = "PCC/D/102"


def draft_text() -> str:
    """The seed record as a draft: no approval yet."""
    text = SEED.read_text(encoding="utf-8")
    start, end = text.index("\napproval:\n"), text.index("\npublication:\n")
    return (text[:start] + "\n" + text[end:]).replace("status: approved", "status: draft")


def draft_project(tmp_path: Path) -> Path:
    make_project(tmp_path)
    (tmp_path / "records" / "2021-2024" / SEED.name).write_text(draft_text(), encoding="utf-8")
    return tmp_path / "office.yaml"


def cli(office: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(office), *args])
    assert "Traceback" not in result.output and "This is a bug" not in result.output, result.output
    return result.exit_code, result.output


def marks(office: Path) -> dict[str, str]:
    """The Word paper's body and header and the web paper's text, as a reader gets them."""
    out = office.parent / "out"
    code, output = cli(office, "render", REF, "--format", "docx,html", "--out", str(out))
    assert code == 0, output
    return {"docx": normalise(docx_text((out / "pcc-d-102.docx").read_bytes())),
            "html": normalise(html_text((out / "pcc-d-102.internal.html").read_bytes()))}


def ledger(office: Path) -> list[dict]:
    path = office.parent / "records" / "ledger.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def record_of(office: Path) -> Path:
    return office.parent / "records" / "2021-2024" / SEED.name


def register(office: Path, reference: str = REF) -> tuple[str | None, str | None, dict | None]:
    """Publish, and read back the decision's register page, its feed entry and its open data row
    (None where the register does not have it)."""
    code, output = cli(office, "publish")
    assert code == 0, output
    site = office.parent / "build" / "site"
    page = site / "decisions" / "2021-2024" / reference.replace("/", "-").lower() / "index.html"
    feed = (site / "feed.atom").read_text(encoding="utf-8")
    entry = next((e for e in feed.split("<entry>")[1:] if f"<title>{reference}:" in e), None)
    rows = json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    return (page.read_text(encoding="utf-8") if page.exists() else None, entry,
            next((r for r in rows if r["reference"] == reference), None))


def verdict(office: Path) -> str:
    return cli(office, "check")[1].splitlines()[-1]


def test_a_decision_from_draft_to_withdrawn(tmp_path: Path) -> None:
    """What an officer and a governance officer do, step by step, and what each step shows: the
    paper's mark, check's verdict, the ledger, the register's page, its feed entry, its open data."""
    office = draft_project(tmp_path)
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    papers = marks(office)
    assert all("DRAFT – NOT APPROVED" in text and "Signature: ____" in text for text in papers.values()), papers
    assert ledger(office) == []
    assert register(office) == (None, None, None)  # a draft is not published

    # Submitted for decision.
    code, output = cli(office, "submit", REF)
    assert code == 0 and output.endswith(f"PCC-D-102.yaml: {REF} submitted for decision\n"), output
    assert "status: submitted\n" in record_of(office).read_text(encoding="utf-8")
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    papers = marks(office)
    assert all("FOR DECISION" in text and "DRAFT" not in text for text in papers.values()), papers
    code, output = cli(office, "submit", REF)
    assert code == 1 and "it is submitted, not a draft" in output
    assert ledger(office) == []
    assert register(office) == (None, None, None)  # nor is a paper before its decision

    # Approved, with the office's statement of the signature, and sealed.
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07",
                       "--signature", "Wet signed copy held at the Office of the PCC")
    assert code == 0 and f"{REF} approved by Festus Akinbusoye on 2023-09-07, and sealed in ledger.jsonl" in output, output
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    papers = marks(office)
    for text in papers.values():
        assert "FOR DECISION" not in text and "DRAFT" not in text and "____" not in text
        assert "Festus Akinbusoye" in text and "Wet signed copy held at the Office of the PCC" in text and "07/09/2023" in text
    [sealed] = ledger(office)
    assert (sealed["event"], sealed["reference"], sealed["status"], sealed["seq"], sealed["prev"]) == ("sealed", REF, "approved", 1, "")
    assert sealed["text"] == record_of(office).read_text(encoding="utf-8")  # the version sealed, kept
    page, entry, row = register(office)
    assert "<dd>Approved</dd>" in page and "Earlier versions" not in page and "reg-step" not in page
    assert "<updated>2023-09-06T00:00:00Z</updated>" in entry and "<summary>Commissioning, 6 September 2023, £40,000" in entry
    assert (row["status"], row["steps"], row["earlier_versions"], row["total_amount"]) == ("approved", [], [], "40000")

    # A silent change fails check, naming the field; a correction records it and moves the seal on.
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "error: funding: PCC/D/102 was sealed on" in output and "has changed since: funding." in output, output
    code, output = cli(office, "publish")  # nor does the register take it: it keeps the paper as sealed
    assert code == 1 and "has changed since: funding." in output and "is left as it was" in output, output
    assert (office.parent / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102" / "index.html").read_text(encoding="utf-8") == page
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000, not £40,000.",
                       "--date", "2023-10-02")
    assert code == 0 and "corrected (funding)" in output, output
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    text = record.read_text(encoding="utf-8")
    assert "corrections:\n- date: 2023-10-02\n  by: Governance Officer\n  fields:\n  - funding\n" in text
    assert [e["event"] for e in ledger(office)] == ["sealed", "corrected"]
    for kind, text in marks(office).items():  # the erratum is on the paper, after the approval
        erratum = text.find("Corrections: 02/10/2023, Governance Officer (funding): The award is £38,000, not £40,000.")
        assert erratum > text.index("Festus Akinbusoye"), (kind, text[-300:])
    page, entry, row = register(office)
    assert "Corrected on 2 October 2023</strong>: The award is £38,000, not £40,000." in page
    assert '<a href="pcc-d-102.v1.pdf">As approved on 7 September 2023 (PDF, ' in page  # the earlier version, at its own address
    folder = office.parent / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102"
    earlier, current = (normalise(pdf_text((folder / name).read_bytes())) for name in ("pcc-d-102.v1.pdf", "pcc-d-102.pdf"))
    assert "MoJ B992 – £40,000" in earlier and "£38,000" not in earlier and "Corrections:" not in earlier
    assert "MoJ B992 – £38,000" in current and "MoJ B992 – £40,000" not in current
    assert "<updated>2023-10-02T00:00:00Z</updated>" in entry
    assert "<summary>Corrected on 2 October 2023: The award is £38,000, not £40,000. Commissioning, 6 September 2023, £38,000" in entry
    assert row["total_amount"] == "38000" and [s["event"] for s in row["steps"]] == ["corrected"]
    assert row["earlier_versions"] == [{"version": 1, "event": "sealed", "date": "2023-09-07",
                                        "url": "https://www.bedfordshire.pcc.police.uk/decision-register/decisions/2021-2024/pcc-d-102/pcc-d-102.v1.pdf"}]

    # Superseded by a new decision, linked both ways.
    new = record.with_name("PCC-D-130.yaml")
    new.write_text(draft_text().replace(f"reference: {REF}", "reference: PCC/D/130").replace(
        "\nrecommendation:", f"\nlinks:\n- relation: supersedes\n  reference: {REF}\nrecommendation:"), encoding="utf-8")
    code, output = cli(office, "approve", "PCC/D/130", "--by", "Festus Akinbusoye", "--date", "2023-11-30", "--signature", "Signed")
    assert code == 0, output
    code, output = cli(office, "check")
    assert code == 0 and f"{REF} is superseded by this decision, but its record still says approved" in output, output
    code, output = cli(office, "status", REF, "superseded", "--by", "Festus Akinbusoye", "--why", "Superseded by PCC/D/130.",
                       "--date", "2023-12-01")
    assert code == 0 and f"{REF} superseded; recorded in ledger.jsonl" in output, output
    assert verdict(office) == "2 records checked: 0 errors, 0 warnings"
    assert all("SUPERSEDED" in text and "____" not in text for text in marks(office).values())
    page, entry, row = register(office)
    assert "<dd>Superseded</dd>" in page and "Superseded on 1 December 2023</strong>: Superseded by PCC/D/130." in page
    assert 'Superseded by <a href="../../../decisions/2021-2024/pcc-d-130/index.html">PCC/D/130</a>' in page
    assert "pcc-d-102.v1.pdf" in page  # still there
    assert "<updated>2023-12-01T00:00:00Z</updated>" in entry and "<summary>Superseded on 1 December 2023: Superseded by PCC/D/130." in entry
    assert row["status"] == "superseded" and [x["reference"] for x in row["linked_from"]] == ["PCC/D/130"]

    # Withdrawn: it stays at its address, with its status, date and note.
    code, output = cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn pending review",
                       "--date", "2023-12-04")
    assert code == 0 and f"{REF} withdrawn; recorded in ledger.jsonl" in output, output
    assert verdict(office) == "2 records checked: 0 errors, 0 warnings"
    assert all("WITHDRAWN" in text and "____" not in text for text in marks(office).values())
    page, entry, row = register(office)
    assert "<dd>Withdrawn</dd>" in page and "Withdrawn on 4 December 2023</strong>: Withdrawn pending review" in page
    assert "<updated>2023-12-04T00:00:00Z</updated>" in entry and "<summary>Withdrawn on 4 December 2023: Withdrawn pending review. " in entry
    assert row["status"] == "withdrawn" and [s["event"] for s in row["steps"]] == ["corrected", "superseded", "withdrawn"]
    entries = ledger(office)
    assert [(e["event"], e["reference"]) for e in entries] == [
        ("sealed", REF), ("corrected", REF), ("sealed", "PCC/D/130"), ("superseded", REF), ("withdrawn", REF)]
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]


def approved(tmp_path: Path) -> Path:
    office = draft_project(tmp_path)
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07",
                       "--signature", "Wet signed copy held at the Office of the PCC")
    assert code == 0, output
    return office


@pytest.mark.parametrize("old,new,field", [
    ("subject: Allocation of MoJ Funding", "subject: Allocation of Home Office Funding", "subject"),
    ("recommendation: To note decision", "recommendation: To approve the award", "recommendation"),
    ("          A service to deliver support", "          A service to deliver help", "sections"),
    ("  name: Festus Akinbusoye", "  name: F. Akinbusoye", "approval"),
], ids=["subject", "recommendation", "narrative", "approver"])
def test_editing_a_sealed_field_by_hand_fails_check_naming_it(tmp_path: Path, old: str, new: str, field: str) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    text = record.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    record.write_text(text.replace(old, new), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and f"has changed since: {field}. An approved decision changes only by a correction" in output, output


@pytest.mark.parametrize("edit,message", [
    (lambda lines: [lines[0].replace('"approved"', '"declined"')], "does not match its hash: it was edited by hand"),
    (lambda lines: [lines[1], lines[0]], "does not follow the entry before it"),
    (lambda lines: lines[1:], "does not follow the entry before it"),
    (lambda lines: [*lines, "not json"], "not a ledger entry (a line of JSON)"),
], ids=["an entry rewritten", "entries reordered", "an entry deleted", "a line added"])
def test_a_ledger_edited_by_hand_fails_check(tmp_path: Path, edit, message: str) -> None:
    office = approved(tmp_path)
    code, output = cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn.", "--date", "2023-12-01")
    assert code == 0, output
    path = office.parent / "records" / "ledger.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "records/ledger.jsonl:" in output and message in output and "[sealed]" in output, output


def test_deleting_a_decisions_only_seal_fails_check(tmp_path: Path) -> None:
    """The last entry has no successor to break: the decision it sealed is then unsealed."""
    office = approved(tmp_path)
    path = office.parent / "records" / "ledger.jsonl"
    path.write_text("", encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "PCC/D/102 is approved but not sealed in ledger.jsonl: `decisions seal PCC/D/102` seals it" in output


def test_a_silent_status_change_fails_check(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn"), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "is sealed as approved, not withdrawn: `decisions status PCC/D/102 withdrawn" in output, output


def test_a_signed_copy_is_kept_with_its_hash(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    signed = tmp_path / "scan.pdf"
    signed.write_bytes(b"%PDF-1.4 the signed paper")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signed-copy", str(signed))
    assert code == 0, output
    kept = record_of(office).parent / "PCC-D-102.signed.pdf"
    assert kept.read_bytes() == signed.read_bytes()
    assert f"sha256: {hashlib.sha256(signed.read_bytes()).hexdigest()}" in record_of(office).read_text(encoding="utf-8")
    assert all("Signed copy kept with the record (PCC-D-102.signed.pdf)" in text for text in marks(office).values())
    kept.write_bytes(b"%PDF-1.4 another paper")
    code, output = cli(office, "check")
    assert code == 1 and "the signed copy PCC-D-102.signed.pdf is not the one approved" in output, output


def test_a_step_that_would_leave_the_record_wrong_writes_nothing(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    before = record_of(office).read_bytes()
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2099-01-01", "--signature", "Signed")
    assert code == 1 and "nothing written" in output, output
    assert record_of(office).read_bytes() == before and not (office.parent / "records" / "ledger.jsonl").exists()
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07")
    assert code == 1 and "say how the paper was signed" in output


def test_every_approved_record_in_the_archives_is_sealed() -> None:
    """The office's archive and each example office's: every approved record has its seal."""
    for office in [ROOT / "office.yaml", *sorted((ROOT / "examples").glob("*/office.yaml"))]:
        code, output = cli(office, "check", str(office.parent / "records"))
        assert code == 0 and output.endswith(" 0 errors, 0 warnings\n"), (office, output)
        entries = ledger(office)
        assert entries and all(e["event"] == "sealed" for e in entries), office


def test_the_register_remembers(tmp_path: Path) -> None:
    """A corrected, then withdrawn decision stays at its address: its page says what happened
    and when, its feed entry moves on, its open data carries the steps."""
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    assert cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000.", "--date", "2023-10-02")[0] == 0
    site = office.parent / "build" / "site"
    code, output = cli(office, "publish")
    assert code == 0 and "published 1," in output, output
    [page] = list(site.glob("decisions/2021-2024/pcc-d-102/index.html"))
    assert "Corrected on 2 October 2023</strong>: The award is £38,000." in page.read_text(encoding="utf-8")
    assert "<updated>2023-10-02T00:00:00Z</updated>" in (site / "feed.atom").read_text(encoding="utf-8")
    assert cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn pending review.",
               "--date", "2023-12-01")[0] == 0
    code, output = cli(office, "publish")
    assert code == 0 and "published 1," in output, output
    text = page.read_text(encoding="utf-8")
    assert "<dd>Withdrawn</dd>" in text and "Withdrawn on 1 December 2023</strong>: Withdrawn pending review." in text
    assert "<updated>2023-12-01T00:00:00Z</updated>" in (site / "feed.atom").read_text(encoding="utf-8")
    [row] = json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    assert row["status"] == "withdrawn" and [s["event"] for s in row["steps"]] == ["corrected", "withdrawn"]


# --- from the hostile review of sealing ------------------------------------------------------------


def test_putting_the_status_back_by_hand_does_not_lift_the_seal(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: declined")
                      .replace("subject: Allocation of MoJ Funding", "subject: TAMPERED Allocation of MoJ Funding"), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "has changed since: subject" in output and "is sealed as approved, not declined" in output, output


def test_a_broken_ledger_vouches_for_no_record(tmp_path: Path) -> None:
    """Every approved record fails while the ledger is broken, so nothing tampered is published."""
    office = approved(tmp_path)
    path = office.parent / "records" / "ledger.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"approved"', '"declined"'), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "records/ledger.jsonl:1:1: error: entry 1 (PCC/D/102) does not match its hash" in output, output
    assert "PCC/D/102 cannot be held to its seal: ledger.jsonl line 1 is broken" in output, output
    code, output = cli(office, "publish")
    assert code == 1 and "no paper could be published" in output and "records/ledger.jsonl:1:1: error: entry 1" in output, output


def test_a_record_moved_into_a_folder_of_its_own_is_still_held(tmp_path: Path) -> None:
    office = approved(tmp_path)
    moved = office.parent / "records" / "2021-2024" / "old" / SEED.name
    moved.parent.mkdir()
    text = record_of(office).read_text(encoding="utf-8").replace("subject: Allocation", "subject: TAMPERED Allocation")
    record_of(office).unlink()
    moved.write_text(text, encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "has changed since: subject" in output, output


def test_a_sealed_record_deleted_is_missed(tmp_path: Path) -> None:
    office = approved(tmp_path)
    other = office.parent / "records" / "2021-2024" / "PCC-D-110.yaml"
    other.write_text(record_of(office).read_text(encoding="utf-8").replace("reference: PCC/D/102", "reference: PCC/D/110"),
                     encoding="utf-8")
    record_of(office).unlink()
    code, output = cli(office, "check")
    assert code == 1 and "PCC/D/102 (2021-2024) is sealed here, but no record of it was found" in output, output


def test_a_correction_is_not_rewritten(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    assert cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000.", "--date", "2023-10-02")[0] == 0
    record.write_text(record.read_text(encoding="utf-8").replace("why: The award is £38,000.", "why: A typing slip."), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "this correction is not the one the ledger recorded on 2023-10-02" in output, output


def test_a_correction_cannot_carry_a_change_of_status(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: rescinded")
                      .replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "Typing slip.", "--date", "2023-10-02")
    assert code == 1 and "a change of status is `decisions status`" in output, output


def test_a_step_killed_before_its_ledger_entry_can_be_finished(tmp_path: Path) -> None:
    """The record written, the ledger not (a killed step): running the step again records it."""
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn"), encoding="utf-8")
    code, output = cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn.", "--date", "2023-12-01")
    assert code == 0, output
    assert cli(office, "check")[1].endswith("0 errors, 0 warnings\n")
    assert [e["event"] for e in ledger(office)] == ["sealed", "withdrawn"]


@pytest.mark.parametrize("make,message", [
    (lambda d: (d / "scan.yaml", (d / "scan.yaml").write_text("x")), "a signed copy is a PDF or a scan"),
    (lambda d: (d / "link.pdf", (d / "link.pdf").symlink_to("/etc/hostname")), "a signed copy is a file (not a link"),
    (lambda d: (d / "pipe.pdf", os.mkfifo(d / "pipe.pdf")), "a signed copy is a file (not a link, a folder or a pipe)"),
], ids=["a record's suffix", "a link", "a pipe"])
def test_a_signed_copy_that_is_no_paper_is_refused(tmp_path: Path, make, message: str) -> None:
    (tmp_path / "p").mkdir()
    office = draft_project(tmp_path / "p")
    source, _ = make(tmp_path)
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signed-copy", str(source))
    assert code == 1 and message in output, output
    assert not list(record_of(office).parent.glob("*.signed*")) and not (office.parent / "records" / "ledger.jsonl").exists()


def test_a_refused_approval_leaves_no_signed_copy_behind(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    signed = tmp_path / "scan.pdf"
    signed.write_bytes(b"%PDF-1.4 the signed paper")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2099-01-01", "--signed-copy", str(signed))
    assert code == 1 and "nothing written" in output
    assert not list(record_of(office).parent.glob("*.signed*"))


def test_a_status_the_step_cannot_set_writes_nothing(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: draft", "'status': draft"), encoding="utf-8")
    before = record.read_bytes()
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 1 and "its status could not be set to approved" in output, output
    assert record.read_bytes() == before and not (office.parent / "records" / "ledger.jsonl").exists()


def test_a_ledger_entry_of_the_wrong_shape_is_reported_not_a_crash(tmp_path: Path) -> None:
    from engine.ledger import digest

    office = approved(tmp_path)
    path = office.parent / "records" / "ledger.jsonl"
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["fields"] = []
    entry["hash"] = digest({k: v for k, v in entry.items() if k != "hash"})
    path.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "not a ledger entry (a field of the wrong kind)" in output, output


@pytest.mark.parametrize("args,message", [
    (["--why", "Withdrawn.\x1b[31m", "--date", "2023-12-01"], "--why: one line of text"),
    (["--why", "x" * 1001, "--date", "2023-12-01"], "--why: one line of text, up to 1000 characters"),
    (["--why", "Withdrawn.", "--date", "2099-12-01"], "is in the future"),
    (["--why", "Withdrawn.", "--date", "1901-12-01"], "is before the decision was approved"),
], ids=["a control character", "a page of reasons", "a future day", "a day before approval"])
def test_a_steps_words_and_day_are_checked(tmp_path: Path, args: list[str], message: str) -> None:
    office = approved(tmp_path)
    code, output = cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", *args)
    assert code == 1 and message in output, output
    assert [e["event"] for e in ledger(office)] == ["sealed"]


def test_the_open_data_carries_the_ledgers_anchor(tmp_path: Path) -> None:
    office = approved(tmp_path)
    code, output = cli(office, "publish")
    assert code == 0, output
    data = json.loads((office.parent / "build" / "site" / "decisions.json").read_text(encoding="utf-8"))
    assert data["ledger"] == {"entries": 1, "head": ledger(office)[-1]["hash"]}


def test_the_previous_commissioner_cannot_approve(tmp_path: Path) -> None:
    """An approver named who was not the commissioner on the approval date writes nothing."""
    office = draft_project(tmp_path)
    before = record_of(office).read_bytes()
    code, output = cli(office, "approve", REF, "--by", "Kathryn Holloway", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 1 and "Kathryn Holloway was not the commissioner on 2023-09-07: Festus Akinbusoye was" in output, output
    assert record_of(office).read_bytes() == before


def test_a_signed_copy_named_outside_the_records_folder_is_refused(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("  signature: Wet signed copy held at the Office of the PCC\n",
                                   "  signature: Wet signed copy held at the Office of the PCC\n  signed_copy:\n"
                                   "    file: ../../office.yaml\n    sha256: '" + "0" * 64 + "'\n"), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "name the signed copy's file alone: it is kept beside the record" in output, output


def test_a_crafted_ledger_note_is_text_on_the_register(tmp_path: Path) -> None:
    """A ledger entry written by hand, with a hash to match, holding markup and a formula: the
    register prints it as text, the CSV as a cell no spreadsheet runs."""
    from engine.ledger import digest

    office = approved(tmp_path)
    assert cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn.", "--date", "2023-12-01")[0] == 0
    path = office.parent / "records" / "ledger.jsonl"
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    second["note"] = "=HYPERLINK(\"x\") <script>alert(1)</script>"
    second["hash"] = digest({k: v for k, v in second.items() if k != "hash"})
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
    code, output = cli(office, "publish")
    assert code == 0, output
    site = office.parent / "build" / "site"
    page = (site / "decisions" / "2021-2024" / "pcc-d-102" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    import csv
    import io

    [row] = csv.DictReader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8")))
    assert row["steps"] == "withdrawn 2023-12-01: =HYPERLINK(\"x\") <script>alert(1)</script>"  # a cell that starts with text


def test_a_sealed_record_that_cannot_be_read_is_not_called_missing(tmp_path: Path) -> None:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("status: approved", "status: [approved"), encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and "PCC-D-102.yaml:" in output and "no record of it was found" not in output, output


def test_the_ledger_names_the_record_within_the_archive_however_it_was_named(tmp_path: Path, monkeypatch) -> None:
    """A record named by a path relative to the working folder is kept in the ledger by its place
    in the archive (2021-2024/PCC-D-102.yaml), not by the path typed."""
    office = draft_project(tmp_path)
    monkeypatch.chdir(tmp_path.parent)
    named = os.path.relpath(record_of(office))
    code, output = cli(office, "approve", named, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 0, output
    [entry] = ledger(office)
    assert entry["record"] == f"2021-2024/{SEED.name}"


# --- earlier versions: the text a seal keeps ---------------------------------------------------------


def rewrite_ledger(office: Path, change) -> None:
    """Edit the ledger's entries and hash the chain again, as a forger would: check alone cannot
    tell (the published anchor can); what the register makes of the kept text is the test."""
    from engine.ledger import digest

    path = office.parent / "records" / "ledger.jsonl"
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    change(entries)
    previous = ""
    for entry in entries:
        entry["prev"] = previous
        entry["hash"] = previous = digest({k: v for k, v in entry.items() if k != "hash"})
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")


def corrected(tmp_path: Path, before: str = "    amount: 40000\n", after: str = "    amount: 38000\n") -> Path:
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000.", "--date", "2023-10-02")
    assert code == 0, output
    return office


@pytest.mark.parametrize("change", [
    lambda entries: entries[0].update(text=""),
    lambda entries: entries[0].update(text=7),
    lambda entries: entries[0].pop("text"),
    lambda entries: entries[1].update(event="withdrawn"),  # a status entry keeps no text
    lambda entries: entries[0].update(outputs=["docx"]),
    lambda entries: entries[0].update(outputs={"docx": "not a hash"}),
    lambda entries: entries[0].pop("outputs"),
], ids=["a seal without its text", "a text that is no text", "no text field", "a status step with a text",
        "outputs not by name", "an output's hash that is no hash", "no outputs field"])
def test_a_seal_that_keeps_no_text_or_a_step_that_keeps_one_is_the_wrong_shape(tmp_path: Path, change) -> None:
    office = corrected(tmp_path)
    rewrite_ledger(office, change)
    code, output = cli(office, "check")
    assert code == 1 and "error: not a ledger entry" in output, output


def published_page(office: Path) -> tuple[int, str, str]:
    code, output = cli(office, "publish")
    folder = office.parent / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102"
    return code, output, (folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("text,message", [
    (lambda text: text.replace("    amount: 40000\n", "    amount: 99999\n"), "the ledger's text of it is not the version the ledger recorded"),
    (lambda text: text.replace("status: approved", "status: [approved"), "the ledger's text of it cannot be read (malformed YAML"),
    (lambda text: "a: &a [" + ",".join(["*a"] * 10) + "]\n" + text, "the ledger's text of it cannot be read"),
    (lambda text: "\x00" + text, "the ledger's text of it cannot be read (binary file"),
], ids=["another amount", "broken YAML", "a YAML bomb", "binary"])
def test_an_earlier_version_the_ledger_misstates_is_not_published(tmp_path: Path, text, message: str) -> None:
    """The current paper is published; the earlier version is reported and given no address."""
    office = corrected(tmp_path)
    rewrite_ledger(office, lambda entries: entries[0].update(text=text(entries[0]["text"])))
    assert cli(office, "check")[0] == 0  # the chain holds: only the kept text is wrong
    code, output, page = published_page(office)
    assert code == 1 and f"records/2021-2024/PCC-D-102.yaml (version 1): {message}" in output, output
    assert "published 1," in output and "pcc-d-102.pdf" in page and "Earlier versions" not in page
    assert not (office.parent / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102" / "pcc-d-102.v1.pdf").exists()


def test_an_earlier_versions_part_2_text_is_not_published(tmp_path: Path) -> None:
    """Version 1 had a confidential paragraph, taken out by the correction: its earlier PDF is
    the public one, without it."""
    secret = "The rate agreed is SECRET-RATE-7731."
    office = draft_project(tmp_path)
    record = record_of(office)
    text = record.read_text(encoding="utf-8")
    sections_at = text.index("sections:\n") + len("sections:\n")
    record.write_text(text[:sections_at] + f"  - heading: Commercial terms\n    confidential: true\n    content:\n      - {secret}\n"
                      + text[sections_at:], encoding="utf-8")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 0, output
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    assert cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000.", "--date", "2023-10-02")[0] == 0
    code, output, page = published_page(office)
    assert code == 0 and "pcc-d-102.v1.pdf" in page, output
    site = office.parent / "build" / "site"
    earlier = normalise(pdf_text((site / "decisions" / "2021-2024" / "pcc-d-102" / "pcc-d-102.v1.pdf").read_bytes()))
    assert "MoJ B992 – £40,000" in earlier and "SECRET-RATE-7731" not in earlier and "Commercial terms" not in earlier
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-RATE-7731" not in data, path
            if path.suffix == ".pdf":
                assert "SECRET-RATE-7731" not in pdf_text(data), path


def test_a_superseded_decision_no_decision_names_is_warned_of(tmp_path: Path) -> None:
    office = approved(tmp_path)
    assert cli(office, "status", REF, "superseded", "--by", "Festus Akinbusoye", "--why", "Replaced.", "--date", "2023-12-01")[0] == 0
    code, output = cli(office, "check")
    assert code == 0 and ("PCC-D-102.yaml:7:1: warning: status: PCC/D/102 is superseded, but no approved decision checked with it "
                          "says it supersedes it: give the new decision `links: [{relation: supersedes, reference: PCC/D/102}]` "
                          "[superseded]") in output, output


def test_a_paper_that_renders_differently_from_its_seal_is_published_with_a_note(tmp_path: Path) -> None:
    """The house style changed after approval: the register says so, naming the decision."""
    office = approved(tmp_path)
    [entry] = ledger(office)
    assert set(entry["outputs"]) == {"docx", "html", "spec.docx"}  # its service specification is released
    code, output = cli(office, "publish")
    assert code == 0 and "note:" not in output, output
    office.write_text(office.read_text(encoding="utf-8").replace("\nauthor: ", "\nauthor: The Governance Team of ", 1), encoding="utf-8")
    code, output = cli(office, "publish")
    assert code == 0 and (f"note: {REF} is published as the engine renders it now, which differs from its papers as sealed on "
                          f"{entry['date']} (the office's house style, its templates or the engine changed since)") in output, output


def test_a_part_2_decisions_seal_holds_no_public_papers(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    record = record_of(office)
    text = record.read_text(encoding="utf-8")
    assert text.count("\npublication:\n  part: public\n") == 1
    record.write_text(text.replace("\npublication:\n  part: public\n", "\npublication:\n  part: part2\n  reason: Commercially sensitive.\n"),
                      encoding="utf-8")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 0, output
    [entry] = ledger(office)
    assert entry["outputs"] == {}


def test_a_second_correction_follows_the_first(tmp_path: Path) -> None:
    """From the hostile review: the second correction was written before the first (the items
    at the key's column were read as the next key), and the command said all was well."""
    office = corrected(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 38000\n", "    amount: 37000\n"), encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £37,000.", "--date", "2023-10-05")
    assert code == 0 and "corrected (funding)" in output, output
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    text = record.read_text(encoding="utf-8")
    assert text.index("why: The award is £38,000.") < text.index("why: The award is £37,000.")
    code, output, page = published_page(office)
    assert code == 0 and "note:" not in output, output
    assert '<a href="pcc-d-102.v1.pdf">As approved on 7 September 2023' in page
    assert '<a href="pcc-d-102.v2.pdf">As corrected on 2 October 2023' in page
    folder = office.parent / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102"
    assert "MoJ B992 – £38,000" in normalise(pdf_text((folder / "pcc-d-102.v2.pdf").read_bytes()))


def test_an_indented_list_of_corrections_gets_its_next_item_indented(tmp_path: Path) -> None:
    from engine.lifecycle import append_item

    text = "reference: X\ncorrections:\n  - date: 2023-10-02\n    by: A\nstatus: approved\n"
    assert append_item(text, "corrections", {"date": "2023-10-05", "by": "B"}) == (
        "reference: X\ncorrections:\n  - date: 2023-10-02\n    by: A\n  - date: '2023-10-05'\n    by: B\nstatus: approved\n")


# --- from the hostile review of earlier versions and the steps ----------------------------------------


def test_a_step_on_a_copy_outside_the_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "office").mkdir()
    office = draft_project(tmp_path / "office")
    elsewhere = tmp_path / "copy.yaml"
    elsewhere.write_text(record_of(office).read_text(encoding="utf-8"), encoding="utf-8")
    code, output = cli(office, "approve", str(elsewhere), "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 1 and output == (f"error: {elsewhere}: not in this office's records ({office.parent / 'records'}): "
                                    "a step is taken on the archive's own record\n"), output
    assert ledger(office) == []


def test_a_record_named_through_dot_dot_is_kept_by_its_place(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    named = office.parent / "records" / "2021-2024" / ".." / "2021-2024" / SEED.name
    assert cli(office, "approve", str(named), "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")[0] == 0
    assert ledger(office)[0]["record"] == f"2021-2024/{SEED.name}"


def test_a_ledger_that_cannot_be_written_leaves_the_record_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from engine import ledger as ledger_module

    office = draft_project(tmp_path)
    before = record_of(office).read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger_module, "append", full)
    signed = tmp_path / "scan.pdf"
    signed.write_bytes(b"%PDF-1.4 the signed paper")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signed-copy", str(signed))
    assert code == 1 and output.endswith("ledger.jsonl: cannot record the step (No space left on device): nothing written\n"), output
    assert record_of(office).read_bytes() == before
    assert not list(record_of(office).parent.glob("*.signed.*"))


def test_a_step_dated_before_the_last_step_is_refused(tmp_path: Path) -> None:
    office = approved(tmp_path)
    assert cli(office, "status", REF, "withdrawn", "--by", "Festus Akinbusoye", "--why", "Withdrawn.", "--date", "2023-11-20")[0] == 0
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("    amount: 40000\n", "    amount: 38000\n"), encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "The award is £38,000.", "--date", "2023-11-10")
    assert code == 1 and ("the correction's date 2023-11-10 is before the decision's last recorded step (2023-11-20): give the day "
                          "this step is taken") in output, output


def test_a_lock_that_is_a_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    office = draft_project(tmp_path)
    os.mkfifo(office.parent / "records" / ".ledger.jsonl.lock")
    code, output = cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")
    assert code == 1 and "the ledger's lock is not a file: remove it" in output, output


@pytest.mark.parametrize("line,message", [
    ('{"note": "\\ud800"}', "not a ledger entry (its fields are not a seal's)"),
    ("[" * 200_000 + "]" * 200_000, "not a ledger entry (a line of JSON)"),
    ('{"seq": ' + "9" * 5000 + "}", "not a ledger entry (a line of JSON)"),
], ids=["a lone surrogate", "nested past any depth", "a number past reading"])
def test_a_hostile_ledger_line_is_one_line_of_error(tmp_path: Path, line: str, message: str) -> None:
    office = approved(tmp_path)
    path = office.parent / "records" / "ledger.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    code, output = cli(office, "check")
    assert code == 1 and f"ledger.jsonl:2:1: error: {message}" in output, output


def test_a_surrogate_in_a_chained_entry_is_the_wrong_kind_not_a_crash(tmp_path: Path) -> None:
    office = corrected(tmp_path)
    path = office.parent / "records" / "ledger.jsonl"
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    entries[1]["note"] = "\ud800"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")  # ASCII escapes: valid JSON
    for command in (["check"], ["publish"], ["status", REF, "withdrawn", "--by", "A", "--why", "B", "--date", "2023-12-01"]):
        code, output = cli(office, *command)
        assert code == 1 and "not a ledger entry (a field of the wrong kind)" in output, (command, output)


@pytest.mark.parametrize("make,message", [
    (lambda path: (path.unlink(), path.symlink_to("/dev/zero")), "cannot read the ledger: not a regular file"),
    (lambda path: (path.unlink(), os.mkfifo(path)), "cannot read the ledger: not a regular file"),
], ids=["a link to a device", "a pipe"])
def test_a_ledger_that_is_no_file_is_reported_not_read(tmp_path: Path, make, message: str) -> None:
    office = approved(tmp_path)
    make(office.parent / "records" / "ledger.jsonl")
    code, output = cli(office, "check")
    assert code == 1 and message in output, output


def test_a_kept_text_past_a_records_size_is_the_wrong_kind(tmp_path: Path) -> None:
    office = approved(tmp_path)
    rewrite_ledger(office, lambda entries: entries[0].update(text=entries[0]["text"] + "#" * 1_000_001))
    code, output = cli(office, "check")
    assert code == 1 and "not a ledger entry (a field of the wrong kind)" in output, output


@pytest.mark.parametrize("change", [
    lambda entry: entry.update(text=entry["text"].replace("status: approved", "status: draft")),
    lambda entry: entry.update(text=entry["text"].replace(f"reference: {REF}", "reference: PCC/D/999"), reference="PCC/D/102"),
    lambda entry: entry.update(text=entry["text"].replace("status: approved", "status: approved\ncorrections:\n- date: 2023-09-08\n"
                                                                          "  by: Nobody\n  fields: [subject]\n  why: Forged.")),
], ids=["a draft's text", "another reference's text", "a correction the ledger never made"])
def test_a_kept_text_is_held_to_everything_the_ledger_recorded(tmp_path: Path, change) -> None:
    """From the hostile review: the fields alone leave out the status, the reference and the
    corrections, which the earlier paper prints."""
    office = corrected(tmp_path)
    rewrite_ledger(office, lambda entries: change(entries[0]))
    code, output, page = published_page(office)
    assert code == 1 and ("(version 1): the ledger's text of it is not the version the ledger recorded" in output
                          or "(version 1): the ledger's text of it cannot be read" in output), output
    assert "pcc-d-102.v1.pdf" not in page


def test_an_earlier_version_holding_what_is_now_confidential_is_not_published(tmp_path: Path) -> None:
    """From the hostile review: a correction that makes a section confidential must not leave its
    words on the register in the earlier version's PDF."""
    office = approved(tmp_path)
    record = record_of(office)
    text = record.read_text(encoding="utf-8")
    heading = "  - heading: Description of Service\n"
    assert text.count(heading) == 1
    record.write_text(text.replace(heading, heading + "    confidential: true\n"), encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "Part of it is Part 2.", "--date", "2023-10-02")
    assert code == 0, output
    code, output, page = published_page(office)
    assert code == 0 and "<li>Version 1: not published</li>" in page and "pcc-d-102.v1.pdf" not in page, output
    assert not list((office.parent / "build" / "site").rglob("*.v1.pdf"))
    [row] = json.loads((office.parent / "build" / "site" / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    assert row["earlier_versions"] == [{"version": 1, "event": "sealed", "date": ledger(office)[0]["date"], "url": None}]


def test_a_correction_can_withhold_the_paper_before_it(tmp_path: Path) -> None:
    """A name taken out by a correction: the officer says the paper before it is not published again."""
    office = approved(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace("Azalea, a Luton Based charity", "A Luton based charity"),
                      encoding="utf-8")
    code, output = cli(office, "correct", REF, "--by", "Governance Officer", "--why", "A provider's name is taken out.",
                       "--date", "2023-10-02", "--withhold-earlier")
    assert code == 0, output
    assert "  why: A provider's name is taken out.\n  withhold_earlier: true\n" in record.read_text(encoding="utf-8")
    assert verdict(office) == "1 record checked: 0 errors, 0 warnings"
    code, output, page = published_page(office)
    assert code == 0 and "<li>Version 1: not published</li>" in page, output
    assert not list((office.parent / "build" / "site").rglob("*.v1.pdf"))


def test_a_decision_that_names_itself_superseded_is_not_taken_at_its_word(tmp_path: Path) -> None:
    """From the hostile review: a link to its own reference dated in another term was taken as
    the decision superseding itself."""
    office = draft_project(tmp_path)
    record = record_of(office)
    record.write_text(record.read_text(encoding="utf-8").replace(
        "\nrecommendation:", f"\nlinks:\n- relation: supersedes\n  reference: {REF}\n  date: 2019-01-01\nrecommendation:"),
        encoding="utf-8")
    assert cli(office, "approve", REF, "--by", "Festus Akinbusoye", "--date", "2023-09-07", "--signature", "Signed")[0] == 0
    code, output = cli(office, "check")
    assert "is superseded by this decision" not in output, output
