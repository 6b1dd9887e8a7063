"""The pure loop model, on traces recorded from real Node (tests/traces/*.js say how each was made)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.trace.analysis import STARVATION_CALLBACKS, find_starvation
from app.trace.loop_model import Timeline, replay
from app.trace.loop_snapshot import LoopSnapshot, RunEnd
from app.trace.recording import TraceRecording, load_recording
from app.trace.schema import ExitEvent

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


# --- how a run ends: recorded on Node 24 (see the .js files in tests/traces for the commands) --------------


def ended(name: str) -> tuple[TraceRecording, Timeline]:
    """A recorded run, replayed up to and including how the runner saw it end."""
    recording = load_recording(TOUR.parent / f"{name}.jsonl")
    return recording, replay([*recording.events, RunEnd.of_recording(recording)])


def still_listed(snapshot: LoopSnapshot) -> list[str]:
    lanes = (snapshot.timers, snapshot.pending, snapshot.poll, snapshot.check, snapshot.close)
    queues = (snapshot.next_tick, snapshot.microtasks, snapshot.keeping_alive)
    return [item.title for lane in (*lanes, *queues) for item in lane]


def test_once_the_process_exits_nothing_is_still_queued_and_what_was_left_is_closed_at_exit() -> None:
    recording, timeline = ended("ping_pong")
    exit_at = next(i for i, e in enumerate(timeline.events, 1) if isinstance(e, ExitEvent) and e.which == "exit")
    assert "net.Server.listen" in still_listed(timeline.at(exit_at - 1))  # the tracer never saw it closed
    for index in (exit_at, len(timeline)):
        snapshot = timeline.at(index)
        assert still_listed(snapshot) == [] and snapshot.running is None and snapshot.exited
        assert [(lane, item.title) for lane, item in snapshot.left_at_end] == [("poll", "net.Server.listen")]
    final = timeline.at(len(timeline))
    assert final.phase == "exit" and final.loop_ran_dry and final.ended is not None and not final.ended.stopped
    assert final.ended.exit_code == recording.exit_code == 0
    assert [line.text for line in final.output][-1] == "exit: no callbacks left"


def test_a_run_stopped_by_the_timeout_ends_stopped_in_the_phase_it_was_waiting_in() -> None:
    recording, timeline = ended("ping_pong_timeout")
    assert recording.timed_out and recording.exit_code is None
    before_the_kill = timeline.at(len(timeline) - 1)
    assert before_the_kill.ended is None and not before_the_kill.exited  # the trace alone: still waiting in poll
    assert [item.title for item in before_the_kill.poll] == ["net.Server.listen"]
    final = timeline.at(len(timeline))
    assert final.ended is not None and final.ended.timed_out and final.ended.stopped
    assert final.phase == "poll" and not final.loop_ran_dry and still_listed(final) == []
    assert [(lane, item.title) for lane, item in final.left_at_end] == [("poll", "net.Server.listen")]
    assert [line.text for line in final.output][-1] == "client: closed"


def test_a_starvation_that_ends_shows_the_timer_ran_and_nothing_still_running() -> None:
    """The tracer switched to counts while the ticks ran: the final state must not keep the stale queues."""
    recording, timeline = ended("tick_starvation")
    final = timeline.at(len(timeline))
    assert recording.stdout[-1] == "timer: waited for 100000 ticks" == final.output[-1].text
    assert final.summarised and final.running is None and still_listed(final) == []
    assert final.left_at_end == ()  # queues were not followed after the switch: nothing known was left
    callbacks = {(phase, queue): n for phase, queue, what, n in final.counts if what == "callback"}
    assert callbacks[("timers", "macrotask")] == 1 and callbacks[("main", "nextTick")] > 99_000
    assert final.starving is None and final.phase == "exit" and final.ended is not None and not final.ended.stopped


STARVED = [("tick_starvation_timeout", "nextTick"), ("promise_starvation_timeout", "microtask")]


@pytest.mark.parametrize(("name", "queue"), STARVED)
def test_an_endless_starvation_stopped_by_the_timeout_names_the_queue_refilling_itself(name: str, queue: str) -> None:
    recording, timeline = ended(name)
    final = timeline.at(len(timeline))
    assert not any(line.startswith("timer:") for line in recording.stdout)  # the timer never got its turn
    assert final.ended is not None and final.ended.timed_out
    assert final.phase == "main" and final.iteration == 0 and final.running is None and still_listed(final) == []
    starvation = find_starvation(recording)  # the CLI's note counts the same callbacks
    assert starvation is not None and final.starving == (starvation.queue, starvation.callbacks)
    assert starvation.queue == queue and starvation.callbacks >= STARVATION_CALLBACKS


def test_a_process_that_exits_with_callbacks_queued_leaves_them_never_run() -> None:
    recording, timeline = ended("exit_early")
    exit_at = next(i for i, e in enumerate(timeline.events, 1) if isinstance(e, ExitEvent) and e.which == "exit")
    assert [item.title for item in timeline.at(exit_at - 1).timers] == ["onTimer"]
    final = timeline.at(len(timeline))
    assert final.exited and not final.loop_ran_dry and still_listed(final) == [] and final.traced
    left = [(lane, item.title) for lane, item in final.left_at_end]
    assert left == [("timers", "onTimer"), ("check", "onImmediate")]
    assert final.ended is not None and final.ended.exit_code == recording.exit_code == 3 and not final.ended.stopped


def test_a_run_stopped_while_a_callback_runs_says_which_one() -> None:
    recording, timeline = ended("busy_timeout")
    assert timeline.at(len(timeline) - 1).running.title == "busyLoop"
    final = timeline.at(len(timeline))
    assert final.ended is not None and final.ended.timed_out and final.ended.signal == recording.signal == "SIGKILL"
    assert final.running is None and final.stopped_while is not None and final.stopped_while.title == "busyLoop"
    assert final.phase == "timers" and still_listed(final) == []


def test_a_run_that_ends_before_the_tracer_speaks_is_not_traced() -> None:
    timeline = replay([RunEnd(0, None, "SIGKILL", True, False, False, 1.0)])
    assert not timeline.at(1).traced and timeline.at(1).ended is not None
    assert replay(list(load_recording(TOUR).events)).at(1).traced


@pytest.mark.parametrize("name", ["busy_timeout", "tick_starvation"])
def test_stepping_to_any_point_of_an_ended_run_equals_the_run_cut_there(name: str) -> None:
    """Snapshots rebuilt from keyframes match a timeline fed only that far, through the switch and the end."""
    recording, timeline = ended(name)
    assert len(timeline) > 512  # past the first keyframe
    events = timeline.events
    for index in [*range(0, len(timeline), 37), len(timeline) - 1, len(timeline)]:
        assert timeline.at(index) == replay(events[:index]).at(index), index
