#!/usr/bin/env python3
"""The adversarial harness: attack the `decisions` command as a hostile or careless user would,
and count what fails.

    .venv/bin/python tools/attack.py              # everything (7-9 minutes on 2 cores)
    .venv/bin/python tools/attack.py --quick      # a smaller run (about 3 minutes), no load test
    .venv/bin/python tools/attack.py --tree DIR   # attack another checkout, e.g. an earlier commit:
                                                  #   git archive COMMIT | tar -x -C DIR
    .venv/bin/python tools/attack.py --only leaks --only data-loss
    .venv/bin/python tools/attack.py --list       # the categories
    .venv/bin/python tools/attack.py --json report.json --keep

Every attack runs the real CLI in a subprocess, in a throwaway project made in a temporary
folder (office.yaml, templates/ and the seed record copied there; benchmarks/archive.py makes
larger archives), with a timeout on every call, in its own process group; whatever the harness
started is killed before it exits, LibreOffice included. Nothing under the repository is
written to.

A case fails for what a user would suffer:

    leak        a marker from confidential content found anywhere in the published site
                (HTML, JSON, CSV, feed, file names, PDF text, metadata, XMP, every PDF string,
                every XML part of every .docx)
    traceback   "Traceback" in the output
    hang        a call that did not finish within its timeout
    crash       killed by a signal (e.g. a segfault)
    memory      the load test's publish above 1 GiB peak memory (check and render run under
                ulimit -v 2 GiB, so a memory bomb there shows as a traceback or a crash)
    changed     a value printed or published differs from the record's text
    injection   record text interpreted as markup or code (HTML, Jinja, docx XML, CSV formula)
    data-loss   a file that was there before is deleted or changed; an output that the manifest
                lists is missing or differs from its checksum
    bad-exit    exit 0 for a bad input, or a non-zero exit where the input was good
    message     no one-line `path:line:col: error:` message naming the file (or at the wrong
                line, or a raw terminal escape in the output)
    orphan      a process left running after a kill, a lock still held, temporary files or
                staging folders left behind

Exit status: 0 if every case passed, 1 otherwise (2 if the only failures are the harness's own:
"harness" findings mean an attack could not be set up, e.g. because the seed record changed
shape, or a check found nothing to look at and would be blind)."""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import csv
import hashlib
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"
MEMORY_KB = 2 * 1024 * 1024  # ulimit -v for check and render: 2 GiB
LOAD_MEMORY_LIMIT_MB = 1024  # publish of the load archive above this is reported
ORPHAN_GRACE = 15.0  # seconds what a killed command started may run on (finishing its batch)

KINDS = ["leak", "traceback", "hang", "crash", "memory", "changed", "injection", "data-loss", "bad-exit", "message", "orphan",
         "harness"]
KIND_LABELS = {"leak": "leaks", "traceback": "tracebacks", "hang": "hangs", "crash": "crashes", "memory": "memory over limit",
               "changed": "silently changed", "injection": "injections interpreted", "data-loss": "data loss",
               "bad-exit": "bad exits", "message": "bad messages", "orphan": "left behind", "harness": "harness errors"}


# --- results ----------------------------------------------------------------------------------


@dataclass
class Failure:
    kind: str
    what: str
    detail: str = ""  # e.g. the whole traceback; in --json only


@dataclass
class Case:
    category: str
    name: str
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seen: str = ""  # what the main call answered, for --verbose

    def fail(self, kind: str, what: str, detail: str = "") -> None:
        assert kind in KINDS, kind
        if not any(f.kind == kind and f.what == what for f in self.failures):
            self.failures.append(Failure(kind, what, detail))

    @property
    def passed(self) -> bool:
        return not self.failures


class SetupError(Exception):
    """The harness could not build the attack (e.g. the seed record changed shape)."""


# --- running the CLI ------------------------------------------------------------------------


HERE = ROOT  # the harness's own checkout, whose .venv runs the engine
TREE: Path | None = None  # --tree: attack the engine, templates and seed record of another checkout


def decisions_command() -> list[str]:
    exe = HERE / ".venv" / "bin" / "decisions"
    if TREE is None and exe.exists():
        return [str(exe)]
    python = HERE / ".venv" / "bin" / "python"
    return [str(python if python.exists() else sys.executable), "-c",
            "import sys; sys.argv[0] = 'decisions'; from engine.cli import main; sys.exit(main())"]


DECISIONS = decisions_command()
WORK: Path = Path("/nonexistent")  # set in main(): the run's temporary folder
LIVE: set["Proc"] = set()
LIVE_LOCK = threading.Lock()


@dataclass
class Run:
    args: list[str]
    rc: int | None
    out: str
    err: str
    timed_out: bool
    seconds: float
    maxrss_kb: int

    @property
    def text(self) -> str:
        return self.out + self.err


class Proc:
    """A command in its own process group, output to files, reaped with its resource usage."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None, memory_kb: int | None = None):
        self.args = [str(a) for a in args]
        command = self.args
        if memory_kb:
            command = ["/bin/sh", "-c", f'ulimit -v {memory_kb} && exec "$@"', "sh", *self.args]
        self.out_file = tempfile.TemporaryFile(dir=WORK)
        self.err_file = tempfile.TemporaryFile(dir=WORK)
        self.popen = subprocess.Popen(command, cwd=cwd, env=env, stdout=self.out_file, stderr=self.err_file,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.popen.pid
        self.started = time.monotonic()
        self.ended: float | None = None
        self.status: int | None = None
        self.maxrss_kb = 0
        self.finished: Run | None = None
        with LIVE_LOCK:
            LIVE.add(self)

    def poll(self) -> bool:
        if self.status is None:
            try:
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status, usage = self.pid, 0, None
            if pid:
                self.status = status
                self.maxrss_kb = usage.ru_maxrss if usage else 0
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                self.ended = time.monotonic()
                with LIVE_LOCK:
                    LIVE.discard(self)
        return self.status is not None

    def wait(self, timeout: float) -> bool:
        """True if it ended within timeout seconds."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while not self.poll():
            if time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return True

    def signal_main(self, sig: int) -> None:
        if not self.poll():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        self.signal_group(signal.SIGKILL)
        self.wait(10)

    def result(self, timed_out: bool = False) -> Run:
        """Its output and how it ended (read once; later calls answer the same)."""
        if self.finished is not None:
            return self.finished

        def read(f: Any) -> str:
            f.seek(0)
            return f.read().decode("utf-8", "replace")

        out, err = read(self.out_file), read(self.err_file)
        self.out_file.close()
        self.err_file.close()
        seconds = (self.ended or time.monotonic()) - self.started
        self.finished = Run(self.args, self.popen.returncode, out, err, timed_out, seconds, self.maxrss_kb)
        return self.finished


def run(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None,
        memory_kb: int | None = None, reap_group: bool = True) -> Run:
    proc = Proc(args, cwd, env, memory_kb)
    finished = proc.wait(timeout)
    if not finished:
        proc.stop()
    elif reap_group:
        proc.signal_group(signal.SIGKILL)  # anything it left in its group
    return proc.result(timed_out=not finished)


