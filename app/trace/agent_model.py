"""A pure model of the program's http.Agents: for each agent and host:port, its free, busy and queued sockets over time.

The tracer (tracer_http.js) reads each agent's tables between callbacks and reports a host:port's counts when they
change (`AgentCounts`): free sockets are kept alive, idle, for the next request; busy ones carry a request (or are
connecting for one); queued are requests waiting because the agent already has maxSockets for that host. No clock,
no I/O: `AgentTimeline.at(i)` is the state after the first i events of the loop Timeline's thread, with each
host's history up to then, so a chart drawn from it moves with the other views.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

from app.trace.following import KindsTimeline
from app.trace.schema import AgentCounts, AgentNew, Mark, TraceEvent


class Counts(NamedTuple):
    micros: int  # µs since tracing began, when the tracer read them
    free: int
    busy: int
    queued: int


@dataclass(frozen=True)
class AgentHost:
    key: str  # the agent's name for it: "127.0.0.1:41234:" (host:port:localAddress[:family])
    history: tuple[Counts, ...]  # every change so far, oldest first

    @property
    def now(self) -> Counts:
        return self.history[-1]

    @property
    def host(self) -> str:
        """host:port, without the empty local address and family the agent's key may end with."""
        parts = self.key.split(":")
        if self.key.startswith("["):  # an IPv6 host keeps its colons inside brackets
            host, _, rest = self.key.partition("]:")
            return f"{host}]:{rest.split(':')[0]}"
        return ":".join(parts[:2])

    @property
    def peak(self) -> Counts:
        return Counts(0, *(max(getattr(c, name) for c in self.history) for name in ("free", "busy", "queued")))


@dataclass(frozen=True)
class AgentState:
    number: int
    name: str  # http.globalAgent, https.globalAgent or "agent 2"
    keep_alive: bool
    max_sockets: int  # 0: no limit
    max_free: int
    hosts: tuple[AgentHost, ...]  # in the order they were first used

    @property
    def settings(self) -> str:
        limit = f"maxSockets {self.max_sockets}" if self.max_sockets else "no socket limit"
        return f"{'keepAlive' if self.keep_alive else 'no keepAlive'} · {limit}"


@dataclass(frozen=True)
class AgentSnapshot:
    position: int
    agents: tuple[AgentState, ...]
    start: int  # µs of the first agent record: the charts' left edge
    now: int  # µs: the latest time the trace had reached at this position


AGENT_EVENTS = frozenset({AgentNew, AgentCounts, Mark})


class AgentTimeline(KindsTimeline):
    """Agent snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    KINDS = AGENT_EVENTS

    def at(self, position: int) -> AgentSnapshot:
        position = max(0, min(position, len(self)))
        picked = self._events[: bisect.bisect_right(self._positions, position)]
        applied = [event for event in picked if not isinstance(event, Mark)]
        marks = [event.loop_ms * 1000 for event in picked if isinstance(event, Mark)]
        agents: dict[int, AgentNew] = {}
        hosts: dict[int, dict[str, list[Counts]]] = {}
        for event in applied:
            if isinstance(event, AgentNew):
                agents[event.agent] = event
                hosts.setdefault(event.agent, {})
            else:
                hosts.setdefault(event.agent, {}).setdefault(event.key, []).append(
                    Counts(event.micros, event.free, event.busy, event.queued)
                )
        states = tuple(
            AgentState(
                number,
                agents[number].name if number in agents else f"agent {number}",
                agents[number].keep_alive if number in agents else False,
                agents[number].max_sockets if number in agents else 0,
                agents[number].max_free if number in agents else 0,
                tuple(AgentHost(key, tuple(history)) for key, history in by_key.items()),
            )
            for number, by_key in hosts.items()
        )
        times = [event.micros for event in applied]
        start = min(times, default=0)
        now = max([start, *times, *(micros for micros in marks if micros >= start)])
        return AgentSnapshot(position, states, start, now)


def replay_agents(events: list[TraceEvent], thread: int = 0) -> AgentTimeline:
    return AgentTimeline(events, thread)
