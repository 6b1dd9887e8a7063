"""What the visualizer says about a run, drawn from recorded traces: its last words, its lanes, its phase row."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from app.trace.loop_model import PHASES_SINCE_LIBUV_1_45, replay
from app.trace.loop_snapshot import LoopSnapshot, RunEnd
from app.trace.recording import load_recording
from app.tui.app import LooplabApp
from app.tui.widgets.loop_view import LEGEND, lane_options, legend, phase_row, running_line
from app.tui.widgets.visualizer import SourcePicked, Visualizer
from tests.test_tui_snapshots import make_app, show_recorded_run
from tests.tui_course import TRACES, write_tui_course


def last(trace: str) -> LoopSnapshot:
    """The final snapshot of a recorded run, with how the runner saw it end."""
    recording = load_recording(TRACES / f"{trace}.jsonl")
    timeline = replay([*recording.events, RunEnd.of_recording(recording)])
    return timeline.at(len(timeline))


def lanes_text(snapshot: LoopSnapshot) -> list[str]:
    return [option.prompt.plain for option in lane_options(snapshot) if isinstance(option.prompt, Text)]


def test_a_finished_run_says_the_process_exited_not_that_it_is_waiting() -> None:
    finished = running_line(last("ping_pong")).plain
    assert finished == "■ The loop ran dry and the process exited with code 0 after 0.10 s."
    assert running_line(last("exit_early")).plain == "■ The process exited with code 3 after 0.16 s."


def test_a_stopped_run_says_it_was_stopped_and_where_the_trace_last_saw_the_loop() -> None:
    assert running_line(last("ping_pong_timeout")).plain == (
        "■ Stopped by looplab after 2.0 s: the trace last showed the loop waiting in poll."
    )
    assert running_line(last("busy_timeout")).plain == (
        "■ Stopped by looplab after 1.1 s: the trace last showed busyLoop running, in timers."
    )
    starving = running_line(last("tick_starvation_timeout")).plain
    assert starving.startswith("■ Stopped by looplab after 2.0 s: the nextTick queue kept refilling itself (")
    assert starving.endswith(" callbacks in a row); the loop never left main.")
    promises = running_line(last("promise_starvation_timeout")).plain
    assert "the microtask queue kept refilling itself (" in promises and promises.endswith("never left main.")


def test_a_cancelled_or_killed_run_says_who_stopped_it() -> None:
    events = list(load_recording(TRACES / "ping_pong_timeout.jsonl").events)
    cancelled = replay([*events, RunEnd(0, None, "SIGKILL", False, True, False, 0.5)])
    assert running_line(cancelled.at(len(cancelled))).plain.startswith("■ Cancelled: stopped after 0.50 s: the trace")
    killed = replay([*events, RunEnd(0, None, "SIGSEGV", False, False, False, 0.5)])
    assert running_line(killed.at(len(killed))).plain.startswith("■ Killed by SIGSEGV after 0.50 s:")
    silent = replay([RunEnd(0, None, "SIGKILL", True, False, False, 1.0)])
    assert running_line(silent.at(1)).plain == "■ Stopped by looplab after 1.0 s: the tracer had sent nothing yet."


def test_lanes_show_what_the_process_left_behind_and_nothing_still_queued() -> None:
    assert lanes_text(last("ping_pong"))[0] == "poll · I/O net.Server.listen  closed at exit  ping_pong.js:16"
    assert lanes_text(last("ping_pong_timeout"))[0] == (
        "poll · I/O net.Server.listen  open when stopped  ping_pong.js:16"
    )
    assert lanes_text(last("exit_early"))[:2] == [
        "timers     onTimer  never ran  exit_early.js:3",
        "check      onImmediate  never ran  exit_early.js:6",
    ]
    for trace in ("ping_pong", "ping_pong_timeout", "exit_early", "busy_timeout", "tick_starvation"):
        empty = [row for row in lanes_text(last(trace)) if row.startswith("empty")]
        assert len(empty) == 1, trace  # every other lane is listed as empty, in one row


def test_a_starvation_run_ends_with_the_callbacks_it_counted_where_they_ran() -> None:
    rows = lanes_text(last("tick_starvation"))
    counted = next(row for row in rows if row.startswith("counted"))
    assert "timers 1" in counted and "main›tick 99," in counted
    assert not any("again" in row or "setTimeout" in row for row in rows)  # the stale queues are gone


def test_the_legend_explains_the_tick_and_micro_tags_in_the_width_there_is() -> None:
    lines = last("ping_pong").output
    for width in (33, 40, 44, 60, 76, 116):
        text = legend(lines, width)
        assert "›tick" in text and "›micro" in text and len(text) <= width
    assert legend(lines, 200) == LEGEND[0] and "nextTick queue" in LEGEND[0] and "microtask" in LEGEND[0]
    assert legend(last("exit_early").output, 76) == ""  # no tagged line, no legend


def test_the_phase_row_never_needs_more_than_its_width() -> None:
    snapshot = last("ping_pong_timeout")
    assert phase_row(snapshot, PHASES_SINCE_LIBUV_1_45, 120).plain == (
        " main │ pending › poll › check › close › timers │ exit   iteration 6 · 41 ms"
    )
    for width in range(8, 121):
        row = phase_row(snapshot, PHASES_SINCE_LIBUV_1_45, width)
        assert row.cell_len <= width, width
        assert " poll " in row.plain  # the lit phase is always there
        if width >= 43:  # wide enough for every name unabbreviated
            assert all(name in row.plain for name in ("main", "pending", "check", "close", "timers", "exit"))


LAYOUTS = {  # (size, keys after the run): the default three panes, stacked, and the visualizer alone
    "three-panes-120x40": ((120, 40), ()),
    "stacked-100x40": ((100, 40), ()),
    "stacked-80x24": ((80, 24), ()),
    "no-slides-120x40": ((120, 40), ("f2",)),
    "zoomed-120x40": ((120, 40), ("z",)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
async def test_the_phase_row_is_one_line_in_every_layout(tmp_path: Path, layout: str) -> None:
    size, keys = LAYOUTS[layout]
    app: LooplabApp = make_app(write_tui_course(tmp_path / "course"), start="tour")
    async with app.run_test(size=size) as pilot:
        await show_recorded_run(pilot, "ping_pong_timeout")
        await pilot.press(*keys)
        await pilot.pause(0.1)
        row = app.screen.query_one(Visualizer).query_one("#phase-row")
        assert row.region.height == 1, f"the phase row took {row.region.height} lines"
        shown = row.render_line(0).text
        for name in ("main", "poll", "exit"):
            assert name in shown, shown
        assert ("pending" in shown or "pend" in shown) and ("timers" in shown or "tmr" in shown), shown


async def test_the_app_says_how_the_run_ended_and_explains_the_tags(tmp_path: Path) -> None:
    """The lesson screen hands the runner's result to the visualizer, which adds it to the timeline."""
    app: LooplabApp = make_app(write_tui_course(tmp_path / "course"), start="tour")
    async with app.run_test(size=(120, 40)) as pilot:
        await show_recorded_run(pilot, "ping_pong_timeout")
        visualizer = app.screen.query_one(Visualizer)
        assert visualizer.snapshot is not None and visualizer.snapshot.ended is not None
        said = visualizer.query_one("#running").render()
        assert str(said).startswith("■ Stopped by looplab after 2.0 s"), said
        assert "›tick" in visualizer.query_one("#output").border_subtitle
        await pilot.press("left")  # one step back: the trace alone, before the runner said it was over
        before = visualizer.snapshot
        assert before.ended is None and [item.title for item in before.poll] == ["net.Server.listen"]


async def test_picking_what_the_process_left_behind_points_at_where_it_was_scheduled(tmp_path: Path) -> None:
    picked: list[SourcePicked] = []
    app: LooplabApp = make_app(write_tui_course(tmp_path / "course"), start="tour")
    hook = lambda message: picked.append(message) if isinstance(message, SourcePicked) else None  # noqa: E731
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await show_recorded_run(pilot, "ping_pong")
        lanes = app.screen.query_one(Visualizer).query_one("#lanes")
        assert lanes.has_focus
        await pilot.press("down", "up")
        await pilot.pause(0.1)
        assert lanes.highlighted_option.id == "item:left_at_end:2"
        assert picked and picked[-1].what == "net.Server.listen" and picked[-1].site.endswith("ping_pong.js:16:8")
