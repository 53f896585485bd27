"""Helpers the tests share: throwaway projects, builds read back, stand-in LibreOffices."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf

from benchmarks.archive import make_archive
from engine.build import Summary, build
from engine.papers import FILE_NAMES
from engine.project import Project

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "records" / "2021-2024" / "PCC-D-102.yaml"


def make_project(folder: Path, records: int = 0) -> Project:
    """office.yaml, the templates and either the seed record or `records` generated ones."""
    shutil.copy(ROOT / "office.yaml", folder / "office.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    if records:
        make_archive(folder / "records", records)
    else:
        (folder / "records" / "2021-2024").mkdir(parents=True)
        shutil.copy(SEED, folder / "records" / "2021-2024")
    return Project.load(folder / "office.yaml")


def write_project(root: Path, office: str, records: dict[str, str]) -> Project:
    """A project from text: office.yaml, the engine's templates, and each record (its path under
    records/ -> its text)."""
    (root / "office.yaml").write_text(office, encoding="utf-8")
    shutil.copytree(ROOT / "templates", root / "templates")
    for name, text in records.items():
        path = root / "records" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip(), encoding="utf-8")
    return Project.load(root / "office.yaml")


def run_build(project: Project, out: Path | None = None, **options: object) -> Summary:
    """Build the project's archive, or into out instead of its build folder."""
    if out is not None:
        project = Project.load(project.office_path, out)
    return build(project, **options)  # type: ignore[arg-type]


def check_archive(out: Path) -> dict:
    """Every output the manifest lists exists, whole, with the recorded hash; nothing half-written."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["records"]:
        for output in entry["outputs"]:
            data = (out / output["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == output["sha256"], output["path"]
            if output["path"].endswith(".pdf"):
                with pikepdf.open(io.BytesIO(data)) as pdf:
                    assert len(pdf.pages) >= 1
            elif output["path"].endswith(".docx"):
                assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert not list(out.rglob(".*.tmp"))
    return manifest


def replaced(text: str, **replace: str) -> str:
    """text with each old string replaced by its new one; each old string must be there."""
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def fake_soffice(folder: Path, body: str) -> Path:
    """A stand-in `soffice` (a shell script running body) in folder; put folder first on PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return folder


def blocking_soffice(folder: Path, started: Path) -> Path:
    """A stand-in LibreOffice that, once asked to convert, writes its pid and its parent's (the
    build worker's) to `started` and then blocks until killed: a test waits for `started` and
    so knows the build is mid-conversion, without guessing a time."""
    return fake_soffice(folder, f'echo "$$ $PPID" > "{started}.tmp" && mv "{started}.tmp" "{started}"\nexec sleep 600')


_PARTS = {name.format(stem="").lstrip("."): part for part, name in FILE_NAMES.items()}


def part_of(path: Path) -> str:
    """Which rendered part a written file is: pcc-d-102.internal.html -> html."""
    return _PARTS[path.name.split(".", 1)[1]]


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Poll for an event that must happen; the limit only stops a broken test from hanging."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def png(width: int, height: int) -> bytes:
    """A small PNG of the house colour, e.g. for a logo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x1f\x38\x64" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def full_disk(written: int, filename: str | None = None) -> type:
    """A stand-in for os.fdopen whose file takes `written` bytes and then fails as a full disk
    does (ENOSPC, naming filename where the error names one)."""
    import errno
    import os

    real = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str):
            self.file = real(fd, mode)

        def __enter__(self) -> "Full":
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[:written])
            if filename is None:
                raise OSError(errno.ENOSPC, "No space left on device")
            raise OSError(errno.ENOSPC, "No space left on device", filename)

    return Full
