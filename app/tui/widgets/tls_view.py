"""The TLS handshake ladder: each connection's steps between its client and its server, the flights' bytes as
bars on one scale, so a ClientHello carrying an ML-KEM key share (Node 24) is visibly longer than an X25519 one
(Node 20). Two runs can stand side by side: `compare_with` another run's snapshot."""

from __future__ import annotations

import asyncio
import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.widget import Widget

from app.errors import LooplabError
from app.trace.following import Following
from app.trace.tls_model import Ladder, Step, TlsSnapshot, TlsTimeline, replay_tls

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

SIDE_STYLES = {"client": "cyan", "server": "magenta"}
KIND_STYLES = {"keys": "yellow", "secure": "bold green", "closed": "dim", "connect": ""}
TIME_WIDTH = 8  # "+1234.5 ": ms since the connection's first step
HEAVY, LIGHT = "━", "─"
LEGEND = f"{HEAVY} bytes on the wire, one scale"
NO_TLS = "No TLS connection yet: tls.connect, https requests and TLS servers appear here as a ladder."
NO_RUN = "Run the exercise: each TLS connection appears here, client on the left, server on the right."
WIDE = 70  # from this width a heading names the addresses too
NARROW = 44  # below this width a ladder has no time column
PAIR_COLUMNS = 36  # two runs side by side need this much each; else their flights are paired row by row


def heading(ladder: Ladder, width: int) -> str:
    named = " · ".join(part for part in (ladder.protocol, ladder.cipher, ladder.group) if part) or "handshaking"
    if width < WIDE:
        return named
    ends = f"{ladder.client or '?'} → {ladder.server or '?'}"
    if not (ladder.client_traced and ladder.server_traced):
        ends += " (client only)" if ladder.client_traced else " (server only)"
    return f"{ends} · {named}"


def _fit(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(room - 1, 0)] + "…"


