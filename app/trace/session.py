"""Run a program under the tracer and collect its events as they arrive."""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, RunResult
from app.trace import DEFAULT_DETAIL_LIMIT, v8_log
from app.trace.addon import TRACER, AddonBuild, build_addon
from app.trace.decode import ChildNumbers, TraceDecoder, TraceFormatError
from app.trace.fd_sampler import PidProbe, SamplerThread
from app.trace.recording import TraceRecording
from app.trace.schema import FdSample, Hello, PoolSize, Summary, TiersClock, TraceEvent
from app.trace.syscalls import line_up, read_log, strace_path, strace_prefix

MB = 1 << 20


class ChildBytes(bytes):
    """Bytes from the children's channel (their own decoder), among the trace pipe's in the pending list."""


def trace_byte_limit(detail_limit: int) -> int:
    """Trace bytes worth decoding: several times what the tracer sends at most (16 bytes a record in detail,
    plus the program's output and call sites), so only a program writing to the pipe itself reaches it."""
    return 4 * MB + 48 * detail_limit


class TraceCollector:
    """Collects the trace pipe's bytes; decodes them when the run is over, or live for a viewer.

    Keeping the bytes is cheap, so the traced program never waits for Python: decoding runs at about a
    third of the speed at which a busy program produces records. A live viewer (`on_event`) gets events as
    they arrive instead, at that cost. Bytes past `limit` are read and dropped, so decoding stays bounded.
    """

    def __init__(self, on_event: Callable[[TraceEvent], None] | None = None, sample_fds: bool = False) -> None:
        self.on_event = on_event
        self.limit = trace_byte_limit(DEFAULT_DETAIL_LIMIT)
        self.kept = 0
        self.dropped = 0  # bytes past the limit: only a program writing into the trace pipe sends that much
        self._events: list[TraceEvent] = []
        self._pending: list[bytes | FdSample] = []  # an FdSample sits after the bytes that came before it
        self._lock = threading.Lock()
        self.error: str | None = None
        self.addon: AddonBuild | None = None
        self.decoder = TraceDecoder()
        self.children_decoder = TraceDecoder(ChildNumbers())  # the program's child processes (tracer_procs.js)
        self.children_error: str | None = None  # a child's stream went wrong: the others' events still count
        self._children_cut = False
        self.chunks_fed = 0
        # The syscalls lane: strace's log of this run, lined up with the trace when the run is over.
        self.syscall_log: Path | None = None
        self.chunk_ends: list[int] = []  # in self._events, after each main-thread chunk
        # The tiers view: V8's log of this run (in a private folder), lined up with the trace when the run is over.
        self.v8_log_folder: Path | None = None
        self.run_folder: Path | None = None  # the program's folder: only functions in files under it are shown
        self.tiers_off: str | None = None  # why the tiers view has nothing for this run, when it was asked for
        # The fds view: /proc samples of the process's descriptors, from a thread, once its pid is known.
        self._pid_probe: PidProbe | None = PidProbe() if sample_fds else None
        self.sampler: SamplerThread | None = None

    @classmethod
    def replaying(cls, events: list[TraceEvent]) -> TraceCollector:
        """A collector holding a recorded run's events, for viewers and graders with no live process."""
        collector = cls()
        collector._events = list(events)
        return collector

    def feed_children(self, data: bytes) -> None:
        """Bytes from the FIFO the program's child processes write their traces to (within the same limit).

        Once a piece would pass the limit, nothing more of theirs is kept (a chunk cut in two would not decode).
        """
        if self._children_cut or self.kept + len(data) > self.limit:
            self._children_cut = True
            self.dropped += len(data)
            return
        self.kept += len(data)
        with self._lock:
            self.chunks_fed += 1
            if self.on_event is None:
                self._pending.append(ChildBytes(data))
                return
            pending, self._pending = self._pending, []
        self._add_samples([*pending, ChildBytes(data)])

    def feed(self, data: bytes) -> None:
        room = self.limit - self.kept
        if len(data) > room:
            self.dropped += len(data) - max(room, 0)
            if room <= 0:
                return
            data = data[:room]
        self.kept += len(data)
        if self.on_event is None:
            with self._lock:
                self._pending.append(data)
                self.chunks_fed += 1
        else:
            with self._lock:
                self.chunks_fed += 1
                samples, self._pending = self._pending, []
            self._add_samples(samples)
            self._decode(data)
        if self._pid_probe is not None:  # after the bytes: the first sample comes after the tracer's hello
            self._start_sampling(data)

    def _start_sampling(self, data: bytes) -> None:
        assert self._pid_probe is not None
        pid = self._pid_probe.feed(data)
        if pid is not None:
            self.sample_process(pid)

    def sample_process(self, pid: int) -> None:
        """Sample this process's descriptors from now on (if this collector samples at all, and only once)."""
        if self._pid_probe is None or self.sampler is not None:
            return
        if self.syscall_log is not None and self._pid_probe is not None and pid != self._pid_probe.pid:
            return  # the spawned process is strace; the tracer's hello names Node's pid
        self._pid_probe = None
        self.sampler = SamplerThread(pid, self._add_sample, lambda: self.chunks_fed)
        self.sampler.start()

    def _add_sample(self, sample: FdSample, mark: int) -> None:
        """From the sampler thread: the sample goes after the `mark` chunks received before it was taken."""
        with self._lock:
            undecoded = sum(1 for chunk in self._pending if isinstance(chunk, bytes))
            keep = mark - (self.chunks_fed - undecoded)  # chunks still pending that came before the sample
            at = 0
            while keep > 0 and at < len(self._pending):
                keep -= isinstance(self._pending[at], bytes)
                at += 1
            while at < len(self._pending) and isinstance(self._pending[at], FdSample):
                at += 1  # after earlier samples placed here
            self._pending.insert(at, sample)

    def _add_samples(self, samples: list[bytes | FdSample]) -> None:
        for sample in samples:
            if isinstance(sample, ChildBytes):
                self._decode_children(sample)
            elif isinstance(sample, FdSample):
                self._events.append(sample)
                if self.on_event is not None:
                    self.on_event(sample)

    def decode_new(self) -> list[TraceEvent]:
        """Decode what arrived since the last call and return only those events.

        A live viewer calls it from one worker thread, so decoding never holds up the app's event loop
        (the pipe reader only appends bytes). Nothing else may decode while that thread runs.
        """
        with self._lock:  # feed() runs in the event loop, this in a worker thread
            chunks, self._pending = self._pending, []
        if not chunks:
            return []
        before = len(self._events)
        run: list[bytes] = []
        for chunk in chunks:
            if isinstance(chunk, ChildBytes):
                self._decode(b"".join(run))
                run = []
                self._decode_children(chunk)
            elif isinstance(chunk, bytes):
                run.append(chunk)
            else:
                self._decode(b"".join(run))
                run = []
                self._add_samples([chunk])
        self._decode(b"".join(run))
        return self._events[before:]

    def _decode_children(self, data: bytes) -> None:
        self._decode(data, children=True)

    def stop_sampling(self) -> None:
        """The run is over: no more /proc samples (the sampler also stops by itself once the process is gone)."""
        self._pid_probe = None
        if self.sampler is not None:
            self.sampler.stop()

    def run_over(self) -> bool:
        """The run is over: stop sampling, and put strace's syscalls and V8's tier changes into the events.

        True if it added any."""
        self.stop_sampling()
        tiers = self._add_tiers()
        return self._add_syscalls() or tiers

    def _add_tiers(self) -> bool:
        folder, self.v8_log_folder = self.v8_log_folder, None
        if folder is None:
            return False
        try:
            text = v8_log.main_thread_log(folder)
        except OSError:
            text = None
        finally:
            v8_log.remove_log_folder(folder)
        clock = next((e for e in self.events if isinstance(e, TiersClock) and e.thread == 0), None)
        if text is None or clock is None or self.run_folder is None:
            self.tiers_off = "V8 wrote no log for this run" if text is None else "the tracer never spoke"
            return False
        tiers = v8_log.tier_events(text, self.run_folder, clock)
        with self._lock:
            self._events = v8_log.line_up(self._events, tiers)
        return bool(tiers)

    def _add_syscalls(self) -> bool:
        log, self.syscall_log = self.syscall_log, None
        if log is None:
            return False
        try:
            text = read_log(log)
        except OSError:
            return False
        finally:
            log.unlink(missing_ok=True)
        before = len(self.events)
        with self._lock:
            self._events = line_up(self._events, self.chunk_ends, text)
            self.chunk_ends = []
        return len(self._events) > before

    @property
    def events(self) -> list[TraceEvent]:
        """Every event so far; bytes not yet decoded are decoded now."""
        if self.on_event is not None:
            with self._lock:
                samples, self._pending = self._pending, []
            self._add_samples(samples)
        self.decode_new()
        return self._events

    def _decode(self, data: bytes, children: bool = False) -> None:
        """Decode the trace pipe's bytes, or (`children`) the children's channel's, each stream on its own."""
        if self.children_error if children else self.error:
            return
        decoder = self.children_decoder if children else self.decoder
        try:
            new = decoder.feed(data)
        except TraceFormatError as exc:
            if children:
                self.children_error = str(exc)
            else:
                self.error = str(exc)
            return
        if not children:
            self.chunk_ends.extend(len(self._events) + end for end in decoder.main_chunk_ends)
        self._events.extend(new)
        if self.on_event is not None:
            for event in new:
                self.on_event(event)

    @property
    def cut_note(self) -> str | None:
        """What to tell the learner when the trace was cut at `limit`; None when it is whole."""
        if not self.dropped:
            return None
        return (
            f"the trace was cut after {self.kept / MB:.1f} MB: {self.dropped / MB:.1f} MB more came down the trace "
            "pipe, more than the tracer ever sends, so the program wrote into it itself; lines after the cut "
            "have no phase"
        )

    @property
    def mode(self) -> str:
        """exact (loop markers), inferred (from resource types), or none (the tracer never spoke)."""
        hello = next((e for e in self.events if isinstance(e, Hello) and e.thread == 0), None)
        return "none" if hello is None else ("exact" if hello.exact else "inferred")

    @property
    def summarised_after(self) -> int | None:
        """Records in full detail before the tracer switched to counts, if it did."""
        return next((e.after_records for e in self.events if isinstance(e, Summary) and e.thread == 0), None)


