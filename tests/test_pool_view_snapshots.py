"""Screenshots of the thread-pool view at 80×24 and 120×40, drawn from recorded traces (not live runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.tui.app import LooplabApp
from tests.pool_course import write_pool_course
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_pool_course(tmp_path / "course")


async def step_to_first_wait(pilot: Pilot, trace: str) -> None:
    """The recorded run, stepped back to where the last job queued waits behind the busy ones."""
    await show_recorded_run(pilot, trace)
    visualizer = pilot.app.screen.query_one("#visualizer")
    pool = pilot.app.screen.query_one("#pool-view")
    await pilot.press("g")
    while not pool.snapshot or len(pool.snapshot.waiting) < 2:  # type: ignore[attr-defined]
        await pilot.press("right")
        assert visualizer.position < len(visualizer.timeline)  # type: ignore[attr-defined]
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_read_waits_behind_pbkdf2_on_one_thread(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await step_to_first_wait(pilot, "pool_starvation")

    app: LooplabApp = make_app(course, start="starve")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_four_threads_by_slot_at_the_end_of_a_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "pool_four")

    assert snap_compare(make_app(course, start="starve"), terminal_size=size, run_before=run_before)
