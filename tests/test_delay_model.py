"""The event-loop delay model: from the recorded 50 ms block among 1 ms ticks, and from small made-up traces."""

from __future__ import annotations

import re

from app.trace.decode import decode_all
from app.trace.delay_model import BUCKET_EDGES_MS, DelayTimeline, bucket_of, replay_delay, summarise
from app.trace.recording import load_recording
from app.trace.schema import Before, ExitEvent, Init, Kind, Label, Mark, TimeBase, Timer, TraceEvent
from tests.test_trace_decode import chunk, rec
from tests.tui_course import TRACES

RECORDING = load_recording(TRACES / "delay_block.jsonl")


def recorded() -> list[TraceEvent]:
    return list(RECORDING.events)


def test_the_blocking_tick_is_the_longest_stretch_away_from_poll() -> None:
    delay = replay_delay(recorded())
    end = delay.at(len(delay))
    longest = end.longest
    assert longest is not None
    assert 50_000 <= longest.length < 100_000  # the program spins 50 ms on performance.now()
    segment, length = longest.longest_segment()
    assert (segment.phase, segment.label) == ("timers", "tick")
    assert segment.site.endswith("delay_block.js:11:18") and length > 0.99 * longest.length
    others = [stretch.length for stretch in end.stretches if stretch is not longest]
    assert others and max(others) < 5_000  # every other stretch is a 1 ms tick's few µs (on a shared machine)
    assert end.blocked.max == longest.length and end.blocked.buckets[bucket_of(longest.length)] == 1


def test_the_tick_after_the_block_ran_about_as_late_as_the_block_lasted() -> None:
    end = replay_delay(recorded()).at(10**9)
    assert len(end.timers) == 30  # the interval's 30 ticks, each measured against its own due time
    latest = max(end.timers, key=lambda run: run.late)
    longest = end.longest
    assert longest is not None and latest.ran > longest.end - 1000  # it ran once the loop got back
    assert 0.9 * longest.length < latest.late < longest.length + 10_000
    on_time = sorted(run.late for run in end.timers)[: len(end.timers) // 2]
    assert all(late < 2_000 for late in on_time)  # Node's whole-ms clock: a tick on time is at most ~1 ms late


def test_monitor_event_loop_delay_saw_the_same_block_plus_its_own_interval() -> None:
    """The program ran perf_hooks.monitorEventLoopDelay (resolution 10 ms) alongside: its max is one gap between
    its own timer's runs, so at least the longest stretch and at most that plus its interval and some slack."""
    said = re.fullmatch(r"monitorEventLoopDelay: max ([0-9.]+) ms", RECORDING.stdout[-1])
    assert said is not None
    longest = replay_delay(recorded()).at(10**9).blocked.max / 1000
    assert longest <= float(said.group(1)) <= longest + 10 + 5


def test_stepping_moves_the_delay_with_the_loop_timeline() -> None:
    events = recorded()
    delay = replay_delay(events)
    counts = [len(delay.at(position).stretches) for position in range(len(delay) + 1)]
    assert counts[0] == 0 and counts[-1] == 29 and counts == sorted(counts)
    closed = next(p for p in range(len(delay) + 1) if delay.at(p).blocked.max > 40_000)  # the block's prepare
    inside = closed - 1  # the blocking tick has begun; the loop has not come back
    during = delay.at(inside)
    assert during.current is not None and during.blocked.max < 5_000  # under way: not in the histogram yet
    assert during.current.segments[-1].label == "tick"
    assert delay.at(closed).current is None and delay.at(closed).longest == delay.at(10**9).longest
    fed = DelayTimeline([])
    for event in events:  # fed live, a few events at a time, as the app does
        fed.extend([event])
    assert fed.at(inside) == during and fed.at(len(fed)) == delay.at(len(delay))


def test_startup_and_the_stretch_the_process_exits_in_are_not_counted() -> None:
    events = [
        TimeBase(0, 0),
        Init(0, 5, 1, "Timeout", False),
        Label(0, 5, "late", "/x/main.js:2:1"),
        Timer(0, 5, 10, 3),  # due at 13 ms
        Mark(0, "prepare", 1, 20, 20_400),  # startup: 20.4 ms, not a stretch
        Mark(0, "check", 1, 20, 21_000),
        Before(0, 5, "timers", "macrotask", 21_100),
        Mark(0, "prepare", 2, 21, 29_000),  # 8 ms away from poll
        Mark(0, "check", 2, 29, 29_500),
        ExitEvent(0, "exit"),  # the stretch under way at exit never returns to poll
        Mark(0, "prepare", 3, 40, 40_000),
    ]
    end = replay_delay(events).at(len(events))
    assert end.startup == 20_400 and end.current is None
    assert [stretch.length for stretch in end.stretches] == [8_000]
    assert [(run.label, run.late) for run in end.timers] == [("late", 21_100 - 13_000)]


def test_a_trace_without_timed_markers_says_so() -> None:
    untimed = replay_delay([Mark(0, "prepare", 1, 20), Mark(0, "check", 1, 21)]).at(2)
    assert not untimed.timed and not untimed.stretches


def test_percentiles_are_nearest_rank_and_buckets_double() -> None:
    summary = summarise([100, 200, 300, 50_000])
    assert (summary.count, summary.p50, summary.p99, summary.max) == (4, 200, 50_000, 50_000)
    assert summary.buckets[0] == 3 and summary.buckets[bucket_of(50_000)] == 1
    assert bucket_of(999) == 0 and bucket_of(1000) == 1 and bucket_of(200_000) == len(BUCKET_EDGES_MS)


def test_markers_carry_their_real_time_above_their_kind() -> None:
    """loop_markers.c puts how far the real time is past the cached loop_ms (µs) in the kind's word, bits 2-31."""
    prepare = rec(Kind.MARK, 1 | (750 << 2), 3, 12)
    check = rec(Kind.MARK, 2 | (0x1FFFFFFF << 2), 3, 12)
    events = decode_all(chunk(0, prepare, check, rec(Kind.BEFORE, 5, 2 | (1 << 8), 12_345)))
    assert events == [
        Mark(0, "prepare", 3, 12, 12_750),
        Mark(0, "check", 3, 12, 12_000 + 0x1FFFFFFF),
        Before(0, 5, "timers", "macrotask", 12_345),
    ]


def test_an_io_callback_that_blocks_in_poll_is_a_stretch_from_its_start() -> None:
    """I/O callbacks run inside poll, between its markers: the wait ends where the first of them begins."""
    events = [
        Init(0, 9, 1, "FSREQCALLBACK", False),
        Label(0, 9, "fs.readFile", "/x/main.js:4:4"),
        Mark(0, "prepare", 1, 10, 10_000),
        Before(0, 9, "poll", "macrotask", 12_000),  # the read's callback, after a 2 ms wait
        Mark(0, "check", 1, 62, 62_000),  # it spun 50 ms
        Mark(0, "prepare", 2, 62, 62_100),
        Mark(0, "check", 2, 70, 70_000),  # an empty poll: waited 8 ms, no stretch until its end
        Mark(0, "prepare", 3, 70, 70_050),
    ]
    delay = replay_delay(events)
    end = delay.at(len(events))
    assert [(stretch.iteration, stretch.start, stretch.length) for stretch in end.stretches] == [
        (1, 12_000, 50_100),
        (2, 70_000, 50),
    ]
    segment, length = end.stretches[0].longest_segment()
    assert (segment.phase, segment.label, length) == ("poll", "fs.readFile", 50_000)
    assert delay.at(4).current is not None and delay.at(3).current is None  # waiting in poll is no stretch
