"""The tiers view's source: V8's own log of the code it makes and throws away, lined up with the trace.

Node's `--trace-opt`/`--trace-deopt` print to the program's stdout, which the checker reads, so looplab asks V8
for its log instead: `--log-code` (a `code-creation` line for each compile, with a tier marker: `~` Ignition,
`^` Sparkplug, `+` Maglev, `*` TurboFan, a trailing `'` when specialised to one closure's context) and
`--log-deopt` (a `code-deopt` line with the kind, the source position and V8's reason). `--log-deopt` also prints
a "[bailout ...]" line through V8's code tracer, which goes to stdout: `--redirect-code-traces-to` sends it to a
file in the same private folder. The log file is named with `%t` (the ms V8 opened it at), so each isolate
(a worker thread has its own) writes a file of its own; the earliest is the main thread's. Formats checked on
Node 20.20.2 (V8 11.3) and Node 24.19.0 (V8 13.6): the same fields, but the code-kind numbers differ, so only the
marker is read; tests/v8_logs/ holds real samples of both.

Clock: every line carries µs since V8 opened its log. The tracer calls `looplabTiersClock` once, at its start,
between two reads of the trace's clock (`TiersClock`); V8 logs that function's first compile, so the log's clock
is the trace's minus a fixed offset, known to within half the gap between the two reads (a few µs).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.trace.schema import Deopt, Mark, MessageClock, Pool, TiersClock, TierStep, TraceEvent

MARKERS = {"~": "interpreted", "^": "baseline", "+": "maglev", "*": "turbofan"}
FUNCTION_TYPES = {"JS", "Script", "Function", "LazyCompile"}  # code-creation types that are JS functions' code
CLOCK_FUNCTION = "looplabTiersClock"
LOG_BYTES = 64 << 20  # of V8's log read: a long run's log is cut there (the view is for looking at)
MOST_EVENTS = 5_000  # TierStep and Deopt events at most
# The program's own V8 options that would clash: its own traces (which it expects on stdout) or its own log.
OWN_V8_LOGGING = ("--trace-opt", "--trace-deopt", "--trace-maglev", "--log", "--prof", "--redirect-code-traces")
ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})")
POSITION = re.compile(r"<([^>]*)>")


def node_flags(folder: Path) -> tuple[str, ...]:
    """The options that make V8 write the tiers view's log into `folder` (a private one, removed after the run)."""
    return (
        "--log-code",
        "--log-deopt",
        f"--logfile={folder / 'v8-%t.log'}",
        "--no-logfile-per-isolate",
        "--redirect-code-traces",
        f"--redirect-code-traces-to={folder / 'code-traces.txt'}",
    )


def clashes(argv: Sequence[str], entry: Path | None = None) -> str | None:
    """The program's own V8 logging that the tiers view would change (its output), if any: an option before the
    entry file, or the entry setting V8 flags itself (`v8.setFlagsFromString('--trace-deopt')` would print
    into the redirected file)."""
    option = next((arg for arg in argv if arg.startswith(OWN_V8_LOGGING)), None)
    if option is not None:
        return option
    try:
        source = entry.read_text(errors="replace") if entry is not None else ""
    except OSError:
        return None
    return "v8.setFlagsFromString" if "setFlagsFromString" in source else None


def make_log_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="looplab-v8log-"))


def remove_log_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def main_thread_log(folder: Path) -> str | None:
    """The main thread's log (the first isolate's, so the earliest name), up to LOG_BYTES; None if V8 wrote none."""
    logs = sorted(folder.glob("v8-*.log"), key=lambda path: int(path.stem[3:]) if path.stem[3:].isdigit() else 0)
    if not logs:
        return None
    with logs[0].open("rb") as log:
        return log.read(LOG_BYTES).decode("utf-8", "replace")


def unescape(text: str) -> str:
    """V8 writes ',' as \\x2C and other awkward characters as \\xNN or \\uNNNN."""
    return ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), text)


@dataclass(frozen=True)
class Code:
    """One piece of code V8 made for a function, as its log line says."""

    micros: int  # on the log's clock
    address: str
    function: str
    file: str
    line: int
    column: int
    tier: str


@dataclass(frozen=True)
class Dropped:
    """A code-deopt line: V8 threw the code at `address` away."""

    micros: int
    address: str
    kind: str
    where: str
    reason: str


