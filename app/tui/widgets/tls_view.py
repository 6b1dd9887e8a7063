"""The TLS handshake ladder: each connection's steps between its client and its server, the flights' bytes as
bars on one scale, so a ClientHello carrying an ML-KEM key share (Node 24) is visibly longer than an X25519 one
(Node 20). Two runs can stand side by side: `compare_with` another run's snapshot."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.following import Following
from app.trace.tls_model import Ladder, Step, TlsSnapshot, TlsTimeline

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

SIDE_STYLES = {"client": "cyan", "server": "magenta"}
KIND_STYLES = {"keys": "yellow", "secure": "bold green", "closed": "dim", "connect": ""}
TIME_WIDTH = 11  # "+1234.5 ms "
HEAVY, LIGHT = "━", "─"
LEGEND = f"{HEAVY} bytes on the wire, one scale"
NO_TLS = "No TLS connection yet: tls.connect, https requests and TLS servers appear here as a ladder."
NO_RUN = "Run the exercise: each TLS connection appears here, client on the left, server on the right."


def heading(ladder: Ladder) -> str:
    ends = f"{ladder.client or '?'} → {ladder.server or '?'}"
    if not (ladder.client_traced and ladder.server_traced):
        ends += " (client only)" if ladder.client_traced else " (server only)"
    named = " · ".join(part for part in (ladder.protocol, ladder.cipher, ladder.group) if part)
    return f"{ends} · {named}" if named else f"{ends} · handshaking"


def _time(step: Step, start: int) -> str:
    return f"+{(step.micros - start) / 1000:.1f} ms"


def _flight(step: Step, label: str, inner: int, scale: int) -> Text:
    """A flight as an arrow across the rails: its name and size, and a heavy part as long as its bytes."""
    style = SIDE_STYLES[step.side]
    said = f" {label} · {step.wire} B "
    room = max(inner - len(said) - 1, 1)
    heavy = max(1, round(room * step.wire / scale)) if scale else 1
    heavy = min(heavy, room)
    thick, thin = Text(HEAVY * heavy, style=f"bold {style}"), Text(LIGHT * (room - heavy), style=style)
    if step.side == "client":
        row = Text(said, style=style) + thick + thin + Text("▶", style=style)
    else:
        row = Text("◀", style=style) + thin + thick + Text(said, style=style)
    row.truncate(inner)
    return row


def _note(step: Step, label: str, inner: int) -> Text:
    style = KIND_STYLES.get(step.kind, "") or SIDE_STYLES[step.side]
    text = label if len(label) <= inner - 2 else label[: max(inner - 3, 1)] + "…"
    padded = f" {text} ".ljust(inner) if step.side == "client" else f" {text} ".rjust(inner)
    return Text(padded, style=style)


def ladder_rows(ladder: Ladder, width: int, scale: int) -> list[Text]:
    """A heading, the two ends' names, and a row per step: `time │ step │`."""
    inner = max(width - TIME_WIDTH - 2, 10)
    rows = [Text(line, style="bold") for line in textwrap.wrap(heading(ladder), max(width, 20))]
    ends = Text(" " * TIME_WIDTH) + Text("client".ljust(inner // 2), style=SIDE_STYLES["client"])
    ends += Text("server".rjust(inner - inner // 2 + 2), style=SIDE_STYLES["server"])
    rows.append(ends)
    start = ladder.steps[0].micros if ladder.steps else 0
    for step in ladder.steps:
        label = step.label(ladder.protocol)
        middle = _flight(step, label, inner, scale) if step.kind == "flight" else _note(step, label, inner)
        row = Text(f"{_time(step, start):>{TIME_WIDTH - 1}} ", style="dim") + Text("│", style="cyan")
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
    if height > 0 and len(lines) > height:
        hidden = len(lines) - height + 1
        lines = [*lines[: height - 1], Text(f"… {hidden} more rows: + makes the pane taller, z zooms", style="dim")]
    return lines


def pair_rows(left: TlsSnapshot | None, right: TlsSnapshot | None, width: int, height: int) -> list[Text]:
    """Two runs side by side (the same program on two Nodes), titled by their Node versions, on one byte scale."""
    half = max((width - 1) // 2, 20)
    scale = max(left.largest_flight if left else 0, right.largest_flight if right else 0)
    columns = []
    for snapshot in (left, right):
        title = f"Node {snapshot.node_version}" if snapshot and snapshot.node_version else "a run"
        rows = [Text(title, style="bold underline"), *tls_rows(snapshot, half, height - 1 if height > 0 else 0, scale)]
        columns.append(rows)
    lines = []
    for index in range(max(len(columns[0]), len(columns[1]))):
        one = columns[0][index] if index < len(columns[0]) else Text("")
        two = columns[1][index] if index < len(columns[1]) else Text("")
        one = one.copy()
        one.truncate(half, pad=True)
        lines.append(one + Text("┊", style="dim") + two)
    return lines[:height] if height > 0 else lines


class TlsView(Widget):
    """A view beside the loop's lanes (see view_set.py): the TLS ladders at the visualizer's position, and, when
    `compare_with` was given another run, that run's ladders beside them."""

    view_name: ClassVar[str] = "tls"
    DEFAULT_CSS = "TlsView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "TLS handshakes"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: TlsTimeline([], thread))
        self.snapshot: TlsSnapshot | None = None
        self.other: TlsSnapshot | None = None

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def compare_with(self, other: TlsSnapshot | None) -> None:
        """Show another run (a recorded one, say on the other Node) beside this one; None shows this one alone."""
        self.other = other
        self.border_title = "TLS handshakes, two runs" if other is not None else "TLS handshakes"
        self.refresh(layout=True)

    def _rows(self, width: int, height: int) -> list[Text]:
        if self.other is not None:
            return pair_rows(self.snapshot, self.other, width, height)
        return tls_rows(self.snapshot, width, height)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(self._rows(width, 1000))

    def render(self) -> Text:
        return Text("\n").join(self._rows(self.content_size.width, self.content_size.height))
