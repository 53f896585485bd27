"""Writing output files so that a reader never sees half of one: temp file, then rename."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def _umask_from_proc() -> int | None:
    """The process's umask as Linux reports it (since 4.7), without changing it."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _umask_at_import() -> int:
    # os.umask can only be read by setting it, and it is the whole process's: done once, here,
    # while importing (before any thread of ours writes), and only where /proc cannot tell.
    found = _umask_from_proc()
    if found is not None:
        return found
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_IMPORT_UMASK = _umask_at_import()


def file_mode() -> int:
    """The mode a new file gets, as any other tool's would: 0666 less the umask (0644 under
    umask 022, 0640 under 027). mkstemp's own 0600 would hide the papers from the group and
    the web server that an administrator's umask lets read them."""
    umask = _umask_from_proc()
    return 0o666 & ~(_IMPORT_UMASK if umask is None else umask)


def write_atomic(path: Path, data: bytes, exclusive: bool = False, mode: int | None = None) -> None:
    """Write data to path via a temporary file in the same folder and an atomic rename.

    exclusive: refuse to replace an existing file (FileExistsError). mode: the file's permissions
    (a record saved keeps its own: 0600 stays private); by default those any new file gets."""
    if path.is_dir():  # the rename would fail naming the temporary file, not the folder in the way
        raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, file_mode() if mode is None else mode)
        except OSError:
            pass  # a file system without Unix modes (vfat, a share): the file keeps mkstemp's 0600
        except BaseException:
            os.close(fd)
            raise
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
