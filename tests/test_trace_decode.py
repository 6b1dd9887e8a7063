"""The trace wire format: the decoder, and that tracer.js and schema.py agree on every number."""

from __future__ import annotations

import re
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.trace.addon import SOURCE, TRACER
from app.trace.decode import TraceDecoder, TraceFormatError, decode_all
from app.trace.schema import (
    AGENT_STEPS,
    CONTINUED_FLAG,
    HANDLE_FLAG,
    INTERNAL_FLAG,
    MAGIC,
    MORE_FLAG,
    PHASES,
    POOL_STEPS,
    QUEUES,
    WIRE_STEPS,
    Before,
    Init,
    Kind,
    Mark,
    Pool,
    PoolSize,
    Write,
)


def chunk(thread: int, *records: bytes) -> bytes:
    body = b"".join(records)
    return struct.pack("<iii", MAGIC, thread, 12 + len(body)) + body


def rec(kind: int, a: int = 0, b: int = 0, c: int = 0, payload: bytes = b"") -> bytes:
    padded = payload + b"\0" * (-len(payload) % 4)
    return struct.pack("<iiii", kind, a, b, c) + padded


def string(string_id: int, text: str) -> bytes:
    data = text.encode()
    return rec(Kind.STRING, 0, len(data), string_id, data)


def test_tracer_js_uses_the_numbers_schema_py_decodes() -> None:
    source = TRACER.read_text() + TRACER.with_name("tracer_http.js").read_text()  # the wire and agent records
    for kind in Kind:
        if kind in (Kind.MARK,):
            continue  # written by the addon, checked below
        assert re.search(rf"\b{kind.name} = {kind.value}\b", source), kind.name
    for number, phase in enumerate(PHASES[1:], start=1):
        assert re.search(rf"\b{phase.upper()} = {number}\b", source), phase
    for number, queue in enumerate(QUEUES[1:], start=1):
        assert re.search(rf"\b{queue.upper()} = {number}\b", source), queue
    assert f"? 1 << {INTERNAL_FLAG.bit_length() - 1} : 0" in source
    assert f"? 1 << {HANDLE_FLAG.bit_length() - 1} : 0" in source
    for number, step in enumerate(POOL_STEPS[1:], start=1):
        assert re.search(rf"\bPOOL_{step.upper()} = {number}\b", source), step
    for number, step in enumerate(WIRE_STEPS):
        assert re.search(rf"\b{step.upper()} = {number}\b", source), step
    for number, step in enumerate(AGENT_STEPS):
        assert re.search(rf"\bAGENT_{step.upper()} = {number}\b", source), step
    addon = SOURCE.read_text()
    assert f"#define RECORD_MARK {Kind.MARK.value}" in addon
    assert f"#define MAGIC {MAGIC:#x}" in addon


def test_records_decode_with_strings_resolved_per_thread() -> None:
    data = chunk(0, string(1, "Timeout"), rec(Kind.INIT, 5, 1, 1 | (1 << 24)), rec(Kind.BEFORE, 5, 2 | (1 << 8)))
    data += chunk(3, string(1, "Immediate"), rec(Kind.INIT, 5, 1, 1))
    events = decode_all(data)
    assert events == [
        Init(0, 5, 1, "Timeout", True),
        Before(0, 5, "timers", "macrotask"),
        Init(3, 5, 1, "Immediate", False),
    ]


def test_a_write_cut_into_pieces_is_joined() -> None:
    head, tail = "x" * 5000, "y" * 10
    first = rec(Kind.WRITE, 1 | (4 << 4) | (1 << 8) | MORE_FLAG, 5000, 7, head.encode())
    second = rec(Kind.WRITE, 1 | (4 << 4) | (1 << 8) | CONTINUED_FLAG, 10, 7, tail.encode())
    events = decode_all(chunk(0, first) + chunk(0, second))
    assert events == [Write(0, "stdout", "poll", "macrotask", 7, head + tail)]


