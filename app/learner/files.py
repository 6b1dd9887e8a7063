"""Writes that never leave a half-written file behind and never clobber one by accident."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True, durable: bool = True) -> bool:
    """Write via a flushed temporary file beside `path`. With overwrite=False an existing file wins.

    durable=False skips the fsyncs, for throwaway files written often (readers still never see half a file).
    Returns True if `path` now holds `data`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)  # fails if path exists, so nothing is ever clobbered
            except FileExistsError:
                return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    if durable:
        _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
