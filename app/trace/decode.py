"""Turn the tracer's binary chunks into typed events, incrementally, as bytes arrive from the pipe."""

from __future__ import annotations

import struct
from collections.abc import Callable

from app.trace.http_records import decode_http_record
from app.trace.schema import (
    ADDON_WORK_FLAG,
    CONTINUED_FLAG,
    COUNTED,
    GC_FORCED,
    GC_KINDS,
    HANDLE_FLAG,
    HEADER_BYTES,
    HEAP_DROPPED,
    HEAP_GC,
    HEAP_NAMES,
    HEAP_SPACE,
    INTERNAL_FLAG,
    MAGIC,
    MARKS,
    MORE_FLAG,
    PHASES,
    POOL_STEPS,
    PROCESS_THREADS,
    QUEUES,
    SIZE_WHEN,
    STARTED_BY,
    STREAM_STEPS,
    TLS_SIDES,
    After,
    Before,
    Counts,
    Destroy,
    ExitEvent,
    Gc,
    HeapDropped,
    HeapSize,
    Hello,
    Init,
    Kind,
    Label,
    Mark,
    Message,
    MessageClock,
    Meta,
    ModuleBody,
    Pool,
    PoolSize,
    PortMove,
    Process,
    Resolve,
    Socket,
    StreamNew,
    StreamStep,
    Summary,
    TiersClock,
    TimeBase,
    Timer,
    TlsBytes,
    TlsClosed,
    TlsKeylog,
    TlsNegotiated,
    TlsOpen,
    TraceEvent,
    Write,
)

_HEADER = struct.Struct("<iii")
_STREAMS = ("", "stdout", "stderr")
_INIT, _BEFORE, _AFTER, _DESTROY, _RESOLVE = (
    int(Kind.INIT),
    int(Kind.BEFORE),
    int(Kind.AFTER),
    int(Kind.DESTROY),
    int(Kind.RESOLVE),
)
_STRING, _WRITE = int(Kind.STRING), int(Kind.WRITE)
_MESSAGE = int(Kind.MESSAGE)
_WITH_BYTES = (_STRING, _WRITE, int(Kind.WIRE), int(Kind.AGENT), _MESSAGE)


class TraceFormatError(ValueError):
    pass


class ChildNumbers:
    """Child processes' chunk headers carry pid * 1024 + threadId (tracer_procs.js): their events are numbered
    n * 65536 + threadId instead, n = 1, 2, ... in the order the processes' first chunks (their hellos) came."""

    def __init__(self) -> None:
        self.pids: dict[int, int] = {}  # pid -> n

    def __call__(self, tag: int) -> int:
        pid, thread = divmod(tag & 0xFFFFFFFF, 1024)
        n = self.pids.get(pid)
        if n is None:
            n = self.pids[pid] = len(self.pids) + 1
        return n * PROCESS_THREADS + thread


