"""The review's attacks on build, publish and the manifest (issue 9): each one reproduced, and
each answered with a clear error, nothing confidential out and nothing lost."""

from __future__ import annotations

import csv
import html
import re
import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

import engine.build
import engine.papers
from engine.cli import main
from engine.project import Project
from engine.publish import MARK, publish

from .support import SEED, blocking_soffice, check_archive, make_project, replaced, run_build, wait_for

MARKER = "ZZQ-CONFIDENTIAL-9001"
DECISIONS = str(Path(sys.executable).parent / "decisions")


def cli(project_root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--office", str(project_root / "office.yaml"), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder with the sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def pdf_words(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


CONFIDENTIAL = (
    "      - >-\n          The provider will be required",
    f"      - text: Part 2 detail {MARKER} in a paragraph.\n        confidential: true\n"
    "      - >-\n          The provider will be required",
)


# --- 1. a PDF is reused for the public site only when its bytes are the ones recorded ---------


def test_publish_never_takes_a_pdf_that_render_rewrote(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert run_build(project, jobs=1).failed == []
    record = tmp_path / "records" / "2021-2024" / SEED.name
    record.write_text(replaced(record.read_text(encoding="utf-8"), **{CONFIDENTIAL[0]: CONFIDENTIAL[1]}), encoding="utf-8")
    # render rewrites the archive's PDF (now with the Part 2 paragraph); the manifest still
    # describes the PDF of the public .docx, which the public paper is again.
    assert cli(tmp_path, "render", "PCC/D/102", "--format", "docx,pdf")[0] == 0
    assert MARKER in pdf_words(tmp_path / "build" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf")
    assert cli(tmp_path, "publish")[0] == 0
    public = tmp_path / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf"
    words = pdf_words(public)
    assert MARKER not in words and "The provider will be required" in words


def test_publish_never_takes_a_pdf_newer_than_the_manifest(tmp_path: Path) -> None:
    """A build killed between writing PDFs and rewriting its manifest leaves such PDFs."""
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    pdf = tmp_path / "build" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf"
    other = tmp_path / "build" / "2021-2024" / "pcc-d-102" / "pcc-d-102-spec.pdf"
    pdf.write_bytes(other.read_bytes())  # a whole PDF, but not the one the manifest describes
    assert publish(project).failed == []
    public = tmp_path / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf"
    assert "Sexual Exploitation Support" in pdf_words(public) and "Invitation to bid" not in pdf_words(public)


# --- 2. references matched whole, and two records for one folder an error for both ------------


@pytest.mark.parametrize("reference", ["PCC/D/102\n", "PCC/D/１０２", "PCC/D/102 ", "PCC/D/10٢", "PCC/D/102a\n"])
def test_a_reference_must_match_the_pattern_whole_in_ascii(reference: str) -> None:
    from engine.office import load_office
    from engine.records import read_record
    from engine.rules import RULES

    office = load_office(SEED.parent.parent.parent / "office.yaml")
    seed = read_record(SEED, office).decision
    assert seed is not None and list(RULES["reference-format"].check(seed, office, SEED)) == []
    crafted = seed.model_copy(update={"reference": reference})  # past the model, as a rule sees it
    [(loc, message)] = RULES["reference-format"].check(crafted, office, SEED)
    assert loc == ("reference",) and message.endswith("does not follow the office's pattern; write it like PCC/D/102")


def test_two_records_for_one_folder_fail_both_whatever_their_extensions(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    folder = tmp_path / "build" / "2021-2024" / "pcc-d-102"
    before = tree(folder)
    twin = tmp_path / "records" / "2021-2024" / "PCC-D-102.yml"
    twin.write_text(replaced(SEED.read_text(encoding="utf-8"), **{"  part: public": "  part: part2\n  reason: Exempt under section 43"}),
                    encoding="utf-8")
    code, out = cli(project.root, "check")
    assert code == 1
    assert out.count("[unique-reference]") == 2, out
    assert "PCC-D-102.yaml:3:1: error: reference: PCC/D/102 is used in the 2021-2024 term by " in out
    summary = run_build(project, jobs=1)
    assert sorted(f.source for f in summary.failed) == ["records/2021-2024/PCC-D-102.yaml", "records/2021-2024/PCC-D-102.yml"]
    assert tree(folder) == before  # neither overwrote the papers
    code, out = cli(project.root, "publish")  # both fail, so nothing can be published
    assert code == 1 and out.startswith("error: no paper could be published"), out
    assert not (tmp_path / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102").exists()


def test_unique_reference_is_a_rule_that_says_why_it_cannot_be_waived(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    text = record.read_text(encoding="utf-8")
    record.write_text(text + "waivers:\n  - rule: unique-reference\n    reason: Two papers share a number\n", encoding="utf-8")
    code, out = cli(project.root, "check")
    assert code == 1
    assert ("error: waivers[0].rule: 'unique-reference' cannot be waived: two records with one reference would overwrite "
            "each other's papers; give one of them its own reference") in out, out


# --- 3. the archive's web fragment is named as internal ----------------------------------------


def test_the_archives_web_files_are_named_internal(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    names = sorted(p.name for p in (tmp_path / "build" / "2021-2024" / "pcc-d-102").glob("*.html"))
    assert names == ["pcc-d-102-spec.internal-preview.html", "pcc-d-102-spec.internal.html",
                     "pcc-d-102.internal-preview.html", "pcc-d-102.internal.html"]


# --- 4. publish replaces only a folder of its own ------------------------------------------------


@pytest.mark.parametrize("out", ["records", "build", ".", "", "records/2021-2024", "elsewhere"])
def test_publish_never_replaces_a_folder_it_did_not_write(tmp_path: Path, out: str) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("keep me")
    before = tree(tmp_path)
    target = tmp_path / out if out else tmp_path
    code, output = cli(project.root, "publish", "--out", str(target))
    assert code == 1
    assert output.startswith("error: ") and len(output.splitlines()) == 1, output
    assert tree(tmp_path) == before


def test_publish_replaces_its_own_site_and_an_empty_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (tmp_path / "empty").mkdir()
    assert cli(project.root, "publish", "--out", str(tmp_path / "empty"))[0] == 0
    assert (tmp_path / "empty" / MARK).is_file() and (tmp_path / "empty" / "index.html").is_file()
    assert cli(project.root, "publish", "--out", str(tmp_path / "empty"))[0] == 0


def test_a_killed_publishs_staging_folders_are_swept(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    site = tmp_path / "build" / "site"
    site.parent.mkdir(parents=True)
    left = site.parent / ".site.staging-abc123"
    (left / "decisions").mkdir(parents=True)
    (left / MARK).write_text("")
    (left / "decisions" / "big.pdf").write_bytes(b"%PDF-" + bytes(4096))
    old = site.parent / ".site.old.4242"
    old.mkdir()
    (old / MARK).write_text("")
    foreign = site.parent / ".site.staging-not-ours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not publish's")
    publish(project)
    assert not left.exists() and not old.exists()
    assert (foreign / "keep.txt").read_text() == "not publish's"


# --- 5. a manifest is believed only for paths inside the archive ----------------------------------


@pytest.mark.parametrize("path", ["../../victim.txt", "/tmp/victim.txt", "2021-2024/../../victim.txt", "a\\..\\victim.txt"])
def test_a_crafted_manifest_never_deletes_outside_the_archive(tmp_path: Path, path: str) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    manifest = tmp_path / "build" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["records"][0]["outputs"].append({"path": path, "sha256": "0" * 64, "size": 8})
    data["records"].append({**data["records"][0], "source": "records/2021-2024/PCC-D-999.yaml", "reference": "PCC/D/999",
                            "outputs": [{"path": path, "sha256": "0" * 64, "size": 8}]})
    manifest.write_text(json.dumps(data))
    code, out = cli(project.root, "build", "--jobs", "1")
    assert code == 1 and victim.read_text() == "precious"
    assert out.startswith(f"error: {manifest}: damaged manifest: records[0].outputs[8].path ") and out.endswith(
        " is outside the archive\n"), out


def test_a_symbolic_link_inside_the_archive_does_not_lead_a_deletion_out(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=2)
    run_build(project, jobs=1)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "pcc-d-001.docx").write_text("precious")
    folder = tmp_path / "build" / "2016-2021" / "pcc-d-001"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.symlink_to(tmp_path / "outside")
    (tmp_path / "records" / "2016-2021" / "PCC-D-001.yaml").unlink()  # its papers are now to be removed
    assert run_build(project, jobs=1).failed == []
    assert (tmp_path / "outside" / "pcc-d-001.docx").read_text() == "precious"


@pytest.mark.parametrize("content,message", [
    ('{"engine": "0.1.0", "records": [\n{"reference": "PCC/D/1', "damaged manifest (not JSON: "),
    ("[]", "damaged manifest (no list of records)"),
    ('{"records": 5}', "damaged manifest (no list of records)"),
    ('{"records": [{"source": "r.yaml"}]}', "damaged manifest: records[0].reference is missing or not text"),
])
def test_merging_a_damaged_shard_manifest_fails(tmp_path: Path, content: str, message: str) -> None:
    good = tmp_path / "one.json"
    good.write_text('{"engine": "0.1.0", "records": [\n]}\n')
    bad = tmp_path / "two.json"
    bad.write_text(content)
    code, out = cli(tmp_path, "manifest", "merge", str(good), str(bad))
    assert code == 1 and out.startswith(f"error: {bad}: {message}"), out
    code, out = cli(tmp_path, "manifest", "merge", str(good), str(tmp_path / "missing.json"))
    assert (code, out) == (1, f"error: {tmp_path / 'missing.json'}: no such manifest\n")


# --- 13. workers die with the build; a stale lock is taken over -----------------------------------


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def test_workers_die_with_a_killed_build_and_the_next_build_runs(tmp_path: Path) -> None:
    make_project(tmp_path, records=4)
    started = tmp_path / "converting"
    bin_dir = blocking_soffice(tmp_path / "bin", started)
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    build = subprocess.Popen([DECISIONS, "build", "--jobs", "2"], cwd=tmp_path, env=environment,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(started.exists, "a worker to start converting")
    soffice, worker = (int(n) for n in started.read_text().split())
    try:
        build.send_signal(signal.SIGKILL)  # the build alone, not its process group
        build.wait()
        wait_for(lambda: not _alive(worker), "the worker to die with its build", 10)
        code, out = cli(tmp_path, "build", "--jobs", "1")
        assert "another build is running" not in out
        assert code == 0, out
        check_archive(tmp_path / "build")
    finally:
        os.kill(soffice, signal.SIGKILL)


def test_a_stale_lock_is_taken_over_with_a_note(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "build").mkdir()
    lock = tmp_path / "build" / ".build.lock"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock.write_text(f"{gone.pid}\n")  # the build that took the lock is gone...
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               f"f = open({str(lock)!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"  # ...but something it left holds the lock
        code, out = cli(tmp_path, "build", "--jobs", "1")
        assert code == 0, out
        assert (f"note: took over the lock of build {gone.pid}, which is no longer running "
                "(stopped 1 leftover process(es))") in out
        assert holder.wait(timeout=10) == -signal.SIGKILL
    finally:
        holder.kill()


# --- 14. a failure belongs to one record ---------------------------------------------------------


def test_a_record_removed_during_the_build_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, records=3)
    gone = "records/2016-2021/PCC-D-002.yaml"
    real = engine.build._validate

    def then_remove(*args, **kwargs):
        result = real(*args, **kwargs)
        (tmp_path / gone).rename(tmp_path / "moved.yaml")  # after it was checked, before it is built
        return result

    monkeypatch.setattr(engine.build, "_validate", then_remove)
    summary = run_build(project, jobs=1)
    assert [(f.source, f.reason) for f in summary.failed] == [(gone, "cannot read the record: No such file or directory")]
    assert len(summary.built) == 2


def test_a_record_changed_during_the_build_is_not_built_from_unchecked_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path)
    path = tmp_path / "records" / "2021-2024" / SEED.name
    real = engine.build._validate

    def then_change(*args, **kwargs):
        result = real(*args, **kwargs)
        path.write_text(path.read_text().replace("reference: PCC/D/102", "reference: PCC/D/103"))
        return result

    monkeypatch.setattr(engine.build, "_validate", then_change)
    summary = run_build(project, jobs=1)
    assert [f.reason for f in summary.failed] == ["the record changed while the archive was being built; build again"]
    assert not (tmp_path / "build" / "2021-2024" / "pcc-d-103").exists()


def test_an_unreadable_record_in_the_manifest_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, records=2)
    run_build(project, jobs=1)
    target = tmp_path / "records" / "2016-2021" / "PCC-D-001.yaml"
    target.write_text(target.read_text().replace("To note decision", "To note the decision"))
    real = Path.read_bytes

    def unreadable(self: Path) -> bytes:  # as root, chmod cannot make a file unreadable
        if self == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    summary = run_build(project, jobs=1)
    assert [(f.source, f.reason) for f in summary.failed] == [
        ("records/2016-2021/PCC-D-001.yaml", "cannot read the record: Permission denied")]
    assert summary.reused == ["records/2016-2021/PCC-D-002.yaml"]


def test_a_full_disk_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, records=2)
    real = engine.papers.write_atomic

    def full(path: Path, data: bytes, exclusive: bool = False) -> None:
        if "pcc-d-001" in path.name:
            raise OSError(errno.ENOSPC, "No space left on device")  # as a write() fails: no file named
        real(path, data, exclusive)

    monkeypatch.setattr(engine.papers, "write_atomic", full)
    summary = run_build(project, jobs=1)
    [failure] = summary.failed
    assert failure.source == "records/2016-2021/PCC-D-001.yaml"
    assert failure.reason == f"cannot write {tmp_path / 'build' / '2016-2021' / 'pcc-d-001' / 'pcc-d-001.docx'}: No space left on device"
    assert summary.built == ["records/2016-2021/PCC-D-002.yaml"]


# --- 16. open data a spreadsheet will not run -----------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    subject = "subject: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024"
    for formula in ['=HYPERLINK("http://example.org","x") 2023-2024', "+cmd|' /C calc'!A0 2023-2024", "-2+3 2023-2024",
                    "@SUM(A1) 2023-2024"]:
        quoted = formula.replace("'", "''")
        record.write_text(replaced(SEED.read_text(encoding="utf-8"), **{subject: f"subject: '{quoted}'"}), encoding="utf-8")
        assert publish(project).failed == []
        [row] = csv.DictReader(io.StringIO((tmp_path / "build" / "site" / "decisions.csv").read_text(encoding="utf-8")))
        assert row["subject"] == "'" + formula
        [data] = json.loads((tmp_path / "build" / "site" / "decisions.json").read_text())["decisions"]
        assert data["subject"] == formula  # the open data keeps the text as written


# --- 20. publishing streams its papers ------------------------------------------------------------


def test_publish_holds_no_more_than_a_batch_of_papers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.publish

    project = make_project(tmp_path, records=5)
    monkeypatch.setattr(engine.publish, "BATCH", 2)
    batches: list[int] = []
    real = engine.publish.convert_pdfs

    def counting(papers, *args, **kwargs):
        batches.append(len(papers))
        return real(papers, *args, **kwargs)

    monkeypatch.setattr(engine.publish, "convert_pdfs", counting)
    summary = publish(project)
    assert summary.failed == [] and len(summary.published) + len(summary.skipped) == 5
    assert batches and max(batches) <= 4  # two decisions, each with at most a paper and a specification
    assert not (tmp_path / "build" / "site" / ".snippets").exists()


# --- 10 and 22: one record never stops the register; nothing ends in a traceback -----------------


def test_a_paper_that_fails_to_render_fails_alone_in_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.publish

    project = make_project(tmp_path, records=3)
    real = engine.publish.render_sources

    def broken(decision, *args, **kwargs):
        if decision.reference == "PCC/D/002":
            raise ValueError("a renderer bug")
        return real(decision, *args, **kwargs)

    monkeypatch.setattr(engine.publish, "render_sources", broken)
    summary = publish(project)
    assert summary.failed == [("records/2016-2021/PCC-D-002.yaml", "cannot render: a renderer bug")]
    assert summary.published == ["PCC/D/003", "PCC/D/001"]
    assert not (tmp_path / "build" / "site" / "decisions" / "2016-2021" / "pcc-d-002").exists()


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.records

    make_project(tmp_path)
    monkeypatch.delenv("DECISIONS_DEBUG", raising=False)
    monkeypatch.setattr(engine.records, "run_cross_rules", lambda *args: (_ for _ in ()).throw(ValueError("boom")))
    code, out = cli(tmp_path, "check")
    assert (code, out) == (1, "error: unexpected ValueError: boom. This is a bug in the engine: please report it with the "
                              "command you ran (set DECISIONS_DEBUG=1 to see where it happened)\n")


# --- 19. the published site is readable by the web server ----------------------------------------


# Issue 14: the site is for a web server running as another user, whatever the publisher's umask
# (it followed the umask before, and 027 gave a site the server answered 403 for).
@pytest.mark.parametrize("umask,file_mode,folder_mode", [(0o022, 0o644, 0o755), (0o027, 0o644, 0o755)])
def test_the_site_is_readable_whatever_the_umask(tmp_path: Path, umask: int, file_mode: int, folder_mode: int) -> None:
    project = make_project(tmp_path)
    old = os.umask(umask)
    try:
        publish(project)
    finally:
        os.umask(old)
    site = tmp_path / "build" / "site"
    modes = {p.relative_to(site).as_posix(): p.stat().st_mode & 0o777 for p in [site, *site.rglob("*")]}
    assert {path for path, mode in modes.items() if mode != (folder_mode if (site / path).is_dir() else file_mode)} == set()


@pytest.mark.parametrize("name", ["../../elsewhere", "/tmp/x", ".hidden", "a/b"])
def test_a_terms_name_is_a_folder_name_that_stays_in_the_archive(tmp_path: Path, name: str) -> None:
    make_project(tmp_path)
    office = tmp_path / "office.yaml"
    office.write_text(replaced(office.read_text(encoding="utf-8"), **{"name: 2021-2024": f"name: '{name}'"}), encoding="utf-8")
    code, out = cli(tmp_path, "build", "--jobs", "1")
    assert code == 1 and len(out.splitlines()) == 1 and (": error: terms[1].name: a term's name is also its folder's: use letters, digits, '.', '_' and '-' only, "
                                                          "e.g. 2021-2024") in out, out
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("build_dir", [".", "records", "records/2021-2024", "..", "records/../.."])
def test_the_archive_is_never_the_project_or_its_records(tmp_path: Path, build_dir: str) -> None:
    (tmp_path / "p").mkdir()
    make_project(tmp_path / "p")
    before = tree(tmp_path)
    code, out = cli(tmp_path / "p", "--build-dir", str(tmp_path / "p" / build_dir), "build", "--jobs", "1")
    assert code == 1 and out.startswith("error: the archive folder ") and "give --build-dir a folder of its own" in out, out
    assert tree(tmp_path) == before


def test_an_archive_of_its_own_anywhere_is_fine(tmp_path: Path) -> None:
    make_project(tmp_path)
    for build_dir in (tmp_path / "build", tmp_path / "archives" / "bedfordshire", tmp_path.parent / f"{tmp_path.name}-archive"):
        code, out = cli(tmp_path, "--build-dir", str(build_dir), "build", "--jobs", "2")
        assert code == 0, out
        assert (build_dir / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf").is_file()


def test_every_fund_gets_a_browse_page_of_its_own(tmp_path: Path) -> None:
    """Funds whose names make no folder name, too long a one, or the same one as another fund's."""
    project = make_project(tmp_path)
    funds = ["x" * 300, "Фонд громади", "MoJ", "moj", "M.o.J."]
    for number, fund in enumerate(funds, start=103):
        (tmp_path / "records" / "2021-2024" / f"PCC-D-{number}.yaml").write_text(replaced(
            SEED.read_text(encoding="utf-8"), **{"reference: PCC/D/102": f"reference: PCC/D/{number}", "    fund: MoJ": f"    fund: '{fund}'"}),
            encoding="utf-8")
    summary = publish(project)
    assert summary.failed == []
    pages = sorted((tmp_path / "build" / "site" / "by" / "fund").iterdir())
    assert len(pages) == len(funds)  # "MoJ" of the seed and PCC/D/105 share one page
    headings = sorted(re.search(r"<h1>Decision register: fund (.*?)</h1>", (page / "index.html").read_text()).group(1) for page in pages)
    assert headings == sorted(html.escape(f, quote=False) for f in ["x" * 300, "Фонд громади", "MoJ", "moj", "M.o.J."])
    assert all(len(page.name) <= 71 for page in pages)


def test_a_running_build_whose_pid_is_not_yet_written_is_not_taken_for_stale(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "build").mkdir()
    lock = tmp_path / "build" / ".build.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, time\n"
                               f"f = open({str(lock)!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        code, out = cli(tmp_path, "build", "--jobs", "1")
        assert (code, out) == (1, f"error: another build is running in {tmp_path / 'build'}; wait for it, or build into "
                                  "another folder with --build-dir\n")
        assert holder.poll() is None
    finally:
        holder.kill()


def test_the_lock_is_never_written_through_a_link(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "build").mkdir()
    (tmp_path / "precious.txt").write_text("keep")
    (tmp_path / "build" / ".build.lock").symlink_to(tmp_path / "precious.txt")
    code, out = cli(tmp_path, "build", "--jobs", "1")
    assert code == 1 and out.startswith("error: ") and "Too many levels of symbolic links" in out, out
    assert (tmp_path / "precious.txt").read_text() == "keep"


# --- found by a review of the fixes above ----------------------------------------------------------


def test_no_term_is_named_site(tmp_path: Path) -> None:
    make_project(tmp_path)
    office = tmp_path / "office.yaml"
    office.write_text(replaced(office.read_text(encoding="utf-8"), **{"name: 2021-2024": "name: site"}), encoding="utf-8")
    code, out = cli(tmp_path, "build")
    assert code == 1 and "terms[1].name: a term may not be named 'site': the archive keeps the public register in that folder" in out


@pytest.mark.parametrize("args", [["publish", "--out", "build/2021-2024"], ["publish", "--out", "build/.cache"],
                                  ["--build-dir", "build/site", "build"], ["--build-dir", "templates", "build"],
                                  ["--build-dir", "templates/decision/x", "build"]])
def test_the_archive_and_the_site_never_share_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    publish(project)
    before = tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = cli(tmp_path, *args)
    assert code == 1 and out.startswith("error: ") and len(out.splitlines()) == 1, out
    assert tree(tmp_path) == before


def test_a_publish_where_every_paper_fails_keeps_the_register(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=3)
    assert publish(project).failed == []
    before = tree(tmp_path / "build" / "site")
    (tmp_path / "templates" / "decision" / "decision.docx").write_bytes(b"broken")
    code, out = cli(tmp_path, "publish")
    assert code == 1 and out.startswith("error: no paper could be published (records/2016-2021/PCC-D-003.yaml: ") and out.endswith(
        f"the register in {tmp_path / 'build' / 'site'} is left as it was\n"), out
    assert tree(tmp_path / "build" / "site") == before


def test_a_decision_whose_specification_fails_is_not_half_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.publish

    project = make_project(tmp_path)
    real = engine.publish.convert_pdfs

    def spec_fails(papers, *args, **kwargs):
        real(papers, *args, **kwargs)
        for paper in papers:
            if paper.document == "spec":
                paper.error = "LibreOffice failed (exit 81): stand-in"

    monkeypatch.setattr(engine.publish, "convert_pdfs", spec_fails)
    monkeypatch.setattr(engine.publish.KnownPdfs, "get", lambda self, docx: None)
    (tmp_path / "records" / "2021-2024" / "PCC-D-101.yaml").write_text(
        SEED.read_text(encoding="utf-8").replace("reference: PCC/D/102", "reference: PCC/D/101").replace("  status: released", "  status: draft"),
        encoding="utf-8")
    summary = publish(project)
    assert summary.failed == [("records/2021-2024/PCC-D-102.yaml", "LibreOffice failed (exit 81): stand-in")]
    assert summary.published == ["PCC/D/101"]
    assert not (tmp_path / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-102").exists()


def test_the_lock_of_a_finished_build_names_no_one(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    assert (tmp_path / "build" / ".build.lock").read_text() == ""


def test_parallel_builds_work_whatever_the_default_start_method(tmp_path: Path) -> None:
    make_project(tmp_path, records=3)
    script = ("import multiprocessing, sys\nmultiprocessing.set_start_method('forkserver', force=True)\n"
              "from engine.cli import main\nsys.exit(main(['build', '--jobs', '2']))")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(SEED.parents[2])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built 3, reused 0, failed 0"), done.stdout


def test_merging_shards_that_made_the_same_papers_fails(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (tmp_path / "records" / "2021-2024" / "PCC-D-102.yml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    sources = ("records/2021-2024/PCC-D-102.yaml", "records/2021-2024/PCC-D-102.yml")
    # the smallest number of shards that puts the two records in different shards
    count = next(n for n in range(2, 50)
                 if len({next(k for k in range(1, n + 1) if engine.build.in_shard(s, (k, n))) for s in sources}) == 2)
    manifests = []
    for k in range(1, count + 1):
        assert run_build(project, tmp_path / f"b{k}", jobs=1, shard=(k, count)).failed == []
        manifests.append(str(tmp_path / f"b{k}" / "manifest.json"))
    code, out = cli(tmp_path, "manifest", "merge", *manifests)
    assert code == 1 and "both wrote 2021-2024/pcc-d-102/" in out, out


def test_a_failing_records_last_papers_are_not_overwritten_by_a_newcomer(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    folder = tmp_path / "build" / "2021-2024" / "pcc-d-102"
    before = tree(folder)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    record.write_text(record.read_text(encoding="utf-8").replace("    received: 3", "    received: 4"), encoding="utf-8")
    (tmp_path / "records" / "2021-2024" / "PCC-D-102.yml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    summary = run_build(project, jobs=1)
    assert sorted(f.source for f in summary.failed) == ["records/2021-2024/PCC-D-102.yaml", "records/2021-2024/PCC-D-102.yml"]
    assert tree(folder) == before


def test_a_new_logo_rebuilds_the_papers(tmp_path: Path) -> None:
    from .support import png

    make_project(tmp_path)
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.png").write_bytes(png(40, 20))
    office = tmp_path / "office.yaml"
    office.write_text(re.sub(r"(?m)^logo:.*$", "logo: assets/logo.png", office.read_text(encoding="utf-8")), encoding="utf-8")
    project = Project.load(office)
    assert run_build(project, jobs=1).built
    (tmp_path / "assets" / "logo.png").write_bytes(png(60, 20))
    assert run_build(project, jobs=1).built == ["records/2021-2024/PCC-D-102.yaml"]
    (tmp_path / "assets" / "logo.png").unlink()
    summary = run_build(project, jobs=1)
    assert [f.reason for f in summary.failed] == [f"{office}:1:1: error: logo: the logo assets/logo.png is not there: "
                                                  "give its path relative to office.yaml"]


def test_build_failures_name_the_record_once(tmp_path: Path) -> None:
    make_project(tmp_path)
    record = tmp_path / "records" / "2021-2024" / SEED.name
    record.write_text(record.read_text(encoding="utf-8").replace("    received: 3", "    received: 4"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "build", "--jobs", "1"])
    [line] = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert line.startswith("failed: records/2021-2024/PCC-D-102.yaml:") and line.count("PCC-D-102.yaml") == 1, line


def test_progress_counts_every_record_once(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    (tmp_path / "records" / "2021-2024" / "PCC-D-102.yml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    run_build(project, jobs=1, progress=lambda done, total, source: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_a_build_never_sweeps_a_running_publishs_files(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    (tmp_path / "build" / ".build-in-progress").touch()  # as a killed build leaves it
    staging = tmp_path / "build" / ".site.staging-xyz" / "decisions"
    staging.mkdir(parents=True)
    (staging / ".index.html.abc.tmp").write_text("being written")
    (tmp_path / "build" / "2021-2024" / "pcc-d-102" / ".pcc-d-102.pdf.abc.tmp").write_text("left by the killed build")
    run_build(project, jobs=1)
    assert (staging / ".index.html.abc.tmp").exists()
    assert not (tmp_path / "build" / "2021-2024" / "pcc-d-102" / ".pcc-d-102.pdf.abc.tmp").exists()


def test_ctrl_c_while_the_engine_is_loading_is_one_line(tmp_path: Path) -> None:
    """What Ctrl-C in the first tenth of a second meets: the engine's modules still importing."""
    script = ("import builtins, sys\nreal = builtins.__import__\n"
              "def interrupted(name, *args, **kwargs):\n"
              "    if name in ('cli', 'engine.cli'):\n        raise KeyboardInterrupt\n    return real(name, *args, **kwargs)\n"
              "builtins.__import__ = interrupted\nfrom engine.console import run\nrun()")
    done = subprocess.run([sys.executable, "-c", script, "check"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(SEED.parents[2])})
    assert (done.returncode, done.stdout, done.stderr) == (
        130, "", "interrupted: files already written are whole and the rest are as they were; run the command again to finish\n")


def test_a_publish_where_every_record_fails_check_keeps_the_register(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert publish(project).failed == []
    before = tree(tmp_path / "build" / "site")
    record = tmp_path / "records" / "2021-2024" / SEED.name
    record.write_text(record.read_text(encoding="utf-8").replace("    received: 3", "    received: 4"), encoding="utf-8")
    code, out = cli(tmp_path, "publish")
    assert code == 1 and out.startswith("error: no paper could be published (records/2021-2024/PCC-D-102.yaml:"), out
    assert out.count("PCC-D-102.yaml") == 1, out
    assert tree(tmp_path / "build" / "site") == before