@given(st.lists(st.integers(1, 60), min_size=1, max_size=20))
def test_bytes_may_arrive_in_any_pieces(cuts: list[int]) -> None:
    data = chunk(0, rec(Kind.MARK, 1, 3, 12), rec(Kind.MARK, 2, 3, 12)) * 3
    decoder, events, at = TraceDecoder(), [], 0
    for size in cuts + [len(data)]:
        events += decoder.feed(data[at : at + size])
        at += size
    assert events == [Mark(0, "prepare", 3, 12, 12_000), Mark(0, "check", 3, 12, 12_000)] * 3
    assert not decoder.incomplete


def test_a_damaged_stream_is_an_error_not_garbage() -> None:
    with pytest.raises(TraceFormatError, match="bad trace chunk header"):
        decode_all(b"\x01" * 32)
    with pytest.raises(TraceFormatError, match="ends in the middle"):
        decode_all(chunk(0, rec(Kind.MARK, 1, 1, 1))[:-4])


def test_a_handle_is_flagged_as_one() -> None:
    events = decode_all(chunk(0, string(1, "TCPWRAP"), rec(Kind.INIT, 7, 1, 1 | HANDLE_FLAG)))
    assert events == [Init(0, 7, 1, "TCPWRAP", False, True)]


def test_a_pool_job_decodes_with_its_step_and_time() -> None:
    events = decode_all(chunk(0, rec(Kind.POOL_SIZE, 1), rec(Kind.POOL, 9, 1500, 1), rec(Kind.POOL, 9, 2750, 2)))
    assert events == [PoolSize(0, 1), Pool(0, 9, "queued", 1500), Pool(0, 9, "done", 2750)]


def test_wire_and_agent_records_decode_to_their_events() -> None:
    from app.trace.schema import AgentCounts, AgentNew, WireClose, WireData, WireOpen

    body = bytes(range(256)) * 20  # any bytes, cut in two records as the tracer does past its buffer
    events = decode_all(
        chunk(
            0,
            rec(Kind.WIRE, 3 | (3 << 12), 36, 41, b"client|tls|127.0.0.1:5000|[::1]:6000"),
            rec(Kind.WIRE, 3 | MORE_FLAG, 4000, 68, body[:4000]),
            rec(Kind.WIRE, 3 | CONTINUED_FLAG, len(body) - 4000, 68, body[4000:]),
            rec(Kind.WIRE, 3 | (4 << 12), 6, 0, b"100|20"),
            rec(Kind.AGENT, 2 | (1 << 12), 22, 900, b"http.globalAgent|1|0|2"),
            rec(Kind.AGENT, 2, 21, 950, b"[::1]:6000:|a:b|1|2|3"),
        )
    )
    assert events[0] == WireOpen(0, 3, 41, "client", True, "127.0.0.1:5000", "[::1]:6000")
    assert events[1] == WireData(0, 3, "wrote", 68, body.decode("latin-1")) and events[1].raw == body
    assert events[2:] == [
        WireClose(0, 3, 100, 20),
        AgentNew(0, 2, "http.globalAgent", True, 0, 2, 900),
        AgentCounts(0, 2, "[::1]:6000:|a:b", 1, 2, 3, 950),  # the counts are the last three fields
    ]


def test_stream_records_decode_to_their_events_with_tracer_stream_js_numbers() -> None:
    from app.trace.schema import STREAM_STEPS, StreamNew, StreamStep

    source = TRACER.with_name("tracer_stream.js").read_text()
    assert re.search(rf"\bSTREAM = {Kind.STREAM.value}\b", source)
    for number, step in enumerate(STREAM_STEPS):
        assert re.search(rf"\b{step.upper()} = {number}\b", source), step
    events = decode_all(
        chunk(
            0,
            string(4, "Gzip|transform|/a|b/main.js:7:19|65536|0|16384|1"),  # a "|" in a folder name
            rec(Kind.STREAM, 3, 1200, 4),
            rec(Kind.STREAM, 3 | (3 << 12), 16384, 1300),
            rec(Kind.STREAM, 0 | (12 << 12), 5, 1400),
        )
    )
    assert events == [
        StreamNew(0, 3, "Gzip", "transform", "/a|b/main.js:7:19", 65536, False, 16384, True, 1200),
        StreamStep(0, 3, "write_false", 16384, 1300),
        StreamStep(0, 0, "unshown", 5, 1400),
    ]