def traced(
    request: RunRequest,
    node: NodeBinary,
    collector: TraceCollector,
    detail_limit: int = DEFAULT_DETAIL_LIMIT,
    addon: AddonBuild | None = None,
    syscalls: bool = False,
    tiers: bool = False,
) -> RunRequest:
    """The same run with the tracer preloaded and its pipe feeding `collector`.

    `addon` is the loop-marker build to use; without it, it is built (or taken from the cache) here.
    With `syscalls` and strace installed, it runs under strace; `collector.run_over()` adds its syscalls.
    With `tiers`, V8 logs its compiles and deopts to a private folder; `collector.run_over()` adds them.
    """
    collector.addon = addon or build_addon(node)
    collector.limit = trace_byte_limit(detail_limit)
    env = {**request.env, "LOOPLAB_TRACE_DETAIL_LIMIT": str(detail_limit)}
    if collector.addon.path is not None:
        env["LOOPLAB_TRACE_ADDON"] = str(collector.addon.path)
    if collector.addon.heap is not None:
        env["LOOPLAB_TRACE_HEAP_ADDON"] = str(collector.addon.heap)
    # Node children started with this environment (fork, cluster, spawn or exec of node) preload the tracer too,
    # and write to a channel of their own (tracer_procs.js): NODE_OPTIONS, as the runner drops the learner's.
    preload = f'--require "{TRACER}"'
    env["NODE_OPTIONS"] = f"{env['NODE_OPTIONS']} {preload}" if env.get("NODE_OPTIONS") else preload
    argv: tuple[str, ...] = (request.argv[0], "--require", str(TRACER), *request.argv[1:])
    if tiers:
        node_options = tuple(itertools.takewhile(lambda arg: arg.startswith("-"), request.argv[1:]))
        rest = request.argv[1 + len(node_options) :]
        clash = v8_log.clashes(node_options, request.cwd / rest[0] if rest else None)
        if clash is not None:  # the program asked V8 for its own traces, on its stdout: leave them be
            collector.tiers_off = (
                f"the program asks V8 for tracing of its own ({clash}), which the tiers view's log would move"
            )
        else:
            collector.v8_log_folder = v8_log.make_log_folder()
            collector.run_folder = request.cwd.resolve()
            flags = v8_log.node_flags(collector.v8_log_folder)
            env["LOOPLAB_TRACE_TIERS"] = "1"
            env["LOOPLAB_TRACE_TIERS_ARGS"] = "\n".join(flags)  # the tracer hides them from process.execArgv
            argv = (argv[0], *flags, *argv[1:])
    strace = strace_path() if syscalls else None
    if strace is not None:  # the syscalls lane: under strace, the tracer writing at every callback's edges
        handle, name = tempfile.mkstemp(prefix="looplab-strace-", suffix=".log")
        os.close(handle)
        collector.syscall_log = Path(name)
        env["LOOPLAB_TRACE_SYSCALLS"] = "1"
        argv = (*strace_prefix(strace, collector.syscall_log), *argv)
    return replace(request, argv=argv, env=env, side_channel=collector.feed, children_channel=collector.feed_children)


def record_run(program: Path, node: NodeBinary, result: RunResult, collector: TraceCollector) -> TraceRecording:
    """Everything about a traced run that a viewer needs, with no live process behind it."""
    events = tuple(collector.events)
    # the pool size libuv really started, as the tracer reported it at the first pool job (else libuv's 4)
    pool = next((e.size for e in events if isinstance(e, PoolSize) and e.thread == 0), 4)
    return TraceRecording(
        program=str(program),
        node_version=node.version,
        mode=collector.mode,
        addon=collector.addon.reason if collector.addon else "",
        end=result.describe_end(),
        exit_code=result.exit_code,
        timed_out=result.timed_out,
        duration=result.duration,
        stdout=tuple(result.stdout),
        stderr=tuple(result.stderr),
        events=events,
        summarised_after=collector.summarised_after,
        threadpool_size=pool,
        signal=result.signal,
        cancelled=result.cancelled,
        truncated=result.truncated,
    )
