"""The wire and agent views' records (tracer_http.js): a number's bits and a short payload, into typed events."""

from __future__ import annotations

from app.trace.schema import (
    AGENT_STEPS,
    WIRE_STEPS,
    AgentCounts,
    AgentNew,
    Kind,
    TraceEvent,
    WireClose,
    WireData,
    WireOpen,
)


def decode_http_record(thread: int, kind: int, a: int, payload: bytes, c: int) -> TraceEvent:
    """`a` holds the socket's or agent's number (bits 0-11) and what the record says (bits 12-15)."""
    number, step = a & 0xFFF, a >> 12
    if kind == Kind.WIRE:
        what = WIRE_STEPS[step]
        if what == "opened":
            role, transport, local, remote = _fields(payload, 4)
            return WireOpen(thread, number, c, role, transport == "tls", local, remote)
        if what == "closed":
            written, read = _fields(payload, 2)
            return WireClose(thread, number, _int(written), _int(read))
        return WireData(thread, number, what, c, payload.decode("latin-1"))
    if AGENT_STEPS[step] == "new":
        name, keep_alive, max_sockets, max_free = _fields(payload, 4)
        return AgentNew(thread, number, name, keep_alive == "1", _int(max_sockets), _int(max_free), c)
    key, free, busy, queued = _fields(payload, 4, from_right=True)
    return AgentCounts(thread, number, key, _int(free), _int(busy), _int(queued), c)


def _fields(payload: bytes, count: int, from_right: bool = False) -> list[str]:
    text = payload.decode("utf-8", "replace")
    parts = text.rsplit("|", count - 1) if from_right else text.split("|", count - 1)
    return parts + [""] * (count - len(parts))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
