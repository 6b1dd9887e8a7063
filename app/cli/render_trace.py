"""Rich renderings of a traced run: each output line with its phase, queue, callback and site."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from app.trace.analysis import run_notes
from app.trace.attribute import AttributedLine
from app.trace.loop_model import Timeline
from app.trace.recording import TraceRecording
from app.trace.schema import PROCESS_THREADS

PHASE_STYLE = {
    "main": "bold white",
    "timers": "yellow",
    "pending": "magenta",
    "poll": "cyan",
    "check": "green",
    "close": "red",
    "exit": "blue",
}
MAX_CALLBACK_ROWS = 500
MAX_WIRE_ROWS = 40  # HTTP exchanges listed by `looplab trace`
HEAD_LINES, TAIL_LINES = 300, 50  # output lines shown in the terminal timeline


def phase_text(phase: str | None) -> Text:
    return Text(phase or "?", style=PHASE_STYLE.get(phase or "", "dim"))


def short_site(site: str | None, base: Path) -> str:
    """file:line relative to the program's folder, which is where the learner is looking."""
    if not site:
        return ""
    file, line, _column = site.rsplit(":", 2) if site.count(":") >= 2 else (site, "", "")
    try:
        shown = str(Path(file).relative_to(base))
    except ValueError:
        shown = file
    return f"{shown}:{line}" if line else shown


def timeline_table(lines: list[AttributedLine], base: Path) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("phase")
    table.add_column("queue")
    table.add_column("output")
    table.add_column("callback", style="cyan")
    table.add_column("scheduled at", style="dim")
    numbered = list(enumerate(lines, start=1))
    if len(numbered) > HEAD_LINES + TAIL_LINES:  # Rich sizes columns over every row: keep the table readable
        hidden = len(numbered) - HEAD_LINES - TAIL_LINES
        numbered = numbered[:HEAD_LINES] + [(0, None)] + numbered[-TAIL_LINES:]
    for number, line in numbered:
        if line is None:
            table.add_row(
                "",
                "",
                "",
                Text(f"… {hidden:,} more lines (looplab trace --json shows them all)", style="dim italic"),
                "",
                "",
            )
            continue
        queue = Text(line.queue or "?", style="dim" if line.queue == "macrotask" else "bold")
        output = Text(line.text)
        if line.pid is not None:  # a child process's: its pid, and which of its threads
            worker = line.thread % PROCESS_THREADS if line.thread is not None else 0
            tag = f"[child {line.pid}" + (f" worker {worker}] " if worker else "] ")
            output = Text(tag, style="cyan") + output
        elif line.thread is not None:
            output = Text(f"[worker {line.thread}] ", style="magenta") + output
        table.add_row(
            str(number), phase_text(line.phase), queue, output, line.callback or "", short_site(line.site, base)
        )
    return table


def callbacks_table(timeline: Timeline, base: Path) -> RenderableType:
    """Every callback the main thread ran, internals included, in order."""
    table = Table(
        box=None, show_header=True, header_style="bold", pad_edge=False, title="callbacks", title_justify="left"
    )
    table.add_column("iteration", justify="right", style="dim")
    table.add_column("phase")
    table.add_column("queue")
    table.add_column("callback", style="cyan")
    table.add_column("kind", style="dim")
    table.add_column("scheduled at", style="dim")
    starts = timeline.callback_starts
    for index in starts[:MAX_CALLBACK_ROWS]:
        snapshot = timeline.at(index)
        running = snapshot.running
        if running is None:
            continue
        table.add_row(
            str(snapshot.iteration),
            phase_text(snapshot.phase),
            snapshot.running_queue or "",
            running.title,
            running.kind,
            short_site(running.site, base),
        )
    if len(starts) > MAX_CALLBACK_ROWS:
        return Group(table, Text(f"… and {len(starts) - MAX_CALLBACK_ROWS:,} more callbacks", style="dim"))
    return table


def wire_table(recording: TraceRecording) -> RenderableType | None:
    """Each HTTP connection the tracer saw bytes on, with its requests and responses' first lines."""
    from app.trace.wire_model import replay_wire

    wire = replay_wire([event for event in recording.events if getattr(event, "thread", 0) == 0])
    connections = wire.at(len(wire)).connections
    if not connections:
        return None
    table = Table(
        box=None, show_header=True, header_style="bold", pad_edge=False, title="on the wire", title_justify="left"
    )
    table.add_column("client → server")
    table.add_column("sent", style="cyan")
    table.add_column("answered", style="green")
    rows = []
    for connection in connections:
        where = f"{connection.client} → {connection.server}" + (" (TLS, as plaintext)" if connection.tls else "")
        for turn in range(max(len(connection.requests), len(connection.responses))):
            sent = connection.requests[turn].start if turn < len(connection.requests) else ""
            answer = connection.responses[turn].start if turn < len(connection.responses) else ""
            rows.append((where if turn == 0 else "  (same socket)", sent, answer))
    for row in rows[:MAX_WIRE_ROWS]:
        table.add_row(*row)
    if len(rows) > MAX_WIRE_ROWS:
        return Group(table, Text(f"… and {len(rows) - MAX_WIRE_ROWS:,} more exchanges", style="dim"))
    return table


def trace_view(recording: TraceRecording, lines: list[AttributedLine], timeline: Timeline | None) -> RenderableType:
    base = Path(recording.program).parent
    heading = Text(f"node {Path(recording.program).name}", style="bold")
    heading.append(
        f"   Node {recording.node_version} · {recording.end} · {recording.duration * 1000:.0f} ms", style="dim"
    )
    parts: list[RenderableType] = [heading, timeline_table(lines, base)]
    if recording.stderr:
        parts.append(Text("stderr:", style="bold red"))
        parts += [Text(f"  {line}", style="red") for line in recording.stderr[-20:]]
    wire = wire_table(recording)
    if wire is not None:
        parts.append(wire)
    if timeline is not None:
        parts.append(callbacks_table(timeline, base))
    parts += [Text(f"note: {note}", style="dim") for note in run_notes(recording)]
    return Group(*parts)
