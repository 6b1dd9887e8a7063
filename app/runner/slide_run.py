"""Run a slide's code block on real Node under the tracer, as an exercise runs, streaming its loop to a viewer.

No Textual here: the lesson screen passes its visualizer as the sink, follow mode and the tests pass their own.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Protocol

from app.course.slides import CodeBlock
from app.errors import LooplabError
from app.nodejs.locate import NodeBinary
from app.runner.exercise import fresh_run_folder
from app.runner.process import NodeRun, RunRequest, RunResult
from app.trace.addon import AddonBuild, build_addon
from app.trace.live import EventSink, feed_the_rest, run_ending, stream_events
from app.trace.schema import TraceEvent
from app.trace.session import TraceCollector, traced

SLIDE_TIMEOUT = 10.0  # seconds: a live block ends well within 1 s
SLIDE_OUTPUT_LIMIT = 200_000  # bytes over both streams: a demo prints a few lines
_MODULE_SYNTAX = re.compile(r"^(import\s|export\s|await\s)", re.MULTILINE)


class RunSink(EventSink, Protocol):
    """What a slide run's events go to; the Visualizer is one. A sink with an async `catch_up()` (the
    Visualizer's) is awaited before `finish`, so it has taken in every event by then."""

    def start_live(self, description: str) -> int: ...
    def feed(self, events: list[TraceEvent], token: int | None = None) -> None: ...
    def refeed(self, events: list[TraceEvent], token: int) -> None: ...
    def finish(self, result: RunResult, ending: str) -> None: ...
    def abort(self, reason: str) -> None: ...


def program_text(block: CodeBlock) -> tuple[str, str]:
    """The file a reader gets by pasting the snippets the block names, then the block; ES module if it says so.

    Returns the text and its file suffix (.mjs or .cjs). tests/test_slide_code.py runs every block this way.
    """
    text = "".join(snippet.read_text(encoding="utf-8") + "\n" for snippet in block.needs) + block.code
    suffix = ".mjs" if block.language == "mjs" or _MODULE_SYNTAX.search(block.code) else ".cjs"
    return text, suffix


def write_program(block: CodeBlock, folder: Path) -> str:
    """Write the block (with its snippets) into `folder`; returns the entry file's name."""
    text, suffix = program_text(block)
    entry = f"slide{suffix}"
    (folder / entry).write_text(text, encoding="utf-8")
    return entry


async def run_slide_code(
    block: CodeBlock,
    node: NodeBinary,
    sink: RunSink,
    description: str,
    *,
    on_start: Callable[[NodeRun], None] | None = None,
    views: Collection[str] = (),
    addon: AddonBuild | None = None,
) -> RunResult | None:
    """Run `block` on `node` under the tracer in a fresh private folder (removed afterwards), its own process group,
    a timeout and capped output; the sink follows it live. None (and `sink.abort(why)`) if it could not run.

    `views` are the viewer's views: `fds` samples /proc, `syscalls` runs it under strace where installed and
    `tiers` has V8 log its compiles, as for an exercise run. `addon` is the loop-marker build, else built here.
    """
    token = sink.start_live(description)
    try:
        if not block.runnable:
            what = "a fragment" if block.fragment else f"a {block.language} block"
            raise LooplabError(f"line {block.line} holds {what}: only a js block that is not a fragment runs")
        addon = addon or await asyncio.to_thread(build_addon, node)  # compiled once and cached
        collector = TraceCollector(sample_fds="fds" in views)
        with fresh_run_folder() as folder:
            entry = write_program(block, folder)
            request = RunRequest(
                argv=(str(node.path), entry), cwd=folder, timeout=SLIDE_TIMEOUT, output_limit=SLIDE_OUTPUT_LIMIT
            )
            request = traced(
                request, node, collector, addon=addon, syscalls="syscalls" in views, tiers="tiers" in views
            )
            streaming = asyncio.Event()
            streamer = asyncio.create_task(stream_events(collector, sink, token, streaming))
            try:
                async with await NodeRun.start(request) as run:
                    if run.pid is not None:
                        collector.sample_process(run.pid)
                    if on_start is not None:
                        on_start(run)
                    async for _ in run:
                        pass
                    result = await run.result()
            finally:
                streaming.set()  # the streamer ends after its current batch
        await streamer
        await feed_the_rest(collector, sink, token)  # with strace's syscalls and V8's tier changes, if any
    except LooplabError as exc:
        sink.abort(str(exc))
        return None
    catch_up = getattr(sink, "catch_up", None)
    if catch_up is not None:
        await catch_up()
    sink.finish(result, run_ending(result))
    return result
