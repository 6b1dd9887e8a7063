"""A run's trace handed to a viewer while Node runs: shared by the exercise runs and the slides' live demos.

No Textual here: the sink is anything with `feed` and `refeed` (the visualizer, a test's recorder, follow mode).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from app.runner.process import RunResult
from app.trace.schema import TraceEvent
from app.trace.session import TraceCollector

STREAM_EVERY = 0.05  # seconds between batches of trace events decoded for the viewer


class EventSink(Protocol):
    def feed(self, events: list[TraceEvent], token: int | None = None) -> None: ...
    def refeed(self, events: list[TraceEvent], token: int) -> None: ...


async def stream_events(collector: TraceCollector, sink: EventSink, token: int, done: asyncio.Event) -> None:
    """Hand the run's trace to `sink` as it arrives, decoded in a worker thread, until `done`."""
    while not done.is_set():
        sink.feed(await asyncio.to_thread(collector.decode_new), token)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), STREAM_EVERY)


async def feed_the_rest(collector: TraceCollector, sink: EventSink, token: int) -> None:
    """The run is over: the last events, then all of them again if strace's or V8's data went in among them."""
    sink.feed(await asyncio.to_thread(collector.decode_new), token)
    if await asyncio.to_thread(collector.run_over):
        sink.refeed(list(collector.events), token)


def run_ending(result: RunResult) -> str:
    """How a run ended, as the visualizer and the exercise pane say it: `exit code 0 after 0.12 s`."""
    return f"{result.describe_end()} after {result.duration:.2f} s"