def run_tty(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run with stdout and stderr on a pseudo-terminal, as a user at a terminal sees it (click
    strips terminal escapes only when the output is not a terminal)."""
    import pty

    master, slave = pty.openpty()
    started = time.monotonic()
    popen = subprocess.Popen([str(a) for a in args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                             start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timed_out = False
    try:
        popen.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    try:
        os.killpg(popen.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    popen.wait()
    reader.join(5)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return Run([str(a) for a in args], popen.returncode, text, "", timed_out, time.monotonic() - started, 0)


def cli(project: Path, *args: str, timeout: float, memory_kb: int | None = None, env: dict[str, str] | None = None,
        reap_group: bool = True) -> Run:
    return run([*DECISIONS, *args], project, timeout, env or env_for(project), memory_kb, reap_group)


def env_for(project: Path) -> dict[str, str]:
    """The environment of an attack: its own TMPDIR, so that its temporary files stay with it."""
    env = dict(os.environ)
    tmp = project.parent / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env["TMPDIR"] = str(tmp)
    env.pop("PYTHONPATH", None)
    if TREE is not None:
        env["PYTHONPATH"] = str(TREE)  # ahead of the editable install's finder
    return env


def processes_under(root: Path) -> list[tuple[int, str]]:
    """Processes (not the harness) whose working folder or command line is inside root."""
    found = []
    me, prefix = os.getpid(), str(root)
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        if not command:
            continue  # a zombie or a kernel thread
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            cwd = ""
        if cwd == prefix or cwd.startswith(prefix + "/") or prefix in command:
            found.append((int(entry), command))
    return found


def what_process(command: str) -> str:
    program = command.split(" ", 1)[0]
    if any(name in program for name in ("soffice", "oosplash", "libreoffice")):
        return "LibreOffice"
    if "python" in program or program.endswith("/decisions"):
        return "decisions worker"
    return program.rsplit("/", 1)[-1][:40]


def holds_file(pid: int, name: str) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}").endswith(name) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def kill_under(root: Path) -> list[tuple[int, str]]:
    """SIGKILL, by pid, every process working inside root; returns what was killed."""
    killed = []
    for _ in range(5):
        found = processes_under(root)
        if not found:
            break
        for pid, command in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append((pid, command))
            except ProcessLookupError:
                pass
        time.sleep(0.2)
    return killed


def cleanup_everything() -> None:
    with LIVE_LOCK:
        live = list(LIVE)
    for proc in live:
        proc.signal_group(signal.SIGKILL)
    for proc in live:
        proc.wait(2)
    if WORK.exists():
        kill_under(WORK)


# --- judging a run ---------------------------------------------------------------------------

LOCATED = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): ")


def traceback_excerpt(text: str) -> str:
    """The exception and the deepest engine frame (else the deepest frame) of the last traceback."""
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if "Traceback" in line)
    body = lines[start:]
    frames = [line.strip() for line in body if line.strip().startswith("File ")]
    engine = [f for f in frames if "/engine/" in f] or frames
    # the exception: the first line after the header that is not indented (a frame or its source)
    last = next((line.strip() for line in body[1:] if line.strip() and not line.startswith(" ")), "")
    where = re.sub(r'File ".*?/((?:engine|lib/python[\d.]+)/[^"]+)"', r"\1", engine[-1]) if engine else ""
    ignored = lines[start - 1].strip() if start and lines[start - 1].startswith("Exception ignored in") else ""
    excerpt = f"{last[:160]}  [{where[:120]}]" if where else last[:200]
    return f"{ignored[:80]}: {excerpt}" if ignored else excerpt


def traceback_text(text: str) -> str:
    start = text.find("Traceback")
    start = text.rfind("\n", 0, max(0, text.rfind("Exception ignored in", 0, start + 1))) + 1 if "Exception ignored in" in text[:start] else start
    return text[max(0, start):][-4000:]


def judge_basics(case: Case, r: Run, what: str) -> bool:
    """Hang, traceback, crash: the failures every run can show. True if the run ended normally."""
    if r.timed_out:
        case.fail("hang", f"{what}: no answer within {r.seconds:.0f} s (killed)")
        return False
    ok = True
    if "Traceback" in r.text:
        case.fail("traceback", f"{what}: {traceback_excerpt(r.text)}", traceback_text(r.text))
        ok = False
    if r.rc is not None and r.rc < 0:
        case.fail("crash", f"{what}: killed by signal {-r.rc} ({signal.Signals(-r.rc).name})")
        ok = False
    elif r.rc is not None and r.rc >= 128 and r.rc != 130:
        case.fail("crash", f"{what}: exit {r.rc}")
        ok = False
    return ok


def first_line(text: str, limit: int = 200) -> str:
    for line in text.splitlines():
        if line.strip():
            return brief(line.strip(), limit)
    return "(no output)"


def brief(text: str, limit: int = 200) -> str:
    """The head and the tail of a long line: the tail often says what went wrong."""
    text = text.replace("\n", "\\n")
    if len(text) <= limit:
        return text
    half = limit // 2 - 2
    return f"{text[:half]} … {text[-half:]}"


def judge_rejected(case: Case, r: Run, what: str, name: str | None, line: int | None = None,
                   lines_only: bool = False) -> None:
    """A bad input: exit 1, one located line naming the file, no traceback, within the timeout."""
    if not judge_basics(case, r, what):
        return
    if r.rc == 0:
        case.fail("bad-exit", f"{what}: exit 0 for a bad input ({first_line(r.text)})")
        return
    if r.rc != 1:
        case.fail("bad-exit", f"{what}: exit {r.rc}, not 1")
    judge_lines(case, r, what)
    if lines_only:
        return
    errors = [m for m in map(LOCATED.match, r.text.splitlines()) if m and m["sev"] == "error"]
    naming = [m for m in errors if name is None or name in m["path"]]
    if not naming:
        case.fail("message", f"{what}: no 'path:line:col: error:' line naming {name!r}; got: {first_line(r.text)}")
    elif line is not None and not any(int(m["line"]) == line for m in naming):
        case.fail("message", f"{what}: no error at line {line}; got: {naming[0].string[:160]}")


def judge_lines(case: Case, r: Run, what: str) -> None:
    """Output stays one line per problem, with no raw terminal escape."""
    if "\x1b" in r.text:
        case.fail("message", f"{what}: raw ESC (terminal escape) in the output")
    summary = re.compile(r"^\d+ records? checked: |^error: |^failed: |^interrupted")
    stray = [line for line in r.text.splitlines() if line.strip() and not LOCATED.match(line) and not summary.match(line)]
    if stray:
        case.fail("message", f"{what}: output line that is neither a located problem nor the summary: {stray[0][:120]!r}")


def judge_accepted(case: Case, r: Run, what: str) -> bool:
    if not judge_basics(case, r, what):
        return False
    if r.rc != 0:
        case.fail("bad-exit", f"{what}: exit {r.rc} for a good input: {first_line(r.text)}")
        return False
    return True


def located_errors(r: Run) -> dict[str, list[str]]:
    """Error lines of `decisions check`, by file name."""
    found: dict[str, list[str]] = {}
    for line in r.text.splitlines():
        m = LOCATED.match(line)
        if m and m["sev"] == "error":
            found.setdefault(Path(m["path"]).name, []).append(line)
    return found


# --- projects and records --------------------------------------------------------------------


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def seed_data() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(seed_text())


def dump(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000_000)


def edit(text: str, *pairs: tuple[str, str], count: int = 1) -> str:
    for old, new in pairs:
        if old not in text:
            raise SetupError(f"the seed record no longer holds {old!r}")
        text = text.replace(old, new, count)
    return text


def line_of(text: str, snippet: str) -> int:
    index = text.find(snippet)
    if index < 0:
        raise SetupError(f"{snippet!r} not in the record")
    return text.count("\n", 0, index) + 1


def make_project(path: Path, records: dict[str, str | bytes] | None = None, seed: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "office.yaml", path / "office.yaml")
    shutil.copytree(ROOT / "templates", path / "templates")
    if seed:
        write(path / "records" / "2021-2024" / "PCC-D-102.yaml", seed_text())
    for rel, content in (records or {}).items():
        write(path / rel, content)
    return path


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def copy_project(source: Path, target: Path, with_build: bool = True) -> Path:
    def ignore(folder: str, names: list[str]) -> list[str]:
        if not with_build and Path(folder) == source:
            return [n for n in names if n == "build"]
        return [n for n in names if n.endswith(".lock")]
    shutil.copytree(source, target, symlinks=True, ignore=ignore)
    if not with_build and (source / "build" / ".cache" / "libreoffice").is_dir():
        shutil.copytree(source / "build" / ".cache" / "libreoffice", target / "build" / ".cache" / "libreoffice",
                        symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_tree(root: Path, skip: Callable[[Path], bool] = lambda p: False) -> dict[str, str]:
    """Every file and symlink under root, by relative path: its sha256 (or link target)."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        for name in filenames + [d for d in dirnames if (folder / d).is_symlink()]:
            path = folder / name
            rel = path.relative_to(root)
            if skip(rel):
                continue
            try:
                out[rel.as_posix()] = ("link:" + os.readlink(path)) if path.is_symlink() else sha256(path)
            except OSError as exc:
                out[rel.as_posix()] = f"unreadable: {exc.strerror}"
    return out


def tree_losses(before: dict[str, str], after: dict[str, str]) -> list[str]:
    lost = []
    for rel, digest in sorted(before.items()):
        if rel not in after:
            lost.append(f"{rel} deleted")
        elif after[rel] != digest:
            lost.append(f"{rel} changed")
    return lost


# --- reading outputs ---------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_read(data: bytes, properties: bool = True) -> tuple[str, str, list[str]]:
    """(paragraph text of every word/ part and, if asked, the core properties; every XML
    part's raw text; the parts that are not well-formed XML)."""
    texts, raws, broken = [], [], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return "", "", [f"not a zip file: {exc}"]
    with archive:
        for name in archive.namelist():
            raw = archive.read(name)
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            raws.append(raw.decode("utf-8", "replace"))
            try:
                root = ET.fromstring(raw)
            except ET.ParseError as exc:
                broken.append(f"{name}: {exc}")
                continue
            if name.startswith("word/"):
                for paragraph in root.iter(W + "p"):
                    parts = []
                    for el in paragraph.iter():
                        if el.tag == W + "t":
                            parts.append(el.text or "")
                        elif el.tag == W + "tab":
                            parts.append("\t")
                        elif el.tag in (W + "br", W + "cr"):
                            parts.append("\n")
                    texts.append("".join(parts))
            elif name.startswith("docProps/") and properties:
                texts.append(" ".join(t for t in root.itertext()))
    return "\n".join(texts), "\n".join(raws), broken


def pdf_text(data: bytes) -> str:
    try:
        import pypdf
    except ImportError:
        with tempfile.NamedTemporaryFile(suffix=".pdf", dir=WORK) as f:
            f.write(data)
            f.flush()
            return subprocess.run(["pdftotext", f.name, "-"], capture_output=True, timeout=60).stdout.decode("utf-8", "replace")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as exc:  # noqa: BLE001 - a broken PDF is itself a finding
        return f"(unreadable PDF: {exc})"


def pdf_everything(data: bytes) -> str:
    """Page text, and every string and every stream's bytes anywhere in the PDF: /Info, XMP,
    bookmarks, the structure tree's /Alt and /ActualText, annotations."""
    parts = [pdf_text(data)]
    try:
        import pikepdf
    except ImportError:
        try:
            import pypdf

            reader = pypdf.PdfReader(io.BytesIO(data))
            parts.append(json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False))
            root = reader.trailer["/Root"]
            if "/Metadata" in root:
                parts.append(root["/Metadata"].get_object().get_data().decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001
            pass
        return "\n".join(parts)
    seen: set[tuple[int, int]] = set()

    def walk(obj: Any, depth: int = 0) -> None:
        if depth > 60:
            return
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            key = obj.objgen
            if key in seen:
                return
            seen.add(key)
        if isinstance(obj, pikepdf.String):
            parts.append(str(obj))
        elif isinstance(obj, pikepdf.Name):
            parts.append(str(obj))
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                walk(item, depth + 1)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for _, value in obj.items():
                walk(value, depth + 1)
            if isinstance(obj, pikepdf.Stream):
                try:
                    raw = obj.read_bytes()
                except Exception:  # noqa: BLE001 - e.g. an image filter qpdf cannot decode
                    raw = b""
                if len(raw) < 4_000_000:
                    parts.append(raw.decode("latin-1"))
                    if raw.startswith(b"\xfe\xff"):
                        parts.append(raw.decode("utf-16", "replace"))
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            walk(pdf.trailer)
            for obj in pdf.objects:
                walk(obj)
    except Exception as exc:  # noqa: BLE001
        parts.append(f"(pikepdf could not open it: {exc})")
    return "\n".join(parts)


def readable(path: Path, thorough: bool = False) -> list[tuple[str, str]]:
    """What a reader or a machine can get at in one file, as (where, text) pairs."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return [("PDF text, metadata and objects" if thorough else "PDF text", pdf_everything(data) if thorough else pdf_text(data))]
    if path.suffix == ".docx":
        text, raw, _ = docx_read(data)
        return [("docx XML parts", raw + "\n" + text)]
    return [("bytes", data.decode("utf-8", "replace"))]


def site_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file()) if site.is_dir() else []


class Scripts(HTMLParser):
    """Markup that would run: a script holding alert(1), an on* handler, a javascript: URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "alert(1)" in value:
                self.found.append(f"<{tag} {name}=...> event handler")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=\"javascript:...\">")
        if tag == "script":
            self.in_script = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(1)" in data:
            self.found.append("<script> running alert(1)")


def live_markup(page: str) -> list[str]:
    parser = Scripts()
    try:
        parser.feed(page)
        parser.close()
    except Exception as exc:  # noqa: BLE001
        return [f"HTML the parser cannot read: {exc}"]
    return parser.found


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- category 1: bad record inputs to `decisions check` (and `render`) --------------------------


@dataclass
class Input:
    name: str
    content: str | bytes | None = None  # the record's text, at cases/<slug>/<term>/<filename>
    filename: str = "PCC-D-102.yaml"
    term: str = "2021-2024"
    expect: str = "reject"  # reject | accept | value | survive | lines
    line: int | None = None  # the line the error must point at
    render: bool = False  # also `decisions render` it (Word and HTML; no PDF)
    document: str = "decision"  # which document `value` reads
    shown: tuple[str, str] | None = None  # value: (regex of the right value, regex of what is shown)
    special: Callable[[Path, Path], list[str]] | None = None  # makes the input; returns check's arguments
    message_name: str | None = None  # the name the message must carry (default: filename)
    memory: bool = True  # under ulimit -v
    forbid: str | None = None  # accept: this must not appear in the output
    tty: bool = False  # also run check with its output on a terminal


