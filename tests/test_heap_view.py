"""The heap view in the app: pictures at 80×24 and 120×40 from the recorded heap_gc run, the text it draws, and a
live run on real Node (each Node) that asks for a GC with --expose-gc."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.nodejs.locate import NodeBinary
from app.trace.heap_model import replay_heap
from app.trace.recording import load_recording
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.heap_view import HeapView, heap_rows, short_name
from app.tui.widgets.visualizer import Visualizer
from tests.heap_course import write_heap_course
from tests.test_tui_app import run_and_wait, wait_for
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_heap_course(tmp_path / "course")


def recorded() -> list:
    return list(load_recording(TRACES / "heap_gc.jsonl").events)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_heap_just_before_the_mark_sweep(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def mid_run(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "heap_gc")
        view = pilot.app.screen.query_one(HeapView)
        assert view.heap is not None
        position = next(p for p in view.heap.gc_positions if view.heap.at(p).count("mark-sweep-compact"))
        pilot.app.screen.query_one(Visualizer)._go(position - 1)
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="churn"), terminal_size=size, run_before=mid_run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_heap_at_the_end_of_the_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_end(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "heap_gc")

    assert snap_compare(make_app(course, start="churn"), terminal_size=size, run_before=at_the_end)


def test_the_rows_name_each_space_the_gc_marks_and_the_largest_pause() -> None:
    heap = replay_heap(recorded())
    lines = [line.plain for line in heap_rows(heap.at(10**9), 80, 20)]
    assert [line.split("  ")[0] for line in lines[:3]] == ["new", "old", "code"]
    assert all(len(line) <= 80 for line in lines)
    marks = next(line for line in lines if line.startswith("GC "))
    assert marks.split()[1] == "12" and marks.count("M") == 1 and marks.count("i") == 1 and marks.count("s") == 10
    assert "largest pause: mark-sweep-compact 11.1 ms at 97 ms" in lines
    assert lines[-1] == "12 GCs (39.2 ms): 10 scavenge, 1 incremental marking, 1 mark-sweep-compact"
    short = [line.plain for line in heap_rows(heap.at(10**9), 80, 8)]
    assert [line[:3] for line in short[:2]] == ["new", "old"] and short[2] == "… 4 smaller spaces: z zooms"
    assert short[-2].startswith("largest pause") and len(short) == 8


def test_space_names_fit_their_column() -> None:
    assert short_name("new_space") == "new"
    assert short_name("large_object_space") == "large obj"
    assert short_name("new_large_object_space") == "new large obj"
    assert short_name("shared_trusted_large_object_space") == "shared trust l"  # cut to the column


async def test_a_live_run_records_the_forced_gc(course: Path, any_node: NodeBinary, monkeypatch) -> None:
    monkeypatch.setenv("LOOPLAB_NODE", str(any_node.path))
    app = make_app(course, start="forced")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        view = screen.query_one(HeapView)
        assert view.display
        await run_and_wait(pilot, screen, "r")
        view.show_run(screen.query_one(Visualizer).timeline, 10**9)
        assert view.snapshot is not None
        forced = [gc for gc in view.snapshot.gcs if gc.forced]
        assert forced and forced[-1].kind == "mark-sweep-compact" and forced[-1].pause > 0
        assert view.snapshot.space("old_space") is not None
        assert "(forced)" in view.render().plain or "largest pause" in view.render().plain


def test_before_a_run_and_without_heap_records_the_view_says_why() -> None:
    assert heap_rows(None, 80, 5)[0].plain.startswith("Run the exercise")
    without = " ".join(line.plain for line in heap_rows(replay_heap([]).at(0), 80, 5))
    assert "C++ compiler" in without and "headers" in without
