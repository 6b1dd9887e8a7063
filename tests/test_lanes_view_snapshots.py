"""Screenshots of the lanes view at 80×24 and 120×40, drawn from the recorded ring of two workers (not a live run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.lanes_course import write_lanes_course
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_lanes_course(tmp_path / "course")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_ring_at_the_end_of_a_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "lanes_workers")

    assert snap_compare(make_app(course, start="ring"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_message_in_flight(snap_compare, course: Path, size: tuple[int, int]) -> None:
    """Stepped back to where the main thread has sent worker 2 the count and worker 2 has not got it yet."""

    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "lanes_workers")
        visualizer = pilot.app.screen.query_one("#visualizer")
        lanes = pilot.app.screen.query_one("#lanes-view")
        await pilot.press("g")
        while not any(a.channel == "worker 2" for a in lanes.snapshot.in_flight):  # type: ignore[attr-defined]
            await pilot.press("right")
            assert visualizer.position < len(visualizer.timeline)  # type: ignore[attr-defined]
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="ring"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_two_workers_talking_over_their_own_channel(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    """exercises/worker-thread-to-thread, recorded: six arrows between worker 1 and worker 2, none through main."""
    course = write_lanes_course(tmp_path / "course", exercise="thread-to-thread")

    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "thread_to_thread")

    assert snap_compare(make_app(course, start="thread-to-thread"), terminal_size=size, run_before=run_before)
