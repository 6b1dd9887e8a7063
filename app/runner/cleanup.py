"""Kill everything a run started: its process group, anything carrying its marker, and reap the orphans."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

RUN_MARKER = "LOOPLAB_RUN_ID"
_PR_SET_CHILD_SUBREAPER = 36
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Adopt our runs' orphans (Linux), so we can reap them even where PID 1 never does."""
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return _subreaper


def _read_stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgrp, session) of a process from /proc, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3])


def _all_pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _has_marker(pid: int, marker: bytes) -> bool:
    try:
        return marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def run_members(pgid: int, token: str) -> list[int]:
    """Processes still belonging to a run: in its process group, or carrying its marker."""
    marker = f"{RUN_MARKER}={token}".encode()
    members = []
    for pid in _all_pids():
        stat = _read_stat(pid)
        if stat is not None and (stat[2] == pgid or _has_marker(pid, marker)):
            members.append(pid)
    return members


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


async def kill_run(pgid: int, token: str, leader: int, patience: float = 2.0) -> list[int]:
    """SIGKILL the whole run and wait until none of it is left alive. Returns what outlived the wait."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    seen: set[int] = set()  # a dead process loses its environ, so remember whom we found
    while True:
        seen.update(run_members(pgid, token))
        seen.discard(leader)  # asyncio reaps the process it started
        for pid in sorted(seen):
            _kill(pid)
            _reap(pid)
            stat = _read_stat(pid)
            if stat is None:
                seen.discard(pid)
            elif stat[0] == "Z" and stat[1] not in seen and stat[1] not in (leader, os.getpid()):
                # A zombie whose parent is outside the run is that parent's to reap. One whose parent is
                # the dying leader or another member is about to be handed to us (the subreaper): wait for it.
                seen.discard(pid)
        if not seen or loop.time() > deadline:
            reap_stray_orphans()
            return sorted(seen)
        await asyncio.sleep(0.01)


def reap_stray_orphans() -> None:
    """Reap zombies handed to us as subreaper that no marker can find any more: detached grandchildren.

    Every child we start ourselves (run leaders, which asyncio reaps, and short helper commands) stays in
    our session; only a process that called setsid() leaves it, so this never steals anyone's exit status.
    """
    me, my_session = os.getpid(), os.getsid(0)
    for pid in _all_pids():
        stat = _read_stat(pid)
        if stat and stat[0] == "Z" and stat[1] == me and stat[3] != my_session:
            _reap(pid)
