"""A pure model of the HTTP exchanges on the program's sockets: the bytes each end wrote and read, as messages.

The tracer (tracer_http.js) reports each socket's bytes as JavaScript handed them over (`WireData`), capped, with
their offsets. Both ends of a loopback connection are usually in the program, so they are paired by their
addresses into one connection: what went to the server is what the client wrote (else what the server read, else
the head Node's HTTP parser gave it), and what came back is what the server wrote (else what the client read).
Each direction is split into HTTP/1 messages: start line, headers, body (by Content-Length, chunked, or to the
close). Like the other models this reads no clock and does no I/O; `WireTimeline.at(i)` is the state after the
first i events of the loop Timeline's thread.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from app.trace.following import KindsTimeline
from app.trace.schema import TraceEvent, WireClose, WireData, WireOpen

START_LINE = re.compile(rb"([A-Z]+ \S+ HTTP/\d\.\d|HTTP/\d\.\d \d{3}[^\r\n]*)\r\n")
NO_BODY_STATUS = re.compile(r"HTTP/\d\.\d (1\d\d|204|304)\b")


class WireMessage(NamedTuple):
    start: str  # the request line or status line
    headers: tuple[tuple[str, str], ...]
    body: bytes  # the body's bytes that were recorded (de-chunked: the payload)
    body_size: int | None  # its size on the wire, where the framing says (None: not known yet)
    head_size: int  # bytes of start line, headers and the blank line
    complete: bool  # every byte of it has been seen
    missing: int = 0  # bytes of it the tracer did not keep (its caps)
    parsed: bool = False  # only the head, as Node's HTTP parser reported it

    @property
    def is_request(self) -> bool:
        return not self.start.startswith("HTTP/")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class Stream(NamedTuple):
    """One direction of a connection: who wrote it, how it was seen, and what it held."""

    source: str  # wrote, read or parsed (see the module's docstring); "" before any byte
    messages: tuple[WireMessage, ...]
    seen: int  # bytes on the wire this way so far (as far as the offsets tell)
    preview: bytes = b""  # its first bytes, for a stream that is not HTTP


@dataclass(frozen=True)
class WireConnection:
    client: str  # address of the client end
    server: str  # address of the server end
    tls: bool
    ends: tuple[str, ...]  # the ends the tracer saw: client, server or both
    to_server: Stream
    to_client: Stream
    closed: bool  # every end seen has been destroyed

    @property
    def requests(self) -> tuple[WireMessage, ...]:
        return self.to_server.messages

    @property
    def responses(self) -> tuple[WireMessage, ...]:
        return self.to_client.messages


@dataclass(frozen=True)
class WireSnapshot:
    position: int
    connections: tuple[WireConnection, ...]  # in the order their first bytes came
    latest: tuple[int, bool, int] | None  # the message the newest bytes belong to: (connection, to_server, index)

    @property
    def requests(self) -> int:
        return sum(len(connection.requests) for connection in self.connections)


@dataclass
class _End:
    opened: WireOpen
    chunks: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)  # step -> (offset, bytes)
    closed: bool = False


def split_messages(chunks: list[tuple[int, bytes]], parsed: bool = False) -> tuple[tuple[WireMessage, ...], int]:
    """A direction's recorded chunks (offset, bytes) as HTTP/1 messages, and how many bytes it has seen."""
    if not chunks:
        return (), 0
    if parsed:  # each chunk is one head, whole
        heads = tuple(_message(data, len(data), parsed=True)[0] for _, data in chunks)
        return heads, chunks[-1][0] + len(chunks[-1][1])
    end = max(offset + len(data) for offset, data in chunks)
    known = _Bytes(chunks, end)
    messages: list[WireMessage] = []
    at = 0
    while at < end:
        if not known.has(at, at + 1) or not START_LINE.match(known.read(at, min(end, at + 200))):
            resync = known.next_start(at)  # bytes the tracer skipped: go on at the next message it kept
            if resync is None:
                break
            at = resync
        message, size = _message(known.read(at, end), end - at, known=known, base=at)
        messages.append(message)
        if size <= 0:
            break
        at += size
    return tuple(messages), end


