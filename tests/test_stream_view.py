"""The streams view in the app: pictures at 80×24 and 120×40 from the recorded pipe run, the text it draws, and a
live run on real Node (each Node: their default highWaterMark differs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.nodejs.locate import NodeBinary
from app.trace.recording import load_recording
from app.trace.stream_model import replay_streams
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.stream_view import StreamView, stream_rows
from app.tui.widgets.visualizer import Visualizer
from tests.stream_course import write_stream_course
from tests.test_tui_app import run_and_wait, wait_for
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_stream_course(tmp_path / "course")


def recorded(name: str) -> list:
    return list(load_recording(TRACES / f"{name}.jsonl").events)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_pipe_while_the_writable_waits_for_drain(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def mid_run(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "stream_pipe")
        view = pilot.app.screen.query_one(StreamView)
        assert view.streams is not None
        position = next(p for p in view.streams.change_positions if view.streams.at(p).streams[-1].count("drain") == 3)
        pilot.app.screen.query_one(Visualizer)._go(position - 1)  # just before the third drain
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="pipe"), terminal_size=size, run_before=mid_run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_pipe_at_the_end_of_the_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_end(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "stream_pipe")

    assert snap_compare(make_app(course, start="pipe"), terminal_size=size, run_before=at_the_end)


def test_the_rows_show_the_buffer_against_its_high_water_mark() -> None:
    events = recorded("stream_drain_node20")
    streams = replay_streams(events)
    full = next(p for p in streams.change_positions if streams.at(p).streams[0].waiting_for_drain)
    lines = [line.plain for line in stream_rows(streams.at(full), 80, 10)]
    assert lines[0] == "1 SlowDisk  waits for drain  !×1  writable · stream_drain.js:14"
    assert lines[1].startswith("  w [██████████] 16.0K/16.0K")
    assert "!" in lines[2] and "ms" in lines[3]  # the marker under its moment, then the time axis
    short = [line.plain for line in stream_rows(replay_streams(recorded("stream_pipeline_gzip")).at(10**9), 80, 5)]
    assert len(short) == 5 and short[-1].startswith("… ") and "z zooms" in short[-1]


def test_a_stream_past_the_limits_says_so() -> None:
    from app.trace.schema import StreamNew, StreamStep

    made = StreamNew(0, 1, "Writable", "writable", "/x/a.js:3:1", -1, False, 16, False, 100)
    events = [made, StreamStep(0, 1, "cut", 0, 200), StreamStep(0, 0, "unshown", 9, 300)]
    lines = [line.plain for line in stream_rows(replay_streams(events).at(10), 100, 20)]
    assert "(cut: lengths stop here)" in lines[0]
    narrow = [line.plain for line in stream_rows(replay_streams(recorded("stream_pipe")).at(10**9), 44, 20)]
    assert narrow[0].startswith("1 Readable  close  → 2") and all(len(line) <= 44 for line in narrow)
    assert narrow[1].startswith("  r [··········] 0 B/4.0K") and narrow[2].strip().startswith("_")  # spark below
    assert lines[-1] == "… 9 more streams not followed (the tracer follows 32)"


async def test_a_live_run_shows_this_nodes_high_water_mark(
    course: Path, any_node: NodeBinary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPLAB_NODE", str(any_node.path))
    app = make_app(course, start="drain")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        view = screen.query_one(StreamView)
        assert view.display
        await run_and_wait(pilot, screen, "r")
        view.show_run(screen.query_one(Visualizer).timeline, 10**9)
        assert view.snapshot is not None
        (disk,) = view.snapshot.streams
        default = 16384 if any_node.version.startswith("v20") else 65536
        assert disk.sides[0].hwm == disk.sides[0].peak == default and disk.ending == "close"
        assert f"/{default // 1024}.0K" in view.render().plain
