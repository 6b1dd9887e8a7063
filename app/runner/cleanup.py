"""Kill everything a run started: its cgroup or its process tree, its group, its marker; reap the orphans."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

from app.runner import cgroup, watcher

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


def children(pid: int) -> list[int]:
    """A process's children, from the kernel's own list (no scan of /proc)."""
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError):
                found.extend(int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return found


def start_time(pid: int) -> str | None:
    """When a process started (clock ticks since boot): with its pid, it names one process, even after reuse."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()[19]


def descendants(roots: set[int]) -> set[int]:
    """Every process below `roots` in the process tree, setsid or not (only while their parents live)."""
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children(todo.pop()):
            if child not in found and child not in roots:
                found.add(child)
                todo.append(child)
    return found


def freeze_run(pgid: int, token: str, known: set[int]) -> set[int]:
    """SIGSTOP the run and every descendant until no new process appears, so none can fork or slip away.

    Used where no cgroup holds the run: a process that called setsid and cleared its environment is found
    only as someone's child, so the tree must stand still while it is walked.
    """
    frozen: set[int] = set()
    for _ in range(100):
        found = set(run_members(pgid, token)) | {pid for pid in known if _read_stat(pid)}
        found |= descendants(found)
        new = {pid for pid in found - frozen if (_read_stat(pid) or ("Z",))[0] != "Z"}
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGSTOP)
        frozen |= new
    return frozen


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


async def kill_run(
    pgid: int, token: str, leader: int, patience: float = 2.0, group: Path | None = None, known: set[int] | None = None
) -> list[int]:
    """SIGKILL the whole run and wait until none of it is left alive. Returns what outlived the wait.

    `group` is the run's cgroup, which holds every process it started; without one, the processes of the run
    are its group, its marker, `known` (seen below the leader while it ran) and all their descendants.
    """
    seen: set[int] = set()  # a dead process loses its environ, so remember whom we found
    if group is not None:
        cgroup.kill(group)
    else:
        seen |= freeze_run(pgid, token, {leader} | (known or set()))
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        seen.update(run_members(pgid, token))
        if group is not None:
            seen.update(cgroup.members(group))
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
            # The kernel may count a cgroup as populated for a moment after its last process is gone.
            removed = not seen and (group is None or cgroup.remove(group))
            if removed:
                watcher.release(token)
            if removed or loop.time() > deadline:  # else the watcher still holds it, and tries again when we exit
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