class _Bytes:
    """A direction's bytes with holes where the tracer kept none: runs of known bytes, by offset (never a buffer as
    long as the stream, which may be gigabytes)."""

    def __init__(self, chunks: list[tuple[int, bytes]], end: int) -> None:
        runs: list[tuple[int, bytearray]] = []
        for offset, data in sorted(chunks):
            if runs and runs[-1][0] + len(runs[-1][1]) == offset:
                runs[-1][1].extend(data)
            elif data:
                runs.append((offset, bytearray(data)))
        self.runs = runs
        self.run_starts = [offset for offset, _ in runs]
        self.starts = sorted(offset for offset, _ in chunks)

    def read(self, start: int, stop: int) -> bytes:
        """The bytes from `start`, up to `stop` or the first hole."""
        index = bisect.bisect_right(self.run_starts, start) - 1
        if index < 0:
            return b""
        offset, data = self.runs[index]
        return bytes(data[start - offset : stop - offset])

    def has(self, start: int, stop: int) -> bool:
        return len(self.read(start, stop)) == stop - start

    def known_count(self, start: int, stop: int) -> int:
        count = 0
        for offset, data in self.runs:
            count += max(0, min(stop, offset + len(data)) - max(start, offset))
        return count

    def next_start(self, after: int) -> int | None:
        for start in self.starts[bisect.bisect_right(self.starts, after) :]:
            if START_LINE.match(self.read(start, start + 200)):
                return start
        return None


def _message(
    data: bytes, room: int, *, parsed: bool = False, known: _Bytes | None = None, base: int = 0
) -> tuple[WireMessage, int]:
    """The message at the start of `data` (known bytes up to a hole), and its size on the wire (0: not whole yet)."""
    blank = data.find(b"\r\n\r\n")
    head = data if blank < 0 else data[: blank + 4]
    lines = head.decode("latin-1").split("\r\n")
    headers = tuple(
        (name.strip(), value.strip()) for name, sep, value in (line.partition(":") for line in lines[1:]) if sep
    )
    if blank < 0:
        return WireMessage(lines[0], headers, b"", None, len(data), False), 0
    head_size = blank + 4
    message = WireMessage(lines[0], headers, b"", None, head_size, parsed, parsed=parsed)
    if parsed:
        return message, head_size
    length, chunked = message.header("content-length"), "chunked" in (message.header("transfer-encoding") or "")
    if NO_BODY_STATUS.match(message.start) or (message.is_request and length is None and not chunked):
        return message._replace(body_size=0, complete=True), head_size
    if chunked:
        body, size, whole = _dechunk(data[head_size:])
        return message._replace(body=body, body_size=size if whole else None, complete=whole), head_size + size
    if length is not None and length.isdigit():
        size = int(length)
        missing = size - (known.known_count(base + head_size, base + head_size + size) if known else size)
        body = data[head_size : head_size + size]
        complete = head_size + size <= room
        return message._replace(body=body, body_size=size, complete=complete, missing=missing), head_size + size
    body = data[head_size:]  # a response that ends with the connection
    return message._replace(body=body, body_size=None, missing=room - len(data)), room


def _dechunk(data: bytes) -> tuple[bytes, int, bool]:
    """(payload, bytes of chunked framing consumed, whether the last chunk came)."""
    payload, at = bytearray(), 0
    while True:
        line_end = data.find(b"\r\n", at)
        if line_end < 0:
            return bytes(payload), at, False
        try:
            size = int(data[at:line_end].split(b";")[0], 16)
        except ValueError:
            return bytes(payload), at, False
        start = line_end + 2
        if size == 0:
            trailer = data.find(b"\r\n", start)
            return bytes(payload), (trailer + 2 if trailer >= 0 else len(data)), trailer >= 0
        if len(data) < start + size + 2:
            payload.extend(data[start : start + size])
            return bytes(payload), len(data), False
        payload.extend(data[start : start + size])
        at = start + size + 2


