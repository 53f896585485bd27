"""Output files are written whole or not at all."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import writing
from engine.cli import main
from engine.writing import write_atomic

from .conftest import ROOT
from .support import full_disk


def test_a_full_disk_leaves_the_old_file_and_no_temporary_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "paper.pdf"
    target.write_bytes(b"old and whole")
    monkeypatch.setattr(writing.os, "fdopen", full_disk(10, str(target)))
    with pytest.raises(OSError):
        write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old and whole"
    assert [p.name for p in tmp_path.iterdir()] == ["paper.pdf"]


def test_a_full_disk_is_one_line_from_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, exclusive: bool = False) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("engine.writing.write_atomic", full)
    result = CliRunner().invoke(main, ["--office", str(ROOT / "office.yaml"), "schema", "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 1
    assert result.output == f"error: {tmp_path / 's.json'}: No space left on device\n"


def test_new_never_overwrites_a_record(tmp_path: Path) -> None:
    target = tmp_path / "PCC-D-001.yaml"
    target.write_text("kept")
    with pytest.raises(FileExistsError):
        write_atomic(target, b"new", exclusive=True)
    assert target.read_text() == "kept" and len(list(tmp_path.iterdir())) == 1


def test_a_folder_in_the_way_is_named_not_a_temporary_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    (tmp_path / "schema.json").mkdir()
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "schema.json")])
    assert result.exit_code == 1 and result.output == f"error: {tmp_path / 'schema.json'}: a folder is in the way\n", result.output
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]
