"""PDF: convert .docx papers with LibreOffice headless, then fix metadata and bytes.

LibreOffice's exit code is not to be trusted (it exits 0 when an input is missing), so every
expected PDF is checked; it can hang, so it always runs under a timeout in its own process
group; two instances sharing a user profile collide, so each converter has its own."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pikepdf

from ..problems import ConversionError

# PDF/A-2b (archival; forces a tagged PDF) with tagging asked for explicitly as well.
EXPORT_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {
        "SelectPdfVersion": {"type": "long", "value": "2"},
        "UseTaggedPDF": {"type": "boolean", "value": "true"},
        "ExportBookmarks": {"type": "boolean", "value": "true"},
    },
    separators=(",", ":"),
)
# The process groups of the LibreOffices this process is running: stop_all() kills them from a
# signal handler, before anything else can go wrong.
RUNNING: set[int] = set()


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:  # already gone
        pass


def stop_all() -> None:
    """Kill every LibreOffice this process started; safe in a signal handler (no waiting)."""
    for group in list(RUNNING):
        _kill_group(group)


TIMEOUT_SECONDS = 60.0  # for one paper, start-up included: a paper takes well under a second


def find_soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError(
            "LibreOffice is not installed (no `soffice` on PATH): install the Debian package "
            "libreoffice-writer-nogui, or run `make build`, which installs it"
        )
    return found


class PdfConverter(Protocol):
    """What papers.convert_pdfs needs: Converter (a start per batch) or warm.WarmConverter."""

    def convert(self, papers: Sequence[Path]) -> list[bytes | ConversionError]: ...


@dataclass
class Converter:
    """One LibreOffice worker: its own profile folder, reused between batches."""

    profile: Path
    timeout: float = TIMEOUT_SECONDS  # the longest LibreOffice may spend on one paper
    lock: Any = None  # the profile's lock file, handed to LibreOffice (see ProfilePool)

    @classmethod
    def leased(cls, lease: "_Lease", timeout: float = TIMEOUT_SECONDS) -> "Converter":
        return cls(lease.profile, timeout, lease.lock)

    def convert(self, papers: Sequence[Path]) -> list[bytes | ConversionError]:
        """Convert each .docx to PDF bytes; a paper that fails gets its ConversionError.

        One LibreOffice start converts the whole batch (a start costs about a second). It
        converts in order, so when it dies or hangs the first paper without a PDF is the culprit:
        that paper fails, and a new LibreOffice goes on with the rest."""
        soffice = find_soffice()
        results: list[bytes | ConversionError | None] = [None] * len(papers)
        pending = list(enumerate(papers))
        with tempfile.TemporaryDirectory(prefix="decisions-pdf-") as tmp:
            while pending:
                error = self._run(soffice, pending, Path(tmp), results)
                rest = [(index, paper) for index, paper in pending if results[index] is None]
                if error is None or not rest:
                    for index, _ in rest:  # LibreOffice skipped it: e.g. not a Word file
                        results[index] = ConversionError("LibreOffice wrote no PDF")
                    break
                results[rest[0][0]] = error
                pending = rest[1:]
        return results  # type: ignore[return-value]

    def _run(self, soffice: str, batch: list[tuple[int, Path]], tmp: Path,
             results: list[bytes | ConversionError | None]) -> ConversionError | None:
        inputs, outputs = tmp / "in", tmp / "out"
        for folder in (inputs, outputs):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        # Numbered names: LibreOffice names each PDF after its input, and stems may repeat.
        for index, paper in batch:
            os.symlink(paper.resolve(), inputs / f"{index:06d}.docx")
        self.profile.mkdir(parents=True, exist_ok=True)
        command = [
            soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
            f"-env:UserInstallation={self.profile.resolve().as_uri()}",
            "--convert-to", EXPORT_FILTER, "--outdir", str(outputs),
            *sorted(str(p) for p in inputs.iterdir()),
        ]
        error = None
        with open(tmp / "soffice.log", "wb") as log:
            try:
                process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True,
                                           pass_fds=(self.lock.fileno(),) if self.lock else ())
            except OSError as exc:
                return ConversionError(f"cannot start LibreOffice: {exc.strerror}")
            RUNNING.add(process.pid)
            try:
                self._wait(process, outputs)
                if process.returncode != 0:
                    last = (tmp / "soffice.log").read_text("utf-8", "replace").strip().splitlines()[-1:] or [""]
                    error = ConversionError(f"LibreOffice failed (exit {process.returncode}): {last[0]}")
            except subprocess.TimeoutExpired:
                error = ConversionError(f"LibreOffice did not finish within {self.timeout:.0f} s and was stopped")
            finally:
                _kill_group(process.pid)  # the whole group: soffice.bin outlives its launcher
                process.wait()
                RUNNING.discard(process.pid)
        for index, paper in batch:
            pdf = outputs / f"{index:06d}.pdf"
            if pdf.exists():
                data = pdf.read_bytes()
                results[index] = data if _opens(data) else ConversionError(f"LibreOffice wrote a broken PDF for {paper.name}")
        return error

    def _wait(self, process: subprocess.Popen[bytes], outputs: Path) -> None:
        """Wait for LibreOffice, allowing each paper `timeout` seconds from the previous one."""
        seen, deadline = 0, time.monotonic() + self.timeout
        while True:
            try:
                process.wait(timeout=0.2)
                return
            except subprocess.TimeoutExpired:
                pass
            written = sum(1 for _ in outputs.iterdir())
            if written != seen:
                seen, deadline = written, time.monotonic() + self.timeout
            elif time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(process.args, self.timeout)


def _opens(data: bytes) -> bool:
    if not data.startswith(b"%PDF-"):
        return False
    try:
        with pikepdf.open(_bytes_io(data)) as pdf:
            return len(pdf.pages) > 0
    except pikepdf.PdfError:
        return False


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def finish_pdf(data: bytes, properties: dict[str, Any]) -> bytes:
    """Set the metadata from the record and make the bytes reproducible.

    Between two conversions only these differ: /Info dates, XMP dates, the trailer /ID,
    LibreOffice's /DocChecksum, and the ICC profile's creation date. LibreOffice also escapes
    '&' twice in the XMP title, so title, author, subject and keywords are set here."""
    when: dt.datetime = properties["timestamp"]
    stamp = pikepdf.String(when.strftime("D:%Y%m%d%H%M%SZ"))
    with pikepdf.open(_bytes_io(data)) as pdf:
        info = pdf.trailer.get("/Info")
        if info is None:
            pdf.trailer.Info = info = pdf.make_indirect(pikepdf.Dictionary())
        info.Title = pikepdf.String(properties["title"])
        info.Author = pikepdf.String(properties["author"])
        info.Subject = pikepdf.String(properties["subject"])
        info.Keywords = pikepdf.String(properties["keywords"])
        info.CreationDate = stamp
        info.ModDate = stamp
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = properties["title"]
            xmp["dc:creator"] = [properties["author"]]
            xmp["dc:description"] = properties["subject"]
            xmp["pdf:Keywords"] = properties["keywords"]
            xmp["dc:language"] = [properties["language"]]
            iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                xmp[key] = iso
        if "/DocChecksum" in pdf.trailer:
            del pdf.trailer["/DocChecksum"]
        for intent in pdf.Root.get("/OutputIntents", []):
            profile = intent.get("/DestOutputProfile")
            if profile is not None:
                icc = bytearray(profile.read_bytes())
                if len(icc) > 36:
                    icc[24:36] = bytes(12)  # the profile's creation date-time
                    profile.write(bytes(icc))
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]
        out = _bytes_io(b"")
        pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


class ProfilePool:
    """LibreOffice user profiles kept between runs (a new profile costs seconds to create),
    each leased to one converter at a time by a lock file, so that two conversions at once,
    from one build or from two commands, never share a profile.

    LibreOffice inherits the lock, so a profile stays taken while a LibreOffice outlives the
    build that started it (a killed build): the next build takes another profile."""

    def __init__(self, folder: Path):
        self.folder = folder

    def lease(self) -> "_Lease":
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        for number in range(64):
            lock = open(self.folder / f"profile-{number}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                continue
            return _Lease(self.folder / f"profile-{number}", lock)
        raise ConversionError(f"no free LibreOffice profile in {self.folder}")


@dataclass
class _Lease:
    profile: Path
    lock: Any

    def __enter__(self) -> "_Lease":
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.close()