def test_port_moves_decode_in_the_order_tracer_messages_js_writes_them() -> None:
    from app.trace.schema import Message, PortMove

    source = TRACER.with_name("tracer_messages.js").read_text()
    written = re.search(r"const text = `\$\{step\} (.*?)` \+\s*`(.*?)`;", source)
    assert written is not None
    fields = re.findall(r"\$\{(?:countOf\('(\w+)', port\)|(\w+)(?:\.(\w+))?)\}", written.group(1) + written.group(2))
    names = [counted or member or plain for counted, plain, member in fields]
    assert names == ["carrier", "direction", "k", "index", "name", "side", "send", "receive"]
    assert PortMove._fields[2:] == ("carrier", "direction", "k", "index", "port", "side", "sent", "received")

    def message(text: str) -> bytes:
        return rec(Kind.MESSAGE, 0, len(text), 0, text.encode())

    events = decode_all(
        chunk(
            1,
            message("carry port 40.0.1 a 2 0 40.0.3 b 5 1"),
            message("adopt worker 1 down 0 1 40.1.1 ? 0 0"),
            message("send port 40.1.1 ? 1 99001234"),
        )
    )
    assert events == [
        PortMove(1, "carry", "port 40.0.1", "a", 2, 0, "40.0.3", "b", 5, 1),
        PortMove(1, "adopt", "worker 1", "down", 0, 1, "40.1.1", "?", 0, 0),
        Message(1, "send", "port 40.1.1", "?", 1, 99_001_234),
    ]


def test_heap_records_decode_with_the_numbers_heap_hooks_cc_and_tracer_js_write() -> None:
    from app.trace.schema import HEAP_DROPPED, HEAP_GC, HEAP_NAMES, HEAP_SPACE, Gc, HeapDropped, HeapSize

    hooks = TRACER.with_name("heap_hooks.cc").read_text()
    assert f"RECORD_HEAP = {Kind.HEAP.value};" in hooks
    assert f"WHAT_GC = {HEAP_GC}, WHAT_SPACE = {HEAP_SPACE};" in hooks
    assert "WHEN_LOOP = 0, WHEN_BEFORE = 1, WHEN_AFTER = 2;" in hooks
    assert f"HEAP_NAMES = {HEAP_NAMES}, HEAP_DROPPED = {HEAP_DROPPED};" in TRACER.read_text()
    events = decode_all(
        chunk(
            0,
            string(3, "read_only_space|new_space|old_space"),
            rec(Kind.HEAP, HEAP_NAMES, 0, 3),
            rec(Kind.HEAP, HEAP_SPACE | (1 << 8) | (1 << 16), 1024, 5000),
            rec(Kind.HEAP, HEAP_GC | (4 << 8) | (4 << 16), 5001, 2500),
            rec(Kind.HEAP, HEAP_SPACE | (2 << 8) | (2 << 16), 300, 7600),
            rec(Kind.HEAP, HEAP_GC | (1 << 8), 9000, 800),
            rec(Kind.HEAP, HEAP_DROPPED, 12, 9900),
        )
    )
    assert events == [
        HeapSize(0, "new_space", "before", 1024, 5000),
        Gc(0, "mark-sweep-compact", True, 5001, 2500),
        HeapSize(0, "old_space", "after", 300, 7600),
        Gc(0, "scavenge", False, 9000, 800),
        HeapDropped(0, 12, 9900),
    ]
    with pytest.raises(TraceFormatError):
        decode_all(chunk(0, rec(Kind.HEAP, 9)))