def _flight(step: Step, label: str, inner: int, scale: int) -> Text:
    """A flight as an arrow across the rails: its name and size, and a heavy part as long as its bytes (the
    bar gets at least a third of the row, so two sizes can be told apart even when the name is cut)."""
    style = SIDE_STYLES[step.side]
    room = max(inner - len(label) - len(f"{step.wire} B") - 4, inner // 3, 1)
    said = f" {_fit(label, inner - room - len(f'{step.wire} B') - 3)} {step.wire} B "
    room = inner - len(said) - 1
    heavy = min(max(1, round(room * step.wire / scale)) if scale else 1, room)
    thick, thin = Text(HEAVY * heavy, style=f"bold {style}"), Text(LIGHT * (room - heavy), style=style)
    if step.side == "client":
        return Text(said, style=style) + thick + thin + Text("▶", style=style)
    return Text("◀", style=style) + thin + thick + Text(said, style=style)


def _notes(steps: list[tuple[Step, str]], inner: int) -> Text:
    """One or two notes on a row: a client's at the left rail, a server's at the right."""
    cells = Text(" " * inner)
    for step, label in steps:
        style = KIND_STYLES.get(step.kind, "") or SIDE_STYLES[step.side]
        text = f" {_fit(label, inner - 5)} "  # never the whole row: which rail a note is at stays plain
        at = 0 if step.side == "client" else inner - len(text)
        cells = cells[:at] + Text(text, style=style) + cells[at + len(text) :]
    return cells


def _rows_of(ladder: Ladder, inner: int) -> list[tuple[Step, list[tuple[Step, str]]]]:
    """Steps grouped into rows: a flight alone; a client's note and the server's next to it share a row."""
    rows: list[tuple[Step, list[tuple[Step, str]]]] = []
    for step in ladder.steps:
        label = step.label(ladder.protocol)
        notes = rows[-1][1] if rows and step.kind != "flight" and rows[-1][0].kind != "flight" else []
        if (
            len(notes) == 1
            and notes[0][0].side == "client"
            and step.side == "server"
            and (len(notes[0][1]) + len(label) + 5 <= inner)
        ):
            notes.append((step, label))
            continue
        rows.append((step, [(step, label)]))
    return rows


def ladder_rows(ladder: Ladder, width: int, scale: int) -> list[Text]:
    """A heading, the two ends' names, and a row per step: `time │ step │`."""
    clock = TIME_WIDTH if width >= NARROW else 0  # a narrow ladder keeps its room for the flights
    inner = max(width - clock - 2, 10)
    rows = [Text(line, style="bold") for line in textwrap.wrap(heading(ladder, width), max(width, 20))]
    ends = Text("ms".rjust(clock - 1) + " " if clock else "", style="dim") + Text("client", style=SIDE_STYLES["client"])
    ends += Text("server".rjust(inner - 4), style=SIDE_STYLES["server"])
    rows.append(ends)
    start = ladder.steps[0].micros if ladder.steps else 0
    for first, notes in _rows_of(ladder, inner):
        middle = _flight(first, notes[0][1], inner, scale) if first.kind == "flight" else _notes(notes, inner)
        time = f"+{(first.micros - start) / 1000:.1f}"
        row = Text(f"{time:>{clock - 1}} " if clock else "", style="dim") + Text("│", style="cyan")
        row += middle + Text(" " * (inner - len(middle))) + Text("│", style="magenta")
        rows.append(row)
    return rows


def tls_rows(snapshot: TlsSnapshot | None, width: int, height: int, scale: int = 0) -> list[Text]:
    """The view as lines `width` wide, at most `height` of them: every connection's ladder, one under another."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.ladders:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_TLS, max(width, 20))]
    scale = scale or snapshot.largest_flight
    lines: list[Text] = []
    for ladder in snapshot.ladders:
        lines.extend(ladder_rows(ladder, width, scale))
    return _cut(lines, height)


def pair_rows(left: TlsSnapshot | None, right: TlsSnapshot | None, width: int, height: int) -> list[Text]:
    """Two runs (the same program on two Nodes), titled by their Node versions, on one byte scale: their ladders
    side by side where there is room, else each flight of the first connection with one bar per run."""
    scale = max(left.largest_flight if left else 0, right.largest_flight if right else 0)
    half = (width - 1) // 2
    if half < PAIR_COLUMNS:
        lines = flight_pairs(left, right, width, scale)
        return _cut(lines, height)
    columns = []
    for snapshot in (left, right):
        rows = [Text(_title(snapshot), style="bold underline"), *tls_rows(snapshot, half, 0, scale)]
        columns.append(rows)
    lines = []
    for index in range(max(len(columns[0]), len(columns[1]))):
        one = columns[0][index].copy() if index < len(columns[0]) else Text("")
        two = columns[1][index] if index < len(columns[1]) else Text("")
        one.truncate(half, pad=True)
        lines.append(one + Text("┊", style="dim") + two)
    return _cut(lines, height)


def _title(snapshot: TlsSnapshot | None) -> str:
    return f"Node {snapshot.node_version}" if snapshot and snapshot.node_version else "a run"


def _cut(lines: list[Text], height: int) -> list[Text]:
    if height <= 0 or len(lines) <= height:
        return lines
    hidden = len(lines) - height + 1
    return [*lines[: height - 1], Text(f"… {hidden} more rows: + makes the pane taller, z zooms", style="dim")]


def flight_pairs(left: TlsSnapshot | None, right: TlsSnapshot | None, width: int, scale: int) -> list[Text]:
    """The handshake flights of each run's first connection, paired by who sent them and in what order: a
    name, then one bar per run. Narrow panes show two runs so."""
    runs = [(snapshot, snapshot.ladders[0] if snapshot and snapshot.ladders else None) for snapshot in (left, right)]
    lines = []
    for snapshot, ladder in runs:
        named = " · ".join(p for p in (ladder.protocol, ladder.cipher, ladder.group) if p) if ladder else "no TLS"
        lines.extend(Text(line, style="bold") for line in textwrap.wrap(f"{_title(snapshot)}: {named}", width))
    tag = max(len(_title(snapshot)) for snapshot, _ in runs) - 5 + 1  # "Node " dropped: "v24.19.0 "
    keys: list[tuple[str, int]] = []
    for _, ladder in runs:
        for step in ladder.flights if ladder else ():
            if (step.side, step.order) not in keys and step.in_handshake(ladder.protocol if ladder else ""):
                keys.append((step.side, step.order))
    for side, order in keys:
        found = [(snapshot, ladder.flight(side, order) if ladder else None, ladder) for snapshot, ladder in runs]
        name = next(step.label(ladder.protocol) for _, step, ladder in found if step is not None and ladder)
        arrow = "client ▶ server" if side == "client" else "client ◀ server"
        lines.append(Text(f"{name} ({arrow})", style=SIDE_STYLES[side]))
        for snapshot, step, _ in found:
            said = f" {_title(snapshot).removeprefix('Node '):<{tag}}{step.wire if step else '—':>6} B "
            room = max(width - len(said), 1)
            heavy = min(max(1, round(room * step.wire / scale)), room) if step and scale else 0
            lines.append(Text(said, style="dim") + Text(HEAVY * heavy, style=f"bold {SIDE_STYLES[side]}"))
    return lines


class TlsView(Widget):
    """A view beside the loop's lanes (see view_set.py): the TLS ladders at the visualizer's position, and, when
    `compare_with` was given another run, that run's ladders beside them. `run_on_the_other_node` makes that run
    (the visualizer's `o` key)."""

    view_name: ClassVar[str] = "tls"
    DEFAULT_CSS = "TlsView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "TLS handshakes"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: TlsTimeline([], thread))
        self.snapshot: TlsSnapshot | None = None
        self.other: TlsSnapshot | None = None
        self._timeline: Timeline | None = None

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        if timeline is not self._timeline:  # a new run: a comparison made beside the last one is stale
            if self._timeline is not None and self.other is not None:
                self.compare_with(None)
            self._timeline = timeline
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def compare_with(self, other: TlsSnapshot | None) -> None:
        """Show another run (a recorded one, say on the other Node) beside this one; None shows this one alone."""
        self.other = other
        self.border_title = "TLS handshakes, two runs" if other is not None else "TLS handshakes"
        self.refresh(layout=True)

    @work(exclusive=True, group="tls-other-node", exit_on_error=False)
    async def run_on_the_other_node(self) -> None:
        """Run the lesson's exercise, traced, on another Node than the shown run's, and show both ladders."""
        from app.nodejs.locate import every_node
        from app.runner.exercise import run_exercise
        from app.trace.addon import build_addon
        from app.trace.session import TraceCollector

        screen = self.screen
        exercise, session = getattr(screen, "exercise", None), getattr(screen, "session", None)
        if exercise is None or session is None:
            return
        try:
            chosen = await asyncio.to_thread(lambda: session.node)
            nodes, _ = await asyncio.to_thread(every_node, chosen)
            shown = self.snapshot.node_version if self.snapshot and self.snapshot.node_version else chosen.version
            other = next((node for node in nodes if node.version != shown), None)
            if other is None:
                self.notify(f"Only Node {shown} is on this machine: nothing to compare with.", timeout=8)
                return
            program = await asyncio.to_thread(session.ensure_copy, exercise)
            addon = await asyncio.to_thread(build_addon, other)
            self.border_title = f"TLS handshakes · running on Node {other.version}…"
            collector = TraceCollector()
            await run_exercise(exercise, program, other, trace=collector, addon=addon)
            events = await asyncio.to_thread(lambda: list(collector.events))
        except LooplabError as exc:
            self.compare_with(None)
            self.notify(str(exc), severity="error", timeout=12)
            return
        timeline = replay_tls(events)
        self.compare_with(timeline.at(len(timeline)))

    def _rows(self, width: int, height: int) -> list[Text]:
        if self.other is not None:
            return pair_rows(self.snapshot, self.other, width, height)
        return tls_rows(self.snapshot, width, height)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(self._rows(width, 1000))

    def render(self) -> Text:
        return Text("\n").join(self._rows(self.content_size.width, self.content_size.height))