def _stream(ends: list[_End], preferences: tuple[tuple[str, str], ...]) -> Stream:
    """The first (role, step) of `preferences` that some end recorded."""
    for role, step in preferences:
        for end in ends:
            if end.opened.role == role and end.chunks.get(step):
                messages, seen = split_messages(end.chunks[step], parsed=step == "parsed")
                first_offset, first = end.chunks[step][0]
                return Stream(step, messages, seen, first[:80] if first_offset == 0 and not messages else b"")
    return Stream("", (), 0)


WIRE_EVENTS = frozenset({WireOpen, WireData, WireClose})
TO_SERVER = (("client", "wrote"), ("server", "read"), ("server", "parsed"))
TO_CLIENT = (("server", "wrote"), ("client", "read"))


def _key(opened: WireOpen) -> tuple[str, str]:
    """(client address, server address), the same for both ends of a connection."""
    return (opened.local, opened.remote) if opened.role == "client" else (opened.remote, opened.local)


class WireTimeline(KindsTimeline):
    """Wire snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    KINDS = WIRE_EVENTS

    def __init__(self, events: list[TraceEvent] | None = None, thread: int = 0) -> None:
        self._cache: dict[int, WireSnapshot] = {}  # by wire events applied: a snapshot of k of them never changes
        super().__init__(events, thread)

    @property
    def change_positions(self) -> list[int]:
        """Positions just after each wire event: where stepping shows new bytes."""
        return list(self._positions)

    def at(self, position: int) -> WireSnapshot:
        """The connections after the first `position` events (0 = before anything happened)."""
        position = max(0, min(position, len(self)))
        applied = bisect.bisect_right(self._positions, position)
        snapshot = self._cache.get(applied)
        if snapshot is None:
            snapshot = self._cache[applied] = _build(self._events[:applied])
            if len(self._cache) > 64:
                self._cache.pop(next(iter(self._cache)))
        return WireSnapshot(position, snapshot.connections, snapshot.latest)


def _build(events: list[TraceEvent]) -> WireSnapshot:
    ends: dict[int, _End] = {}
    connections: dict[tuple[str, str], list[_End]] = {}  # by (client, server), first seen first
    latest_end: _End | None = None
    latest_to_server = True
    for event in events:
        if isinstance(event, WireOpen):
            end = ends[event.socket] = _End(event)
            key = _key(event)
            if key in connections and all(other.closed for other in connections[key]):
                connections[(*key, str(event.socket))] = connections.pop(key)  # the ports came round again
            connections.setdefault(key, []).append(end)
        elif isinstance(event, WireData) and event.socket in ends:
            end = ends[event.socket]
            end.chunks.setdefault(event.step, []).append((event.offset, event.raw))
            latest_end = end
            latest_to_server = (end.opened.role == "client") == (event.step == "wrote")
        elif isinstance(event, WireClose) and event.socket in ends:
            ends[event.socket].closed = True
    built = []
    latest = None
    for index, group in enumerate(connections.values()):
        first = group[0].opened
        client, server = _key(first)
        connection = WireConnection(
            client,
            server,
            any(end.opened.tls for end in group),
            tuple(sorted({end.opened.role for end in group})),
            _stream(group, TO_SERVER),
            _stream(group, TO_CLIENT),
            all(end.closed for end in group),
        )
        built.append(connection)
        if any(end is latest_end for end in group):
            messages = connection.requests if latest_to_server else connection.responses
            latest = (index, latest_to_server, len(messages) - 1) if messages else None
    return WireSnapshot(0, tuple(built), latest)


def replay_wire(events: list[TraceEvent], thread: int = 0) -> WireTimeline:
    return WireTimeline(events, thread)
