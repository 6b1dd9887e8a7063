"""Child processes' traces: their channel's chunks, renumbered per process; their lines, attributed per process."""

from __future__ import annotations

import struct
from pathlib import Path

from app.trace.attribute import attribute_lines, thread_kind
from app.trace.decode import ChildNumbers, TraceDecoder
from app.trace.recording import load_recording
from app.trace.schema import MAGIC, PROCESS_THREADS, Hello, Init, Kind, Process, Write
from app.trace.session import TraceCollector

TRACES = Path(__file__).parent / "traces"


def chunk(tag: int, *records: tuple[int, int, int, int]) -> bytes:
    """A chunk as a child's tracer writes it: the header's thread is pid * 1024 + threadId (as 32 bits)."""
    body = b"".join(struct.pack("<iiii", *record) for record in records)
    return struct.pack("<iIi", MAGIC, tag & 0xFFFFFFFF, 12 + len(body)) + body


def hello(thread: int, pid: int) -> tuple[int, int, int, int]:
    return (int(Kind.HELLO), thread, 1, pid)


def test_children_are_numbered_in_the_order_they_said_hello_whatever_their_pids() -> None:
    decoder = TraceDecoder(ChildNumbers())
    big = 4_194_303  # the largest pid Linux gives: the tag needs all 32 bits
    data = chunk(big * 1024, hello(0, big)) + chunk(77 * 1024, hello(0, 77)) + chunk(big * 1024 + 2, hello(2, big))
    events = decoder.feed(data[:30]) + decoder.feed(data[30:])  # in any pieces
    assert events == [
        Hello(PROCESS_THREADS, True, big),
        Hello(2 * PROCESS_THREADS, True, 77),
        Hello(PROCESS_THREADS + 2, True, big),
    ]


def test_the_children_channel_shares_the_trace_limit_and_stops_whole() -> None:
    collector = TraceCollector()
    collector.limit = 200
    first = chunk(5 * 1024, hello(0, 5))
    collector.feed_children(first)
    collector.feed_children(chunk(6 * 1024, hello(0, 6)) * 10)  # past the limit: dropped whole
    collector.feed_children(chunk(7 * 1024, hello(0, 7)))  # and nothing after it, though it would fit
    assert [e.pid for e in collector.events if isinstance(e, Hello)] == [5]
    assert collector.cut_note is not None and collector.children_error is None


def test_a_recorded_run_gives_each_line_its_process_thread_and_phase() -> None:
    recording = load_recording(TRACES / "child_processes.jsonl")
    events = list(recording.events)
    processes = [e for e in events if isinstance(e, Process)]
    assert [(e.thread, e.how) for e in processes] == [(PROCESS_THREADS, "fork"), (2 * PROCESS_THREADS, "cluster")]
    root = next(e.pid for e in events if isinstance(e, Hello) and e.thread == 0)
    assert all(e.ppid == root for e in processes)
    assert {e.thread for e in events if isinstance(e, Hello)} == {
        0,
        PROCESS_THREADS,
        PROCESS_THREADS + 1,
        2 * PROCESS_THREADS,
    }
    pids = {e.thread: e.pid for e in processes}
    lines = attribute_lines(events, list(recording.stdout))
    got = [(line.text, line.phase, line.queue, line.who, line.pid) for line in lines]
    assert got == [
        ("parent: start", "main", "macrotask", "main", None),
        ("thread in the child", "main", "macrotask", "child-worker", pids[PROCESS_THREADS]),
        ("child: its worker is done", "poll", "macrotask", "child", pids[PROCESS_THREADS]),
        ("parent got child ready", "poll", "nextTick", "main", None),
        ("cluster worker: timer", "timers", "macrotask", "child", pids[2 * PROCESS_THREADS]),
        ("parent got worker ready", "poll", "nextTick", "main", None),
        ("parent: all done", "poll", "macrotask", "main", None),
    ]
    assert lines[1].to_json()["thread"] == PROCESS_THREADS + 1 and "pid" not in lines[0].to_json()


def test_two_processes_printing_the_same_text_are_told_apart_by_arrival() -> None:
    def write(thread: int, text: str) -> Write:
        return Write(thread, "stdout", "main", "macrotask", 0, text)

    child = PROCESS_THREADS
    events = [Hello(0, True, 10), Hello(child, True, 11), write(child, "ready\n"), write(0, "ready\n")]
    lines = attribute_lines(events, ["ready", "ready"])
    assert [(line.who, line.pid) for line in lines] == [("child", 11), ("main", None)]
    assert thread_kind(None) == "main" and thread_kind(3) == "worker" and thread_kind(child + 3) == "child-worker"


def test_a_child_whose_stdout_is_a_pipe_prints_only_through_its_parent() -> None:
    """exec: the parent prints the child's output in a callback of its own; the line is the parent's."""
    child = PROCESS_THREADS
    events = [
        Hello(0, True, 10),
        Hello(child, True, 11),
        Process(child, 11, 10, "spawn", 0, direct=False),
        Write(child, "stdout", "main", "macrotask", 0, "exec child\n"),
        Write(0, "stdout", "close", "macrotask", 7, "exec child\n"),
    ]
    (line,) = attribute_lines(events, ["exec child"])
    assert (line.phase, line.who, line.pid) == ("close", "main", None)


def test_a_workers_lines_stay_its_own_however_they_reach_the_fd() -> None:
    """A worker's console.log is written by the main thread later: from a message-port callback, or from the
    Worker's own callback as it exits (seen on both Nodes). Its fs.writeSync(1) reached the fd at once, before
    the main thread's lines that the trace received first."""
    events = [
        Init(0, 4, 1, "WORKER", False, True),
        Init(0, 9, 1, "MESSAGEPORT", False, True),
        Write(0, "stdout", "main", "macrotask", 0, "main: busy\n"),
        Write(1, "stdout", "main", "macrotask", 0, "worker: console one\n"),
        Write(1, "stdout", "main", "macrotask", 0, "worker: direct\n", direct=True),
        Write(1, "stdout", "main", "macrotask", 0, "worker: console two\n"),
        Write(0, "stdout", "poll", "macrotask", 9, "worker: console one\n"),
        Write(0, "stdout", "poll", "macrotask", 4, "worker: console two\n"),
        Write(0, "stdout", "poll", "macrotask", 4, "main: worker exited\n"),
    ]
    output = ["worker: direct", "main: busy", "worker: console one", "worker: console two", "main: worker exited"]
    got = [(line.text, line.who, line.phase) for line in attribute_lines(events, output)]
    assert got == [
        ("worker: direct", "worker", "main"),
        ("main: busy", "main", "main"),
        ("worker: console one", "worker", "main"),
        ("worker: console two", "worker", "main"),
        ("main: worker exited", "main", "poll"),
    ]
