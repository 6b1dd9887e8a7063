"""Run a program under the tracer and collect its events as they arrive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, RunResult
from app.trace.addon import TRACER, AddonBuild, build_addon
from app.trace.decode import TraceDecoder, TraceFormatError
from app.trace.recording import TraceRecording
from app.trace.schema import Hello, Summary, TraceEvent

DEFAULT_DETAIL_LIMIT = 300_000  # records in full detail before the tracer switches to counts


@dataclass
class TraceCollector:
    """Decodes the trace pipe as bytes arrive and keeps the events, optionally passing each one on."""

    on_event: Callable[[TraceEvent], None] | None = None
    events: list[TraceEvent] = field(default_factory=list)
    error: str | None = None
    decoder: TraceDecoder = field(default_factory=TraceDecoder)
    addon: AddonBuild | None = None

    def feed(self, data: bytes) -> None:
        if self.error:
            return
        try:
            new = self.decoder.feed(data)
        except TraceFormatError as exc:
            self.error = str(exc)
            return
        self.events.extend(new)
        if self.on_event is not None:
            for event in new:
                self.on_event(event)

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
    request: RunRequest, node: NodeBinary, collector: TraceCollector, detail_limit: int = DEFAULT_DETAIL_LIMIT
) -> RunRequest:
    """The same run with the tracer preloaded (addon built if needed) and its pipe feeding `collector`."""
    collector.addon = build_addon(node)
    env = {**request.env, "LOOPLAB_TRACE_DETAIL_LIMIT": str(detail_limit)}
    if collector.addon.path is not None:
        env["LOOPLAB_TRACE_ADDON"] = str(collector.addon.path)
    argv = (request.argv[0], "--require", str(TRACER), *request.argv[1:])
    return replace(request, argv=argv, env=env, side_channel=collector.feed)


def record_run(
    program: Path, node: NodeBinary, result: RunResult, collector: TraceCollector, threadpool_size: int = 4
) -> TraceRecording:
    """Everything about a traced run that a viewer needs, with no live process behind it."""
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
        events=tuple(collector.events),
        summarised_after=collector.summarised_after,
        threadpool_size=threadpool_size,
    )
