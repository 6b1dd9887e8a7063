"""The app with the thread-pool view, on real Node: a starvation exercise shows the read waiting behind pbkdf2."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.tui.widgets.pool_view import PoolView, pool_rows
from tests.pool_course import write_pool_course
from tests.test_tui_app import lesson_with_view, make_app, run_and_wait

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_pool_course(tmp_path / "course")


async def test_a_starvation_run_shows_the_read_waiting_behind_pbkdf2_in_the_pool_view(course: Path) -> None:
    app = make_app(course, start="starve")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, visualizer, pool = await lesson_with_view(pilot, PoolView)
        assert visualizer.views == ("loop", "pool") and pool.display  # the lesson's views = ["loop", "pool"]

        await run_and_wait(pilot, screen, "r")
        end = pool.snapshot
        assert end is not None and end.size == 1  # set by the program itself, read when the first job queued
        pbkdf2, read, lookup = end.jobs[:3]
        assert (pbkdf2.label, read.label, lookup.label) == ("crypto.pbkdf2", "fs.readFile", "dns.lookup")
        assert read.started_by == pbkdf2.done and lookup.started_by == read.done

        await pilot.press("2", "g")
        while not (pool.snapshot and [job.label for job in pool.snapshot.waiting] == ["fs.readFile", "dns.lookup"]):
            assert visualizer.position < len(visualizer.timeline)  # type: ignore[arg-type]
            await pilot.press("right")
        drawn = "\n".join(line.plain for line in pool_rows(pool.snapshot, 80, 12))
        assert "readFile, lookup wait for a thread: pbkdf2 holds the only one" in drawn
        assert "slot 1" in drawn and "░readFile░" in drawn

        await pilot.press("v")  # the loop alone, then the pool alone
        assert not pool.display
        await pilot.press("v")
        assert pool.display and not screen.query_one("#lanes").display
