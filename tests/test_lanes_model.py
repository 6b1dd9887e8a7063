"""The lanes model: every thread's loop and the messages between them, from recorded traces."""

from __future__ import annotations

import struct

from app.trace.decode import decode_all
from app.trace.lanes_model import (
    BUSY,
    ENDED,
    MAX_MESSAGES,
    MAX_STEPS,
    PROCESS_STRIDE,
    WAITING,
    LanesFollowing,
    lane_name,
    replay_lanes,
)
from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.trace.schema import MAGIC, After, Before, Hello, Kind, Message, MessageClock
from tests.tui_course import TRACES


def ring_events() -> list:
    return list(load_recording(TRACES / "lanes_workers.jsonl").events)


def test_the_ring_at_its_end() -> None:
    model = replay_lanes(ring_events())
    end = model.at(len(model))
    assert [(lane.thread, lane.name) for lane in end.lanes] == [(0, "main"), (1, "worker 1"), (2, "worker 2")]
    assert len({lane.pid for lane in end.lanes}) == 1  # one process
    assert all(lane.now.state == ENDED for lane in end.lanes[1:])
    assert len(end.arrows) == 10 and not end.in_flight
    assert all(arrow.received >= arrow.sent for arrow in end.arrows)  # type: ignore[operator]
    hops = sorted(end.arrows, key=lambda arrow: arrow.sent)[:8]
    assert [(arrow.sender, arrow.receiver) for arrow in hops] == [(0, 1), (1, 0), (0, 2), (2, 0)] * 2
    worker = end.lanes[1]
    timers = [step for step in worker.history if step.state == BUSY and step.phase == "timers"]
    assert len(timers) == 2 and all(step.what.startswith("timer") for step in timers)  # each hop waits 5 ms
    assert end.start is not None and end.now is not None and 0 < end.now - end.start < 10_000_000


def test_a_callback_after_a_wait_in_poll_is_placed_when_the_wait_ended() -> None:
    """A worker blocked in poll until the message came: its callback is drawn at the receive, not the poll's start."""
    model = replay_lanes(ring_events())
    end = model.at(len(model))
    receive = next(a for a in end.arrows if a.receiver == 1 and a.k == 1 and a.direction == "down").received
    worker = end.lanes[1]
    first_message = next(step for step in worker.history if step.state == BUSY and step.phase == "poll")
    before = worker.history[worker.history.index(first_message) - 1]
    assert before.state == WAITING and first_message.micros >= receive  # type: ignore[operator]


