"""A LibreOffice kept warm: a paper's PDF in a fifteenth of the time a start costs.

`Converter` starts LibreOffice for each batch, about a second a start, which a build spreads
over a hundred papers but an editor waiting on one paper cannot. A WarmConverter starts one
LibreOffice listening on a private pipe, and a worker (engine/render/uno_worker.py, run by the
system Python, which has Debian's python3-uno) that converts through UNO: load the .docx
hidden, store it with the same PDF/A export filter, close it. It offers Converter's interface,
so `papers.convert_pdfs` finishes its PDFs the same way, byte for byte.

- Each paper has `timeout` seconds; a LibreOffice that hangs or dies is killed (its whole
  process group) and started again; the paper gets a one-line ConversionError (a LibreOffice
  found dead before the paper, or that died under it, is given the paper once more first).
- Without python3-uno, or when the warm start fails, it says why once (`say`, stderr by
  default) and converts with a cold Converter on the same profile.
- close() asks LibreOffice to quit, then kills what is left of both process groups; it runs at
  interpreter exit too, pdf.stop_all() kills both from a signal handler, and a worker whose
  engine died (its stdin closed) kills its LibreOffice: no process outlives the engine.
- One lock serialises conversions: an editor may ask from several requests at once."""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..problems import ConversionError
from .pdf import EXPORT_FILTER, RUNNING, TIMEOUT_SECONDS, Converter, ProfilePool, _kill_group, _opens, find_soffice

WORKER = Path(__file__).with_name("uno_worker.py")
UNO_PYTHON = "/usr/bin/python3"  # Debian's Python, which python3-uno extends
UNO_PYTHON_VARIABLE = "DECISIONS_UNO_PYTHON"  # another Python with uno (or none: a path that is not there)
START_SECONDS = 60.0  # for LibreOffice to listen: about a second, several with a new profile
QUIT_SECONDS = 5.0  # for LibreOffice to quit when asked, before it is killed
MISSING_UNO = ("python3-uno is not installed (the system Python cannot import uno): install the Debian package "
               "python3-uno, or run `make build`, which installs it")


def filter_data() -> dict[str, Any]:
    """The PDF export's options as UNO takes them, from the filter string Converter passes."""
    options = json.loads(EXPORT_FILTER.split(":", 2)[2])
    kinds: dict[str, Callable[[str], Any]] = {"long": int, "boolean": lambda v: v == "true", "string": str}
    return {name: kinds[option["type"]](option["value"]) for name, option in options.items()}