def bad_inputs(quick: bool) -> list[Input]:
    seed = seed_text()
    cases: list[Input] = []
    add = cases.append

    # Files that are not records at all.
    add(Input("empty file", ""))
    add(Input("only a comment", "# nothing here\n"))
    add(Input("malformed YAML (unclosed flow sequence)", edit(seed, ("reference: PCC/D/102", "reference: [PCC/D/102"))))
    tabbed = edit(seed, ("    fund: MoJ", "\tfund: MoJ"))
    add(Input("tab in indentation", tabbed, line=line_of(tabbed, "\tfund")))
    dup = edit(seed, ("report_of: Police", "subject: A second subject 2023-2024\nreport_of: Police"))
    add(Input("duplicate key", dup, line=line_of(dup, "subject: A second")))
    add(Input("binary file", bytes(range(256)) * 8))
    first_non_ascii = next(ch for ch in seed if ord(ch) > 127)
    add(Input("non-UTF-8 (cp1252) text", seed.encode("cp1252", "replace"), line=line_of(seed, first_non_ascii)))
    add(Input("a list, not a mapping", "- reference: PCC/D/102\n- subject: x\n"))
    add(Input("over 1 MB", seed + "# " + "x" * 1_100_000 + "\n"))
    add(Input("/dev/zero", special=lambda folder, project: ["/dev/zero"], message_name="/dev/zero"))
    add(Input("/dev/urandom", special=lambda folder, project: ["/dev/urandom"], message_name="/dev/urandom"))

    def fifo(folder: Path, project: Path) -> list[str]:
        path = folder / "2021-2024" / "PCC-D-102.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        return [str(path.relative_to(project))]
    add(Input("a FIFO named as a record (must not hang)", special=fifo))

    def fifo_in_folder(folder: Path, project: Path) -> list[str]:
        write(folder / "2021-2024" / "PCC-D-102.yaml", seed)
        os.mkfifo(folder / "2021-2024" / "PCC-D-103.yaml")
        return [str(folder.relative_to(project))]
    add(Input("a FIFO among the records of a folder (must not hang)", special=fifo_in_folder, expect="survive"))

    def empty_dir(folder: Path, project: Path) -> list[str]:
        (folder / "empty").mkdir(parents=True)
        return [str((folder / "empty").relative_to(project))]
    add(Input("a folder with no records", special=empty_dir, message_name="empty"))

    def dangling(folder: Path, project: Path) -> list[str]:
        path = folder / "2021-2024" / "PCC-D-102.yaml"
        path.parent.mkdir(parents=True)
        path.symlink_to(folder / "nowhere.yaml")
        return [str(path.relative_to(project))]
    add(Input("dangling symlink", special=dangling))

    def looping(folder: Path, project: Path) -> list[str]:
        path = folder / "2021-2024" / "PCC-D-102.yaml"
        path.parent.mkdir(parents=True)
        path.symlink_to(path.parent / "PCC-D-103.yaml")
        (path.parent / "PCC-D-103.yaml").symlink_to(path)
        return [str(path.relative_to(project))]
    add(Input("looping symlinks", special=looping))

    def dangling_in_folder(folder: Path, project: Path) -> list[str]:
        write(folder / "2021-2024" / "PCC-D-102.yaml", seed)
        (folder / "2021-2024" / "PCC-D-103.yaml").symlink_to(folder / "nowhere.yaml")
        return [str(folder.relative_to(project))]
    add(Input("dangling symlink among a folder's records (reported, not skipped)", special=dangling_in_folder,
              message_name="PCC-D-103.yaml"))

    def folder_loop(folder: Path, project: Path) -> list[str]:
        write(folder / "2021-2024" / "PCC-D-102.yaml", seed)
        (folder / "2021-2024" / "loop").symlink_to(folder)
        return [str(folder.relative_to(project))]
    add(Input("folder symlink loop (must not hang)", special=folder_loop, expect="survive"))

    # Dates known to the month, and dates at the edges.
    for label, value in (("0000-01", "0000-01"), ("9999-12", "9999-12"), ("{year: 99999999, month: 1}", "{year: 99999999, month: 1}")):
        text = edit(seed, ("    date: 2022-11\n    by: Commissioning", f"    date: {value}\n    by: Commissioning"))
        add(Input(f"month date {label}", text, line=line_of(text, f"date: {value}"), render=True))
    far = edit(seed, ("\ndate: 2023-09-06", "\ndate: 9999-12-31"))
    add(Input("paper dated 9999-12-31", far, term="2024-2028", expect="survive", render=True))

    # YAML bombs and nesting.
    for depth in ((990, 100_000) if not quick else (990, 100_000)):
        add(Input(f"flow nesting {depth:,} deep", seed + f"\nlol: {'[' * depth}{']' * depth}\n"))
    add(Input("recursive alias &r [*r]", seed + "\nlol: &r [*r]\n"))
    laughs = "\n".join(['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] +
                       [f"l{i}: &l{i} [{','.join(['*l' + str(i - 1)] * 9)}]" for i in range(1, 10)])
    add(Input("billion laughs (under ulimit -v 2 GiB)", seed + "\n" + laughs + "\n"))
    big = re.sub(r"(?m)^partners:\n(?:  - .*\n)+",
                 lambda m: "partners: [&b \"" + "x" * 100_000 + "\"" + ", *b" * 999 + "]\n", seed)
    if big == seed:
        raise SetupError("the seed record has no partners list")
    add(Input("1,000 aliases expanding to 100 MB", big))

    # YAML 1.1 readings of numbers, tags, timestamps.
    def value_case(name: str, old: str, new: str, shown: tuple[str, str] | None, document: str = "decision") -> None:
        text = edit(seed, (old, new))
        add(Input(name, text, expect="value", line=line_of(text, new.strip().splitlines()[0]), render=True, shown=shown, document=document))

    funding_shown = r"MoJ B992 – £40,000\b", r"MoJ B992 – (£[^\s<]*)"
    value_case("amount: 040000 (YAML 1.1 octal)", "    amount: 40000", "    amount: 040000", funding_shown)
    value_case("amount: 11:06:40 (YAML 1.1 sexagesimal)", "    amount: 40000", "    amount: 11:06:40", None)
    length_shown = r"Length of funding: 12 months", r"Length of funding: (\S+) months"
    value_case("duration_months: 012 (octal)", "  duration_months: 12", "  duration_months: 012", length_shown, "spec")
    value_case("duration_months: 0x3 (hex)", "  duration_months: 12", "  duration_months: 0x3", None, "spec")
    minus = edit(seed, ("    amount: 40000", "    amount: -0.0"), ("  bidding_limit: 40000", "  bidding_limit: 0"))
    add(Input("amount: -0.0", minus, expect="value", line=line_of(minus, "amount: -0.0"), render=True,
              shown=(r"MoJ B992 – £0\b", r"MoJ B992 – (\S*£[^\s<]*)")))
    value_case("weighting: yes (YAML 1.1 boolean)", "{criterion: Outcomes, weighting: 20,", "{criterion: Outcomes, weighting: yes,", None, "spec")
    value_case("timestamp with a time zone where a date goes", "\ndate: 2023-09-06", "\ndate: 2023-09-06T23:30:00-05:00",
               (r"Date: 06/09/2023", r"Date: (\S+)"))
    pwned = "PWNED-FILE"
    tag = edit(seed, ("partners:\n", f'partners: !!python/object/apply:os.system ["touch {pwned}"]\nold_partners:\n'))
    add(Input("tag !!python/object/apply:os.system", tag, line=line_of(tag, "partners: !!python"), forbid=pwned))
    custom = edit(seed, ("approval:\n  role:", "approval: !custom\n  role:"))
    add(Input("tag !custom on a mapping", custom, line=line_of(custom, "approval: !custom")))
    custom2 = edit(seed, ("recommendation: To note decision", "recommendation: !custom {a: 1}"))
    add(Input("tag !custom {a: 1}", custom2, line=line_of(custom2, "recommendation: !custom")))

    photo = edit(seed, ("          The service should include elements", "          The PHOTODOCUMENTATION service should include elements"))
    add(Input("PHOTODOCUMENTATION in text (not a TODO placeholder)", photo, expect="accept", forbid="placeholder"))

    newline_ref = edit(seed, ("reference: PCC/D/102", 'reference: "PCC/D/001\\n"'))
    add(Input('reference: "PCC/D/001\\n"', newline_ref, filename="PCC-D-001.yaml", line=line_of(newline_ref, "reference:")))
    wide = edit(seed, ("reference: PCC/D/102", "reference: PCC/D/１０２"))
    add(Input("full-width digits PCC/D/１０２", wide, line=line_of(wide, "reference:")))
    ansi_value = edit(seed, ("    amount: 40000", '    amount: "\\e[2J\\e[31m40000"'))
    add(Input("terminal escape in a bad value (echoed in the message)", ansi_value, line=line_of(ansi_value, "amount: \""), tty=True))

    # Control characters, in the subject and in a paragraph.
    for label, escape in (("NUL escape \\0", "\\0"), ("\\x01", "\\x01"), ("\\ufffe", "\\uFFFE"), ("bell \\a", "\\a"),
                          ("form feed \\f", "\\f")):
        text = edit(seed, ("subject: Allocation of MoJ Funding for Sexual Exploitation Support 2023-2024",
                           f'subject: "Allocation of MoJ Funding{escape} for Sexual Exploitation Support 2023-2024"'))
        add(Input(f"control character {label} in the subject", text, line=line_of(text, "subject:"), render=True))
        text = edit(seed, ("      - >-\n          A service to deliver support",
                           f'      - "A paragraph with a control character{escape} in it."\n      - >-\n          A service to deliver support'))
        add(Input(f"control character {label} in a paragraph", text, line=line_of(text, "A paragraph with a control"), render=True))

    # File names that would break one-line output.
    def odd_name(name: str) -> Callable[[Path, Path], list[str]]:
        def make(folder: Path, project: Path) -> list[str]:
            write(folder / "2021-2024" / name, seed)
            return [str(folder.relative_to(project))]
        return make
    add(Input("file name containing a newline", special=odd_name("PCC-D-102\nX.yaml"), expect="lines", tty=True))
    add(Input("file name containing ANSI escapes", special=odd_name("PCC-D-\x1b[31m102\x1b[0m.yaml"), expect="lines", tty=True))
    return cases


def html_text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def attack_bad_input(ctx: "Context") -> list[Case]:
    project = make_project(ctx.work / "bad-input" / "project")
    base = cli(project, "check", timeout=ctx.timeout)
    if base.rc != 0:
        raise SetupError(f"the seed record does not pass check in a fresh project: {first_line(base.text)}")
    inputs = bad_inputs(ctx.quick)

    def one(index: int, spec: Input) -> Case:
        case = Case("bad-input", spec.name)
        started = time.monotonic()
        folder = project / "cases" / f"{index:02d}"
        folder.mkdir(parents=True)
        try:
            if spec.special:
                args = spec.special(folder, project)
                name = spec.message_name or Path(args[0]).name
            else:
                path = folder / spec.term / spec.filename
                write(path, spec.content if spec.content is not None else "")
                args = [str(path.relative_to(project))]
                name = spec.message_name or spec.filename
        except SetupError as exc:
            case.fail("harness", str(exc))
            return case
        r = cli(project, "check", *args, timeout=ctx.timeout, memory_kb=MEMORY_KB if spec.memory else None)
        case.seen = f"check exit {r.rc} in {r.seconds:.1f} s, RSS {r.maxrss_kb // 1024} MiB: {first_line(r.text)}"
        if spec.forbid and spec.forbid == "PWNED-FILE":
            if (project / "PWNED-FILE").exists() or (folder / "PWNED-FILE").exists():
                case.fail("injection", "the !!python/object/apply tag ran os.system")
        if spec.expect == "reject":
            judge_rejected(case, r, "check", name, spec.line)
        elif spec.expect == "lines":
            judge_rejected(case, r, "check", None, None, lines_only=True)
        elif spec.expect == "survive":
            if judge_basics(case, r, "check"):
                if r.rc not in (0, 1):
                    case.fail("bad-exit", f"check: exit {r.rc}")
                judge_lines(case, r, "check")
                case.notes.append(f"check exit {r.rc}: {first_line(r.text)}")
        elif spec.expect == "accept":
            if judge_accepted(case, r, "check"):
                pass
            if spec.forbid and spec.forbid.lower() in r.text.lower():
                case.fail("message", f"check: {first_line(r.text)}")
        elif spec.expect == "value":
            if not judge_basics(case, r, "check"):
                pass
            elif r.rc == 1:
                judge_rejected(case, r, "check", name, spec.line)
            elif r.rc == 0:
                judge_value(ctx, case, project, args[0], folder, spec)
            else:
                case.fail("bad-exit", f"check: exit {r.rc}")
        if spec.tty:
            t = run_tty([*DECISIONS, "check", *args], project, ctx.timeout, env_for(project))
            judge_rejected(case, t, "check on a terminal", None if spec.expect == "lines" else name,
                           None if spec.expect == "lines" else spec.line, lines_only=spec.expect == "lines")
        if spec.render and not r.timed_out:
            out = folder / "out"
            rr = cli(project, "render", args[0], "--format", "docx,html", "--out", str(out), "--document", "decision",
                     timeout=ctx.timeout, memory_kb=MEMORY_KB)
            if judge_basics(case, rr, "render"):
                if r.rc == 1 and rr.rc == 0:
                    case.fail("bad-exit", "render: exit 0 for a record that check rejects")
                elif r.rc == 0 and rr.rc != 0:
                    case.fail("bad-exit", f"render: exit {rr.rc} for a record that check accepts: {first_line(rr.text)}")
                for docx in out.glob("*.docx") if out.is_dir() else []:
                    broken = docx_read(docx.read_bytes())[2]
                    if broken:
                        case.fail("injection", f"render: {docx.name} is not well-formed XML: {broken[0][:120]}")
        case.seconds = time.monotonic() - started
        return case

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(one, i, spec) for i, spec in enumerate(inputs)]
        cases = []
        for future in futures:
            try:
                cases.append(future.result())
            except Exception as exc:  # noqa: BLE001
                cases.append(Case("bad-input", "?", [Failure("harness", repr(exc))]))
    kill_under(project)
    return cases


def judge_value(ctx: "Context", case: Case, project: Path, record: str, folder: Path, spec: Input) -> None:
    """check accepted a YAML 1.1 reading: the rendered paper must show the value as written."""
    if spec.shown is None:
        case.fail("bad-exit", "check: exit 0; this value must be refused, there is no reading of it as written")
        return
    out = folder / "value"
    r = cli(project, "render", record, "--format", "html", "--out", str(out), "--document", spec.document, timeout=ctx.timeout,
            memory_kb=MEMORY_KB)
    if not judge_basics(case, r, "render"):
        return
    pages = [p for p in out.glob("*.html") if "preview" not in p.name] if out.is_dir() else []
    if r.rc != 0 or not pages:
        case.fail("bad-exit", f"render: exit {r.rc} for a record check accepts: {first_line(r.text)}")
        return
    text = html_text(pages[0].read_text(encoding="utf-8"))
    right, shown = spec.shown
    if not re.search(right, text):
        m = re.search(shown, text)
        written = spec.content.splitlines()[spec.line - 1].strip() if isinstance(spec.content, str) and spec.line else "?"
        case.fail("changed", f"accepted and published as {m.group(1) if m else '(not shown)'}; the record says {written}")


