"""The live loop: phase row, queue lanes and coloured output, following a run, then replayable step by step."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.runner.process import RunResult
from app.trace.loop_model import Timeline, phase_order, replay
from app.trace.loop_snapshot import LoopSnapshot, RunEnd, ShownLine
from app.trace.schema import TraceEvent
from app.tui.widgets.loop_view import lane_options, output_prompt, running_line, tag_width
from app.tui.widgets.view_set import EXTRA_VIEWS, LOOP_VIEW, RunView, next_views, opening_views, view_cycle
from app.tui.widgets.visualizer_parts import OutputView, PhaseRow, QueueLanes, ScrubBar, lane_items, refill_options

IDLE_STATUS = "Press r to run this exercise; the event loop appears here as Node runs it."
VIEWS_TOOLTIP = "Cycle the views: the lesson's own set, then each view alone (loop, thread pool, ...)"
SPEEDS = (1, 2, 4, 8, 16)  # callbacks per second while playing
OUTPUT_SHOWN = 400  # the newest lines drawn; a huge output stays quick to redraw
COMPACT_BELOW = 30  # rows: a shorter narrow visualizer lists its empty lanes in one row
NARROW = 84  # columns: a narrower visualizer puts the output under the lanes
LIVE_REFRESH = 0.1  # seconds between redraws while a run streams events
FLUSH_BUDGET = 0.012  # seconds of model updates per turn of the app's loop
EXTEND_CHUNK = 1000  # events per Timeline.extend call (a few ms)


@dataclass
class SourcePicked(Message):
    """The learner picked something the user's code scheduled; `site` is file:line:column, or None."""

    site: str | None
    what: str


