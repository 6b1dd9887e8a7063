"""Screenshots of the app at 80×24 and 120×40, compared with the saved SVGs (pytest --snapshot-update redoes them).

The finished runs are recorded traces (tests/traces/*.jsonl), so the pictures do not depend on timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.runner.exercise import grade_run
from app.runner.process import OutputLine, RunResult
from app.trace.recording import load_recording
from app.trace.session import TraceCollector
from app.tui.app import LooplabApp
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.visualizer import Visualizer
from tests.tui_course import TRACES, tui_session, write_tui_course

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tui_course(tmp_path / "course")


def make_app(course: Path, start: str | None = None) -> LooplabApp:
    return LooplabApp(tui_session(course), start=start, watch=False, blink=False)


async def settle(pilot: Pilot) -> None:
    """Wait for the lesson (if any), drop the toasts (they name temporary folders), let it draw."""
    for _ in range(100):
        if pilot.app.start is None or isinstance(pilot.app.screen, LessonScreen):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    pilot.app.clear_notifications()
    await pilot.pause()


async def show_recorded_run(pilot: Pilot, trace: str = "loop_tour") -> None:
    """Play a recorded run into the lesson screen as if it had just run, ending as the recording says it did."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LessonScreen)
    recording = load_recording(TRACES / f"{trace}.jsonl")
    lines = tuple(OutputLine("stdout", text, i, 0.0) for i, text in enumerate(recording.stdout))
    timeout = round(recording.duration) if recording.timed_out else 10.0
    result = RunResult(
        lines,
        recording.exit_code,
        recording.signal,
        recording.timed_out,
        recording.cancelled,
        recording.truncated,
        recording.duration,
        timeout,
    )
    visualizer = screen.query_one(Visualizer)
    token = visualizer.start_live("main.js on Node (recorded)")
    visualizer.feed(list(recording.events), token)
    version = recording.node_version
    collector = TraceCollector.replaying(list(recording.events))
    verdict = grade_run(screen.exercise, int(version.lstrip("v").split(".")[0]), result, collector)
    screen.finish_run(screen.exercise, result, verdict, True, version, False)
    await pilot.press("2")  # the visualizer has the focus, as after stepping through a run
    await pilot.pause(0.2)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, course: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(course), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lesson_with_a_finished_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(course, start="tour"), terminal_size=size, run_before=show_recorded_run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("trace", ["ping_pong", "ping_pong_timeout", "tick_starvation"])
def test_the_visualizer_at_the_end_of_a_run(snap_compare, course: Path, trace: str, size: tuple[int, int]) -> None:
    """Nothing left queued once the process is gone; a stopped run says so; a starvation run shows its counts."""

    async def show(pilot: Pilot) -> None:
        await show_recorded_run(pilot, trace)

    assert snap_compare(make_app(course, start="tour"), terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_predict_mode(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def focus_prediction(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="guess"), terminal_size=size, run_before=focus_prediction)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def open_help(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("2", "f1")
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="hello-order"), terminal_size=size, run_before=open_help)