class TraceDecoder:
    """Feed it bytes in any pieces; it returns the events of every complete chunk.

    `renumber` maps a chunk header's thread to the thread its events carry (ChildNumbers, for the children's
    channel); without it, the header's thread is the threadId of a thread of the program's own process.
    """

    def __init__(self, renumber: Callable[[int], int] | None = None) -> None:
        self._renumber = renumber
        self._pending = b""
        self._strings: dict[tuple[int, int], str] = {}
        self._partial: dict[tuple[int, int], bytearray] = {}  # (thread, kind) -> bytes of a record cut in pieces
        self.pids: dict[int, int] = {}  # thread -> its process's pid, from its hello
        self._spaces: dict[int, list[str]] = {}  # thread -> V8's heap space names, by index
        self.main_chunk_ends: list[int] = []  # after feed(): where each main-thread chunk ended (the syscalls lane)

    def feed(self, data: bytes) -> list[TraceEvent]:
        """The events of every complete chunk; `main_chunk_ends` then says where each main-thread chunk ended."""
        self.main_chunk_ends = []
        buffer = self._pending + data if self._pending else data
        events: list[TraceEvent] = []
        at = 0
        end = len(buffer)
        while end - at >= HEADER_BYTES:
            magic, thread, used = _HEADER.unpack_from(buffer, at)
            if magic != MAGIC or used < HEADER_BYTES or used % 4:
                raise TraceFormatError(f"bad trace chunk header at byte {at}")
            if end - at < used:
                break
            if self._renumber is not None:
                thread = self._renumber(thread)
            self._decode_chunk(memoryview(buffer)[at + HEADER_BYTES : at + used], thread, events)
            if thread == 0:
                self.main_chunk_ends.append(len(events))
            at += used
        self._pending = bytes(buffer[at:])
        return events

    @property
    def incomplete(self) -> bool:
        """True if the stream stopped in the middle of a chunk (the program was killed while writing)."""
        return bool(self._pending)

    def _decode_chunk(self, chunk: memoryview, thread: int, out: list[TraceEvent]) -> None:
        # The hot loop of ingest: a list of ints (not memoryview indexing), kinds as plain ints, the most
        # frequent first, and events built with tuple.__new__ (a NamedTuple's own __new__ is a Python call).
        words = chunk.cast("i").tolist()
        strings = self._strings
        i = 0
        n = len(words)
        append = out.append
        new = tuple.__new__
        init_, resolve_, before_, after_ = Init, Resolve, Before, After  # locals: no global lookup per event
        phases, queues = PHASES, QUEUES
        while i < n:
            kind = words[i]
            a = words[i + 1]
            if kind == _INIT:
                c = words[i + 3]
                type_name = strings.get((thread, c & 0xFFFFFF), "?")
                internal, handle = (c & INTERNAL_FLAG) != 0, (c & HANDLE_FLAG) != 0
                append(new(init_, (thread, a, words[i + 2], type_name, internal, handle, (c & ADDON_WORK_FLAG) != 0)))
            elif kind == _RESOLVE:
                append(new(resolve_, (thread, a)))
            elif kind == _BEFORE:
                b = words[i + 2]
                append(new(before_, (thread, a, phases[b & 0xFF], queues[b >> 8], words[i + 3])))
            elif kind == _AFTER:
                append(new(after_, (thread, a)))
            elif kind == _DESTROY:
                append(new(Destroy, (thread, a)))
            elif kind in _WITH_BYTES:
                size = words[i + 2]
                c = words[i + 3]
                start = (i + 4) * 4
                payload = chunk[start : start + size].tobytes()
                i += 4 + (size + 3) // 4
                whole = self._join(thread, kind, a, payload)
                if whole is None:
                    continue
                if kind == _MESSAGE:
                    append(decode_message(thread, whole))
                    continue
                if kind > _WRITE:
                    append(decode_http_record(thread, kind, a & 0xFFFF, whole, c))
                    continue
                text = whole.decode("utf-8", "replace")
                if kind == _STRING:
                    strings[(thread, c)] = text
                else:
                    stream, phase, queue = _STREAMS[a & 0xF], PHASES[(a >> 4) & 0xF], QUEUES[(a >> 8) & 0xF]
                    append(Write(thread, stream, phase, queue, c, text, bool(a & 0x1000)))
                continue
            else:
                self._decode_rare(kind, a, words[i + 2], words[i + 3], thread, out)
            i += 4

    def _decode_rare(self, kind: int, a: int, b: int, c: int, thread: int, out: list[TraceEvent]) -> None:
        """Records that come a few times per run, or per loop iteration."""
        strings = self._strings
        append = out.append
        if kind == Kind.LABEL:
            append(Label(thread, a, strings.get((thread, b), ""), strings.get((thread, c), "")))
        elif kind == Kind.POOL:
            append(Pool(thread, a, POOL_STEPS[c], b))
        elif kind == Kind.POOL_SIZE:
            append(PoolSize(thread, a))
        elif kind == Kind.TIMER:
            append(Timer(thread, a, b, c))
        elif kind == Kind.MARK:
            # the addon puts how far the real time is past the cached loop_ms (in µs) above the kind
            append(Mark(thread, MARKS[a & 3], b, c, c * 1000 + ((a & 0xFFFFFFFF) >> 2)))
        elif kind == Kind.TIMEBASE:
            append(TimeBase(thread, a))
        elif kind == Kind.BODY:
            append(ModuleBody(thread, a))
        elif kind == Kind.EXIT_EVENT:
            append(ExitEvent(thread, "beforeExit" if a == 1 else "exit"))
        elif kind == Kind.HELLO:
            self.pids[thread] = c
            append(Hello(thread, bool(b), c))  # a is the threadId: the thread, in the program's process
        elif kind == Kind.PROCESS:
            clock, _, direct = strings.get((thread, c), "").partition(" ")
            how = STARTED_BY[b] if 0 <= b < len(STARTED_BY) else "?"
            micros = int(clock) if clock.isdigit() else 0
            append(Process(thread, self.pids.get(thread, 0), a, how, micros, direct != "0"))
        elif kind == Kind.META:
            append(
                Meta(thread, strings.get((thread, a), ""), strings.get((thread, b), ""), strings.get((thread, c), ""))
            )
        elif kind == Kind.SUMMARY:
            append(Summary(thread, a))
        elif kind == Kind.COUNTS:
            append(Counts(thread, PHASES[a >> 8], QUEUES[a & 0xFF], COUNTED[b], c))
        elif kind == Kind.SOCKET:
            local, _, remote = strings.get((thread, c), "").partition("|")
            append(Socket(thread, a, b, local, remote))
        elif kind == Kind.TLS:
            self._decode_tls(a, b, c, thread, append)
        elif kind == Kind.STREAM:
            self._decode_stream(a, b, c, thread, append)
        elif kind == Kind.TIERS_CLOCK:
            append(TiersClock(thread, a, b))
        elif kind == Kind.HEAP:
            self._decode_heap(a, b, c, thread, append)
        else:
            raise TraceFormatError(f"unknown trace record kind {kind}")

    def _decode_tls(self, ident: int, b: int, c: int, thread: int, append) -> None:  # noqa: ANN001
        """tracer_tls.js: b = what | 256 on the server side | 512 once secure; c = a string id, or µs."""
        what, side, secure = b & 0xFF, TLS_SIDES[(b >> 8) & 1], bool(b & 512)
        text = self._strings.get((thread, c), "")
        if what == 1:
            micros, _, addresses = text.partition(" ")
            local, _, remote = addresses.partition("|")
            append(TlsOpen(thread, ident, side, int(micros or 0), local, remote))
        elif what == 2:
            numbers = [int(n) for n in text.split()] if text else []
            if len(numbers) != 5:
                raise TraceFormatError(f"bad TLS counters {text!r}")
            append(TlsBytes(thread, ident, side, secure, *numbers))
        elif what == 3:
            protocol, cipher, group = (text.split("|") + ["", ""])[:3]
            append(TlsNegotiated(thread, ident, side, protocol, cipher, group))
        elif what == 4:
            micros, _, label = text.partition(" ")
            append(TlsKeylog(thread, ident, side, int(micros or 0), label))
        elif what == 5:
            append(TlsClosed(thread, ident, side, c))
        else:
            raise TraceFormatError(f"unknown TLS record {what}")

    def _decode_stream(self, a: int, b: int, c: int, thread: int, append) -> None:  # noqa: ANN001
        """tracer_stream.js: a = the stream's number | step << 12; new: b = µs, c = a string id; else b = a
        length (or a stream's number), c = µs."""
        number, step = a & 0xFFF, (a >> 12) & 0xF
        if step >= len(STREAM_STEPS):
            raise TraceFormatError(f"unknown stream record {step}")
        if step:
            append(StreamStep(thread, number, STREAM_STEPS[step], b, c))
            return
        fields = self._strings.get((thread, c), "").split("|")
        name, kind, *rest = fields + [""] * max(0, 7 - len(fields))
        *site_parts, r_hwm, r_obj, w_hwm, w_obj = rest  # the site may hold "|" in a folder name
        site = "|".join(site_parts)
        append(StreamNew(thread, number, name, kind, site, _int(r_hwm), r_obj == "1", _int(w_hwm), w_obj == "1", b))

    def _decode_heap(self, a: int, b: int, c: int, thread: int, append) -> None:  # noqa: ANN001
        """heap_hooks.cc and tracer.js: a = what | detail << 8 | more << 16 (a GC: its kind's bit, then V8's
        flags; a size: the space's index, then when); see the record's fields in each branch."""
        what, detail, more = a & 0xFF, (a >> 8) & 0xFF, (a >> 16) & 0xFF
        if what == HEAP_GC:  # b: start µs, c: pause µs
            append(Gc(thread, GC_KINDS.get(detail, f"gc type {detail}"), bool(more & GC_FORCED), b, c))
        elif what == HEAP_SPACE:  # b: KiB, c: µs
            names = self._spaces.get(thread, [])
            space = names[detail] if detail < len(names) else f"space {detail}"
            append(HeapSize(thread, space, SIZE_WHEN[more] if more < len(SIZE_WHEN) else "?", b, c))
        elif what == HEAP_NAMES:  # c: a string id, the names joined with "|"
            self._spaces[thread] = self._strings.get((thread, c), "").split("|")
        elif what == HEAP_DROPPED:  # b: records lost so far, c: µs
            append(HeapDropped(thread, b, c))
        else:
            raise TraceFormatError(f"unknown heap record {what}")

    def _join(self, thread: int, kind: int, flags: int, payload: bytes) -> bytes | None:
        """Reassemble a record the tracer cut into pieces; None until the last piece arrives."""
        key = (thread, kind)
        if flags & CONTINUED_FLAG:
            self._partial.setdefault(key, bytearray()).extend(payload)
        else:
            self._partial[key] = bytearray(payload)
        if flags & MORE_FLAG:
            return None
        return bytes(self._partial.pop(key))


def decode_message(thread: int, payload: bytes) -> Message | MessageClock | PortMove:
    """tracer_messages.js: "step channel-name direction k µs", or "clock - - <loop µs> <µs>", or a port's move:
    "carry|adopt <channel-name> direction k index port side sent received" (a channel's name is two words)."""
    try:
        step, rest = payload.decode("utf-8", "replace").split(" ", 1)
        if step in ("carry", "adopt"):
            kind, name, direction, k, index, port, side, sent, received = rest.split(" ")
            return PortMove(
                thread, step, f"{kind} {name}", direction, int(k), int(index), port, side, int(sent), int(received)
            )
        named, k, micros = rest.rsplit(" ", 2)
        channel, direction = named.rsplit(" ", 1)
        if step == "clock":
            return MessageClock(thread, int(k), int(micros))
        return tuple.__new__(Message, (thread, step, channel, direction, int(k), int(micros)))
    except ValueError:
        raise TraceFormatError(f"bad message record {payload!r}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


def decode_all(data: bytes) -> list[TraceEvent]:
    decoder = TraceDecoder()
    events = decoder.feed(data)
    if decoder.incomplete:
        raise TraceFormatError("the trace ends in the middle of a chunk")
    return events
