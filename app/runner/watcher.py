"""A watcher process that cleans up after looplab when looplab itself dies without cleaning up (SIGKILL).

looplab starts one watcher, tells it over a pipe about every run and run folder while they exist, and takes
each back when it has cleaned it up itself. The watcher only reads the pipe; when the pipe closes (looplab
exited, however) it kills what is still registered and removes the folders. This file runs on its own
(`python -I -S watcher.py`): it imports nothing from looplab, so it starts in a few milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RUN_FOLDER_PREFIX = "looplab-run-"  # looplab-run-<owner pid>-<random>, in the temporary folder
FIFO_FOLDER_PREFIX = "looplab-fifo-"  # looplab-fifo-<owner pid>-<random>: one a looplab, for its runs' FIFOs
RUN_CGROUP_PREFIX = "looplab-"  # looplab-<owner pid>-<run token>, beside looplab's own cgroup
_lock = threading.Lock()
_watcher: subprocess.Popen[bytes] | None = None
_registered: dict[str, dict[str, object]] = {}  # what the watcher holds, to hand to a new one if it died


def register(key: str, **entry: object) -> None:
    """Tell the watcher about a run (token, cgroup, pgid) or a folder (dir); the same key replaces."""
    with _lock:
        _registered[key] = entry
        _send({"add": key, **entry})


def release(key: str) -> None:
    """looplab cleaned this up itself: the watcher forgets it."""
    with _lock:
        if _registered.pop(key, None) is not None:
            _send({"drop": key})


def watcher_pid() -> int | None:
    return _watcher.pid if _watcher is not None else None


def _send(message: dict[str, object]) -> None:
    global _watcher
    line = (json.dumps(message) + "\n").encode()
    for _ in range(2):
        if _watcher is None or _watcher.poll() is not None:
            _watcher = _start()
            if _watcher is None:
                return
            # A new watcher learns everything still registered, this message included.
            line = b"".join((json.dumps({"add": k, **v}) + "\n").encode() for k, v in _registered.items())
        try:
            assert _watcher.stdin is not None
            _watcher.stdin.write(line)
            _watcher.stdin.flush()
            return
        except (OSError, ValueError):
            _watcher = None


def _start() -> subprocess.Popen[bytes] | None:
    from app.runner import cgroup  # not at the top: the watcher process itself imports nothing of looplab

    parent = cgroup.parent_folder()
    try:
        return subprocess.Popen(
            [sys.executable, "-I", "-S", __file__, tempfile.gettempdir(), str(parent) if parent else ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            process_group=0,  # signals to looplab's group (Ctrl+C, a closed terminal) do not reach it
            env={k: v for k, v in os.environ.items() if not k.startswith("LOOPLAB_RUN")},
        )
    except OSError:
        return None


# --- the watcher process -----------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _run_processes(token: str, pgid: int | None, cgroup: Path | None) -> set[int]:
    """Every live process of a run: its cgroup, its group, its marker, and their descendants."""
    marker = f"LOOPLAB_RUN_ID={token}".encode() if token else None
    found: set[int] = set()
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        fields = _stat(pid)
        if fields is None or fields[0] == "Z":
            continue
        parents[pid] = int(fields[1])
        if pgid is not None and int(fields[2]) == pgid:
            found.add(pid)
        elif marker is not None:
            with contextlib.suppress(OSError):
                if marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    found.add(pid)
    if cgroup is not None:
        with contextlib.suppress(OSError, ValueError):
            found.update(int(pid) for pid in (cgroup / "cgroup.procs").read_text().split())
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found and pid not in found}
        found |= more
        grew = bool(more)
    return found - {os.getpid()}


def _stop_run(entry: dict[str, object]) -> None:
    """Freeze the run (SIGSTOP) until no new process appears, then SIGKILL it all and remove its cgroup."""
    token = str(entry.get("token"))
    pgid = entry.get("pgid")
    cgroup = Path(str(entry["cgroup"])) if entry.get("cgroup") else None
    if cgroup is not None:
        with contextlib.suppress(OSError):
            (cgroup / "cgroup.kill").write_text("1")
    deadline = time.monotonic() + 3
    frozen: set[int] = set()
    while time.monotonic() < deadline:
        found = _run_processes(token, pgid if isinstance(pgid, int) else None, cgroup)
        new = found - frozen
        if not new and not found:
            break
        for pid in new:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)
        frozen |= new
        if not new:  # nothing can fork any more: kill it all
            for pid in found:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
    if cgroup is not None:
        for _ in range(100):
            try:
                cgroup.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)


def _owner_is_gone(name: str, prefix: str) -> bool:
    """True for a `<prefix><pid>-...` name whose pid no longer runs: a looplab that died before cleaning up."""
    owner = name.removeprefix(prefix).split("-", 1)[0]
    if not name.startswith(prefix) or not owner.isdigit():
        return False
    try:
        os.kill(int(owner), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def sweep_stale(temp: Path, cgroups: Path | None) -> None:
    """Remove what a looplab that died with no watcher left behind: run folders and run cgroups."""
    with contextlib.suppress(OSError):
        for folder in temp.iterdir():
            if _owner_is_gone(folder.name, RUN_FOLDER_PREFIX) or _owner_is_gone(folder.name, FIFO_FOLDER_PREFIX):
                shutil.rmtree(folder, ignore_errors=True)
    if cgroups is not None:
        with contextlib.suppress(OSError):
            for folder in cgroups.iterdir():
                if folder.is_dir() and _owner_is_gone(folder.name, RUN_CGROUP_PREFIX):
                    _stop_run({"token": "", "cgroup": str(folder)})


def watch(stream: object) -> None:
    """Read registrations until the pipe closes, then clean up whatever is still registered."""
    entries: dict[str, dict[str, object]] = {}
    for raw in stream:  # type: ignore[attr-defined]
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = json.loads(raw)
            if "drop" in message:
                entries.pop(message["drop"], None)
            else:
                key = message.pop("add")
                entries[key] = message
    for entry in entries.values():
        if "token" in entry:
            _stop_run(entry)
    for entry in entries.values():
        if "dir" in entry:
            shutil.rmtree(str(entry["dir"]), ignore_errors=True)


if __name__ == "__main__":
    for name in ("SIGINT", "SIGHUP", "SIGTERM", "SIGQUIT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGPIPE"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    sweep_stale(Path(sys.argv[1]), Path(sys.argv[2]) if sys.argv[2] else None)
    watch(sys.stdin.buffer)