# --- category 2: records that pass check must build and publish ---------------------------------


def attack_check_then_build(ctx: "Context") -> list[Case]:
    base = seed_data()
    specs: dict[str, tuple[dict[str, Any], list[str]]] = {}  # case name -> (record data, texts that must appear)

    def record(number: int, subject: str | None = None) -> dict[str, Any]:
        data = copy.deepcopy(base)
        data["reference"] = f"PCC/D/{number}"
        if subject is not None:
            data["subject"] = subject
        return data

    head = "Z2LONG Allocation of MoJ Funding for Sexual Exploitation Support "
    words = " ".join(f"word{i}" for i in range(80))
    filler = (words + " ")[: 300 - len(head) - len(" 2023-2024")]
    long_subject = head + filler.rstrip() + "x" * (300 - len(head) - len(filler.rstrip()) - len(" 2023-2024")) + " 2023-2024"
    assert len(long_subject) == 300, len(long_subject)
    specs["subject of 300 characters"] = (record(201, long_subject), [long_subject])

    for number, lines in ((202, 6), (203, 20)):
        data = record(number, f"Z2FUND{lines} Allocation of MoJ Funding for Support 2023-2024")
        data["funding"] = [{"service": f"Z2F{lines}S{i:02d} Service", "fund": "MoJ", "budget_code": f"B{i:03d}",
                            "amount": 1000 * (i + 1), "financial_year": "2023-2024"} for i in range(lines)]
        data["route_to_market"]["bidding_limit"] = 1000 * lines  # the largest award: none may be above it
        specs[f"{lines} funding lines"] = (data, [f"Z2F{lines}S{i:02d} Service" for i in range(lines)])

    braces = "Z2BRACE {_{ }_} {_% %_} and {_{ x }_}"
    data = record(204, f"{braces} Allocation 2023-2024")
    data["sections"][0]["content"].insert(0, f"{braces} in a paragraph.")
    data["recommendation"] = f"{braces} in the recommendation"
    specs["docxtpl escapes {_{ }_} {_% %_}"] = (data, [braces + " Allocation 2023-2024", f"{braces} in a paragraph.",
                                                       f"{braces} in the recommendation"])

    xml = "Z2XML a < b & c > d \"quoted\" 'single' ]]> &amp; &#169; <br/>"
    data = record(205, f"{xml} 2023-2024")
    data["sections"][0]["content"].insert(0, f"{xml} in a paragraph.")
    specs["XML specials < & > \" ' ]]> &amp;"] = (data, [f"{xml} 2023-2024", f"{xml} in a paragraph."])

    emoji = "Z2EMOJI 👮‍♀️ 🚓 ✅ 🇬🇧 𝔘𝔫𝔦 ﷺ"
    data = record(206, f"{emoji} Support 2023-2024")
    data["sections"][0]["content"].insert(0, f"{emoji} in a paragraph.")
    specs["emoji and astral-plane text"] = (data, [f"{emoji} Support 2023-2024", f"{emoji} in a paragraph."])

    records = {f"records/2021-2024/PCC-D-{d['reference'].split('/')[-1]}.yaml": dump(d) for d, _ in specs.values()}
    project = make_project(ctx.work / "check-then-build" / "project", records, seed=False)
    return check_build_publish(ctx, project, "check-then-build", specs, token=lambda texts: texts[0].split()[0])


@dataclass
class Outcome:
    """What build and publish did for one record."""

    project: Path
    build: Run
    publish: Run
    build_failure: str | None  # the build's summary names this record as failed, and why
    publish_failure: str | None  # publish names this record as failed, and why
    alone: bool  # built and published alone, because the shared run broke as a whole

    @property
    def site(self) -> Path:
        return self.project / "build" / "site"


def broke(r: Run) -> bool:
    return r.timed_out or "Traceback" in r.text or (r.rc is not None and r.rc < 0)


def build_and_publish(ctx: "Context", project: Path, records: dict[str, str]) -> dict[str, Outcome]:
    """Build and publish the project's records (file name -> reference) together. If the
    shared build or publish breaks as a whole (a traceback, a hang, a crash, or publish failing
    without naming a record), do each record alone, so that what broke is put on the record
    that broke it."""

    def run_both(where: Path) -> tuple[Run, Run, dict[str, str]]:
        build = cli(where, "build", "--jobs", "2", "--format", "json", timeout=ctx.long_timeout)
        try:
            failed = {Path(f["source"]).name: f["reason"] for f in json.loads(build.out)["failed"]}
        except (ValueError, KeyError, TypeError):
            failed = {}
        publish = cli(where, "publish", timeout=ctx.long_timeout)
        return build, publish, failed

    def named(publish: Run, file: str, reference: str) -> str | None:
        slug = Path(file).stem.lower()
        for line in publish.err.splitlines():
            if file in line or slug in line.lower() or reference in line:
                return line
        return None

    build, publish, failed = run_both(project)
    anonymous = publish.rc not in (0, None) and not any(named(publish, f, r) for f, r in records.items())
    if not (broke(build) or broke(publish) or anonymous) or len(records) == 1:
        return {f: Outcome(project, build, publish, failed.get(f), named(publish, f, r), False) for f, r in records.items()}
    outcomes = {}
    for index, (file, reference) in enumerate(records.items()):
        alone = copy_project(project, project.parent / f"{project.name}-alone-{index:02d}", with_build=False)
        for other in records:
            if other != file:
                (alone / "records" / "2021-2024" / other).unlink(missing_ok=True)
        b, p, f = run_both(alone)
        outcomes[file] = Outcome(alone, b, p, f.get(file), named(p, file, reference), True)
        kill_under(alone)
    return outcomes


def judge_outcome(case: Case, o: Outcome) -> None:
    """check accepted the record: build and publish must have done it, without breaking."""
    alone = " (built and published alone)" if o.alone else ""
    judge_basics(case, o.build, "build" + alone)
    judge_basics(case, o.publish, "publish" + alone)
    if o.build_failure:
        case.fail("bad-exit", f"check exit 0, build failed{alone}: {brief(o.build_failure)}")
    elif o.build.rc != 0 and not broke(o.build):
        case.fail("bad-exit", f"check exit 0, build: exit {o.build.rc}{alone}: {first_line(o.build.err or o.build.out)}")
    if o.publish_failure:
        case.fail("bad-exit", f"check exit 0, publish failed{alone}: {brief(o.publish_failure)}")
    elif o.publish.rc != 0 and not broke(o.publish):
        case.fail("bad-exit", f"check exit 0, publish: exit {o.publish.rc}{alone}: {first_line(o.publish.err)}")
    case.seen += f"build exit {o.build.rc}, publish exit {o.publish.rc}{alone}"


def checked(ctx: "Context", project: Path, cases: dict[str, Case], files: dict[str, str]) -> dict[str, str]:
    """Run check on the project; a record it refuses is noted and taken out of the project (it
    would make publish fail for all). Returns the records accepted (file name -> case name)."""
    check = cli(project, "check", timeout=ctx.timeout)
    errors = located_errors(check)
    accepted = {}
    for file, name in files.items():
        case = cases[name]
        judge_basics(case, check, "check")
        if "\x1b" in check.text:
            case.fail("message", "check: raw ESC (terminal escape) in the output")
        if file in errors:
            case.notes.append(f"rejected by check, so not built: {brief(errors[file][0], 180)}")
            case.seen = "check refused it; "
            (project / "records" / "2021-2024" / file).unlink()
        else:
            case.seen = "check exit 0; "
            accepted[file] = name
    return accepted


