"""The warm LibreOffice (engine/render/warm.py): the editor's PDFs, hangs, crashes, no orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.papers import Paper, convert_pdfs, render_sources
from engine.project import Project
from engine.records import read_record
from engine.render.pdf import RUNNING, ConversionError, Converter, ProfilePool
from engine.render.warm import MISSING_UNO, UNO_PYTHON, UNO_PYTHON_VARIABLE, WarmConverter, filter_data

from .conftest import ROOT, SEED
from .text import missing_in_order, pdf_text, published_lines

# The fallback's tests run without python3-uno too; the others need it.
needs_uno = pytest.mark.skipif(subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0,
                               reason="python3-uno is not installed (make test installs it)")


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(ROOT / "office.yaml")


@pytest.fixture(scope="module")
def docx(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PCC/D/102's Word paper, as the editor renders it."""
    decision = read_record(SEED, project.office).decision
    path = tmp_path_factory.mktemp("docx") / "pcc-d-102.docx"
    path.write_bytes(render_sources(decision, project, ["docx"]).files["docx"])
    return path


def seed_paper(project: Project, docx: Path) -> Paper:
    paper = Paper(read_record(SEED, project.office).decision)
    paper.files["docx"] = docx.read_bytes()
    return paper


def alive_in(groups: set[int]) -> list[int]:
    """The processes, zombies aside, in these process groups: read from /proc, no psutil."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone while we looked
            continue
        state, group = fields[0], int(fields[2])
        if group in groups and state != "Z":
            found.append(int(entry.name))
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_export_options_are_the_cold_converters() -> None:
    assert filter_data() == {"SelectPdfVersion": 2, "UseTaggedPDF": True, "ExportBookmarks": True}


@needs_uno
def test_a_warm_pdf_holds_the_papers_words_and_is_the_cold_pdf(project: Project, docx: Path, tmp_path: Path) -> None:
    said: list[str] = []
    with WarmConverter(ProfilePool(tmp_path / "profiles"), say=said.append) as warm:
        assert warm.start() is True, said
        warm_paper = seed_paper(project, docx)
        convert_pdfs([warm_paper], project, warm)  # the engine's finishing, as for a cold PDF
        again = seed_paper(project, docx)
        started = time.monotonic()
        convert_pdfs([again], project, warm)
        seconds = time.monotonic() - started
    assert warm_paper.error is None and again.error is None
    assert missing_in_order(pdf_text(warm_paper.files["pdf"]), published_lines()) == []
    assert seconds < 1.0  # "well under a second": about 0.07 s here, against a start's 1 s
    cold_paper = seed_paper(project, docx)
    convert_pdfs([cold_paper], project, Converter(tmp_path / "cold-profile"))
    assert warm_paper.files["pdf"] == cold_paper.files["pdf"] == again.files["pdf"]  # byte for byte
    assert said == [] and warm.starts == 1


@needs_uno
def test_a_hung_libreoffice_is_stopped_and_the_next_paper_gets_a_new_one(docx: Path, tmp_path: Path) -> None:
    with WarmConverter(ProfilePool(tmp_path / "profiles"), timeout=2) as warm:
        assert warm.start()
        first_soffice, first_worker = warm.pids
        os.killpg(first_soffice, signal.SIGSTOP)  # hangs, as a LibreOffice stuck on a paper does
        started = time.monotonic()
        [result] = warm.convert([docx])
        assert isinstance(result, ConversionError)
        assert str(result) == "LibreOffice did not finish within 2 s and was stopped"
        assert time.monotonic() - started < 4
        assert alive_in({first_soffice, first_worker}) == []
        [result] = warm.convert([docx])
        assert isinstance(result, bytes) and result.startswith(b"%PDF-")
        assert warm.starts == 2 and warm.cold_reason is None


@needs_uno
def test_a_killed_libreoffice_is_started_again_and_the_paper_still_converts(docx: Path, tmp_path: Path) -> None:
    with WarmConverter(ProfilePool(tmp_path / "profiles")) as warm:
        assert warm.start()
        soffice, _ = warm.pids
        os.killpg(soffice, signal.SIGKILL)  # crashed while idle
        assert wait_until(lambda: alive_in({soffice}) == [])
        [result] = warm.convert([docx])
        assert isinstance(result, bytes) and result.startswith(b"%PDF-")
        assert warm.starts == 2
        # and one that dies under a paper: only soffice.bin, not its launcher, as a crash does
        bin_pids = [pid for pid in alive_in({warm.pids[0]}) if "soffice.bin" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert bin_pids
        threading.Timer(0.02, os.kill, (bin_pids[0], signal.SIGKILL)).start()
        results = warm.convert([docx, docx])
        assert [isinstance(r, bytes) for r in results] == [True, True]  # given a new LibreOffice, once
        assert warm.starts == 3


@needs_uno
def test_a_paper_libreoffice_cannot_open_fails_alone_on_the_same_libreoffice(docx: Path, tmp_path: Path) -> None:
    with WarmConverter(ProfilePool(tmp_path / "profiles")) as warm:
        results = warm.convert([tmp_path / "gone.docx", docx])
        assert isinstance(results[1], bytes)
        assert str(results[0]).startswith("LibreOffice could not convert gone.docx: IllegalArgumentException: ")
        assert "\n" not in str(results[0]) and warm.starts == 1


class _Crashing(WarmConverter):
    """A LibreOffice that dies on every paper named crash.docx, as on a paper it cannot take."""

    def _send(self, request: dict) -> None:
        if request.get("docx", "").endswith("crash.docx"):
            for pid in alive_in({self.pids[0]}):
                if "soffice.bin" in Path(f"/proc/{pid}/cmdline").read_text():
                    os.kill(pid, signal.SIGKILL)
        super()._send(request)


@needs_uno
def test_a_paper_that_crashes_libreoffice_fails_alone(docx: Path, tmp_path: Path) -> None:
    crash = tmp_path / "crash.docx"
    crash.write_bytes(docx.read_bytes())
    with _Crashing(ProfilePool(tmp_path / "profiles")) as warm:
        results = warm.convert([docx, crash, docx])
        assert [isinstance(r, bytes) for r in results] == [True, False, True]
        assert str(results[1]) == "LibreOffice stopped while converting crash.docx (twice: the paper, most likely)"
        assert warm.starts == 3  # the first, the paper's second chance, and one for the paper after


@needs_uno
def test_close_leaves_no_libreoffice_and_no_worker(docx: Path, tmp_path: Path) -> None:
    warm = WarmConverter(ProfilePool(tmp_path / "profiles"))
    assert warm.start()
    pids = warm.pids
    assert len(alive_in(set(pids))) >= 3  # the launcher, soffice.bin, the worker
    assert set(pids) <= RUNNING  # pdf.stop_all() would kill them from a signal handler
    warm.close()
    assert alive_in(set(pids)) == [] and all(gone(pid) for pid in pids)
    assert not set(pids) & RUNNING
    # the profile is given back: the pool leases it again
    with ProfilePool(tmp_path / "profiles").lease() as lease:
        assert lease.profile.name == "profile-0"
    # and a closed converter starts again when asked
    [result] = warm.convert([docx])
    assert isinstance(result, bytes)
    warm.close()


@needs_uno
def test_close_during_a_conversion_stops_it_at_once(docx: Path, tmp_path: Path) -> None:
    warm = WarmConverter(ProfilePool(tmp_path / "profiles"))  # the default timeout: a minute
    assert warm.start()
    pids = warm.pids
    os.killpg(pids[0], signal.SIGSTOP)
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.extend(warm.convert([docx])))
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    warm.close()  # the editor shutting down while a request waits on its PDF
    thread.join(10)
    assert time.monotonic() - started < 5
    assert [str(r) for r in results] == ["LibreOffice was closed while converting pcc-d-102.docx"]
    assert alive_in(set(pids)) == [] and warm.pids == []


CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from engine.render.pdf import ProfilePool
from engine.render.warm import WarmConverter
warm = WarmConverter(ProfilePool(Path({profiles!r})))
assert warm.start()
print(json.dumps(warm.pids), flush=True)
if {linger}:
    time.sleep(60)
"""


