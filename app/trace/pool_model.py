"""A pure model of libuv's thread pool, rebuilt from trace events: which jobs wait, which hold a slot, which are done.

libuv does not say which thread ran a job, nor when it started: only when the job was queued and when its
callback began on the loop thread. What follows from those alone (with N threads taking jobs first in,
first out) is shown; nothing else is guessed. A job has *surely started* by time t once fewer than N of
the jobs that could stand before it are still out at t: then a thread was free and it was next. Until
then it is *waiting*: every slot may be busy. Its slot (a row, not a thread's identity) is the one freed
by the completion that let it start. dns.lookup and lookupService are "slow I/O" to libuv, which lets them
hold at most (N + 1) // 2 threads (libuv 1.46 in Node 20 and 1.52 in Node 24 alike) and may let later
jobs overtake them, so every slow job still out counts as standing before any job. Jobs the trace cannot
see (another thread's, or queued before tracing began) would break these proofs; they are rare.

`replay_pool(events)` gives a PoolTimeline; `timeline.at(i)` is the pool after the first i events of the
loop Timeline's thread, the same positions the loop view steps through. No clock, I/O or global state.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from app.trace.following import ThreadEvents
from app.trace.schema import Destroy, Init, Label, Mark, Pool, PoolSize, TraceEvent

JOB_NAMES = {  # resource type -> (kind, the call a learner wrote)
    "FSREQCALLBACK": ("fs", "fs"),
    "FSREQPROMISE": ("fs", "fs.promises"),
    "GETADDRINFOREQWRAP": ("dns", "dns.lookup"),
    "GETNAMEINFOREQWRAP": ("dns", "dns.lookupService"),
    "ZLIB": ("zlib", "zlib"),
    "PBKDF2REQUEST": ("crypto", "crypto.pbkdf2"),
    "RANDOMBYTESREQUEST": ("crypto", "crypto.randomBytes"),
    "SCRYPTREQUEST": ("crypto", "crypto.scrypt"),
    "HKDFREQUEST": ("crypto", "crypto.hkdf"),
}
POOL_TYPES = frozenset(  # as tracer.js's POOL_TYPE_NAMES (a test keeps them in step)
    {
        *JOB_NAMES,
        "HASHREQUEST",
        "CIPHERREQUEST",
        "SIGNREQUEST",
        "VERIFYREQUEST",
        "DERIVEBITSREQUEST",
        "KEYGENREQUEST",
        "KEYPAIRGENREQUEST",
        "SECRETKEYGENREQUEST",
        "CHECKPRIMEREQUEST",
        "RANDOMPRIMEREQUEST",
        "KEYEXPORTREQUEST",
    }
)
SLOW_IO_TYPES = frozenset({"GETADDRINFOREQWRAP", "GETNAMEINFOREQWRAP"})
DEFAULT_POOL_SIZE = 4  # libuv's, when the trace never said (no pool job yet)
KEYFRAME_EVERY = 256  # pool events between saved states


def job_names(resource_type: str) -> tuple[str, str]:
    """(kind, call) for a pool resource type: ("crypto", "crypto.pbkdf2"); other crypto jobs by their type."""
    if resource_type in JOB_NAMES:
        return JOB_NAMES[resource_type]
    if resource_type in POOL_TYPES:
        return ("crypto", "crypto " + resource_type.removesuffix("REQUEST").lower())
    return ("add-on", f"add-on {resource_type}")  # napi_create_async_work: the type is the name the add-on gave


class PoolJob(NamedTuple):
    id: int  # the request's async id (a zlib stream's id, for each of its chunks)
    type: str
    kind: str  # fs, dns, crypto, zlib or add-on
    label: str  # the call that queued it: fs.readFile, crypto.pbkdf2 ...; a continuation adds its step
    site: str  # file:line:column in the user's code, or ""
    queued: int  # µs since tracing began
    started_by: int | None = None  # µs: surely had a thread by then (None: not yet provable)
    done: int | None = None  # µs: its callback began on the loop thread
    slot: int | None = None  # the row it occupies, 0 .. size-1, where that follows from the trace
    slow: bool = False  # slow I/O to libuv (dns.lookup): at most half the pool at once
    may_overtake: bool = False  # slow, queued while another slow job was out: it may run before jobs ahead

    @property
    def waiting(self) -> bool:
        return self.done is None and self.started_by is None


@dataclass(frozen=True)
class PoolSnapshot:
    position: int
    size: int  # threads in the pool
    now: int  # µs: the latest time the trace had reached at this position
    jobs: tuple[PoolJob, ...]  # in the order they were queued
    size_known: bool = True  # False: no pool job yet, so the size is libuv's default

    @property
    def slow_limit(self) -> int:
        return (self.size + 1) // 2

    @property
    def waiting(self) -> tuple[PoolJob, ...]:
        return tuple(job for job in self.jobs if job.waiting)

    @property
    def in_pool(self) -> tuple[PoolJob, ...]:
        return tuple(job for job in self.jobs if job.done is None and job.started_by is not None)

    @property
    def done(self) -> tuple[PoolJob, ...]:
        return tuple(job for job in self.jobs if job.done is not None)


@dataclass
class _State:
    size: int = DEFAULT_POOL_SIZE
    size_known: bool = False
    now: int = 0
    jobs: dict[tuple[int, int], PoolJob] = field(default_factory=dict)  # (id, chunk) -> job, in queue order
    out: list[tuple[int, int]] = field(default_factory=list)  # keys of jobs not done, in queue order
    types: dict[int, tuple[str, int]] = field(default_factory=dict)  # pool request id -> (type, trigger)
    internal: set[int] = field(default_factory=set)  # requests Node made for itself (no site in the user's code)
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (call, site)
    steps: dict[int, int] = field(default_factory=dict)  # a continuation's id -> its step (2, 3 ...)
    chunks: dict[int, int] = field(default_factory=dict)  # zlib stream id -> chunks queued so far
    streams: set[int] = field(default_factory=set)  # zlib streams alive: each may hold a thread unseen
    busy: set[int] = field(default_factory=set)  # slots held by jobs out
    slow_out: int = 0  # slow jobs out
    overtaking_out: int = 0  # jobs out that may run before jobs queued ahead of them
    resettle: bool = False  # a stream closed: at the next time the trace gives, jobs behind it may have started

    def copy(self) -> _State:
        return replace(
            self,
            jobs=dict(self.jobs),
            out=list(self.out),
            types=dict(self.types),
            labels=dict(self.labels),
            steps=dict(self.steps),
            chunks=dict(self.chunks),
            streams=set(self.streams),
            internal=set(self.internal),
            busy=set(self.busy),
        )

    def apply(self, event: TraceEvent) -> None:
        if isinstance(event, Pool):
            self.now = max(self.now, event.micros)
            if event.step == "queued":
                self._queued(event.id, event.micros)
            elif event.step == "done":
                self._done(event.id, event.micros)
        elif isinstance(event, Init):
            if event.type in POOL_TYPES or event.addon_work:
                self.types[event.id] = (event.type, event.trigger)
                if event.internal:
                    self.internal.add(event.id)
                if event.type == "ZLIB":
                    self.streams.add(event.id)
        elif isinstance(event, Label):
            if event.id in self.types:
                self.labels[event.id] = (event.name if "." in event.name else "", event.site)
        elif isinstance(event, Mark):
            self.now = max(self.now, event.loop_ms * 1000)
            if self.resettle:
                self.resettle = False
                self._settle(self.now, None)
        elif isinstance(event, PoolSize):
            self.size, self.size_known = max(1, event.size), True
        elif isinstance(event, Destroy) and event.id in self.streams:
            self.streams.discard(event.id)
            self.resettle = True

    def _new_job(self, ident: int, chunk: int, queued: int) -> PoolJob:
        resource_type, trigger = self.types.get(ident, ("FSREQCALLBACK", 0))
        kind, call = job_names(resource_type)
        label, site = self.labels.get(ident, ("", ""))
        if not label and not site and trigger in self.types and self.types[trigger][0] == resource_type:
            # fs.readFile's open, stat, read and close: each step's request is made in the last one's callback
            self.steps[ident] = self.steps.get(trigger, 1) + 1
            label, site = self.labels.get(trigger, ("", ""))
            self.labels[ident] = (label, site)
        if not label and not site and ident in self.internal:
            label = f"{call} (node)"  # Node's own work, such as Node 20's loader reading an ES module
        label = label or call
        if ident in self.steps:
            label = f"{label} step {self.steps[ident]}"
        if resource_type == "ZLIB" and chunk:
            label = f"{label} chunk {chunk + 1}"
        return PoolJob(ident, resource_type, kind, label, site, queued, slow=resource_type in SLOW_IO_TYPES)

    def _queued(self, ident: int, at: int) -> None:
        key = (ident, 0)
        job = self._new_job(ident, 0, at)
        if job.slow and any(self.jobs[k].slow for k in self.out):
            job = job._replace(may_overtake=True)  # it joins the slow jobs' place in libuv's queue
        self.jobs[key] = job
        self._take_out(key, job)
        self._settle(at, None)

    def _take_out(self, key: tuple[int, int], job: PoolJob) -> None:
        self.out.append(key)
        self.slow_out += job.slow
        self.overtaking_out += job.may_overtake

    def _done(self, ident: int, at: int) -> None:
        chunk = self.chunks.get(ident, 0)
        key = (ident, chunk)
        if key not in self.jobs:  # a zlib stream's next chunk, queued in its last chunk's callback: seen only now
            previous = self.jobs.get((ident, chunk - 1))
            self.jobs[key] = self._new_job(ident, chunk, (previous.done or at) if previous else at)
            self._take_out(key, self.jobs[key])
        if self.types.get(ident, ("",))[0] == "ZLIB":
            self.chunks[ident] = chunk + 1
        job = self.jobs[key]
        freed = job.slot
        if job.started_by is None:  # it finished before the trace could prove it had a thread
            job = job._replace(started_by=at)
        self.jobs[key] = job._replace(done=at)
        if key in self.out:
            self.out.remove(key)
            self.slow_out -= job.slow
            self.overtaking_out -= job.may_overtake
            self.busy.discard(freed)  # type: ignore[arg-type]
        self._settle(at, freed)

    def _settle(self, at: int, freed: int | None) -> None:
        """Give a slot to every job still out that has now surely started (see the module's docstring)."""
        unseen = 0
        if self.streams:  # zlib streams between chunks may hold a thread we cannot see
            unseen = len(self.streams - {key[0] for key in self.out})
        overtaking, slow_total, busy = self.overtaking_out, self.slow_out, self.busy
        for index, key in enumerate(self.out[: self.size]):  # a job behind `size` others out cannot have started
            job = self.jobs[key]
            overtaking -= 1 if job.may_overtake else 0
            others = index + overtaking  # every job ahead of it, and every later one that may run first
            if job.started_by is not None or others + unseen >= self.size:
                continue
            slow_others = slow_total - (1 if job.slow else 0)
            if job.slow and slow_others >= (self.size + 1) // 2:
                continue
            free = [slot for slot in range(self.size) if slot not in busy]
            slot = freed if freed in free else (free[0] if free else None)
            if slot is not None:
                busy.add(slot)
            self.jobs[key] = job._replace(started_by=at, slot=slot)

    def snapshot(self, position: int) -> PoolSnapshot:
        return PoolSnapshot(position, self.size, self.now, tuple(self.jobs.values()), self.size_known)


_POOL_INPUTS = frozenset({Pool, PoolSize, Init, Label, Mark, Destroy})
_RESOURCE_EVENTS = frozenset({Init, Label, Destroy})  # kept only for pool requests


class PoolTimeline(ThreadEvents):
    """Pool snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    def __init__(self, events: list[TraceEvent], thread: int = 0) -> None:
        super().__init__(thread)
        self._state = _State()
        self._changes: list[int] = []  # positions just after a pool-related event
        self._events: list[TraceEvent] = []  # those events, in order
        self._keyframes: list[tuple[int, _State]] = [(0, self._state.copy())]  # (pool events applied, state)
        self._keyframe_at: list[int] = [0]
        self.extend(events)

    def extend(self, events: list[TraceEvent]) -> None:
        for position, event in self.own(events, _POOL_INPUTS):
            self._state.apply(event)
            if type(event) in _RESOURCE_EVENTS and event.id not in self._state.types:
                continue
            self._events.append(event)
            self._changes.append(position)
            if len(self._events) % KEYFRAME_EVERY == 0:
                self._keyframes.append((len(self._events), self._state.copy()))
                self._keyframe_at.append(len(self._events))

    @property
    def has_jobs(self) -> bool:
        return bool(self._state.jobs)

    def at(self, position: int) -> PoolSnapshot:
        """The pool after the first `position` events (0 = before anything happened)."""
        position = max(0, min(position, self.length))
        applied = bisect.bisect_right(self._changes, position)
        if applied == len(self._events):
            return self._state.snapshot(position)
        start, frame = self._keyframes[bisect.bisect_right(self._keyframe_at, applied) - 1]
        state = frame.copy()
        for event in self._events[start:applied]:
            state.apply(event)
        return state.snapshot(position)


def replay_pool(events: list[TraceEvent], thread: int = 0) -> PoolTimeline:
    return PoolTimeline(events, thread)