def split_name(name: str) -> tuple[str, str, int, int] | None:
    """`add /run/main.js:1:13` -> ("add", "/run/main.js", 1, 13); "" for an anonymous function's name."""
    head, sep, column = name.rpartition(":")
    head, sep2, line = head.rpartition(":")
    if not (sep and sep2 and line.isdigit() and column.isdigit()):
        return None
    for start in ("file://", "/"):  # the file is the last word that begins like a path
        at = head.find(" " + start)
        if at >= 0 or head.startswith(start):
            at = max(at, -1)
            return head[: max(at, 0)].strip(), head[at + 1 :], int(line), int(column)
    function, _, file = head.rpartition(" ")
    return function, file, int(line), int(column)


def parse_log(text: str) -> tuple[list[Code | Dropped], int | None]:
    """The function code made and dropped, in log order, and the log time of the clock function's compile."""
    items: list[Code | Dropped] = []
    clock: int | None = None
    moved: dict[str, str] = {}
    for row in text.splitlines():
        if row.startswith("code-creation,"):
            fields = row.split(",")
            if len(fields) < 9 or fields[1] not in FUNCTION_TYPES:
                continue
            marker = fields[8][:1]
            parts = split_name(unescape(fields[6]))
            if parts is None or marker not in MARKERS or not fields[3].isdigit():
                continue
            function, file, line, column = parts
            if function == CLOCK_FUNCTION and clock is None:
                clock = int(fields[3])
                continue
            items.append(Code(int(fields[3]), fields[4], function, file, line, column, MARKERS[marker]))
        elif row.startswith("code-deopt,"):
            fields = row.split(",", 8)
            if len(fields) < 9 or not fields[1].isdigit():
                continue
            where = " inlined at ".join(unescape(p) for p in POSITION.findall(fields[7]))
            address = moved.get(fields[3], fields[3])
            items.append(Dropped(int(fields[1]), address, fields[6], where, unescape(fields[8])))
        elif row.startswith("code-move,"):
            fields = row.split(",")
            if len(fields) >= 3:
                moved[fields[2]] = moved.get(fields[1], fields[1])  # the new address names the first one's code
    return items, clock


def is_own_file(file: str, folder: Path) -> bool:
    """A file of the program's (under its run folder), not Node's internals or another folder's."""
    path = file.removeprefix("file://")
    root = str(folder).rstrip("/") + "/"
    return path.startswith(root) and "/node_modules/" not in path[len(root) - 1 :]


def tier_events(text: str, folder: Path, clock: TiersClock) -> list[TierStep | Deopt]:
    """The log's compiles and deopts of the program's own functions, on the trace's clock."""
    items, logged = parse_log(text)
    if logged is None:
        return []
    offset = (clock.before + clock.after) // 2 - logged
    codes: dict[str, Code] = {}
    events: list[TierStep | Deopt] = []
    for item in items:
        if len(events) >= MOST_EVENTS:
            break
        if isinstance(item, Code):
            codes[item.address] = item
            if is_own_file(item.file, folder):
                events.append(
                    TierStep(
                        0,
                        item.function,
                        item.file,
                        item.line,
                        item.column,
                        item.tier,
                        item.address,
                        item.micros + offset,
                    )
                )
            continue
        code = codes.get(item.address)
        if code is None or not is_own_file(code.file, folder):
            continue
        events.append(
            Deopt(
                0,
                code.function,
                code.file,
                code.line,
                code.column,
                code.tier,
                code.address,
                item.kind,
                item.reason,
                item.where,
                item.micros + offset,
            )
        )
    return events


def timed(event: TraceEvent) -> int | None:
    """When a main-thread event happened on the trace's clock (µs), for the few that say."""
    if event.thread != 0:
        return None
    if isinstance(event, Mark):
        return event.loop_ms * 1000
    if isinstance(event, Pool):
        return event.micros
    if isinstance(event, TiersClock):
        return event.after
    if isinstance(event, MessageClock):
        return event.loop_micros
    return None


def line_up(events: Sequence[TraceEvent], tiers: Sequence[TierStep | Deopt]) -> list[TraceEvent]:
    """The events with each compile and deopt placed just before the first timed event that came after it.

    Most trace events carry no time, so that is as close as the trace can say: a function optimised while the
    main module ran shows up at the loop's first mark.
    """
    merged: list[TraceEvent] = []
    waiting = sorted(tiers, key=lambda event: event.micros)
    at = 0
    for event in events:
        time = timed(event)
        if time is not None:
            while at < len(waiting) and waiting[at].micros < time:
                merged.append(waiting[at])
                at += 1
        merged.append(event)
    merged.extend(waiting[at:])
    return merged
