"""Writes that never leave a half-written file behind and never clobber one by accident."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from app.errors import LooplabError, Problem

_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """An fd on `path`, refused with one line if it is not a plain file: a named pipe would block us forever.

    O_NONBLOCK makes opening a pipe return at once, so its type is checked before anything waits on it.
    """
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise LooplabError(
                Problem(
                    f"not a regular file but {_KINDS.get(kind, 'a special file')}, so looplab does not read it",
                    file=path,
                    hint="move it away; looplab writes a new one where needed",
                )
            )
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path) -> bytes:
    """A learner file's bytes; FileNotFoundError if absent, one-line LooplabError if not a plain file."""
    with os.fdopen(open_regular(path), "rb") as handle:
        return handle.read()


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
