"""The syscalls lane: run the traced program under strace, then line strace's log up with the trace.

With LOOPLAB_TRACE_SYSCALLS=1 the tracer writes its buffer at every callback's start and end, and strace
logs those writes too (they begin with the chunk's magic, "LOOP"). So the main thread's syscalls between
its k-th and (k+1)-th trace write were made after the records of the k-th main-thread chunk: they go into
the event stream right there, as `Syscall` events, and a saved trace replays them. Optional: where strace
is missing, runs are traced as always and the lane says how to get it.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from app.trace.schema import Hello, Syscall, TraceEvent

CALLS = (
    "epoll_pwait,epoll_wait,accept4,accept,read,readv,write,writev,recvfrom,recvmsg,sendto,sendmsg,"
    "connect,bind,listen,socket,shutdown,close,openat"
)
STRING_BYTES = 48  # strace's -s: enough for a path and for the trace chunk's magic
LOG_BYTES = 32 << 20  # of strace's log read; a busy program's log is cut there, like its trace
MOST_CALLS = 20_000  # Syscall events at most: the lane is for looking at, not for counting
TRACE_WRITE = re.compile(r'^write\(\d+, "LOOP')
CALL = re.compile(r"^(?P<tid>\d+)\s+(?P<body>.*)$")
FINISHED = re.compile(r"^(?P<name>\w+)\((?P<args>.*)\)\s+=\s+(?P<result>.*)$")
READY = re.compile(r"u32=(\d+)")
ADDRESS = re.compile(r'htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')
PATH = re.compile(r'"([^"]*)"')
MOVES_BYTES = {"read", "readv", "write", "writev", "recvfrom", "recvmsg", "sendto", "sendmsg"}


@functools.cache
def strace_path() -> str | None:
    """strace, if it is installed and may trace here (a container without ptrace rights refuses it)."""
    strace = shutil.which("strace")
    true = shutil.which("true")
    if strace is None or true is None:
        return None
    try:
        probe = subprocess.run((strace, "-qq", "-e", "trace=none", true), capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return strace if probe.returncode == 0 else None


def strace_prefix(strace: str, log: Path) -> tuple[str, ...]:
    """The argv that runs a command under strace, logging what the lane shows to `log`."""
    return (strace, "-f", "-qq", "-s", str(STRING_BYTES), "-o", str(log), "-e", f"trace={CALLS}")


def parse_log(text: str) -> list[tuple[int, str]]:
    """(thread id, "name(args) = result") for every finished call; an interrupted one is joined to its end."""
    unfinished: dict[int, str] = {}
    calls = []
    for line in text.splitlines():
        match = CALL.match(line)
        if match is None:
            continue
        tid, body = int(match["tid"]), match["body"]
        if body.endswith("<unfinished ...>"):
            unfinished[tid] = body.removesuffix("<unfinished ...>").rstrip()
            continue
        if body.startswith("<... ") and "resumed>" in body:
            body = unfinished.pop(tid, "") + body.split("resumed>", 1)[1]
        calls.append((tid, body))
    return calls


def describe(name: str, args: str, result: str) -> Syscall | None:
    """One call as the lane shows it."""
    first = args.split(",", 1)[0].strip()
    fd = int(first) if first.isdigit() else -1
    result = result.split(" (", 1)[0].strip()  # "-1 EAGAIN (Resource temporarily unavailable)" -> "-1 EAGAIN"
    detail = ""
    if name in ("epoll_pwait", "epoll_wait"):
        ready = READY.findall(args)
        timeout = args.rsplit(",", 3)[-3].strip() if args.count(",") >= 3 else "?"
        detail = f"ready: {' '.join(ready)}" if ready else f"nothing ready (timeout {timeout} ms)"
    elif name in MOVES_BYTES:
        detail = f"{result} bytes" if result.isdigit() else result
    elif name in ("connect", "bind", "sendto"):
        address = ADDRESS.search(args)
        if address:
            host = address[2] or f"[{address[3]}]"
            detail = f"{host}:{address[1]}"
        elif "AF_UNIX" in args:
            detail = "unix socket"
    elif name in ("accept", "accept4"):
        detail = f"new fd {result}" if result.isdigit() else result
    elif name == "openat":
        path = PATH.search(args)
        detail = path[1] if path else ""
        fd = int(result) if result.isdigit() else -1
    elif name == "socket":
        detail = args.split(",", 2)[0] + (f" -> fd {result}" if result.isdigit() else "")
    return Syscall(0, name, fd, detail, result)


def main_thread_calls(text: str, pid: int) -> list[list[Syscall]]:
    """The main thread's calls, grouped by the trace write they follow: group k comes after the k-th chunk.

    Calls before the first trace write are Node starting up, before the tracer spoke: left out.
    """
    groups: list[list[Syscall]] = []
    kept = 0
    for tid, body in parse_log(text):
        if tid != pid:
            continue  # the thread pool's and Node's other threads': not the loop's
        if TRACE_WRITE.match(body):
            groups.append([])
            continue
        call = FINISHED.match(body)
        if call is None or not groups or kept >= MOST_CALLS:
            continue
        described = describe(call["name"], call["args"], call["result"])
        if described is not None:
            groups[-1].append(described)
            kept += 1
    return groups


def read_log(path: Path) -> str:
    """strace's log, up to LOG_BYTES."""
    with path.open("rb") as log:
        return log.read(LOG_BYTES).decode("utf-8", "replace")


def line_up(events: Sequence[TraceEvent], chunk_ends: Sequence[int], log_text: str) -> list[TraceEvent]:
    """The events with the main thread's syscalls placed after the chunk each came after."""
    hello = next((e for e in events if isinstance(e, Hello) and e.thread == 0), None)
    if hello is None:
        return list(events)
    groups = main_thread_calls(log_text, hello.pid)
    merged: list[TraceEvent] = []
    at = 0
    for chunk, group in enumerate(groups):
        end = chunk_ends[chunk] if chunk < len(chunk_ends) else len(events)
        merged.extend(events[at:end])
        at = max(at, end)
        merged.extend(group)
    merged.extend(events[at:])
    return merged
