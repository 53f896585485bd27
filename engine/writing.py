"""Writing output files so that a reader never sees half of one: temp file, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write data to path via a temporary file in the same folder and an atomic rename.

    exclusive: refuse to replace an existing file (FileExistsError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if exclusive:
            os.link(tmp, path)  # fails if path exists, unlike rename
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
