"""The event-loop delay view in the app: pictures at 80×24 and 120×40 from the recorded 50 ms block, the text it
draws, and a live run on each Node where the block is the largest delay."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.nodejs.locate import NodeBinary
from app.trace.delay_model import replay_delay
from app.trace.recording import load_recording
from app.tui.widgets.delay_view import DelayView, culprit, delay_rows
from app.tui.widgets.visualizer import Visualizer
from tests.delay_course import write_delay_course
from tests.test_tui_app import lesson_with_view, run_and_wait
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_delay_course(tmp_path / "course")


def recorded_end():  # noqa: ANN201
    delay = replay_delay(list(load_recording(TRACES / "delay_block.jsonl").events))
    return delay.at(len(delay))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_block_at_the_end_of_the_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_end(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "delay_block")

    assert snap_compare(make_app(course, start="block"), terminal_size=size, run_before=at_the_end)


def test_the_rows_name_the_block_and_fit_their_width() -> None:
    end = recorded_end()
    assert culprit(end) == "longest 54 ms: timers › tick (delay_block.js:11)"
    wide = [line.plain for line in delay_rows(end, 76, 6)]
    assert len(wide) == 6 and all(len(line) <= 76 for line in wide)
    assert wide[0].split() == ["blocked", "(29)", "late", "(30", "timers)"]
    assert wide[1].split()[:7] == ["ms", "max", "54", "p99", "54", "p50", "0.05"]
    assert any(line.lstrip().startswith("32-64 █ 1 ") for line in wide)  # the block's bucket is never merged away
    assert wide[-1].startswith("away") and "█" in wide[-1]  # the tall mark on the lateness line
    narrow = [line.plain for line in delay_rows(end, 44, 1000)]
    assert all(len(line) <= 44 for line in narrow) and narrow[-1].strip().endswith("ms")  # the time axis
    assert narrow[2:4] == ["longest 54 ms: timers › tick", "(delay_block.js:11)"]  # no room in the border
    buckets = narrow[5:12]
    assert [line.split()[0] for line in buckets] == ["<1", "1-2", "2-4", "4-8", "8-16", "16-32", "32-64"]
    assert sum(int(line.split()[2]) for line in buckets if line.split()[1].startswith("█")) == 29  # blocked


def test_before_a_run_and_without_timed_markers_it_says_why() -> None:
    assert "Run the exercise" in delay_rows(None, 60, 5)[0].plain
    from app.trace.delay_model import DelayTimeline
    from app.trace.schema import Mark

    untimed = DelayTimeline([Mark(0, "prepare", 1, 20), Mark(0, "check", 1, 21)]).at(2)
    assert "no timed loop markers" in " ".join(line.plain for line in delay_rows(untimed, 60, 5))


async def test_a_live_run_shows_the_block_as_the_largest_delay(
    course: Path, any_node: NodeBinary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPLAB_NODE", str(any_node.path))
    app = make_app(course, start="block")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, visualizer, view = await lesson_with_view(pilot, DelayView)
        assert visualizer.views == ("loop", "delay") and view.display
        await run_and_wait(pilot, screen, "r")
        view.show_run(screen.query_one(Visualizer).timeline, 10**9)
        end = view.snapshot
        assert end is not None and end.timed and end.longest is not None
        assert end.longest.length >= 50_000 and end.blocked.max == end.longest.length
        assert sorted(stretch.length for stretch in end.stretches)[-2] < end.longest.length / 2
        assert max(run.late for run in end.timers) > 0.9 * end.longest.length
        assert "timers › tick" in str(view.border_title)
