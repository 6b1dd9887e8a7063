"""A pure model of the TLS connections of a run, rebuilt from trace events: each one a ladder of steps between
its client and its server, from the sockets' own records (tracer_tls.js).

A step is what a socket's counters, state or key log said had happened by the time the tracer looked (as a
callback began or ended): a flight of TLS records written (the TCP handle's bytes written grew; how many of
them were application data, the TLS handle's own counter says), the handshake done ('secure'), keys derived
(the labels of the key-log lines the program listened for), closed. Flights the tracer saw leave in one look
are one flight: a client's Finished and the first data it wrote in its 'secureConnect' listener leave in
one TCP write, and are shown so. Names of the handshake messages follow from the order of the flights and
the negotiated version (TLS 1.3: ClientHello; ServerHello … Finished; Finished); the bytes are measured.

When both ends are in the traced process (the client's local address is the server's remote one) they make
one ladder; a socket whose peer is elsewhere gets a ladder of its own, where the flights it read stand for
the peer's. `replay_tls(events).at(i)` is the state after the first i events of the loop Timeline's thread,
the same positions the loop view steps through. No clock, I/O or global state.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple

from app.trace.following import ThreadEvents
from app.trace.schema import Meta, TlsBytes, TlsClosed, TlsKeylog, TlsNegotiated, TlsOpen, TraceEvent

KEY_NAMES = {  # NSS key-log labels, as OpenSSL reports them: (what the key is for, whose)
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET": ("handshake", "client"),
    "SERVER_HANDSHAKE_TRAFFIC_SECRET": ("handshake", "server"),
    "CLIENT_TRAFFIC_SECRET_0": ("app", "client"),
    "SERVER_TRAFFIC_SECRET_0": ("app", "server"),
    "EXPORTER_SECRET": ("exporter", ""),
    "CLIENT_RANDOM": ("master secret", ""),  # TLS 1.2: one line, keyed by the client's random
}


def key_names(labels: tuple[str, ...]) -> str:
    """Key-log labels in short: "handshake, exporter, server app" (a key both ways is named once)."""
    seen: dict[str, set[str]] = {}
    for label in labels:
        purpose, whose = KEY_NAMES.get(label, (label, ""))
        seen.setdefault(purpose, set()).add(whose)
    return ", ".join(
        purpose if len(whose) != 1 or "" in whose else f"{next(iter(whose))} {purpose}"
        for purpose, whose in seen.items()
    )


TLS_1_2_AND_OLDER = ("TLSv1.2", "TLSv1.1", "TLSv1")
TICKETS_OVER = 100  # a TLS 1.3 server's first flight after the handshake with this many bytes beyond its data


class Step(NamedTuple):
    position: int  # the loop Timeline position just after the event that showed it
    micros: int  # µs since tracing began: when the tracer saw it, not sooner
    side: str  # client or server: who did it
    kind: str  # connect, flight, secure, keys, closed
    order: int = 0  # flights: 1 for the side's first flight, 2 for its second ...
    wire: int = 0  # flights: bytes of TLS records
    data: int = 0  # flights: bytes of application data in them
    detail: str = ""  # keys: the key-log labels, space separated; connect: the side's address

    def label(self, protocol: str) -> str:
        """What a learner would call this step, given the negotiated version ("" if not known yet)."""
        if self.kind == "connect":
            return "TCP connected" if self.side == "client" else "accepted"
        if self.kind == "secure":
            return "secure"
        if self.kind == "keys":
            return f"keys: {key_names(tuple(self.detail.split()))}"
        if self.kind == "closed":
            return "closed"
        return self._flight_name(protocol)

    def in_handshake(self, protocol: str) -> bool:
        """A flight of the handshake itself: the client's first two; the server's first (TLS 1.3) or two (1.2)."""
        tls12 = protocol in TLS_1_2_AND_OLDER
        return self.kind == "flight" and self.order <= (1 if self.side == "server" and not tls12 else 2)

    def _flight_name(self, protocol: str) -> str:
        data = f"{self.data} B data" if self.data else ""
        if not self.in_handshake(protocol):
            if self.side == "server" and protocol == "TLSv1.3" and self.wire - self.data > TICKETS_OVER:
                return f"{data} + session tickets" if data else "session tickets"
            if data:
                return data
            return "alert (close_notify)" if self.wire <= 40 else "records"
        tls12 = protocol in TLS_1_2_AND_OLDER
        names = {
            ("client", 1): "ClientHello",
            ("server", 1): "ServerHello…HelloDone" if tls12 else "ServerHello…Finished" if protocol else "ServerHello…",
            ("client", 2): "KeyExchange…Finished" if tls12 else "Finished",
            ("server", 2): "Finished",
        }
        name = names[(self.side, self.order)]
        return f"{name} + {data}" if data else name


@dataclass(frozen=True)
class Ladder:
    """One TLS connection: its two ends (an address is "" where that end is not in the traced process)."""

    client: str  # the client's address, "127.0.0.1:40454"
    server: str
    client_traced: bool
    server_traced: bool
    protocol: str
    cipher: str
    group: str  # the key exchange the client reports: X25519 (Node 20), X25519MLKEM768 (Node 24) ...
    steps: tuple[Step, ...]

    @property
    def flights(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.kind == "flight")

    def flight(self, side: str, order: int) -> Step | None:
        return next((s for s in self.flights if s.side == side and s.order == order), None)

    @property
    def secure(self) -> bool:
        return any(step.kind == "secure" for step in self.steps)


@dataclass(frozen=True)
class TlsSnapshot:
    position: int
    node_version: str  # "v24.19.0", from the trace's Meta event; "" if none
    ladders: tuple[Ladder, ...]  # in the order their first socket appeared

    @property
    def largest_flight(self) -> int:
        return max((step.wire for ladder in self.ladders for step in ladder.flights), default=0)


@dataclass
class _Socket:
    side: str
    local: str = ""
    remote: str = ""
    last: TlsBytes | None = None
    flights: int = 0
    received: int = 0
    unsent: int = 0  # bytes of data written to the TLS handle and not yet seen leave
    secure: bool = False
    protocol: str = ""
    cipher: str = ""
    group: str = ""
    steps: list[Step] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """(client address, server address): the same for both ends of one connection."""
        return (self.local, self.remote) if self.side == "client" else (self.remote, self.local)


def _other(side: str) -> str:
    return "server" if side == "client" else "client"


class _State:
    def __init__(self) -> None:
        self.sockets: dict[int, _Socket] = {}
        self.node_version = ""

    def apply(self, event: TraceEvent, position: int) -> None:
        if isinstance(event, Meta):
            self.node_version = event.node_version
            return
        socket = self.sockets.setdefault(event.id, _Socket(event.side))  # type: ignore[union-attr]
        if isinstance(event, TlsOpen):
            socket.local, socket.remote = event.local, event.remote
            socket.steps.append(Step(position, event.micros, socket.side, "connect", detail=event.local))
        elif isinstance(event, TlsBytes):
            self._counters(socket, event, position)
        elif isinstance(event, TlsNegotiated):
            socket.protocol, socket.cipher, socket.group = event.protocol, event.cipher, event.group
        elif isinstance(event, TlsKeylog):
            last = socket.steps[-1] if socket.steps else None
            if last is not None and last.kind == "keys":  # lines of one read: the program's listener ran between
                socket.steps[-1] = last._replace(detail=f"{last.detail} {event.label}")
            else:
                socket.steps.append(Step(position, event.micros, socket.side, "keys", detail=event.label))
        elif isinstance(event, TlsClosed):
            socket.steps.append(Step(position, event.micros, socket.side, "closed"))

    def _counters(self, socket: _Socket, event: TlsBytes, position: int) -> None:
        last = socket.last or TlsBytes(0, 0, socket.side, False, 0, 0, 0, 0, 0)
        socket.last = event
        # Data the program wrote before the handshake was done waits in the TLS handle (no early data here):
        # it goes out with the first flight once the socket is secure.
        socket.unsent += event.data_written - last.data_written
        wrote = event.wire_written - last.wire_written
        if wrote > 0:
            socket.flights += 1
            data = socket.unsent if event.secure else 0
            socket.unsent -= data
            socket.steps.append(Step(position, event.micros, socket.side, "flight", socket.flights, wrote, data))
        read = event.wire_read - last.wire_read
        if read > 0:  # the peer's flight, drawn only where the peer is not traced
            socket.received += 1
            data = event.data_read - last.data_read
            peer = _other(socket.side)
            socket.steps.append(Step(position, event.micros, peer, "received", socket.received, read, data))
        if event.secure and not socket.secure:
            socket.secure = True
            socket.steps.append(Step(position, event.micros, socket.side, "secure"))

    def snapshot(self, position: int) -> TlsSnapshot:
        by_key: dict[tuple[str, str], list[_Socket]] = {}
        for number, socket in enumerate(self.sockets.values()):
            key = socket.key if socket.local and socket.remote else (f"#{number}", "")
            by_key.setdefault(key, []).append(socket)
        return TlsSnapshot(position, self.node_version, tuple(_ladder(key, ends) for key, ends in by_key.items()))


def _ladder(key: tuple[str, str], ends: list[_Socket]) -> Ladder:
    sides = {socket.side for socket in ends}
    both = sides == {"client", "server"}
    steps = []
    for socket in ends:
        for step in socket.steps:
            if step.kind == "received":
                if both:
                    continue  # the sender's own flight is drawn
                step = step._replace(kind="flight")
            steps.append(step)
    steps.sort(key=lambda step: step.position)
    named = next((s for s in ends if s.side == "client" and s.protocol), None) or next(
        (s for s in ends if s.protocol), None
    )
    protocol, cipher, group = (named.protocol, named.cipher, named.group) if named else ("", "", "")
    client, server = key if not key[0].startswith("#") else ("", "")
    return Ladder(client, server, "client" in sides, "server" in sides, protocol, cipher, group, tuple(steps))


_TLS_INPUTS = frozenset({TlsOpen, TlsBytes, TlsNegotiated, TlsKeylog, TlsClosed, Meta})


class TlsTimeline(ThreadEvents):
    """TLS ladders at every position of the loop Timeline of the same thread, computed on demand."""

    def __init__(self, events: list[TraceEvent], thread: int = 0) -> None:
        super().__init__(thread)
        self._events: list[tuple[int, TraceEvent]] = []  # (position just after it, event), TLS-related only
        self._positions: list[int] = []
        self.extend(events)

    def extend(self, events: list[TraceEvent]) -> None:
        for position, event in self.own(events, _TLS_INPUTS):
            self._events.append((position, event))
            self._positions.append(position)

    def at(self, position: int) -> TlsSnapshot:
        """The connections after the first `position` events (0 = before anything happened)."""
        position = max(0, min(position, self.length))
        state = _State()
        for at, event in self._events[: bisect.bisect_right(self._positions, position)]:
            state.apply(event, at)
        return state.snapshot(position)


def replay_tls(events: list[TraceEvent], thread: int = 0) -> TlsTimeline:
    return TlsTimeline(events, thread)