def check_build_publish(ctx: "Context", project: Path, category: str, specs: dict[str, tuple[dict[str, Any], list[str]]],
                        token: Callable[[list[str]], str]) -> list[Case]:
    """Check every record, build and publish them together, then look for each record's texts."""
    cases = {name: Case(category, name) for name in specs}
    files = {f"PCC-D-{data['reference'].split('/')[-1]}.yaml": name for name, (data, _) in specs.items()}
    accepted = checked(ctx, project, cases, files)
    if not accepted:
        return list(cases.values())
    outcomes = build_and_publish(ctx, project, {f: specs[n][0]["reference"] for f, n in accepted.items()})

    for file, name in accepted.items():
        data, texts = specs[name]
        case, o = cases[name], outcomes[file]
        judge_outcome(case, o)
        site = o.site
        try:
            site_json = {d["reference"]: d for d in json.loads((site / "decisions.json").read_text(encoding="utf-8"))["decisions"]}
        except (OSError, ValueError, KeyError, TypeError):
            site_json = {}
        try:
            csv_rows = {r["reference"]: r for r in csv.DictReader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8")))}
        except (OSError, KeyError, csv.Error):
            csv_rows = {}
        number = data["reference"].split("/")[-1]
        slug = f"pcc-d-{number}"
        folder = o.project / "build" / "2021-2024" / slug
        page = site / "decisions" / "2021-2024" / slug / "index.html"
        outputs: list[tuple[str, str]] = []
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.suffix == ".html" and "preview" not in path.name:
                outputs.append((f"build {path.name}", html_text(path.read_text(encoding="utf-8"))))
            elif path.suffix == ".docx":
                outputs.append((f"build {path.name}", docx_read(path.read_bytes(), properties=False)[0]))
        if page.exists():
            outputs.append(("site page", html_text(page.read_text(encoding="utf-8"))))
            for path in page.parent.glob("*.docx"):
                outputs.append((f"site {path.name}", docx_read(path.read_bytes(), properties=False)[0]))
        elif not o.publish_failure:
            case.fail("bad-exit", f"not in the published site ({page.relative_to(o.project)} missing)")
        if not folder.is_dir() and not o.build_failure:
            case.fail("bad-exit", f"no build outputs ({folder.relative_to(o.project)} missing)")
        decision_outputs = [out for out in outputs if "-spec" not in out[0]]
        for text in texts:
            for where, content in decision_outputs:
                if text not in content and squash(text) not in squash(content):
                    near = token([text])
                    i = content.find(near)
                    seen = content[i:i + len(text) + 10] if i >= 0 else "(absent)"
                    case.fail("changed", f"{where}: {text[:60]!r} not shown as written; shows {seen[:70]!r}")
        pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
        for pdf in [p for p in pdfs if "-spec" not in p.name][:1]:
            content = squash(pdf_text(pdf.read_bytes()))
            tok = token(texts)
            if squash(tok) not in content:
                case.fail("changed", f"build {pdf.name}: {tok!r} not in the PDF's text")
            if "BRACE" in tok:
                for text in texts:
                    if squash(text) not in content:
                        case.fail("changed", f"build {pdf.name}: {text[:60]!r} not in the PDF's text as written")
        row = site_json.get(data["reference"])
        if page.exists():
            if row is None:
                case.fail("changed", "decisions.json has no entry for it")
            else:
                if row.get("subject") != data["subject"]:
                    case.fail("changed", f"decisions.json subject {str(row.get('subject'))[:60]!r} != record {data['subject'][:60]!r}")
                amounts = [str(line["amount"]) for line in data["funding"]]
                got = [str(f.get("amount")) for f in row.get("funding", [])]
                if [a.rstrip("0").rstrip(".") if "." in a else a for a in got] != amounts:
                    case.fail("changed", f"decisions.json amounts {got[:4]} != record {amounts[:4]}")
            cell = csv_rows.get(data["reference"], {}).get("subject")
            if cell is not None and cell not in (data["subject"], "'" + data["subject"]):
                case.fail("changed", f"decisions.csv subject {cell[:60]!r} != record {data['subject'][:60]!r}")
    kill_under(project.parent)
    return list(cases.values())


# --- category 3: injection into every text field ----------------------------------------------

# (label, payload, how the payload is placed); "csv" payloads go first in the field as well
INJECTIONS: list[tuple[str, str]] = [
    ("HTML <script>", "<script>alert(1)</script>"),
    ("attribute breakout", "\"><img src=x onerror=alert(1)>"),
    ("Jinja {{ 7*7 }}", "{{ 7*7 }} {{ config }}"),
    ("Jinja {% raw %}", "{% raw %} {%p if 1 %} {% endraw"),
    ("docxtpl {_{ }_}", "{_{ 7*7 }_} {_% if 1 %_}"),
    ("WordprocessingML run breakout", "</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>BOLD"),
    ("XML entity", "<!DOCTYPE z [<!ENTITY e \"PWN\">]>&e; &amp; &#x41; &lt;"),
    ("XML CDATA end ]]>", "<![CDATA[ x ]]> ]]> ]]&gt;"),
    ("CSV formula =HYPERLINK", "=HYPERLINK(\"http://x\")"),
    ("CSV formula +cmd", "+cmd|' /C calc'!A0"),
    ("CSV formula -2+3", "-2+3"),
    ("CSV formula @SUM", "@SUM(A1)"),
    ("ANSI terminal escapes", "\x1b[2J\x1b[31mRED\x1b[0m\x1b]8;;http://x\x07link\x1b]8;;\x07"),
    ("markdown link javascript:", "[x](javascript:alert(1)) **bold** <https://evil.example>"),
    ("very long text", ""),  # filled in per run
]

# The seed record's text fields to inject into (up to 33); the service heading stays, as the
# specification names it.
FIELDS: list[tuple[Any, ...]] = [
    ("subject",), ("report_of",), ("funding", 0, "service"), ("funding", 0, "fund"), ("funding", 0, "budget_code"),
    ("sections", 1, "heading"), ("sections", 2, "heading"), ("sections", 3, "heading"), ("sections", 4, "heading"),
    ("sections", 0, "content", 0), ("sections", 1, "content", 0), ("sections", 2, "content", 0), ("sections", 3, "content", 0),
    ("sections", 4, "content", 0), ("sections", 5, "content", 0), ("sections", 0, "content", 11, "bullets", 0),
    ("police_and_crime_plan", 0, "title"), ("partners", 0), ("route_to_market", "long_term_considerations", 0),
    ("history", 0, "by"), ("history", 0, "note"), ("history", 6, "reason"),
    ("history", 7, "reason"), ("history", 9, "organisations", 0), ("recommendation",),
    ("approval", "role"), ("specification", "requirements", 0), ("specification", "eligibility", 0),
    ("specification", "show_stoppers", 0, "requirement"), ("specification", "evaluation_criteria", 0, "criterion"),
    ("specification", "response_must_contain", 0), ("specification", "contact", "role"), ("specification", "notes", 0),
]
CSV_KINDS = {"=", "+", "-", "@"}


def get_path(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def set_path(data: Any, path: tuple[Any, ...], value: Any) -> None:
    get_path(data, path[:-1])[path[-1]] = value


def field_name(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


def attack_injection(ctx: "Context") -> list[Case]:
    base = seed_data()
    fields = []
    for path in FIELDS:
        try:
            if isinstance(get_path(base, path), str):
                fields.append(path)
        except (KeyError, IndexError, TypeError):
            continue
    fields = fields[: (12 if ctx.quick else 33)]
    long_text = "Long" + "abcdefghij" * (100 if ctx.quick else 500)
    kinds = [(label, payload or long_text) for label, payload in INJECTIONS]
    plan: dict[str, tuple[int, str, dict[str, Any], list[tuple[str, str]]]] = {}
    for k, (label, payload) in enumerate(kinds, start=1):
        data = copy.deepcopy(base)
        number = 300 + k
        data["reference"] = f"PCC/D/{number}"
        csv_kind = payload[:1] in CSV_KINDS
        placed = []
        for n, path in enumerate(fields, start=1):
            tag = f"QZ{k:02d}F{n:02d}:"
            original = get_path(data, path)
            value = f"{original} {tag}{payload}:ZQ"
            if csv_kind:
                value = f"{payload} {value}"
            set_path(data, path, value)
            placed.append((tag, field_name(path)))
        if csv_kind:
            data.setdefault("approval", {})["name"] = f"{payload} Name"
        plan[label] = (number, payload, data, placed)
    cases = {label: Case("injection", f"{label} in {len(fields)} fields") for label, _ in kinds}
    # The very long text gets a project of its own: whatever it does to publish must not hide
    # what the other kinds do.
    groups = [[label for label, _ in kinds if label != "very long text"], ["very long text"]]
    for number, group in enumerate(groups):
        project = make_project(ctx.work / "injection" / f"project-{number}",
                               {f"records/2021-2024/PCC-D-{plan[label][0]}.yaml": dump(plan[label][2]) for label in group}, seed=False)
        injection_project(ctx, project, {label: plan[label] for label in group}, cases)
        kill_under(project)
    return list(cases.values())


def injection_project(ctx: "Context", project: Path, plan: dict[str, tuple[int, str, dict[str, Any], list[tuple[str, str]]]],
                      cases: dict[str, Case]) -> None:
    files = {f"PCC-D-{number}.yaml": label for label, (number, *_) in plan.items()}
    accepted = checked(ctx, project, cases, files)
    if not accepted:
        return
    outcomes = build_and_publish(ctx, project, {f: plan[label][2]["reference"] for f, label in accepted.items()})
    sites: dict[Path, tuple[list[Path], str | None, str | None, list[tuple[str, str, str]]]] = {}

    def site_facts(site: Path) -> tuple[list[Path], str | None, str | None, list[tuple[str, str, str]]]:
        """The register's shared pages, feed, JSON and CSV, read once per site."""
        if site in sites:
            return sites[site]
        shared = [p for p in site.rglob("*.html") if "decisions" not in p.relative_to(site).parts] if site.is_dir() else []
        feed_error = json_error = None
        if (site / "feed.atom").exists():
            try:
                ET.fromstring((site / "feed.atom").read_bytes())
            except ET.ParseError as exc:
                feed_error = f"feed.atom is not well-formed XML: {exc}"
        if site.is_dir():
            try:
                json.loads((site / "decisions.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                json_error = f"decisions.json unreadable: {exc}"
        cells = []
        try:
            for row in csv.DictReader(io.StringIO((site / "decisions.csv").read_text(encoding="utf-8"))):
                for column, cell in row.items():
                    cells.append((row.get("reference", "?"), column or "?", cell or ""))
        except (OSError, csv.Error):
            pass
        sites[site] = (shared, feed_error, json_error, cells)
        return sites[site]

    for file, label in accepted.items():
        number, payload, data, placed = plan[label]
        case, o = cases[label], outcomes[file]
        judge_outcome(case, o)
        shared_pages, feed_error, json_error, csv_cells = site_facts(o.site)
        slug = f"pcc-d-{number}"
        ansi = payload.startswith("\x1b")
        tags = dict(placed)
        hits = {"html": 0, "docx": 0}

        def follow(where: str, text: str, whitespace: bool = False) -> None:
            """Each field's tag must be followed by the payload exactly as written."""
            for m in re.finditer(r"QZ%02dF(\d\d):" % (number - 300), text):
                tag = m.group(0)
                kind = where.rsplit(".", 1)[-1]
                if kind in hits:
                    hits[kind] += 1
                rest = text[m.end(): m.end() + len(payload) * 2 + 200]
                end = rest.find(":ZQ")
                got = rest[:end] if end >= 0 else rest[: len(payload) + 20]
                want = payload
                if ansi:
                    got = re.sub(r"[\x1b\u241b\ufffd]", "", got)
                    want = re.sub(r"[\x1b\u241b\ufffd]", "", want)
                if whitespace:
                    got, want = squash(got), squash(want)
                if got != want:
                    at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
                    shown = f"written {want[max(0, at - 15):at + 35]!r}, came out {got[max(0, at - 15):at + 35]!r}"
                    if at > 15:
                        shown += f" (from character {at}; {len(want)} written, {len(got)} came out)"
                    case.fail("injection" if not ansi else "changed", f"{where}, {tags.get(tag, tag)}: {shown}")

        folder = o.project / "build" / "2021-2024" / slug
        page_folder = o.site / "decisions" / "2021-2024" / slug

        def files_in(*suffixes: str) -> list[Path]:
            found = []
            for where in (folder, page_folder):
                if where.is_dir():
                    found += sorted(p for p in where.iterdir() if p.suffix in suffixes)
            return found

        htmls = files_in(".html")
        for path in htmls + shared_pages:
            raw = path.read_text(encoding="utf-8", errors="replace")
            where = str(path.relative_to(o.project))
            for found in live_markup(raw):
                case.fail("injection", f"{where}: {found}")
            if path in htmls:
                follow(where, html.unescape(raw))
            if ansi and "\x1b" in raw:
                case.fail("changed", f"{where}: raw ESC in the HTML")
        docxs = files_in(".docx")
        for path in docxs:
            text, _, broken = docx_read(path.read_bytes(), properties=False)
            where = str(path.relative_to(o.project))
            if broken:
                case.fail("injection", f"{where}: not well-formed XML: {broken[0][:140]}")
            follow(where, text)
        pdfs = files_in(".pdf")
        for path in pdfs[:2] if not ctx.quick else pdfs[:1]:
            text = pdf_text(path.read_bytes())
            if len(payload) < 200:  # a longer one runs across pages, their headers and footers between
                follow(str(path.relative_to(o.project)), text, whitespace=True)
            elif f"QZ{number - 300:02d}F" not in text:
                case.fail("changed", f"{path.relative_to(o.project)}: none of the fields' text is in the PDF")
        if not htmls and not docxs:
            if not (o.build_failure or o.publish_failure or broke(o.build) or broke(o.publish)):
                case.fail("bad-exit", "no outputs for it in build/ or the site")
        elif not hits["html"] or not hits["docx"]:
            case.fail("harness", f"no field's text found in the {'HTML' if not hits['html'] else 'Word'} outputs: this check is blind")
        case.seen += f"; fields found {hits['html']} times in HTML, {hits['docx']} in Word"
        if feed_error:
            case.fail("injection", feed_error)
        if json_error:
            case.fail("injection", json_error)
        if payload[:1] in CSV_KINDS:
            for reference, column, cell in csv_cells:
                if reference == data["reference"] and cell and cell[0] in "=+-@\t\r":
                    case.fail("injection", f"decisions.csv {column} cell starts with {cell[:1]!r}, not neutralised: {cell[:50]!r}")


# --- category 4: confidential content leaking into the public site ------------------------------

MARK = "ZQLEAK"


def attack_leaks(ctx: "Context") -> list[Case]:
    base = seed_data()
    cases = []

    # Project A: confidential paragraphs, bullets and a section in a public paper; a Part 2
    # paper; a draft; then the render-then-publish attack.
    d103 = copy.deepcopy(base)
    d103["reference"] = "PCC/D/103"
    d103["subject"] = "Rural Crime Advice 2023-2024"
    d103["sections"][2]["content"].insert(0, {"text": f"{MARK}PARA is a Part 2 paragraph.", "confidential": True})
    d103["sections"][0]["content"].insert(1, {"text": f"{MARK}DESC is Part 2 text in the service's description section.", "confidential": True})
    d103["sections"][0]["content"].insert(2, {"bullets": [f"{MARK}BULLET one", "two"], "confidential": True})
    d103["sections"].insert(4, {"heading": f"Commercial terms {MARK}HEAD", "confidential": True,
                                "content": [f"The rate is {MARK}SECT per hour.", {"bullets": [f"{MARK}SECTBULLET"]}]})
    d104 = copy.deepcopy(base)
    d104["reference"] = "PCC/D/104"
    d104["subject"] = "Estates Disposal 2023-2024"
    d104["publication"] = {"part": "part2", "reason": "Exempt under section 43 (commercial interests) of the Freedom of Information Act"}
    d104["sections"][0]["content"][0] = f"{MARK}PTWOBODY A service to deliver support."
    d104["funding"][0].update(service=f"{MARK}PTWOSERVICE Support", fund=f"{MARK}PTWOFUND", budget_code=f"{MARK}PTWOCODE",
                              amount="98765.43")
    d104["route_to_market"]["bidding_limit"] = 100000
    d104["recommendation"] = f"{MARK}PTWOREC To note decision"
    d104["partners"][0] = f"{MARK}PTWOPARTNER"
    d104["approval"]["name"] = f"{MARK}PTWONAME"
    d104["history"][0]["note"] = f"{MARK}PTWONOTE"
    d104["specification"]["requirements"][0] = f"{MARK}PTWOSPEC requirement"
    d105 = copy.deepcopy(base)
    d105["reference"] = "PCC/D/105"
    d105["status"] = "draft"
    d105["approval"].pop("date", None)  # a draft is not yet approved: no approval date, stated or not
    d105["subject"] = f"{MARK}DRAFT Subject 2023-2024"
    dump104 = dump(d104).replace("amount: '98765.43'", "amount: 98765.43")
    project = make_project(ctx.work / "leaks" / "project", {
        "records/2021-2024/PCC-D-103.yaml": dump(d103),
        "records/2021-2024/PCC-D-104.yaml": dump104,
        "records/2021-2024/PCC-D-105.yaml": dump(d105),
    })
    markers = {f"{MARK}PARA": "confidential paragraph (PCC/D/103)",
               f"{MARK}DESC": "confidential paragraph in the section the specification describes (PCC/D/103)",
               f"{MARK}BULLET": "confidential bullet list (PCC/D/103)",
               f"{MARK}HEAD": "confidential section's heading (PCC/D/103)",
               f"{MARK}SECT": "confidential section's text (PCC/D/103)",
               f"{MARK}PTWOBODY": "Part 2 paper's body (PCC/D/104)",
               f"{MARK}PTWOSERVICE": "Part 2 paper's service", f"{MARK}PTWOFUND": "Part 2 paper's fund",
               f"{MARK}PTWOCODE": "Part 2 paper's budget code", "98765.43": "Part 2 paper's amount (98765.43)",
               "98,765.43": "Part 2 paper's amount (£98,765.43)", f"{MARK}PTWOREC": "Part 2 paper's recommendation",
               f"{MARK}PTWOPARTNER": "Part 2 paper's partners", f"{MARK}PTWONAME": "Part 2 paper's approver",
               f"{MARK}PTWONOTE": "Part 2 paper's procurement history", f"{MARK}PTWOSPEC": "Part 2 paper's specification",
               f"{MARK}DRAFT": "draft (not approved) paper",
               f"{MARK}RENDER": "confidential paragraph added before `decisions render`, then `publish`"}
    steps = Case("leaks", "setup: build, then render PCC/D/102 with a new confidential paragraph, then publish")
    build = cli(project, "build", "--jobs", "2", timeout=ctx.long_timeout)
    judge_basics(steps, build, "build")
    if build.rc != 0:
        steps.fail("bad-exit", f"build: exit {build.rc}: {first_line(build.err)}")
    seed_path = project / "records" / "2021-2024" / "PCC-D-102.yaml"
    seed_path.write_text(edit(seed_path.read_text(encoding="utf-8"), (
        "      - >-\n          The provider will be required",
        f"      - text: {MARK}RENDER is a Part 2 paragraph added after the build.\n        confidential: true\n"
        "      - >-\n          The provider will be required")), encoding="utf-8")
    render = cli(project, "render", "PCC/D/102", timeout=ctx.long_timeout)
    judge_basics(steps, render, "render")
    publish = cli(project, "publish", timeout=ctx.long_timeout)
    judge_basics(steps, publish, "publish")
    if publish.rc != 0:
        steps.fail("bad-exit", f"publish: exit {publish.rc}: {first_line(publish.err)}")
    site = project / "build" / "site"
    found = scan_site(site, markers)
    # The scan can see: the markers are in the archive's own (internal) papers.
    internal = [readable(p, thorough=False) for p in (project / "build" / "2021-2024" / "pcc-d-103").glob("*.docx")]
    if not any(f"{MARK}PARA" in text for parts in internal for _, text in parts):
        steps.notes.append("the marker is not in build/'s own PCC/D/103 Word file either: is the scan blind?")
    rendered = [readable(p) for p in (project / "build" / "2021-2024" / "pcc-d-102").glob("*.pdf")]
    if not any(f"{MARK}RENDER" in squash(text) for parts in rendered for _, text in parts):
        steps.notes.append("`decisions render` did not put the new paragraph into build/'s PDF: the render attack did not arm")
    if not site_files(site):
        steps.fail("bad-exit", "no site was published, so nothing could be searched")
    cases.append(steps)
    searched = bool(site_files(site))
    for marker, what in markers.items():
        case = Case("leaks", what)
        for rel, where in found.get(marker, []):
            case.fail("leak", f"{marker!r} in {rel} ({where})")
        if not searched:
            case.fail("harness", "not tested: no site was published to search (see the setup case)")
        cases.append(case)
    kinds = {p.suffix for p in site_files(site)}
    missing = {".html", ".json", ".csv", ".atom", ".pdf", ".docx"} - kinds
    if missing:
        steps.notes.append(f"the site has no {', '.join(sorted(missing))} files to search")

    # Project B: reference collision. A Part 2 record in PCC-D-001.yml whose reference is
    # "PCC/D/001\n", beside the public PCC-D-001.yaml.
    public = copy.deepcopy(base)
    public["reference"] = "PCC/D/001"
    secret = copy.deepcopy(d104)
    secret["reference"] = "PCC/D/001\n"
    secret["sections"][0]["content"][0] = f"{MARK}COLLIDE Part 2 body."
    secret["funding"][0]["fund"] = f"{MARK}COLLIDEFUND"
    project_b = make_project(ctx.work / "leaks" / "collision", {
        "records/2021-2024/PCC-D-001.yaml": dump(public),
        "records/2021-2024/PCC-D-001.yml": dump(secret).replace("amount: '98765.43'", "amount: 98765.43"),
    }, seed=False)
    case = Case("leaks", 'reference collision: Part 2 "PCC/D/001\\n" in PCC-D-001.yml beside public PCC-D-001.yaml')
    publish_b = cli(project_b, "publish", timeout=ctx.long_timeout)
    judge_basics(case, publish_b, "publish")
    found_b = scan_site(project_b / "build" / "site", {f"{MARK}COLLIDE": "collision", "98765.43": "amount", "98,765.43": "amount"})
    for marker, hits in found_b.items():
        for rel, where in hits:
            case.fail("leak", f"{marker!r} in {rel} ({where})")
    page = project_b / "build" / "site" / "decisions" / "2021-2024" / "pcc-d-001" / "index.html"
    if publish_b.rc == 0 and page.exists() and "Part 2" in page.read_text(encoding="utf-8", errors="replace") \
            and not list(page.parent.glob("*.pdf")):
        case.fail("data-loss", "the public PCC/D/001's page was replaced by the Part 2 record's")
    case.notes.append(f"publish exit {publish_b.rc}: {first_line(publish_b.text)}")
    cases.append(case)
    kill_under(project)
    kill_under(project_b)
    return cases


def scan_site(site: Path, markers: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Every marker found anywhere in the site: file names, bytes, PDF text/strings/metadata,
    every XML part of every Word file."""
    found: dict[str, list[tuple[str, str]]] = {}
    lowered = {m: m.lower() for m in markers}
    for path in site_files(site):
        rel = str(path.relative_to(site))
        for marker, low in lowered.items():
            if low in rel.lower():
                found.setdefault(marker, []).append((rel, "file name"))
        for where, text in readable(path, thorough=True):
            low_text = text.lower()
            for marker, low in lowered.items():
                if low in low_text or low in squash(low_text):
                    found.setdefault(marker, []).append((rel, where))
    if site.is_dir():
        for path in site.rglob("*"):
            if path.is_dir():
                rel = str(path.relative_to(site))
                for marker, low in lowered.items():
                    if low in rel.lower():
                        found.setdefault(marker, []).append((rel + "/", "folder name"))
    return found


# --- category 5: data loss ------------------------------------------------------------------------


def attack_data_loss(ctx: "Context") -> list[Case]:
    base = make_project(ctx.work / "data-loss" / "base")
    setup = Case("data-loss", "setup: build and publish a project")
    b = cli(base, "build", "--jobs", "2", timeout=ctx.long_timeout)
    p = cli(base, "publish", timeout=ctx.long_timeout)
    if not judge_accepted(setup, b, "build") or not judge_accepted(setup, p, "publish"):
        return [setup]
    cases: list[Case] = []

    def skip(rel: Path) -> bool:
        parts = rel.parts
        return (len(parts) > 2 and parts[1] == "build" and parts[2] in (".cache", ".build.lock", ".build-in-progress")) \
            or (len(parts) > 0 and parts[0] == "tmp")

    def prepare(name: str) -> tuple[Path, Path]:
        root = ctx.work / "data-loss" / f"case-{len(cases):02d}"
        root.mkdir(parents=True)
        project = copy_project(base, root / "proj")
        write(root / "victim.txt", "a file beside the project that no command may touch\n")
        write(root / "victim-abs.txt", "a file named by absolute path in the manifest\n")
        write(project / "notes" / "keep.txt", "an unrelated file in an unrelated folder\n")
        return root, project

    def publish_out(name: str, target: Callable[[Path], str]) -> None:
        case = Case("data-loss", f"decisions publish --out {name}")
        root, project = prepare(name)
        before = hash_tree(root, skip)
        r = cli(project, "publish", "--out", target(project), timeout=ctx.long_timeout)
        after = hash_tree(root, skip)
        lost = tree_losses(before, after)
        if lost:
            case.fail("data-loss", f"{len(lost)} file(s) lost: {', '.join(lost[:4])}")
        if judge_basics(case, r, "publish"):
            if r.rc == 0:
                case.fail("bad-exit", f"publish: exit 0 (it wrote the site into {name})")
            elif not r.err.strip():
                case.fail("message", "publish: non-zero exit with no message")
        case.notes.append(f"exit {r.rc}: {first_line(r.text)}")
        kill_under(root)
        cases.append(case)

    publish_out("records", lambda proj: "records")
    publish_out("build", lambda proj: "build")
    publish_out(".", lambda proj: ".")
    publish_out("<project root, absolute>", lambda proj: str(proj))
    publish_out("notes (an existing folder with an unrelated file)", lambda proj: "notes")
    publish_out("office.yaml (an existing file)", lambda proj: "office.yaml")
    publish_out(".. (the folder above the project)", lambda proj: "..")

    def manifest_attack(name: str, change: Callable[[Path, Path, dict[str, Any]], None], *args: str) -> None:
        case = Case("data-loss", name)
        root, project = prepare(name)
        manifest = project / "build" / "manifest.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            change(root, project, data)
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            case.fail("harness", f"cannot edit the manifest: {exc!r}")
            cases.append(case)
            return
        manifest.write_text(json.dumps(data), encoding="utf-8")
        outside = lambda rel: skip(rel) or (len(rel.parts) > 1 and rel.parts[0] == "proj" and rel.parts[1] == "build")  # noqa: E731
        before = hash_tree(root, outside)
        r = cli(project, "build", "--jobs", "2", *args, timeout=ctx.long_timeout)
        after = hash_tree(root, outside)
        lost = tree_losses(before, after)
        if lost:
            case.fail("data-loss", f"{len(lost)} file(s) outside build/ lost: {', '.join(lost[:4])}")
        judge_basics(case, r, "build")
        case.notes.append(f"build exit {r.rc}: {first_line(r.text)}")
        kill_under(root)
        cases.append(case)

    def fake_entry(path: str) -> Callable[[Path, Path, dict[str, Any]], None]:
        def change(root: Path, project: Path, data: dict[str, Any]) -> None:
            entry = copy.deepcopy(data["records"][0])
            entry["source"] = "records/2021-2024/PCC-D-999.yaml"
            entry["reference"] = "PCC/D/999"
            victim = root / ("victim-abs.txt" if path.startswith("/") else "victim.txt")
            entry["outputs"] = [{"path": path, "sha256": sha256(victim), "size": victim.stat().st_size}]
            data["records"].append(entry)
        return change

    manifest_attack("manifest lists ../../victim.txt for a deleted record; build", fake_entry("../../victim.txt"))
    manifest_attack("manifest lists an absolute path for a deleted record; build", lambda root, project, data: fake_entry(str(root / "victim-abs.txt"))(root, project, data))

    def redirect(root: Path, project: Path, data: dict[str, Any]) -> None:
        victim = root / "victim.txt"
        data["records"][0]["outputs"].append({"path": "../../victim.txt", "sha256": sha256(victim), "size": victim.stat().st_size})
        record = project / data["records"][0]["source"]
        record.write_text(record.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")

    manifest_attack("manifest adds ../../victim.txt to a changed record's outputs; build", redirect)
    manifest_attack("manifest lists ../../victim.txt for a deleted record; build --force", fake_entry("../../victim.txt"), "--force")

    # manifest merge of broken shard manifests
    good = (base / "build" / "manifest.json").read_text(encoding="utf-8")
    merge_root = ctx.work / "data-loss" / "merge"
    merge_root.mkdir(parents=True)
    shutil.copy(base / "office.yaml", merge_root / "office.yaml")
    write(merge_root / "good.json", good)
    for name, content, files in (
            ("truncated shard manifest", good[: len(good) // 2], ["bad.json"]),
            ("good shard + truncated shard", good[: len(good) // 2], ["good.json", "bad.json"]),
            ("manifest that is a list: []", "[]", ["bad.json"]),
            ('wrong-shaped manifest {"records": 5}', '{"records": 5}', ["bad.json"]),
            ('manifest with a record missing its fields {"records": [{}]}', '{"records": [{}]}', ["bad.json"]),
            ("empty manifest file", "", ["bad.json"])):
        case = Case("data-loss", f"decisions manifest merge: {name}")
        write(merge_root / "bad.json", content)
        r = cli(merge_root, "manifest", "merge", *files, "-o", "merged.json", timeout=ctx.timeout)
        if judge_basics(case, r, "manifest merge") and r.rc == 0:
            merged = (merge_root / "merged.json").read_text(encoding="utf-8") if (merge_root / "merged.json").exists() else ""
            count = merged.count('"source"')
            case.fail("bad-exit", f"exit 0: merged into a manifest of {count} record(s), the broken shard's records silently dropped")
        (merge_root / "merged.json").unlink(missing_ok=True)
        cases.append(case)
    kill_under(ctx.work / "data-loss")
    return cases


# --- category 6: kills ------------------------------------------------------------------------------


def verify_manifest(build: Path) -> list[str]:
    path = build / "manifest.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return [f"manifest.json is not JSON: {exc}"]
    problems = []
    for entry in data.get("records", []) if isinstance(data, dict) else []:
        for output in entry.get("outputs", []):
            target = build / output["path"]
            if not target.is_file():
                problems.append(f"{output['path']} is in the manifest but missing")
            elif sha256(target) != output.get("sha256"):
                problems.append(f"{output['path']} differs from the sha256 the manifest records")
    return problems


def leftovers(build: Path) -> tuple[list[str], list[str]]:
    if not build.is_dir():
        return [], []
    # A killed publish's staging folder (and the temporary files in it) is the next publish's to
    # sweep, not the next build's, which must not touch what a running publish writes: it is
    # counted as staging, checked after the next publish.
    temps = [str(p.relative_to(build)) for p in build.rglob(".*.tmp")
             if ".cache" not in p.relative_to(build).parts and not p.relative_to(build).parts[0].startswith(".site.")]
    staging = [p.name for p in build.glob(".site.*") if p.is_dir()]
    return temps, staging


def kill_project(ctx: "Context") -> tuple[Path, Path]:
    """A project whose cold build takes several seconds (papers with a specification; half
    with a confidential paragraph, so that publish converts too), built and published once."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.archive import make_archive  # type: ignore[import-not-found]

    base = make_project(ctx.work / "kills" / "base", seed=False)
    paths = make_archive(base / "records", 16 if ctx.quick else 22)
    for path in paths:  # publish converts both papers of every record again, for the public
        text = path.read_text(encoding="utf-8")
        path.write_text(edit(text, ("      - >-\n          A service to deliver support",
                                    "      - text: A Part 2 paragraph.\n        confidential: true\n"
                                    "      - >-\n          A service to deliver support")), encoding="utf-8")
    built = copy_project(base, ctx.work / "kills" / "built")
    b = cli(built, "build", "--jobs", "2", timeout=ctx.long_timeout)
    if b.rc != 0:
        raise SetupError(f"the kill project does not build: {first_line(b.text)}")
    p = cli(built, "publish", timeout=ctx.long_timeout)
    if p.rc != 0:
        raise SetupError(f"the kill project does not publish: {first_line(p.text)}")
    ctx.figures.append(f"kill project: {len(paths)} records; cold build -j2 {b.seconds:.1f} s, first publish {p.seconds:.1f} s")
    ctx.durations = {"build": b.seconds, "publish": p.seconds}
    # base keeps LibreOffice's profiles (a new profile costs seconds), not the archive
    shutil.copytree(built / "build" / ".cache" / "libreoffice", base / "build" / ".cache" / "libreoffice",
                    ignore=shutil.ignore_patterns("*.lock"))
    return base, built


def attack_kills(ctx: "Context") -> list[Case]:
    base, built = kill_project(ctx)
    if ctx.quick:
        plan = [("build", signal.SIGKILL, 1.0), ("build", signal.SIGKILL, "pdf"), ("build", signal.SIGINT, 2.0),
                ("publish", signal.SIGKILL, "pdf"), ("publish", signal.SIGINT, 1.0)]
    else:
        plan = [(command, sig, when) for command in ("build", "publish") for sig in (signal.SIGKILL, signal.SIGINT)
                for when in (0.5, 1.0, 2.0, 4.0, "pdf")]
        plan += [("build", signal.SIGINT, 0.15), ("publish", signal.SIGINT, 0.15)]  # Ctrl-C while it starts up
    cases = [sigint_sweep(ctx, command, base, built) for command in ("build", "publish")]
    for index, (command, sig, when) in enumerate(plan):
        # A kill after the command has ended attacks nothing: a point past 90% of its measured
        # length moves to 75% of it.
        length = ctx.durations.get(command, 0)
        if isinstance(when, float) and length and when > 0.9 * length:
            when = round(0.75 * length, 1)
        cases.append(kill_case(ctx, index, command, sig, when, base, built))
    return cases


SWEEP = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def sigint_sweep(ctx: "Context", command: str, base: Path, built: Path) -> Case:
    """Ctrl-C early in a command's life, at many points: what it prints then depends on timing
    (an import, a Word file half written), so one point is not enough to see it."""
    points = SWEEP[::2] if ctx.quick else SWEEP
    case = Case("kills", f"Ctrl-C of `decisions {command}` swept over its first second ({len(points)} tries, "
                         f"{', '.join(f'{p:g}' for p in points)} s)")
    root = ctx.work / "kills" / f"sweep-{command}"
    project = copy_project(base if command == "build" else built, root / "proj", with_build=command != "build")
    env = env_for(project)
    args = ["build", "--jobs", "2"] if command == "build" else ["publish"]
    seen = []
    for when in points:
        if command == "publish":
            shutil.rmtree(project / "build" / ".cache" / "public-pdf", ignore_errors=True)
        else:
            for folder in (project / "build").iterdir() if (project / "build").is_dir() else []:
                if folder.name != ".cache":
                    shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink()
        proc = Proc([*DECISIONS, *args], project, env)
        proc.wait(when)
        finished = proc.poll()
        proc.signal_group(signal.SIGINT)
        stopped = proc.wait(20)
        r = proc.result(timed_out=not stopped)
        if not stopped:
            case.fail("hang", f"Ctrl-C at {when:g} s: still running 20 s later")
            proc.stop()
        if "Traceback" in r.text:
            case.fail("traceback", f"Ctrl-C at {when:g} s: {traceback_excerpt(r.text)}", traceback_text(r.text))
        seen.append(f"{when:g} s: {'done' if finished else f'exit {r.rc}'}")
        kill_under(project)
    case.seen = "; ".join(seen)
    shutil.rmtree(root, ignore_errors=True)
    return case


def first_pdf(project: Path, tmp: Path, command: str) -> bool:
    if command == "build":
        folder = project / "build"
        return folder.is_dir() and any(".cache" not in p.parts for p in folder.glob("*/*/*.pdf"))
    return any(tmp.glob("*/out/*.pdf")) or any((project / "build" / ".cache" / "public-pdf").glob("*.pdf"))


def kill_case(ctx: "Context", index: int, command: str, sig: int, when: float | str, base: Path, built: Path) -> Case:
    how = "kill -9" if sig == signal.SIGKILL else "Ctrl-C (SIGINT to the process group)"
    at = "once the first PDF appears" if when == "pdf" else f"after {when} s"
    case = Case("kills", f"{how} of `decisions {command}{' --jobs 2' if command == 'build' else ''}` {at}")
    root = ctx.work / "kills" / f"case-{index:02d}"
    project = copy_project(base if command == "build" else built, root / "proj", with_build=command != "build")
    if command == "publish":
        shutil.rmtree(project / "build" / ".cache" / "public-pdf", ignore_errors=True)
    env = env_for(project)
    tmp = Path(env["TMPDIR"])
    site_before = (project / "build" / "site" / "index.html").exists()
    args = ["build", "--jobs", "2"] if command == "build" else ["publish"]
    proc = Proc([*DECISIONS, *args], project, env)
    if when == "pdf":
        deadline = time.monotonic() + ctx.long_timeout
        while not proc.poll() and not first_pdf(project, tmp, command) and time.monotonic() < deadline:
            time.sleep(0.02)
    else:
        proc.wait(float(when))
    at_kill = time.monotonic() - proc.started
    if proc.poll():
        case.notes.append(f"finished (exit {proc.popen.returncode}) before the kill")
        case.seen = "finished before the kill"
        if proc.popen.returncode != 0:
            early = proc.result()
            case.fail("bad-exit", f"{command} failed on its own before the kill: exit {early.rc}: {first_line(early.err or early.out)}")
    else:
        case.seen = f"killed at {at_kill:.1f} s"
    if proc.poll():
        pass
    elif sig == signal.SIGKILL:
        proc.signal_main(signal.SIGKILL)
    else:
        proc.signal_group(signal.SIGINT)
    killed_at = time.monotonic()
    stopped = proc.wait(20)
    killed = proc.result(timed_out=not stopped)
    if not stopped:
        case.fail("hang", f"still running 20 s after {how}")
        proc.stop()
    if sig == signal.SIGINT and "Traceback" in killed.text:
        case.fail("traceback", f"Ctrl-C printed a traceback: {traceback_excerpt(killed.text)}", traceback_text(killed.text))
    time.sleep(1.0)
    build = project / "build"
    orphans = processes_under(project)
    holders = [pid for pid, _ in orphans if holds_file(pid, ".build.lock")]
    temps, _ = leftovers(build)
    case.seen += (f", exit {killed.rc}; then {len(orphans)} process(es) left, {len(holders)} holding the lock, "
                  f"{len(temps)} temporary file(s)")
    for problem in verify_manifest(build)[:3]:
        case.fail("data-loss", f"right after the kill: {problem}")
    if command == "publish" and site_before and not (build / "site" / "index.html").exists():
        case.fail("data-loss", "right after the kill: build/site/index.html is gone (the old site is not whole)")
    # The next build must go ahead, not find the archive locked by what the killed one left.
    again = cli(project, "build", "--jobs", "2", timeout=ctx.long_timeout, reap_group=True)
    if "another build is running" in again.text:
        case.fail("orphan", f"the next build says another build is running: {len(holders)} orphaned process(es) hold "
                            f"build/.build.lock ({', '.join(f'pid {p}: {what_process(c)}' for p, c in orphans if p in holders)})")
    # What the killed command left running may finish its batch and go; not 15 s after the kill.
    deadline = killed_at + ORPHAN_GRACE
    still = processes_under(project)
    while still and time.monotonic() < deadline:
        time.sleep(0.25)
        still = processes_under(project)
    if orphans and not still:
        case.notes.append(f"{len(orphans)} process(es) ({', '.join(sorted({what_process(c) for _, c in orphans}))}) "
                          f"outlived the kill, gone within {ORPHAN_GRACE:.0f} s")
    if still:
        names = sorted({what_process(c) for _, c in still})
        case.fail("orphan", f"{len(still)} process(es) still running {ORPHAN_GRACE:.0f} s after the kill: {', '.join(names)}")
    kill_under(project)
    if "another build is running" in again.text:
        again = cli(project, "build", "--jobs", "2", timeout=ctx.long_timeout)
        judge_accepted(case, again, "next build (after the harness killed the orphans)")
    else:
        judge_accepted(case, again, "next build")
    temps, _ = leftovers(build)
    if temps:
        case.fail("orphan", f"{len(temps)} temporary file(s) left after the next build: {', '.join(temps[:3])}")
    for problem in verify_manifest(build)[:3]:
        case.fail("data-loss", f"after the next build: {problem}")
    publish = cli(project, "publish", timeout=ctx.long_timeout)
    judge_accepted(case, publish, "next publish")
    case.seen += f"; next build exit {again.rc} ({again.seconds:.1f} s), next publish exit {publish.rc} ({publish.seconds:.1f} s)"
    temps, staging = leftovers(build)
    if staging:
        case.fail("orphan", f"staging folder(s) left after the next publish: {', '.join(staging[:3])}")
    if not (build / "site" / "index.html").exists():
        case.fail("data-loss", "no build/site/index.html after the next publish")
    left = processes_under(project)
    if left:
        case.fail("orphan", f"{len(left)} process(es) running after the next publish: {left[0][1][:80]}")
    kill_under(root)
    shutil.rmtree(root, ignore_errors=True)
    return case


# --- category 7: load ---------------------------------------------------------------------------------

STAND_IN = """#!{python}
# A stand-in LibreOffice: one blank page for every .docx, so that the figures are the engine's own.
import shutil, sys
args = sys.argv[1:]
out = args[args.index("--outdir") + 1]
for arg in args:
    if arg.endswith(".docx"):
        shutil.copyfile("{pdf}", out + "/" + arg.rsplit("/", 1)[-1][:-5] + ".pdf")
"""


def attack_load(ctx: "Context") -> list[Case]:
    sys.path.insert(0, str(ROOT))
    from benchmarks.archive import make_archive  # type: ignore[import-not-found]

    count = ctx.load_records
    project = make_project(ctx.work / "load" / "project", seed=False)
    make_archive(project / "records", count)
    cases = []

    case = Case("load", f"decisions check, {count:,} records")
    r = cli(project, "check", timeout=ctx.long_timeout * 2, memory_kb=MEMORY_KB)
    if judge_accepted(case, r, "check"):
        pass
    case.notes.append(f"{r.seconds:.1f} s ({count / max(r.seconds, 1e-9):.0f} records/s), peak RSS {r.maxrss_kb / 1024:.0f} MiB")
    ctx.figures.append(f"check {count:,} records: {r.seconds:.1f} s, {count / max(r.seconds, 1e-9):.0f} records/s, "
                       f"peak RSS {r.maxrss_kb / 1024:.0f} MiB")
    cases.append(case)

    # publish, with a stand-in LibreOffice so that the memory is the engine's own
    bin_dir = ctx.work / "load" / "bin"
    bin_dir.mkdir(parents=True)
    blank = ctx.work / "load" / "blank.pdf"
    try:
        import pikepdf

        pdf = pikepdf.new()
        pdf.add_blank_page()
        pdf.save(blank)
    except ImportError:
        raise SetupError("pikepdf is needed to make the stand-in LibreOffice's PDF") from None
    (bin_dir / "soffice").write_text(STAND_IN.replace("{pdf}", str(blank)).replace("{python}", sys.executable))
    (bin_dir / "soffice").chmod(0o755)
    env = env_for(project)
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    case = Case("load", f"decisions publish, {count:,} records (LibreOffice stood in for)")
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    r = run([*timer, *DECISIONS, "publish"], project, ctx.long_timeout * 4, env)
    peak_kb = r.maxrss_kb
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.err)
    if m:
        peak_kb = int(m.group(1))
        r.err = r.err[: m.start()]  # /usr/bin/time's report is not the engine's output
    if judge_accepted(case, r, "publish"):
        pass
    case.notes.append(f"{r.seconds:.1f} s, peak RSS {peak_kb / 1024:.0f} MiB")
    if peak_kb / 1024 > LOAD_MEMORY_LIMIT_MB:
        case.fail("memory", f"publish peak memory {peak_kb / 1024:.0f} MiB, over {LOAD_MEMORY_LIMIT_MB} MiB")
    ctx.figures.append(f"publish {count:,} records (stand-in LibreOffice): {r.seconds:.1f} s, peak RSS {peak_kb / 1024:.0f} MiB "
                       f"({'/usr/bin/time -v' if m else 'wait4 ru_maxrss'})")
    cases.append(case)
    kill_under(project)
    return cases


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Context:
    work: Path
    quick: bool
    timeout: float
    long_timeout: float
    load_records: int
    figures: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)  # the kill project's build and publish, in seconds


CATEGORIES: dict[str, tuple[str, Callable[[Context], list[Case]]]] = {
    "bad-input": ("bad record inputs to `check` (and `render`)", attack_bad_input),
    "check-then-build": ("records that pass check must build and publish", attack_check_then_build),
    "injection": ("injection into every text field", attack_injection),
    "leaks": ("confidential content in the public site", attack_leaks),
    "data-loss": ("publish --out, manifest paths, manifest merge", attack_data_loss),
    "kills": ("kill -9 and Ctrl-C of build and publish", attack_kills),
    "load": ("2,000 records: check time, publish memory", attack_load),
}


def printable(text: str) -> str:
    """No raw control character reaches the terminal from the report."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text.replace("\n", "\\n"))


def print_report(cases: list[Case], seconds: float, figures: list[str], categories: list[str], verbose: bool = False) -> None:
    out = sys.stdout
    width = max(len(c) for c in categories) + 2
    out.write("\n" + "=" * 100 + "\n")
    out.write(f"{'category':<{width}} {'tried':>5} {'passed':>6} {'failed':>6}   findings\n")
    out.write("-" * 100 + "\n")
    for category in categories:
        mine = [c for c in cases if c.category == category]
        kinds: dict[str, int] = {}
        for c in mine:
            for f in c.failures:
                kinds[f.kind] = kinds.get(f.kind, 0) + 1
        findings = ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in sorted(kinds.items(), key=lambda kv: KINDS.index(kv[0])))
        passed = sum(c.passed for c in mine)
        out.write(f"{category:<{width}} {len(mine):>5} {passed:>6} {len(mine) - passed:>6}   {findings}\n")
    total = len(cases)
    passed = sum(c.passed for c in cases)
    out.write("-" * 100 + "\n")
    out.write(f"{'all':<{width}} {total:>5} {passed:>6} {total - passed:>6}   in {seconds / 60:.1f} min\n\n")
    counts = {k: sum(1 for c in cases for f in c.failures if f.kind == k) for k in KINDS}
    in_cases = {k: sum(1 for c in cases if any(f.kind == k for f in c.failures)) for k in KINDS}
    out.write("Failures by kind (cases failing that way / findings):\n")
    for k in KINDS:
        out.write(f"  {KIND_LABELS[k]:<24} {in_cases[k]:>4} / {counts[k]}\n")
    if figures:
        out.write("\nLoad figures:\n" + "".join(f"  {f}\n" for f in figures))
    failed = [c for c in cases if not c.passed]
    if failed:
        out.write("\nWhat failed (category | case | kind | what happened):\n")
        for c in failed:
            shown: dict[str, int] = {}
            for f in c.failures:
                shown[f.kind] = shown.get(f.kind, 0) + 1
                if shown[f.kind] <= 4:
                    out.write(f"  {c.category} | {printable(c.name)} | {f.kind} | {printable(f.what)}\n")
            for kind, n in shown.items():
                if n > 4:
                    out.write(f"  {c.category} | {printable(c.name)} | {kind} | ... and {n - 4} more of the same kind (--json has them all)\n")
    if verbose:
        out.write("\nEvery case:\n")
        for c in cases:
            out.write(f"  {'PASS' if c.passed else 'FAIL'} {c.category} | {printable(c.name)} | {printable(c.seen)[:220]}\n")
    noted = [c for c in cases if c.notes]
    if noted:
        out.write("\nNotes:\n")
        for c in noted:
            for n in c.notes:
                out.write(f"  {c.category} | {printable(c.name)} | {printable(n)[:220]}\n")
    out.flush()


def git_commit() -> str:
    """The attacked tree's commit, and whether it has uncommitted changes (read-only git calls)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "engine", "templates"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    if head.returncode != 0:
        return "not a git checkout"
    return head.stdout.strip() + (" + uncommitted changes to engine/ or templates/" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    global WORK, ROOT, SEED_PATH, TREE, DECISIONS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smaller run: fewer fields and kills, no load test")
    parser.add_argument("--only", action="append", default=[], metavar="CATEGORY",
                        help=f"run only this category (repeatable; comma-separated also): {', '.join(CATEGORIES)}")
    parser.add_argument("--timeout", type=float, default=None, help="seconds for one check or render call (default 60; 30 with --quick)")
    parser.add_argument("--long-timeout", type=float, default=180, help="seconds for one build or publish call (default 180)")
    parser.add_argument("--load-records", type=int, default=2000, help="records for the load test (default 2000)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (their folder is printed)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every case, passed or not, with what it answered")
    parser.add_argument("--list", action="store_true", help="list the categories and exit")
    parser.add_argument("--tree", type=Path, default=None,
                        help="attack another checkout's engine, templates and seed record (e.g. an export of an "
                             "earlier commit: git archive COMMIT | tar -x -C DIR), run with this checkout's .venv")
    args = parser.parse_args(argv)
    if args.tree is not None:
        TREE = ROOT = args.tree.resolve()
        SEED_PATH = ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"
        DECISIONS = decisions_command()
        if not (ROOT / "engine" / "cli.py").exists():
            parser.error(f"{ROOT} holds no engine/cli.py")
    if args.list:
        for name, (what, _) in CATEGORIES.items():
            print(f"{name:<18} {what}")
        return 0
    chosen = [c.strip() for item in args.only for c in item.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        parser.error(f"unknown category {', '.join(unknown)}; choose from {', '.join(CATEGORIES)}")
    categories = chosen or [c for c in CATEGORIES if not (args.quick and c == "load")]
    if not SEED_PATH.exists():
        print(f"error: no seed record at {SEED_PATH}", file=sys.stderr)
        return 2

    WORK = Path(tempfile.mkdtemp(prefix="decisions-attack-"))
    ctx = Context(WORK, args.quick, args.timeout or (30.0 if args.quick else 60.0), args.long_timeout, args.load_records)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    started = time.monotonic()
    cases: list[Case] = []
    try:
        for category in categories:
            what, attack = CATEGORIES[category]
            t0 = time.monotonic()
            print(f"[{category}] {what} ...", file=sys.stderr, flush=True)
            try:
                found = attack(ctx)
            except SetupError as exc:
                found = [Case(category, "setup", [Failure("harness", str(exc))])]
            except Exception as exc:  # noqa: BLE001 - one category's harness bug must not lose the others
                import traceback

                found = [Case(category, "harness crashed", [Failure("harness", "".join(
                    traceback.format_exception_only(type(exc), exc)).strip() + " | " +
                    traceback.format_exc().strip().splitlines()[-3].strip())])]
            cases.extend(found)
            failed = sum(not c.passed for c in found)
            print(f"[{category}] {len(found)} cases, {failed} failed, {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
            kill_under(WORK)
    except KeyboardInterrupt:
        print("interrupted: reporting what ran", file=sys.stderr)
    finally:
        cleanup_everything()
        if soffice_left := [c for _, c in processes_under(WORK) if "soffice" in c]:
            print(f"warning: {len(soffice_left)} LibreOffice process(es) could not be killed", file=sys.stderr)
        if args.keep:
            print(f"projects kept in {WORK}", file=sys.stderr)
        else:
            shutil.rmtree(WORK, ignore_errors=True)
    seconds = time.monotonic() - started
    print(f"\nattacked: {ROOT} at {git_commit()}")
    print_report(cases, seconds, ctx.figures, categories, args.verbose)
    if args.json:
        args.json.write_text(json.dumps({
            "seconds": round(seconds, 1), "quick": args.quick,
            "engine": str(ROOT), "commit": git_commit(),
            "cases": [{"category": c.category, "case": c.name, "passed": c.passed, "seconds": round(c.seconds, 2), "seen": c.seen,
                       "failures": [f.__dict__ for f in c.failures], "notes": c.notes} for c in cases],
            "figures": ctx.figures}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if any(f.kind == "harness" for c in cases for f in c.failures) and all(
            f.kind == "harness" for c in cases for f in c.failures):
        return 2
    return 0 if all(c.passed for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
