"""The app with the lanes view, on real Node: a ring of two workers runs live and draws three lanes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.tui.widgets.lanes_view import LanesView, lanes_rows
from tests.lanes_course import write_lanes_course
from tests.test_tui_app import lesson_with_view, make_app, run_and_wait

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_lanes_course(tmp_path / "course")


async def test_a_live_run_draws_a_lane_per_thread_and_scrubs_them_together(course: Path) -> None:
    app = make_app(course, start="ring")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, visualizer, view = await lesson_with_view(pilot, LanesView)
        assert visualizer.views == ("loop", "lanes") and view.display  # the lesson's views = ["loop", "lanes"]

        await run_and_wait(pilot, screen, "r")
        end = view.snapshot
        assert end is not None
        assert [lane.name for lane in end.lanes] == ["main", "worker 1", "worker 2"]
        assert len(end.arrows) == 10 and not end.in_flight
        drawn = "\n".join(line.plain for line in lanes_rows(end, 80, 40))
        assert "worker 2 → main #2" in drawn and "▼" in drawn and "↑" in drawn

        # the visualizer's pane, back to the start: nothing sent; then step until a message is in flight
        await pilot.press("2", "g")
        assert view.snapshot is not None and view.snapshot.arrows == ()
        while not view.snapshot.in_flight:
            assert visualizer.position < len(visualizer.timeline)  # type: ignore[arg-type]
            await pilot.press("right")
        assert 0 < len(view.snapshot.arrows) < 10