def test_positions_follow_the_main_timeline_and_move_every_lane() -> None:
    events = ring_events()
    timeline = replay(events)
    following = LanesFollowing()
    assert len(timeline.every) == len(events) and timeline.every_at(len(timeline)) == len(events)
    sent = []
    for position in range(0, len(timeline) + 1, 5):
        snapshot = following.at(timeline, position)
        assert snapshot is not None
        sent.append(len(snapshot.arrows))
    assert sent == sorted(sent) and sent[0] == 0 and sent[-1] == 10
    middle = following.at(timeline, len(timeline) // 2)
    assert middle is not None and 0 < len(middle.arrows) < 10
    back = following.at(timeline, 0)
    assert back is not None and back.arrows == ()  # scrubbing back moves the worker lanes too
    assert following.at(None, 0) is None


def renumbered() -> list:
    """The ring as if its workers were two traced child processes talking over IPC (procs' numbering:
    thread = n * 65536 + threadId), each with a worker of its own that never talks: built from the recording."""
    pids = {1: 4101, 2: 4102}
    out = []
    for event in ring_events():
        thread = event.thread
        if thread:
            event = event._replace(thread=thread * PROCESS_STRIDE)
            if isinstance(event, Hello):
                event = event._replace(pid=pids[thread])
        if isinstance(event, Message):
            number = int(event.channel.split()[1])
            event = event._replace(channel=f"ipc {pids[number]}")
        out.append(event)
        if isinstance(event, Hello) and thread:
            out.append(Hello(thread * PROCESS_STRIDE + 1, True, pids[thread]))
            out.append(Before(thread * PROCESS_STRIDE + 1, 7, "timers", "macrotask"))
            out.append(After(thread * PROCESS_STRIDE + 1, 7))
    return out


def test_child_processes_numbered_as_the_procs_part_numbers_them() -> None:
    events = renumbered()
    model = replay_lanes(events)
    end = model.at(len(model))
    assert [lane.name for lane in end.lanes] == ["main", "child 1", "child 1 worker 1", "child 2", "child 2 worker 1"]
    assert [lane.pid for lane in end.lanes][1:] == [4101, 4101, 4102, 4102]
    hops = sorted(end.arrows, key=lambda arrow: arrow.sent)[:4]
    assert [(arrow.sender, arrow.receiver) for arrow in hops] == [
        (0, PROCESS_STRIDE),
        (PROCESS_STRIDE, 0),
        (0, 2 * PROCESS_STRIDE),
        (2 * PROCESS_STRIDE, 0),
    ]
    # in flight to a child: the receiver is the lane whose Hello has the channel's pid
    first_send = next(i for i, e in enumerate(events) if isinstance(e, Message) and e.step == "send")
    flying = model.at(first_send + 1)
    assert [(a.channel, a.receiver) for a in flying.in_flight] == [("ipc 4101", PROCESS_STRIDE)]
    assert lane_name(3 * PROCESS_STRIDE + 2) == "child 3 worker 2"


def test_memory_stays_bounded_on_a_long_run() -> None:
    events: list = [Hello(0, True, 1), MessageClock(0, 0, 1_000_000), Hello(1, True, 1)]
    for n in range(1, 3 * MAX_STEPS):
        events += [Before(0, n, "poll", "macrotask"), After(0, n)]
        events += [
            Message(0, "send", "worker 1", "down", n, 1_000_000 + n),
            Message(1, "receive", "worker 1", "down", n, 1_000_001 + n),
        ]
    model = replay_lanes(events)
    assert len(model._lanes[0].steps) <= MAX_STEPS and len(model._sends) <= MAX_MESSAGES
    assert len(model._receives) <= MAX_MESSAGES
    end = model.at(len(model))
    assert end.arrows[-1].k == 3 * MAX_STEPS - 1 and end.arrows[-1].received is not None


def test_message_records_decode() -> None:
    def rec(payload: bytes) -> bytes:
        padded = payload + b"\0" * (-len(payload) % 4)
        return struct.pack("<iiii", Kind.MESSAGE, 0, len(payload), 0) + padded

    body = (
        rec(b"clock - - 1500 99000000") + rec(b"send worker 2 down 3 99001234") + rec(b"receive ipc 77 up 1 99002000")
    )
    data = struct.pack("<iii", MAGIC, 2, 12 + len(body)) + body
    assert decode_all(data) == [
        MessageClock(2, 1500, 99_000_000),
        Message(2, "send", "worker 2", "down", 3, 99_001_234),
        Message(2, "receive", "ipc 77", "up", 1, 99_002_000),
    ]


def test_a_ports_messages_pair_once_its_moves_name_its_channel_and_never_otherwise() -> None:
    from app.trace.schema import PortMove

    events = [
        Hello(0, True, 9),
        Hello(1, True, 9),
        Message(0, "send", "worker 1", "down", 1, 100),
        PortMove(0, "carry", "worker 1", "down", 1, 0, "9.0.1", "a", 0, 0),  # port1 of main's channel 9.0.1
        Message(1, "receive", "worker 1", "down", 1, 110),
        PortMove(1, "adopt", "worker 1", "down", 1, 0, "9.1.1", "?", 0, 0),  # ... is 9.1.1 in worker 1
        PortMove(1, "adopt", "worker 1", "down", 1, 1, "9.1.2", "?", 0, 0),  # no carry: never resolved
        Message(1, "send", "port 9.1.1", "?", 1, 120),
        Message(1, "send", "port 9.1.2", "?", 1, 121),
        Message(0, "receive", "port 9.0.1", "b", 1, 130),
        Message(0, "send", "port 9.0.4", "a", 1, 140),  # a channel both of whose ends stayed in main
        Message(0, "receive", "port 9.0.4", "b", 1, 150),
        Message(0, "send", "port 9.0.1", "b", 1, 160),  # back to worker 1, in flight
    ]
    model = replay_lanes(events)
    before_the_move = model.at(5)  # up to the worker's receive, before its adopt
    assert [arrow.channel for arrow in before_the_move.arrows] == ["worker 1"]
    arrows = model.at(len(events)).arrows
    assert [(a.channel, a.direction, a.k, a.sender, a.receiver, a.received) for a in arrows] == [
        ("worker 1", "down", 1, 0, 1, 110),
        ("port 9.0.1", "down", 1, 1, 0, 130),
        ("port 9.0.1", "up", 1, 0, 1, None),
    ]