class Visualizer(Vertical):
    HELP_GROUP = "Visualizer"
    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding("space", "play", "Play/pause", id="visualizer.play", tooltip="Replay the run callback by callback"),
        Binding("right", "step(1)", "Step", id="visualizer.step", tooltip="One trace event forward"),
        Binding("left", "step(-1)", "Step back", id="visualizer.back", tooltip="One trace event back"),
        Binding("full_stop", "callback(1)", "Next callback", id="visualizer.next_callback"),
        Binding("comma", "callback(-1)", "Previous callback", id="visualizer.previous_callback"),
        Binding("greater_than_sign", "phase(1)", "Next phase", id="visualizer.next_phase", show=False),
        Binding("less_than_sign", "phase(-1)", "Previous phase", id="visualizer.previous_phase", show=False),
        Binding("right_square_bracket", "scrub(10)", "Scrub +10%", id="visualizer.scrub_forward", show=False),
        Binding("left_square_bracket", "scrub(-10)", "Scrub -10%", id="visualizer.scrub_back", show=False),
        Binding("g", "jump(0)", "Start", id="visualizer.start", show=False, tooltip="Before anything ran"),
        Binding("G", "jump(-1)", "End", id="visualizer.end", show=False, tooltip="After the last event"),
        Binding("f", "speed(1)", "Faster", id="visualizer.faster", show=False),
        Binding("s", "speed(-1)", "Slower", id="visualizer.slower", show=False),
        Binding("l", "follow", "Follow live", id="visualizer.follow", show=False, tooltip="Stick to the newest event"),
        Binding("v", "cycle_views", "Views", id="visualizer.views", show=False, tooltip=VIEWS_TOOLTIP),
        Binding(
            "o",
            "other_node",
            "Other Node",
            id="visualizer.other_node",
            show=False,
            tooltip="The tls view: run on the other Node too, side by side",
        ),
    ]

    def __init__(self, views: tuple[str, ...] = (LOOP_VIEW,), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.opening_views = opening_views(views)  # the lesson's set, where `v` starts and returns
        self.views = self.opening_views
        self.timeline: Timeline | None = None
        self.position = 0
        self.snapshot: LoopSnapshot | None = None
        self.follow = True
        self.live = False
        self.playing = False
        self.speed_index = 1
        self._buffer: list[TraceEvent] = []
        self._taken = 0  # events of the buffer already in the timeline
        self._token = 0  # which run the buffer belongs to
        self._refresher: Timer | None = None
        self._player: Timer | None = None
        self._fallback: list[ShownLine] = []  # the runner's lines, when the run was not traced
        self._status = IDLE_STATUS

    def compose(self) -> ComposeResult:
        yield PhaseRow(id="phase-row", classes="pane-header")
        yield Static(id="running")
        with Horizontal(id="vis-body"):
            with Vertical(id="views"):
                yield QueueLanes(id="lanes")
                for view in EXTRA_VIEWS:
                    yield view(id=f"{view.view_name}-view", classes="run-view")
            yield OutputView(id="output")
        yield ScrubBar(id="scrub")
        yield Static(id="transport")

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "narrow")  # lanes above output rather than beside it
        cramped = self.has_class("narrow") and self.size.height < COMPACT_BELOW
        if cramped != self.has_class("cramped"):
            self.set_class(cramped, "cramped")
            self._show_views()
        else:
            self.render_snapshot()

    def on_mount(self) -> None:
        self.query_one("#lanes", QueueLanes).border_title = "queues"
        self.query_one("#output", OutputView).border_title = "output"
        self._show_views()

    # --- which views are shown ---------------------------------------------------------------------------

    def _extra_views(self) -> list[RunView]:
        return list(self.query(".run-view").results())  # type: ignore[arg-type]

    def shown_views(self) -> tuple[str, ...]:
        """The chosen views; in a short narrow pane only the last of them (boxes stacked there would not fit)."""
        return self.views[-1:] if self.has_class("cramped") else self.views

    def _show_views(self) -> None:
        shown = self.shown_views()
        self.query_one("#lanes").display = LOOP_VIEW in shown
        for view in self._extra_views():
            view.display = view.view_name in shown  # type: ignore[attr-defined]
        # The loop alone says nothing: it is what every lesson before the I/O part shows.
        self.border_subtitle = "" if self.views == (LOOP_VIEW,) else f"{' + '.join(shown)} · v: views"
        self.render_snapshot()

    def action_cycle_views(self) -> None:
        had_focus = self.has_focus_within
        self.views = next_views(self.views, self.opening_views)
        if self.has_class("cramped") and len(self.views) > 1 and self.shown_views() in view_cycle(self.opening_views):
            self.views = next_views(self.views, self.opening_views)  # the set would show as one view already seen
        self._show_views()
        focused = self.app.focused
        if had_focus and (focused is None or not focused.display):
            self.focus_first_view()  # the keys stay with the visualizer when its focused list is hidden

    def action_other_node(self) -> None:
        tls = next((view for view in self._extra_views() if view.view_name == "tls" and view.display), None)
        if tls is None:
            self.notify("o compares two Nodes in the tls view: v shows it.", timeout=6)
        else:
            tls.run_on_the_other_node()  # type: ignore[attr-defined]

    def focus_first_view(self) -> None:
        """Focus the first shown list: the lanes, else a view that takes focus, else the output."""
        for widget in (self.query_one("#lanes"), *self._extra_views(), self.query_one("#output")):
            if widget.display and widget.focusable:  # type: ignore[attr-defined]
                widget.focus()  # type: ignore[attr-defined]
                return

    # --- feeding a live run ------------------------------------------------------------------------------

    def start_live(self, description: str) -> int:
        """A run begins: a fresh timeline that follows events as the tracer sends them. Returns the run's token."""
        self.stop_playing()
        self.timeline = replay([])
        self._buffer, self._taken = [], 0
        self._token += 1
        self._fallback = []
        self.position = 0
        self.follow = True
        self.live = True
        self._status = description
        if self._refresher is None:
            self._refresher = self.set_interval(LIVE_REFRESH, self._flush)
        self.render_snapshot()
        return self._token

    def feed(self, events: list[TraceEvent], token: int | None = None) -> None:
        """New trace events of the run `token` (events of an older run are dropped); drawn at the next refresh."""
        if token is None or token == self._token:
            self._buffer.extend(events)

    def refeed(self, events: list[TraceEvent], token: int) -> None:
        """The run `token`'s events again, now complete: the syscalls lane adds strace's calls once it is over."""
        if token == self._token and self.timeline is not None:
            self.timeline = replay([])
            self._buffer, self._taken = list(events), 0

    def _apply_some(self, budget: float) -> None:
        """Add buffered events to the model for at most `budget` seconds, so keys and redraws never wait long."""
        if self.timeline is None:
            return
        deadline = time.perf_counter() + budget
        while self._taken < len(self._buffer) and time.perf_counter() < deadline:
            end = min(self._taken + EXTEND_CHUNK, len(self._buffer))
            self.timeline.extend(self._buffer[self._taken : end])
            self._taken = end
        if self._taken >= len(self._buffer):
            self._buffer, self._taken = [], 0

    @property
    def backlog(self) -> int:
        return len(self._buffer) - self._taken

    def _flush(self) -> None:
        if self.timeline is None or not self.backlog:
            return
        self._apply_some(FLUSH_BUDGET)
        if self.follow:
            self.position = len(self.timeline)
            self.render_snapshot()
        else:
            self._render_transport()

    async def catch_up(self) -> None:
        """Take in every buffered event, a slice at a time, letting the app breathe in between."""
        while self.backlog:
            self._apply_some(FLUSH_BUDGET)
            self._render_transport()
            await asyncio.sleep(0)

    def finish(self, result: RunResult, ending: str) -> None:
        """The run is over: add how it ended to the model, draw its last state and switch to replay."""
        self._apply_some(float("inf"))  # normally nothing is left: the screen awaited catch_up()
        if self.timeline is not None and self.live:
            self.timeline.extend([RunEnd.of_result(result)])
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None
        self.live = False
        if self.timeline is not None and not self.timeline.output and result.lines:
            self._fallback = [ShownLine(line.text, line.stream, "", "") for line in result.lines]
        self._status = ending
        if self.follow and self.timeline is not None:
            self.position = len(self.timeline)
        self.render_snapshot()

    def abort(self, reason: str) -> None:
        """The run never got going (or its trace is unusable): stop following and say why."""
        self._token += 1
        self._buffer, self._taken = [], 0
        if self._refresher is not None:
            self._refresher.stop()
            self._refresher = None
        self.live = False
        self._status = reason
        self.render_snapshot()

    def clear(self, status: str = IDLE_STATUS) -> None:
        """Forget the shown run: another exercise is open."""
        self.stop_playing()
        self.abort(status)
        self.timeline = None
        self._fallback = []
        self.position = 0
        self.render_snapshot()

    # --- drawing -----------------------------------------------------------------------------------------

    def render_snapshot(self) -> None:
        timeline = self.timeline
        self.snapshot = timeline.at(self.position) if timeline is not None else None
        order = timeline.phase_order if timeline is not None else phase_order("")  # before a run: today's libuv
        self.query_one("#phase-row", PhaseRow).show(self.snapshot, order)
        self.query_one("#running", Static).update(running_line(self.snapshot))
        refill_options(self.query_one("#lanes", QueueLanes), lane_options(self.snapshot, self.has_class("cramped")))
        lines = self.snapshot.output if self.snapshot is not None else ()
        if not lines and self._fallback and self.timeline is not None and self.position == len(self.timeline):
            lines = tuple(self._fallback)
        output = self.query_one("#output", OutputView)
        skipped = max(0, len(lines) - OUTPUT_SHOWN)
        width = tag_width(lines[skipped:])
        shown = [Option(output_prompt(line, width), id=f"line:{i}") for i, line in enumerate(lines) if i >= skipped]
        if skipped:
            shown.insert(0, Option(Text(f"… {skipped} earlier lines", style="dim"), disabled=True))
        refill_options(output, shown)
        output.show_legend_for(lines[skipped:])
        if self.follow or self.live or self.playing:  # the newest line printed stays in sight
            output.scroll_end(animate=False)
        for view in self._extra_views():
            if view.display:  # type: ignore[attr-defined]
                view.show_run(self.timeline, self.position)
        self._render_transport()

    def _render_transport(self) -> None:
        total = len(self.timeline) if self.timeline is not None else 0
        self.query_one("#scrub", ScrubBar).show(self.position, total)
        text = Text()
        if self.live:
            text.append("● live ", style="bold red")
        elif total:
            text.append("▶ playing " if self.playing else "⏸ paused ", style="bold")
        if total:
            callbacks = self.timeline.callback_starts if self.timeline is not None else []
            done = sum(1 for start in callbacks if start <= self.position)
            text.append(f"event {self.position}/{total} · callback {done}/{len(callbacks)}", style="")
            text.append(f" · {SPEEDS[self.speed_index]}/s  ", style="dim")
        text.append(self._status, style="dim")
        self.query_one("#transport", Static).update(text)

    # --- replay controls ---------------------------------------------------------------------------------

    def _go(self, position: int) -> None:
        if self.timeline is None:
            return
        self.position = max(0, min(position, len(self.timeline)))
        self.follow = self.position == len(self.timeline)
        self.render_snapshot()

    def action_step(self, delta: int) -> None:
        self.stop_playing()
        self._go(self.position + delta)

    def action_callback(self, delta: int) -> None:
        self.stop_playing()
        if self.timeline is not None:
            move = self.timeline.next_callback if delta > 0 else self.timeline.previous_callback
            self._go(move(self.position))

    def action_phase(self, delta: int) -> None:
        self.stop_playing()
        if self.timeline is not None:
            move = self.timeline.next_phase if delta > 0 else self.timeline.previous_phase
            self._go(move(self.position))

    def action_scrub(self, percent: int) -> None:
        if self.timeline is not None:
            self._go(self.position + len(self.timeline) * percent // 100)

    def action_jump(self, where: int) -> None:
        self.stop_playing()
        if self.timeline is not None:
            self._go(len(self.timeline) if where < 0 else where)

    def action_follow(self) -> None:
        if self.timeline is not None:
            self._go(len(self.timeline))

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        if self.playing:
            self.stop_playing()
            self.start_playing()
        self._render_transport()

    def action_play(self) -> None:
        if self.playing:
            self.stop_playing()
        else:
            self.start_playing()
        self._render_transport()

    def start_playing(self, from_start: bool = False) -> None:
        if self.timeline is None or self.live or not len(self.timeline):
            return
        if from_start or self.position >= len(self.timeline):
            self._go(0)
        self.playing = True
        self._player = self.set_interval(1 / SPEEDS[self.speed_index], self._play_step)
        self._render_transport()

    def stop_playing(self) -> None:
        self.playing = False
        if self._player is not None:
            self._player.stop()
            self._player = None

    def _play_step(self) -> None:
        if self.timeline is None or self.position >= len(self.timeline):
            self.stop_playing()
            self._render_transport()
            return
        self._go(self.timeline.next_callback(self.position))

    @on(ScrubBar.Scrubbed)
    def _scrubbed(self, event: ScrubBar.Scrubbed) -> None:
        self.stop_playing()
        self._go(event.position)

    # --- picking a queue item or an output line ------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#lanes")
    @on(OptionList.OptionSelected, "#lanes")
    def _item_picked(self, event: OptionList.OptionHighlighted) -> None:
        if self.snapshot is None or not event.option.id or not self.has_focus_within:
            return
        _, field, ident = event.option.id.split(":")
        item = next((i for i in lane_items(self.snapshot, field) if i.id == int(ident)), None)
        if item is not None:
            self.post_message(SourcePicked(item.site, item.title))

    @on(OptionList.OptionHighlighted, "#output")
    @on(OptionList.OptionSelected, "#output")
    def _line_picked(self, event: OptionList.OptionHighlighted) -> None:
        if self.snapshot is None or self.timeline is None or not event.option.id or not self.has_focus_within:
            return
        index = int(event.option.id.split(":")[1])
        if index >= len(self.snapshot.output):
            return
        line = self.snapshot.output[index]
        if line.context == 0:
            self.post_message(SourcePicked(None, "the main module itself"))
        else:
            label = self.timeline.sites.get(line.context, ("", ""))[0] or "its callback"
            self.post_message(SourcePicked(self.timeline.site_of(line.context), label))