@needs_uno
@pytest.mark.parametrize("how", ["exits", "is killed"])
def test_no_libreoffice_outlives_the_engine(tmp_path: Path, how: str) -> None:
    """At interpreter exit (atexit), and when the engine is killed outright (the worker sees its
    stdin close and kills LibreOffice)."""
    code = CHILD.format(root=str(ROOT), profiles=str(tmp_path / "profiles"), linger=how == "is killed")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        pids = json.loads(child.stdout.readline())
        if how == "is killed":
            assert len(alive_in(set(pids))) >= 3
            child.kill()
        child.wait(timeout=30)
        assert wait_until(lambda: alive_in(set(pids)) == []), alive_in(set(pids))
    finally:
        child.kill()
        child.wait()


@needs_uno
def test_two_requests_at_once_share_one_libreoffice(docx: Path, tmp_path: Path) -> None:
    results: list[object] = []
    with WarmConverter(ProfilePool(tmp_path / "profiles")) as warm:
        threads = [threading.Thread(target=lambda: results.extend(warm.convert([docx]))) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [isinstance(r, bytes) and r.startswith(b"%PDF-") for r in results] == [True] * 3
        assert warm.starts == 1


def test_without_python3_uno_it_says_why_once_and_converts_cold(project: Project, docx: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UNO_PYTHON_VARIABLE, str(tmp_path / "no-such-python"))
    said: list[str] = []
    with WarmConverter(ProfilePool(tmp_path / "profiles"), say=said.append) as warm:
        assert warm.start() is False
        papers = [seed_paper(project, docx), seed_paper(project, docx)]
        convert_pdfs(papers[:1], project, warm)
        convert_pdfs(papers[1:], project, warm)
    assert [p.error for p in papers] == [None, None]
    assert missing_in_order(pdf_text(papers[0].files["pdf"]), published_lines()) == []
    assert said == [f"warning: {MISSING_UNO} ({tmp_path / 'no-such-python'}: No such file or directory); "
                    "each PDF starts LibreOffice afresh (about a second)"]


def test_a_python_without_uno_is_named_as_the_reason(docx: Path, tmp_path: Path) -> None:
    said: list[str] = []
    with WarmConverter(ProfilePool(tmp_path / "profiles"), python=sys.executable, say=said.append) as warm:
        [result] = warm.convert([docx])  # the engine's own Python: no uno in its virtual environment
        assert isinstance(result, bytes)
        assert warm.cold_reason == MISSING_UNO
    assert said == [f"warning: {MISSING_UNO}; each PDF starts LibreOffice afresh (about a second)"]
