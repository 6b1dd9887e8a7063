"""The agent view: each http.Agent's sockets per host:port, free, busy and queued, as strips over the run's time."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.agent_model import AgentHost, AgentSnapshot, AgentTimeline, Counts
from app.trace.following import Following
from app.tui.widgets.fd_view import rows_in_sight
from app.tui.widgets.pool_view import LABEL_WIDTH, time_axis  # the same axis and label column as the pool's

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

STYLES = {"busy": "cyan", "free": "green", "queued": "yellow"}
LEVELS = " ▂▃▄▅▆▇█"
NO_RUN = "Run the exercise: each http.Agent it uses appears here, with its sockets for every host:port."
NO_AGENT = "No http.Agent used yet: http.get and http.request go through http.globalAgent unless given one."
LEGEND = "busy: carries a request · free: kept alive, idle · queued: waits for a socket"


def _at(history: tuple[Counts, ...], micros: int) -> Counts | None:
    """The counts in force at `micros`: the last change at or before it."""
    found = None
    for counts in history:
        if counts.micros > micros:
            break
        found = counts
    return found


class _Axis:
    def __init__(self, snapshot: AgentSnapshot, width: int) -> None:
        self.start, self.end = snapshot.start, max(snapshot.now, snapshot.start + 1000)
        self.width = max(width, 1)

    def micros(self, column: int) -> int:
        return self.start + (self.end - self.start) * column // max(self.width - 1, 1)

    def row(self) -> Text:
        return time_axis(self.start, self.end, self.width)


def strip(host: AgentHost, axis: _Axis, what: str) -> Text:
    """One count over time: a column per moment, as tall as the count against the host's peak."""
    peak = max(getattr(host.peak, what), 1)
    text = Text(no_wrap=True, overflow="crop")
    for column in range(axis.width):
        counts = _at(host.history, axis.micros(column))
        value = getattr(counts, what) if counts is not None else 0
        level = 0 if value == 0 else 1 + (value * (len(LEVELS) - 2)) // peak
        text.append(LEVELS[min(level, len(LEVELS) - 1)], style=STYLES[what])
    return text


def combined(host: AgentHost, axis: _Axis) -> Text:
    """All three in one row, for a short pane: queued wins over busy, busy over free."""
    text = Text(no_wrap=True, overflow="crop")
    for column in range(axis.width):
        counts = _at(host.history, axis.micros(column))
        if counts is None or counts == Counts(counts.micros, 0, 0, 0):
            text.append(" ")
        elif counts.queued:
            text.append("▓", style=STYLES["queued"])
        elif counts.busy:
            text.append("█", style=STYLES["busy"])
        else:
            text.append("░", style=STYLES["free"])
    return text


def now_text(counts: Counts) -> Text:
    text = Text()
    for what in ("busy", "free", "queued"):
        value = getattr(counts, what)
        text.append(f"{what} {value}  ", style=f"bold {STYLES[what]}" if value else "dim")
    return text


def agent_rows(snapshot: AgentSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height` of them: per agent a heading, per host its counts now and
    three strips (busy, free, queued) over the run's time, or one combined strip when the pane is short."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.agents:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_AGENT, max(width, 20))]
    axis = _Axis(snapshot, width - LABEL_WIDTH)
    hosts = sum(len(agent.hosts) for agent in snapshot.agents)
    full = len(snapshot.agents) + hosts * 4 + 1 <= height
    lines: list[Text] = []
    for agent in snapshot.agents:
        heading = Text(agent.name, style="bold")
        heading.append(f"  {agent.settings}", style="dim")
        lines.append(heading)
        for host in agent.hosts:
            line = Text(f"  {host.host}  ", style="bold")
            line.append_text(now_text(host.now))
            lines.append(line)
            if full:
                for what in ("busy", "free", "queued"):
                    lines.append(Text(f"{what:>{LABEL_WIDTH - 1}} ", style=STYLES[what]) + strip(host, axis, what))
            else:
                lines.append(Text(" " * LABEL_WIDTH) + combined(host, axis))
    lines.append(axis.row())
    if not full and len(lines) < height:
        legend = Text(" " * LABEL_WIDTH)
        for mark, what in (("█", "busy"), ("░", "free"), ("▓", "queued")):
            legend.append(f"{mark} {what}  ", style=STYLES[what])
        lines.append(legend)
    if len(lines) > height >= 2:
        hidden = len(lines) - height + 1
        lines = [*lines[: height - 1], Text(f"… {hidden} more rows: z zooms", style="dim")]
    return [line.copy() for line in lines][: max(height, 1)]


class AgentView(Widget):
    """A view beside the loop's lanes (see view_set.py): the http.Agents at the visualizer's position."""

    view_name: ClassVar[str] = "agent"
    DEFAULT_CSS = "AgentView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "agent pool"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: AgentTimeline([], thread))
        self.snapshot: AgentSnapshot | None = None

    @property
    def agents(self) -> AgentTimeline | None:
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(agent_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        return Text("\n").join(agent_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000))