def _living(groups: set[int]) -> bool:
    """Whether a process of these groups is still alive, zombies aside (Linux's /proc)."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # ended while we looked
            continue
        if int(fields[2]) in groups and fields[0] != "Z":
            return True
    return False


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Gone(Exception):
    """The worker ended (or its LibreOffice did) before it answered."""


class WarmConverter:
    """One LibreOffice kept running, with its own profile leased from `pool`, converting one
    paper at a time. Converter's interface: convert(papers) -> list[bytes | ConversionError].

    start() is optional (the first convert() starts it); it returns whether LibreOffice is warm.
    After a fallback `cold_reason` says why it is not. `start_seconds` is how long the last
    start took. close() ends it; a later convert() starts it again."""

    def __init__(self, pool: ProfilePool, timeout: float = TIMEOUT_SECONDS, start_timeout: float = START_SECONDS,
                 python: str | None = None, say: Callable[[str], None] = _to_stderr):
        self.pool = pool
        self.timeout = timeout  # the longest LibreOffice may spend on one paper
        self.start_timeout = start_timeout
        self.python = python or os.environ.get(UNO_PYTHON_VARIABLE) or UNO_PYTHON
        self.say = say
        self.cold_reason: str | None = None
        self.starts = 0  # LibreOffices started: one, and one more after each hang or crash
        self.start_seconds: float | None = None
        self._lock = threading.Lock()
        self._closing = False
        self._lease: Any = None
        self._tmp: Path | None = None
        self._soffice: subprocess.Popen[bytes] | None = None
        self._worker: subprocess.Popen[bytes] | None = None
        self._launched_at = 0.0
        self._ready = False
        self._buffer = b""
        self._cold: Converter | None = None
        self._at_exit = False
        self._filter_data = filter_data()

    # --- the interface ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start LibreOffice and wait until it listens; False (and why, once) when it cannot."""
        with self._lock:
            return self._ensure_ready()

    def convert(self, papers: Sequence[Path]) -> list[bytes | ConversionError]:
        """Each .docx as PDF bytes (not yet finished: see papers.convert_pdfs), or its error."""
        if not papers:
            return []
        with self._lock:
            if not self._closing:
                self._ensure_ready()
            results: list[bytes | ConversionError] = []
            for index, paper in enumerate(papers):
                if self._cold is not None:  # fell back, before or now: the rest in one cold batch
                    results.extend(self._cold.convert([Path(p) for p in papers[index:]]))
                    break
                results.append(self._convert_one(Path(paper)))
            return results

    def close(self) -> None:
        """Quit LibreOffice and the worker (killing what does not quit) and give the profile back."""
        self._closing = True
        try:
            if not self._lock.acquire(timeout=1.0):  # a conversion is running: stop it under its feet
                self._kill_groups()
                self._lock.acquire()
            try:
                self._quit()
                if self._lease is not None:
                    self._lease.lock.close()
                    self._lease = None
                if self._tmp is not None:
                    shutil.rmtree(self._tmp, ignore_errors=True)
                    self._tmp = None
                self._cold = None
                self.cold_reason = None
                if self._at_exit:
                    atexit.unregister(self.close)
                    self._at_exit = False
            finally:
                self._lock.release()
        finally:
            self._closing = False

    def __enter__(self) -> "WarmConverter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pids(self) -> list[int]:
        """The LibreOffice launcher's and the worker's process ids (each leads its own group)."""
        return [p.pid for p in (self._soffice, self._worker) if p is not None]

    # --- starting and stopping -------------------------------------------------------------------

    def _ensure_ready(self) -> bool:
        if self._cold is not None:
            return False
        if self._worker is None:
            self._launch()
            if self._cold is not None:
                return False
        if not self._ready:
            self._await_ready()
        return self._ready

    def _launch(self) -> None:
        """Start LibreOffice and its worker, without waiting for them (see _await_ready)."""
        soffice = find_soffice()  # no LibreOffice at all: the same error as Converter's
        if self._lease is None:
            self._lease = self.pool.lease()
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="decisions-warm-"))
        if not self._at_exit:
            atexit.register(self.close)
            self._at_exit = True
        profile = self._lease.profile
        profile.mkdir(parents=True, exist_ok=True)
        pipe = f"decisions-{os.getpid()}-{secrets.token_hex(8)}"
        self._launched_at = time.monotonic()
        self.starts += 1
        with open(self._tmp / "soffice.log", "ab") as log:
            try:
                self._soffice = subprocess.Popen(
                    [soffice, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                     f"-env:UserInstallation={profile.resolve().as_uri()}",
                     f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                    pass_fds=(self._lease.lock.fileno(),))
            except OSError as exc:
                self._fall_back(f"cannot start LibreOffice: {exc.strerror}")
                return
        RUNNING.add(self._soffice.pid)
        with open(self._tmp / "worker.log", "ab") as log:
            try:
                self._worker = subprocess.Popen(
                    [self.python, "-I", str(WORKER), pipe, str(self._soffice.pid), str(self.start_timeout)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
            except OSError as exc:
                self._stop()
                self._fall_back(f"{MISSING_UNO} ({self.python}: {exc.strerror})")
                return
        RUNNING.add(self._worker.pid)

    def _await_ready(self) -> None:
        deadline = self._launched_at + self.start_timeout + 5
        while True:
            try:
                reply = self._reply(min(deadline, time.monotonic() + 0.2))
                break
            except TimeoutError:
                assert self._soffice is not None
                code = self._soffice.poll()
                if code is None and time.monotonic() < deadline:
                    continue
                reason = (f"LibreOffice ended as it started (exit {code})" if code is not None
                          else f"LibreOffice did not listen within {self.start_timeout:.0f} s")
            except _Gone:
                reason = self._why_gone()
            self._stop()
            if not self._closing:  # close() stopped it: nothing to say
                self._fall_back(f"the warm LibreOffice did not start: {reason}")
            return
        if reply.get("ready"):
            self._ready = True
            self.start_seconds = time.monotonic() - self._launched_at
            return
        self._stop()
        if reply.get("missing") == "python3-uno":
            self._fall_back(MISSING_UNO)
        else:
            self._fall_back(f"the warm LibreOffice did not start: {reply.get('error', 'no reason given')}")

    def _fall_back(self, reason: str) -> None:
        """Convert cold from now on, on the same profile; say why, once."""
        self.cold_reason = reason
        self.say(f"warning: {reason}; each PDF starts LibreOffice afresh (about a second)")
        self._cold = Converter(self._lease.profile, self.timeout, self._lease.lock)

    def _restart(self) -> None:
        self._stop()
        if not self._closing:
            self._launch()

    def _kill_groups(self) -> None:
        for process in (self._worker, self._soffice):
            if process is not None:
                _kill_group(process.pid)

    def _stop(self) -> None:
        """Kill both process groups and reap them: no LibreOffice left behind."""
        self._kill_groups()
        groups = set()
        for process in (self._worker, self._soffice):
            if process is None:
                continue
            process.wait()
            RUNNING.discard(process.pid)
            groups.add(process.pid)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        # soffice.bin is the launcher's child, not ours to reap: wait (briefly) until it is gone
        deadline = time.monotonic() + 2.0
        while groups and _living(groups) and time.monotonic() < deadline:
            time.sleep(0.02)
        self._worker = self._soffice = None
        self._ready = False
        self._buffer = b""

    def _quit(self) -> None:
        """Ask LibreOffice to quit (its profile is written whole), then kill what is left."""
        if self._ready and self._soffice is not None and self._soffice.poll() is None:
            try:
                self._send({"quit": True})
                self._reply(time.monotonic() + QUIT_SECONDS)
                self._soffice.wait(QUIT_SECONDS)
            except (_Gone, TimeoutError, subprocess.TimeoutExpired):
                pass
        self._stop()

    # --- talking to the worker -------------------------------------------------------------------

    def _send(self, request: dict[str, Any]) -> None:
        assert self._worker is not None and self._worker.stdin is not None
        try:
            self._worker.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self._worker.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:  # ValueError: the pipe was closed under us
            raise _Gone from exc

    def _reply(self, deadline: float) -> dict[str, Any]:
        """The worker's next line; TimeoutError at the deadline, _Gone when it ended first."""
        if self._worker is None or self._worker.stdout is None:
            raise _Gone
        stream = self._worker.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                readable, _, _ = select.select([stream], [], [], left)
            except (OSError, ValueError) as exc:  # closed by close() from another thread
                raise _Gone from exc
            if readable:
                try:
                    chunk = os.read(stream, 65536)
                except OSError as exc:
                    raise _Gone from exc
                if not chunk:
                    raise _Gone
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            raise _Gone from None
        return reply if isinstance(reply, dict) else {"error": "the worker's answer was not understood"}

    def _why_gone(self) -> str:
        worker = self._worker
        code = worker.poll() if worker is not None else None
        last = ""
        if self._tmp is not None and (self._tmp / "worker.log").exists():
            lines = (self._tmp / "worker.log").read_text("utf-8", "replace").strip().splitlines()
            last = lines[-1].strip() if lines else ""
        reason = "its worker ended" + (f" (exit {code})" if code is not None else "")
        return f"{reason}: {last}" if last else reason

    # --- one paper ---------------------------------------------------------------------------------

    def _alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self._soffice, self._worker))

    def _convert_one(self, paper: Path, again: bool = True) -> bytes | ConversionError:
        if self._closing:
            return ConversionError(f"LibreOffice was closed before converting {paper.name}")
        if self._cold is None and not (self._ready and self._alive()):
            if self._worker is not None and not self._alive():  # it died while idle
                self._restart()
            self._ensure_ready()
        if self._cold is not None:
            return self._cold.convert([paper])[0]
        assert self._tmp is not None
        out = self._tmp / "paper.pdf"
        out.unlink(missing_ok=True)
        try:
            self._send({"docx": str(paper.resolve()), "pdf": str(out), "filter_data": self._filter_data})
            reply = self._reply(time.monotonic() + self.timeout)
        except TimeoutError:
            self._restart()  # the next paper finds it starting, or started
            return ConversionError(f"LibreOffice did not finish within {self.timeout:.0f} s and was stopped")
        except _Gone:
            reply = {"fatal": True}
        if reply.get("fatal"):
            if self._closing:
                self._stop()
                return ConversionError(f"LibreOffice was closed while converting {paper.name}")
            self._restart()
            if again:  # it may have died before this paper: give the paper a new LibreOffice
                return self._convert_one(paper, again=False)
            return ConversionError(f"LibreOffice stopped while converting {paper.name} (twice: the paper, most likely)")
        if not reply.get("ok"):
            return ConversionError(f"LibreOffice could not convert {paper.name}: {reply.get('error')}")
        if not out.exists():
            return ConversionError("LibreOffice wrote no PDF")
        data = out.read_bytes()
        out.unlink()
        return data if _opens(data) else ConversionError(f"LibreOffice wrote a broken PDF for {paper.name}")
