"""The pure loop model, on a trace recorded from real Node (tests/traces/loop_tour.js)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.trace.loop_model import LoopSnapshot, Timeline, replay
from app.trace.recording import TraceRecording, load_recording

TOUR = Path(__file__).parent / "traces" / "loop_tour.jsonl"


@pytest.fixture(scope="module")
def recording() -> TraceRecording:
    return load_recording(TOUR)


@pytest.fixture(scope="module")
def timeline(recording: TraceRecording) -> Timeline:
    return replay(list(recording.events))


def first_running(timeline: Timeline, title: str) -> LoopSnapshot:
    for index in timeline.callback_starts:
        snapshot = timeline.at(index)
        if snapshot.running and snapshot.running.title == title:
            return snapshot
    raise AssertionError(f"{title} never ran")


def test_when_main_ends_every_queue_holds_what_main_scheduled(timeline: Timeline) -> None:
    snapshot = first_running(timeline, "tickInMain")
    assert snapshot.phase == "main" and snapshot.running_queue == "nextTick"
    assert [t.title for t in snapshot.timers] == ["onTimer"]
    assert snapshot.timers[0].due is not None and snapshot.timers[0].due >= 5
    assert [c.title for c in snapshot.check] == ["onImmediate"]
    assert [p.title for p in snapshot.poll] == ["fs.readFile"]
    assert (snapshot.threadpool_busy, snapshot.threadpool_size) == (1, 4)
    assert {item.title for item in snapshot.keeping_alive} == {"onTimer", "onImmediate", "fs.readFile"}
    assert [line.text for line in snapshot.output] == ["main: start", "main: end"]


def test_each_callback_runs_in_its_phase_and_leaves_its_queue(timeline: Timeline) -> None:
    timer = first_running(timeline, "onTimer")
    assert timer.phase == "timers" and timer.running_queue == "macrotask" and timer.timers == ()
    immediate = first_running(timeline, "onImmediate")
    assert immediate.phase == "check" and immediate.check == () and immediate.iteration >= 1
    read = first_running(timeline, "fs.readFile")
    assert read.phase == "poll"


def test_internal_callbacks_are_hidden_unless_asked_for(recording: TraceRecording, timeline: Timeline) -> None:
    shown = {timeline.at(i).running.title for i in timeline.callback_starts}
    assert "afterWriteTick" not in shown
    everything = replay(list(recording.events), show_internals=True)
    assert "afterWriteTick" in {everything.at(i).running.title for i in everything.callback_starts}
    assert len(everything.callback_starts) > len(timeline.callback_starts)


def test_the_output_grows_with_phase_and_queue(timeline: Timeline) -> None:
    final = timeline.at(len(timeline))
    assert [(line.text, line.phase, line.queue) for line in final.output][:3] == [
        ("main: start", "main", "macrotask"),
        ("main: end", "main", "macrotask"),
        ("main: tick", "main", "nextTick"),
    ]
    assert final.keeping_alive == () and final.timers == ()


@settings(max_examples=60)
@given(st.lists(st.integers(0, 200), min_size=1, max_size=12))
def test_stepping_back_and_forth_finds_the_same_snapshot(steps: list[int]) -> None:
    timeline = replay(list(load_recording(TOUR).events))
    fresh = replay(list(load_recording(TOUR).events))  # the same events: a pure function gives the same answers
    index = 0
    for step in steps:
        moves = (timeline.next_callback, timeline.previous_callback, timeline.next_phase, timeline.previous_phase)
        index = moves[step % 4](index) if step % 5 else min(len(timeline), step)
        assert timeline.at(index) == fresh.at(index)
    # Back to the start and forward again lands on identical snapshots.
    assert timeline.at(0) == fresh.at(0)
    assert timeline.at(len(timeline)) == fresh.at(len(fresh))


def test_callback_navigation_moves_monotonically(timeline: Timeline) -> None:
    forward = [0]
    while (nxt := timeline.next_callback(forward[-1])) != forward[-1] and nxt < len(timeline):
        forward.append(nxt)
    assert forward == sorted(forward) and len(forward) > 5
    back = [forward[-1]]
    while (prev := timeline.previous_callback(back[-1])) != back[-1]:
        back.append(prev)
        if prev == 0:
            break
    assert back == sorted(back, reverse=True)
    assert set(forward[1:]) <= set(back)


def test_the_phase_order_follows_the_libuv_of_the_traced_node(timeline: Timeline) -> None:
    from app.trace.loop_model import PHASES_BEFORE_LIBUV_1_45, PHASES_SINCE_LIBUV_1_45, phase_order

    assert timeline.uv_version == "1.52.1"  # the recording was made on Node 24
    assert timeline.phase_order == PHASES_SINCE_LIBUV_1_45 == ("pending", "poll", "check", "close", "timers")
    assert phase_order("1.46.0") == PHASES_SINCE_LIBUV_1_45  # Node 20.20
    assert phase_order("1.44.2") == PHASES_BEFORE_LIBUV_1_45 == ("timers", "pending", "poll", "check", "close")


@settings(max_examples=40)
@given(st.lists(st.integers(1, 400), min_size=1, max_size=8))
def test_a_timeline_fed_in_pieces_equals_one_fed_at_once(cuts: list[int]) -> None:
    """A live run extends its timeline as events arrive; every snapshot must match the finished one's."""
    events = list(load_recording(TOUR).events)
    whole = replay(events)
    live = replay([])
    start = 0
    for cut in sorted(cuts):
        live.extend(events[start:cut])
        start = max(start, cut)
        assert live.at(len(live)) == whole.at(len(live))
    live.extend(events[start:])
    assert live.callback_starts == whole.callback_starts and live.phase_changes == whole.phase_changes
    assert live.at(len(live)) == whole.at(len(whole)) and live.phase_order == whole.phase_order


def test_each_output_line_knows_the_callback_that_printed_it_and_where_that_was_scheduled(timeline: Timeline) -> None:
    printed_by_timer = next(line for line in timeline.output if line.phase == "timers")
    assert printed_by_timer.context != 0
    site = timeline.site_of(printed_by_timer.context)
    assert site is not None and "loop_tour.js:" in site
    main_body = [line for line in timeline.output if line.phase == "main" and line.queue == "macrotask"]
    assert [line.context for line in main_body] == [0, 0]  # the module itself was scheduled by nobody
    read = next(line for line in timeline.output if line.text == "poll: onRead")
    assert timeline.site_of(read.context).endswith("loop_tour.js:10:4")  # fs.readFile's last request keeps its site


def test_after_exit_the_loop_stays_in_exit(timeline: Timeline) -> None:
    """The addon's final markers arrive after process 'exit'; they must not move the loop back to a phase."""
    assert timeline.at(len(timeline)).phase == "exit"
