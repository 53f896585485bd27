"""`decisions build`: the archive, built for real in a temporary project and read back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.build
from benchmarks.archive import make_archive
from engine.cli import main

from .support import SEED, blocking_soffice, check_archive, fake_soffice, make_project, run_build, wait_for


@pytest.fixture
def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = engine.build.render_sources

    def counting(decision, *args, **kwargs):
        if kwargs.get("document", "decision") == "decision":  # count records, not their specifications
            rendered.append(decision.reference)
        return real(decision, *args, **kwargs)

    monkeypatch.setattr(engine.build, "render_sources", counting)
    return rendered


def test_build_lays_out_the_archive_and_a_manifest(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    summary = run_build(project, jobs=1)
    assert (summary.built, summary.failed) == (["records/2021-2024/PCC-D-102.yaml"], [])
    manifest = check_archive(tmp_path / "build")
    assert manifest["engine"] == engine.__version__
    [entry] = manifest["records"]
    assert (entry["reference"], entry["source"], entry["status"]) == ("PCC/D/102", "records/2021-2024/PCC-D-102.yaml", "approved")
    folder = "2021-2024/pcc-d-102/"
    assert [o["path"] for o in entry["outputs"]] == [
        folder + name for name in ("pcc-d-102-spec.docx", "pcc-d-102-spec.internal-preview.html", "pcc-d-102-spec.internal.html", "pcc-d-102-spec.pdf",
                                   "pcc-d-102.docx", "pcc-d-102.internal-preview.html", "pcc-d-102.internal.html", "pcc-d-102.pdf")]


def test_incremental_rebuilds_only_what_changed(tmp_path: Path, count_renders: list[str]) -> None:
    project = make_project(tmp_path, records=3)
    assert len(run_build(project, jobs=1).built) == 3
    first = (tmp_path / "build" / "manifest.json").read_text()
    count_renders.clear()

    summary = run_build(project, jobs=1)
    assert (count_renders, summary.built, len(summary.reused)) == ([], [], 3)
    assert (tmp_path / "build" / "manifest.json").read_text() == first

    record = tmp_path / "records" / "2016-2021" / "PCC-D-002.yaml"
    record.write_text(record.read_text().replace("To note decision", "To approve the funding"))
    summary = run_build(project, jobs=1)
    assert count_renders == ["PCC/D/002"] and summary.built == ["records/2016-2021/PCC-D-002.yaml"]

    count_renders.clear()
    snippet = tmp_path / "templates" / "decision" / "snippet.html.j2"
    snippet.write_text(snippet.read_text().replace("dpe-facts", "dpe-facts dpe-facts--v2"))
    summary = run_build(project, jobs=1)
    assert sorted(count_renders) == ["PCC/D/001", "PCC/D/002", "PCC/D/003"] and len(summary.built) == 3

    count_renders.clear()
    summary = run_build(project, jobs=1, force=True)
    assert len(count_renders) == 3
    check_archive(tmp_path / "build")


def test_two_clean_builds_give_identical_manifests_in_parallel_or_not(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=3)
    run_build(project, tmp_path / "one", jobs=1)
    run_build(project, tmp_path / "two", jobs=2)
    assert (tmp_path / "one" / "manifest.json").read_bytes() == (tmp_path / "two" / "manifest.json").read_bytes()
    check_archive(tmp_path / "two")


def test_deleted_records_lose_their_outputs(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=2)
    run_build(project, jobs=1)
    (tmp_path / "records" / "2016-2021" / "PCC-D-002.yaml").unlink()
    summary = run_build(project, jobs=1)
    assert summary.removed == ["records/2016-2021/PCC-D-002.yaml"]
    assert not (tmp_path / "build" / "2016-2021" / "pcc-d-002").exists()
    assert [e["reference"] for e in check_archive(tmp_path / "build")["records"]] == ["PCC/D/001"]


def test_one_bad_record_does_not_stop_the_others(tmp_path: Path) -> None:
    make_project(tmp_path, records=2)
    bad = tmp_path / "records" / "2016-2021" / "PCC-D-001.yaml"
    bad.write_text(bad.read_text().replace("    received: 3", "    received: 4"))
    result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "build", "--jobs", "1", "--format", "json"])
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["built"] == 1 and summary["reused"] == 0 and len(summary["failed"]) == 1
    assert summary["failed"][0]["source"] == "records/2016-2021/PCC-D-001.yaml"
    assert "error: history[5].received: 4 applications received" in summary["failed"][0]["reason"]
    assert (tmp_path / "build" / "2016-2021" / "pcc-d-002" / "pcc-d-002.pdf").exists()
    assert not (tmp_path / "build" / "2016-2021" / "pcc-d-001").exists()


def test_a_reference_used_twice_in_a_term_fails_without_overwriting(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_build(project, jobs=1)
    before = (tmp_path / "build" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf").read_bytes()
    twin = tmp_path / "records" / "2021-2024" / "PCC-D-102-draft.yaml"
    twin.write_text(SEED.read_text().replace("status: approved", "status: draft"))
    summary = run_build(project, jobs=1)
    assert [f.source for f in summary.failed] == ["records/2021-2024/PCC-D-102-draft.yaml"]
    assert (tmp_path / "build" / "2021-2024" / "pcc-d-102" / "pcc-d-102.pdf").read_bytes() == before


def test_shards_build_disjoint_shares_that_merge_into_the_whole(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=4)
    run_build(project, tmp_path / "whole", jobs=2)
    for k in (1, 2):
        run_build(project, tmp_path / f"shard{k}", jobs=1, shard=(k, 2))
    one = json.loads((tmp_path / "shard1" / "manifest.json").read_text())
    two = json.loads((tmp_path / "shard2" / "manifest.json").read_text())
    assert one["shard"] == "1/2" and one["records"] and two["records"]
    assert not {e["source"] for e in one["records"]} & {e["source"] for e in two["records"]}
    result = CliRunner().invoke(main, ["manifest", "merge", str(tmp_path / "shard1" / "manifest.json"),
                                       str(tmp_path / "shard2" / "manifest.json")])
    assert result.exit_code == 0, result.output
    assert result.output == (tmp_path / "whole" / "manifest.json").read_text()


def _soffice_that_blocks_the_second_start(bin_dir: Path, started: Path) -> None:
    """The first LibreOffice start converts for real; the second writes `started` and blocks."""
    real = shutil.which("soffice")
    assert real, "LibreOffice is needed for this test"
    gate = bin_dir / "first"
    fake_soffice(bin_dir, f'if mkdir "{gate}" 2>/dev/null; then exec "{real}" "$@"; fi\n'
                          f'echo "$$ $PPID" > "{started}.tmp" && mv "{started}.tmp" "{started}"\nexec sleep 600')


def test_a_killed_build_leaves_old_outputs_whole_and_the_next_build_completes(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=3)
    run_build(project, jobs=1)
    make_archive(tmp_path / "more", 6)
    for record in (tmp_path / "more").rglob("PCC-D-00[456].yaml"):
        shutil.copy(record, tmp_path / "records" / record.parent.name / record.name)
    for record in (tmp_path / "records").rglob("*.yaml"):
        record.write_text(record.read_text().replace("To note decision", "To note the decision"))
    before = (tmp_path / "build" / "manifest.json").read_text()
    started = tmp_path / "blocked"
    _soffice_that_blocks_the_second_start(tmp_path / "bin", started)
    environment = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    command = [str(Path(sys.executable).parent / "decisions"), "build", "--jobs", "2"]
    process = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    # Kill it once one batch is written and recorded and the other is mid-conversion.
    wait_for(lambda: started.exists() and (tmp_path / "build" / "manifest.json").read_text() != before, "a batch to finish")
    blocked = int(started.read_text().split()[0])
    os.killpg(process.pid, signal.SIGKILL)
    os.kill(blocked, signal.SIGKILL)
    process.wait()
    manifest = check_archive(tmp_path / "build")  # whatever it had done is whole, and the rest as it was
    assert manifest != json.loads(before)  # one batch is in it
    summary = run_build(project, jobs=1)
    assert summary.failed == [] and summary.reused and summary.built
    manifest = check_archive(tmp_path / "build")
    assert len(manifest["records"]) == 6
    text = "".join(zipfile.ZipFile(tmp_path / "build" / o["path"]).read("word/document.xml").decode()
                   for e in manifest["records"] for o in e["outputs"] if o["path"].endswith(".docx"))
    assert text.count("To note the decision") == 6 and "To note decision<" not in text


def test_ctrl_c_stops_the_build_cleanly(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=4)
    started = tmp_path / "converting"
    blocking_soffice(tmp_path / "bin", started)
    environment = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    command = [str(Path(sys.executable).parent / "decisions"), "build", "--jobs", "2"]
    process = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    wait_for(started.exists, "the build to start converting")
    soffice = int(started.read_text().split()[0])
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert err.decode().splitlines()[-1] == ("interrupted: files already written are whole and the rest are as they were; "
                                             "run the command again to finish")
    assert b"Traceback" not in err
    wait_for(lambda: not Path(f"/proc/{soffice}").exists() or "Z" in Path(f"/proc/{soffice}/stat").read_text().split(") ")[1][:1],
              "the LibreOffice it started to be stopped", 10)
    summary = run_build(project, jobs=1)
    assert summary.failed == [] and len(summary.built) + len(summary.reused) == 4
    check_archive(tmp_path / "build")


def test_one_build_at_a_time(tmp_path: Path) -> None:
    import fcntl

    make_project(tmp_path)
    (tmp_path / "build").mkdir()
    with open(tmp_path / "build" / ".build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = CliRunner().invoke(main, ["--office", str(tmp_path / "office.yaml"), "build"])
    assert result.exit_code == 1
    assert result.output == (f"error: another build is running in {tmp_path / 'build'}; wait for it, "
                             "or build into another folder with --build-dir\n")


def test_force_still_removes_deleted_records(tmp_path: Path) -> None:
    project = make_project(tmp_path, records=2)
    run_build(project, jobs=1)
    (tmp_path / "records" / "2016-2021" / "PCC-D-002.yaml").unlink()
    summary = run_build(project, jobs=1, force=True)
    assert summary.removed == ["records/2016-2021/PCC-D-002.yaml"] and summary.built == ["records/2016-2021/PCC-D-001.yaml"]
    assert not (tmp_path / "build" / "2016-2021" / "pcc-d-002").exists()


def test_a_template_change_rebuilds_the_records_that_use_it(tmp_path: Path, count_renders: list[str]) -> None:
    project = make_project(tmp_path)  # PCC/D/102, which has a specification
    text = SEED.read_text(encoding="utf-8")
    without = text[: text.index("# The specification the paper")]
    (tmp_path / "records" / "2021-2024" / "PCC-D-101.yaml").write_text(without.replace("reference: PCC/D/102", "reference: PCC/D/101"))
    run_build(project, jobs=1)
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    assert [e["documents"] for e in manifest["records"]] == [["decision"], ["decision", "spec"]]

    def change(template: str) -> list[str]:
        path = tmp_path / "templates" / template
        path.write_text(path.read_text() + "\n{# changed #}\n")
        count_renders.clear()
        return sorted(run_build(project, jobs=1).built)

    assert change("spec/snippet.html.j2") == ["records/2021-2024/PCC-D-102.yaml"]
    assert change("decision/snippet.html.j2") == ["records/2021-2024/PCC-D-101.yaml", "records/2021-2024/PCC-D-102.yaml"]
    assert change("preview.html.j2") == ["records/2021-2024/PCC-D-101.yaml", "records/2021-2024/PCC-D-102.yaml"]
    assert run_build(project, jobs=1).built == []
