"""A cgroup v2 per run, where the machine lets us make one: it holds every process the run starts.

A process can leave its process group (setsid) and drop the run's marker (a cleared environment), but it
cannot leave its cgroup, and `cgroup.kill` kills the whole cgroup at once. Where cgroups cannot be made
(no cgroup2 mount, no permission), `available()` is False and cleanup walks the process tree instead.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

PREFIX = "looplab-"  # looplab-<owner pid>-<run token>: a sweep can tell a dead owner's cgroups
_parent: Path | None | bool = False  # False: not looked up yet


def _mount_point() -> Path | None:
    """Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        left, _, right = line.partition(" - ")
        if right.split(" ", 1)[0] == "cgroup2":
            return Path(left.split()[4])
    return None


def _own_cgroup() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return line[3:]
    return None


def parent_folder() -> Path | None:
    """The cgroup that run cgroups are made in (our own), if we may make them there; looked up once."""
    global _parent
    if _parent is False:
        _parent = None
        mount, own = _mount_point(), _own_cgroup()
        if mount is not None and own is not None:
            folder = mount / own.lstrip("/")
            probe = folder / f"{PREFIX}{os.getpid()}-probe"
            try:
                probe.mkdir()
                probe.rmdir()
                # Moving a process between two cgroups takes write access to their common ancestor's list.
                if os.access(folder / "cgroup.procs", os.W_OK):
                    _parent = folder
            except OSError:
                pass
    return _parent if isinstance(_parent, Path) else None


def available() -> bool:
    return parent_folder() is not None


def create(token: str) -> Path | None:
    """A new empty cgroup for one run, or None if cgroups are not available here."""
    parent = parent_folder()
    if parent is None:
        return None
    folder = parent / f"{PREFIX}{os.getpid()}-{token}"
    try:
        folder.mkdir()
    except OSError:
        return None
    return folder


def join_fd(folder: Path) -> int | None:
    """An fd on the cgroup's `cgroup.procs`: the child writes "0" to it between fork and exec to join it."""
    try:
        return os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return None


def members(folder: Path) -> list[int]:
    """Live processes in the cgroup (a process leaves it when it exits, before it is reaped)."""
    try:
        return [int(pid) for pid in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def kill(folder: Path) -> None:
    """SIGKILL every process in the cgroup at once (Linux 5.14+), else one by one."""
    try:
        (folder / "cgroup.kill").write_text("1")
        return
    except OSError:
        pass
    for pid in members(folder):
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


def remove(folder: Path) -> bool:
    """Remove an emptied cgroup; False while a process is still in it."""
    try:
        folder.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def kill_and_remove(folder: Path, patience: float = 1.0) -> bool:
    """Kill the cgroup's processes and remove it, waiting up to `patience` s for the kernel to end them."""
    kill(folder)
    deadline = time.monotonic() + patience
    while not remove(folder):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
