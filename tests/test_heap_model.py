"""The heap model on the recorded tests/traces/heap_gc.jsonl (made by heap_gc.js on Node 24): spaces over time, GC
pauses with their kinds, and the loop Timeline's positions, so stepping and scrubbing move the heap view too."""

from __future__ import annotations

from app.trace.heap_model import HeapTimeline, replay_heap
from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.trace.schema import Gc, HeapDropped, HeapSize
from tests.tui_course import TRACES


def recorded() -> list:
    return list(load_recording(TRACES / "heap_gc.jsonl").events)


def test_the_run_has_scavenges_then_marking_then_one_mark_sweep_compact() -> None:
    heap = replay_heap(recorded()).at(10**9)
    assert [gc.kind for gc in heap.gcs].count("scavenge") == 10
    assert [gc.kind for gc in heap.gcs if gc.kind != "scavenge"] == ["incremental marking", "mark-sweep-compact"]
    largest = heap.largest
    assert largest is not None and largest.kind == "mark-sweep-compact" and largest.pause == 11050
    assert heap.paused == sum(gc.pause for gc in heap.gcs) and heap.dropped == 0
    assert [space.name for space in heap.spaces][:3] == ["new_space", "old_space", "code_space"]
    old = heap.space("old_space")
    assert old is not None and old.samples[0].kib < 4096 < 16384 < old.peak  # the timer's 200,000 objects, promoted
    assert heap.start <= heap.gcs[0].start and heap.gcs[-1].start + heap.gcs[-1].pause <= heap.now


def test_the_model_follows_the_loop_timelines_positions() -> None:
    events = recorded()
    loop, heap = replay(events), replay_heap(events)
    assert len(heap) == len(loop.events)  # one position per event of the thread, as the loop Timeline counts
    first_gc = heap.gc_positions[0]
    assert heap.at(first_gc - 1).gcs == () and len(heap.at(first_gc).gcs) == 1
    assert isinstance(loop.events[first_gc - 1], Gc)
    msc = next(p for p in heap.gc_positions if heap.at(p).count("mark-sweep-compact"))
    before = heap.at(msc - 1)
    assert before.largest is not None and before.largest.kind == "scavenge"  # stepping back undoes the big pause
    assert heap.at(0).spaces == () and heap.at(-5) == heap.at(0)
    assert set(heap.change_positions) >= set(heap.gc_positions)


def test_a_model_fed_in_pieces_equals_one_fed_at_once() -> None:
    events = recorded()
    pieces = HeapTimeline([])
    for at in range(0, len(events), 17):
        pieces.extend(events[at : at + 17])
    assert pieces.at(10**9) == replay_heap(events).at(10**9)


def test_spaces_that_never_held_anything_are_left_out_and_lost_records_counted() -> None:
    events = [
        HeapSize(0, "read_only_space", "loop", 0, 100),
        HeapSize(0, "new_space", "loop", 512, 100),
        Gc(0, "scavenge", False, 150, 40),
        HeapSize(1, "new_space", "loop", 9999, 160),  # another thread's
        HeapDropped(0, 7, 400),
    ]
    heap = replay_heap(events).at(10)
    assert [space.name for space in heap.spaces] == ["new_space"] and heap.space("new_space").now == 512
    assert heap.dropped == 7 and (heap.start, heap.now) == (100, 400)
