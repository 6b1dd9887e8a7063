"""The tiers view: screenshots at 80×24 and 120×40 from the recorded tests/traces/tiers_deopt_node24.jsonl, how it
draws a ladder, and a live run in the app on real Node."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.trace.recording import load_recording
from app.trace.tiers_model import TiersTimeline
from app.tui.widgets.tiers_view import BARS, DEOPT, TiersView, chosen, tiers_rows
from tests.test_tui_app import lesson_with_view, run_and_wait
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tiers_course import write_tiers_course
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tiers_course(tmp_path / "course")


def recorded(node: str = "24") -> TiersTimeline:
    return TiersTimeline(list(load_recording(TRACES / f"tiers_deopt_node{node}.jsonl").events))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_scale_falls_and_climbs_again_at_the_end_of_a_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "tiers_deopt_node24")

    assert snap_compare(make_app(course, start="deopt"), terminal_size=size, run_before=run_before)


def test_a_row_shows_each_tier_and_the_deopt_with_its_reason() -> None:
    model = recorded()
    text = tiers_rows(model.at(len(model)), 100, 10).plain
    row = next(line for line in text.splitlines() if line.startswith("warm"))
    assert BARS["interpreted"] in row and BARS["maglev"] in row and BARS["turbofan"] in row and DEOPT in row
    assert "not a Smi" in text or "on stack replacement" in text  # the newest deopt's reason


def test_when_rows_are_short_the_functions_that_changed_most_stay() -> None:
    snapshot = recorded().at(10**9)
    assert [f.name for f in chosen(snapshot.functions, 2)] == ["warm", "scale"]
    assert len(chosen(snapshot.functions, 10)) == len(snapshot.functions)


def test_before_any_run_and_for_a_run_without_tiers_it_says_why() -> None:
    assert "no run yet" in tiers_rows(None, 80, 5).plain
    assert "with this view open" in tiers_rows(TiersTimeline([]).at(0), 80, 5).plain
    assert "nothing compiled yet" in tiers_rows(recorded().at(0), 80, 5).plain  # a run with tiers, at its start


@pytest.mark.timeout(120)
async def test_a_run_in_the_app_with_the_view_open_fills_it_and_a_check_does_not_log(course: Path) -> None:
    app = make_app(course, start="deopt")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, visualizer, view = await lesson_with_view(pilot, TiersView)
        assert visualizer.views == ("loop", "tiers") and view.display
        await run_and_wait(pilot, screen, "r")
        assert view.snapshot is not None
        scale = next(f for f in view.snapshot.functions if f.name == "scale")
        assert scale.steps[0][1] == "interpreted"  # how high it climbs depends on the machine's load
        await run_and_wait(pilot, screen, "c")  # graded on the program as it runs without V8's log
        assert view.snapshot is not None and view.snapshot.functions == ()
