"""Which MessageChannel end each thread-local port name stands for: the carries and adopts of trace.schema.PortMove.

A channel's ports are named where it is made ("<pid>.<threadId>.<n>", sides a and b). A port that moves to another
thread is a new object there, with a name of that thread's; the sender's carry and the receiver's adopt of the same
message and index join the two names. A port moved again (main → A → B) resolves by chaining. A port can move after
it has been used: each thread counts its messages from 1, so a name carries the counts the port had before it.
Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from app.trace.schema import PROCESS_THREADS, PortMove


class PortEnd(NamedTuple):
    channel: str  # "port <name given where the MessageChannel was made>": the one name both ends share
    side: str  # a (port1) or b (port2)
    sent: int  # messages this end sent before the name it was resolved from: add to that name's k
    received: int


def end_of(name: str, side: str, resolved: dict[str, PortEnd]) -> PortEnd | None:
    """A port name as recorded (its side a or b where it was made, ? where adopted): its channel's end, if known."""
    if side in ("a", "b"):
        return PortEnd(f"port {name}", side, 0, 0)
    return resolved.get(name)


def message_key(channel: str, direction: str, k: int, sending: bool, resolved: dict[str, PortEnd]) -> tuple | None:
    """(channel, direction, k) as both ends of a message agree on it; None for a port not resolved (yet)."""
    kind, _, name = channel.partition(" ")
    if kind != "port":
        return (channel, direction, k)
    end = end_of(name, direction, resolved)
    if end is None:
        return None
    a_to_b = (end.side == "a") == sending  # a sends down to b; b receives down from a
    return (end.channel, "down" if a_to_b else "up", k + (end.sent if sending else end.received))


def resolve_ports(moves: Sequence[PortMove]) -> dict[str, PortEnd]:
    """Every adopted port name whose carry is known, chained through as many moves as it took."""
    resolved: dict[str, PortEnd] = {}
    pending = [move for move in moves if move.step == "adopt"]
    carries = [move for move in moves if move.step == "carry"]
    while pending:
        joined: dict[tuple, PortEnd] = {}
        for carry in carries:
            key = _carrier_key(carry, True, resolved)
            end = end_of(carry.port, carry.side, resolved)
            if key is not None and end is not None:
                joined[key] = PortEnd(end.channel, end.side, end.sent + carry.sent, end.received + carry.received)
        waiting = []
        for adopt in pending:
            key = _carrier_key(adopt, False, resolved)
            end = joined.get(key) if key is not None else None
            if end is None:
                waiting.append(adopt)
            else:
                resolved[adopt.port] = end
        if len(waiting) == len(pending):
            break
        pending = waiting
    return resolved


def _carrier_key(move: PortMove, sending: bool, resolved: dict[str, PortEnd]) -> tuple | None:
    key = message_key(move.carrier, move.direction, move.k, sending, resolved)
    if key is None:
        return None
    if not move.carrier.startswith("port "):  # "worker 2" is the process's own: qualify it by the process
        key = (move.thread // PROCESS_THREADS, *key)
    return (*key, move.index)
