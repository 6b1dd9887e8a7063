"""`looplab trace` and `looplab replay` with real Node, and the tracer under hostile programs."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from unittest.mock import ANY

import pytest

from app.cli.main import main
from app.nodejs.locate import NodeBinary
from app.trace import addon as addon_module
from app.trace.addon import build_addon
from app.trace.recording import load_recording

TIMERS_AND_TICKS = """
setTimeout(function later() { console.log('timer'); }, 0);
setImmediate(() => console.log('immediate'));
process.nextTick(() => console.log('tick'));
console.log('main');
"""


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def program(tmp_path: Path, source: str, name: str = "main.js") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def trace_json(path: Path, capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> list[dict]:
    """The lines of `looplab trace --json`; `code` 1 is a run looplab had to stop."""
    assert main(["trace", str(path), "--json", *args]) == code
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"run", "lines"} and data["run"]["stopped"] is (code == 1)
    return data["lines"]


def test_trace_json_is_exactly_the_documented_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = trace_json(program(tmp_path, TIMERS_AND_TICKS), capsys)
    assert [line["text"] for line in lines][:2] == ["main", "tick"]
    assert all(set(line) == {"text", "phase", "queue", "callback", "site"} for line in lines)
    by_text = {line["text"]: line for line in lines}
    assert (by_text["main"]["phase"], by_text["main"]["queue"], by_text["main"]["callback"]) == (
        "main",
        "macrotask",
        "main",
    )
    assert (by_text["tick"]["phase"], by_text["tick"]["queue"]) == ("main", "nextTick")
    assert by_text["timer"]["callback"] == "later"
    assert by_text["timer"]["site"] == f"{tmp_path / 'main.js'}:2:1"
    assert by_text["immediate"]["phase"] == "check"


def test_worker_lines_carry_their_thread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = """
    const { Worker, isMainThread, threadId } = require('node:worker_threads');
    if (isMainThread) new Worker(__filename).on('exit', () => console.log('main: worker done'));
    else console.log(`worker ${threadId} says hi`);
    """
    lines = trace_json(program(tmp_path, source), capsys)
    worker = next(line for line in lines if line["text"].startswith("worker"))
    assert worker["thread"] == 1 and worker["phase"] == "main"
    assert "thread" not in next(line for line in lines if line["text"] == "main: worker done")


def test_a_workers_direct_writes_and_its_console_lines_are_the_workers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], any_node: NodeBinary
) -> None:
    # fs.writeSync(1) in a worker reaches fd 1 at once; its console.log reaches it later, through the main thread
    source = """
    const { Worker, isMainThread } = require('node:worker_threads');
    const fs = require('node:fs');
    if (isMainThread) new Worker(__filename).on('exit', () => console.log('main: worker done'));
    else {
      fs.writeSync(1, 'worker: direct\\n');
      console.log('worker: console');
      setTimeout(() => fs.writeSync(1, 'worker: direct from a timer\\n'), 5);
    }
    """
    lines = trace_json(program(tmp_path, source), capsys, "--node", str(any_node.path))
    seen = {line["text"]: (line.get("thread"), line["phase"], line["callback"]) for line in lines}
    assert seen == {
        "worker: direct": (1, "main", "main"),
        "worker: console": (1, "main", "main"),
        "worker: direct from a timer": (1, "timers", "timers.setTimeout"),
        "main: worker done": (None, "poll", "worker"),
    }


def test_relative_files_resolve_from_the_program_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data.txt").write_text("local data")
    source = "require('node:fs').readFile('data.txt', 'utf8', (err, text) => console.log(err ? err.code : text));"
    lines = trace_json(program(tmp_path, source), capsys)
    assert [(line["text"], line["phase"]) for line in lines] == [("local data", "poll")]


def test_the_timeline_shows_phase_queue_callback_and_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(program(tmp_path, TIMERS_AND_TICKS))]) == 0
    out = capsys.readouterr().out
    assert "later" in out and "main.js:2" in out and "nextTick" in out and "Phases are exact" in out
    assert "callbacks" not in out and "afterWriteTick" not in out


def test_show_internals_lists_nodes_own_callbacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(program(tmp_path, TIMERS_AND_TICKS)), "--show-internals"]) == 0
    assert "afterWriteTick" in capsys.readouterr().out


def test_a_saved_trace_replays_without_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "run.jsonl"
    live = trace_json(program(tmp_path, TIMERS_AND_TICKS), capsys, "--save", str(saved))
    assert main(["replay", str(saved), "--json", "--node", str(tmp_path / "no-node-here")]) == 0
    assert json.loads(capsys.readouterr().out)["lines"] == live


def test_a_saved_trace_keeps_the_pool_size_libuv_really_started(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_THREADPOOL_SIZE", "abc")  # not a number: libuv starts one thread, not four
    saved = tmp_path / "run.jsonl"
    trace_json(
        program(tmp_path, "require('node:fs').stat(__filename, () => console.log('stat'));"),
        capsys,
        "--save",
        str(saved),
    )
    assert load_recording(saved).threadpool_size == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a looplab trace"),
        ('{"looplab_trace": 1}\n{"event": "nonsense"}\n', ":2: event: unknown event"),
        ("not json\n", ":1: not JSON"),
    ],
)
def test_a_bad_saved_trace_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    assert main(["replay", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_tracing_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(tmp_path / "nope.js")]) == 2
    assert capsys.readouterr().err == f"looplab: error: {tmp_path / 'nope.js'}: file not found\n"


def test_without_the_addon_phases_are_inferred_and_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOPLAB_NO_ADDON", "1")
    lines = trace_json(program(tmp_path, TIMERS_AND_TICKS), capsys)
    assert {line["text"]: line["phase"] for line in lines} == {
        "main": "main",
        "tick": "main",
        "timer": "timers",
        "immediate": "check",
    }
    assert main(["trace", str(tmp_path / "main.js")]) == 0
    assert "Phases were inferred" in capsys.readouterr().out


def test_the_addon_is_built_once_per_node_and_cached(bundled_node: NodeBinary, tmp_path: Path) -> None:
    first = build_addon(bundled_node, cache=tmp_path)
    assert first.path is not None and first.path.is_file()
    again = build_addon(bundled_node, cache=tmp_path)
    assert again.path == first.path and again.reason.startswith("cached")


def test_no_compiler_means_inferred_phases_with_the_reason(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addon_module, "find_compiler", lambda: None)
    build = build_addon(bundled_node, cache=tmp_path)
    assert build.path is None and "no C compiler" in build.reason


# --- robustness: every one of these ends with a verdict, a trace up to that point, and no hang ------------


def traced_run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    source: str,
    *args: str,
    name: str = "main.js",
    code: int = 0,
) -> tuple[list[dict], str, float]:
    path = program(tmp_path, source, name)
    started = time.monotonic()
    lines = trace_json(path, capsys, *args, code=code)
    assert main(["trace", str(path), *args]) == code
    return lines, capsys.readouterr().out, time.monotonic() - started


def test_a_program_that_throws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, out, _ = traced_run(
        tmp_path,
        capsys,
        """
    console.log('before the throw');
    setTimeout(() => { console.log('in the timer'); throw new Error('boom'); }, 1);
    """,
    )
    assert [(line["text"], line["phase"]) for line in lines] == [
        ("before the throw", "main"),
        ("in the timer", "timers"),
    ]
    assert "exit code 1" in out and "Error: boom" in out


def test_process_exit_midway(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, out, _ = traced_run(
        tmp_path,
        capsys,
        """
    process.on('exit', () => console.log('exit listener'));
    setImmediate(() => { console.log('leaving'); process.exit(4); });
    setTimeout(() => console.log('never'), 100);
    """,
    )
    assert [(line["text"], line["phase"]) for line in lines] == [("leaving", "check"), ("exit listener", "exit")]
    assert "exit code 4" in out


def test_endless_next_tick_recursion_is_called_starvation_with_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, out, elapsed = traced_run(
        tmp_path,
        capsys,
        """
    console.log('starting to starve the loop');
    setTimeout(() => console.log('never printed'), 0);
    (function again() { process.nextTick(again); })();
    """,
        "--timeout",
        "2",
        code=1,
    )
    assert [line["text"] for line in lines] == ["starting to starve the loop"]
    assert "stopped after the 2 s timeout" in out
    starvation = next(line for line in out.splitlines() if "Starvation" in line)
    count = int(starvation.split("Starvation: ")[1].split(" ")[0].replace(",", ""))
    assert count > 100_000 and "nextTick callbacks" in starvation and "main phase" in starvation
    assert "only counts per phase and queue" in out  # it switched to the bounded mode, and says so
    assert elapsed < 30


def test_huge_output_is_cut_and_still_attributed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Bursts that yield between them: a tight endless loop makes Node itself crawl (its write bookkeeping
    # piles up), which would test Node, not us.
    lines, out, elapsed = traced_run(
        tmp_path,
        capsys,
        """
    let i = 0;
    (function burst() {
      for (let n = 0; n < 2000; n++) console.log(`line ${i++} of a flood`);
      setImmediate(burst);
    })();
    """,
        code=1,
    )
    assert "output limit" in out
    assert len(lines) > 10_000
    # Stopped with SIGKILL, the program loses the tracer's last unflushed buffer (at most 4 KiB of records):
    # the trace is complete up to its last flush, so only a short tail of lines may stay unattributed.
    attributed = [i for i, line in enumerate(lines) if line["phase"] is not None]
    assert attributed == list(range(len(attributed))) and len(lines) - len(attributed) < 200
    assert {(lines[i]["phase"], lines[i]["queue"]) for i in attributed} == {
        ("main", "macrotask"),
        ("check", "macrotask"),
    }
    assert elapsed < 60


def test_a_server_that_never_closes_is_stopped_with_its_trace_so_far(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, out, elapsed = traced_run(
        tmp_path,
        capsys,
        """
    const server = require('node:net').createServer();
    server.listen(0, '127.0.0.1', () => console.log('listening forever'));
    setTimeout(() => console.log('still here after 50 ms'), 50);
    """,
        "--timeout",
        "1",
        code=1,
    )
    assert [(line["text"], line["phase"], line["queue"]) for line in lines] == [
        ("listening forever", "main", "nextTick"),
        ("still here after 50 ms", "timers", "macrotask"),
    ]
    assert "stopped after the 1 s timeout" in out
    assert elapsed < 20


def test_trace_json_of_a_stopped_run_says_so_on_stdout_stderr_and_in_the_exit_code(
    any_node: NodeBinary, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = program(tmp_path, "setInterval(() => {}, 1000);\n")
    code = main(["trace", str(path), "--json", "--timeout", "0.5", "--node", str(any_node.path)])
    out, err = capsys.readouterr()
    assert code == 1
    data = json.loads(out)
    assert data == {
        "run": {"end": "stopped after the 0.5 s timeout", "stopped": True, "exit_code": None, "duration": ANY},
        "lines": [],
    }
    assert "the program was stopped after the 0.5 s timeout" in err
    saved = tmp_path / "run.jsonl"
    assert main(["trace", str(path), "--timeout", "0.5", "--save", str(saved), "--node", str(any_node.path)]) == 1
    capsys.readouterr()
    assert main(["replay", str(saved), "--json"]) == 1  # a saved stopped run stays stopped
    assert json.loads(capsys.readouterr().out)["run"]["stopped"] is True


def test_a_run_that_ends_by_itself_is_not_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(program(tmp_path, "process.exitCode = 3;\n")), "--json"]) == 0
    run = json.loads(capsys.readouterr().out)["run"]
    assert (run["end"], run["stopped"], run["exit_code"]) == ("exit code 3", False, 3)


def test_esm_with_top_level_await_and_a_child_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, out, _ = traced_run(
        tmp_path,
        capsys,
        """
    import { execFile } from 'node:child_process';
    console.log('esm body');
    const text = await new Promise((resolve) => execFile(process.execPath, ['-e', 'console.log(6 * 7)'],
      (err, stdout) => resolve(stdout.trim())));
    console.log(`child said ${text}`);
    """,
        name="main.mjs",
    )
    # execFile answers on the child's 'close': after its exit (poll) or its pipes closing (close), whichever
    # comes last, and that varies from run to run.
    assert [(line["text"], line["phase"], line["queue"]) for line in lines] in (
        [("esm body", "main", "macrotask"), ("child said 42", "poll", "microtask")],
        [("esm body", "main", "macrotask"), ("child said 42", "close", "microtask")],
    )
    assert "exit code 0" in out


def test_cleared_timers_and_closed_handles_report_destroy_on_every_node(any_node: NodeBinary, tmp_path: Path) -> None:
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.schema import Destroy, Init
    from app.trace.session import TraceCollector, traced

    path = program(
        tmp_path,
        """
    const cleared = setTimeout(() => console.log('never'), 1000);
    clearTimeout(cleared);
    const server = require('node:net').createServer().listen(0, '127.0.0.1', () => server.close());
    """,
    )
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), path.name), tmp_path, 10), any_node, collector)
    asyncio.run(run_to_end(request))
    kinds = {e.id: e.type for e in collector.events if isinstance(e, Init) and e.thread == 0}
    destroyed = {kinds.get(e.id) for e in collector.events if isinstance(e, Destroy) and e.thread == 0}
    assert {"Timeout", "TCPSERVERWRAP"} <= destroyed


def test_past_the_detail_limit_only_counts_are_sent(any_node: NodeBinary, tmp_path: Path) -> None:
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.schema import Counts
    from app.trace.session import TraceCollector, traced

    path = program(tmp_path, "(async () => { for (let i = 0; i < 50000; i++) await null; console.log('done'); })();")
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), path.name), tmp_path, 30), any_node, collector, detail_limit=1000)
    asyncio.run(run_to_end(request))
    assert collector.summarised_after is not None and collector.summarised_after <= 1100
    assert len(collector.events) < 5000  # not one record per promise any more
    counted = {(e.what, e.queue) for e in collector.events if isinstance(e, Counts)}
    assert ("callback", "microtask") in counted  # the awaits resumed, counted per phase and queue


def test_a_detail_limit_of_a_few_records_is_kept_and_said(any_node: NodeBinary, tmp_path: Path) -> None:
    # The tracer's warm-up runs its hooks before the program starts; it must not spend the limit.
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.schema import Init
    from app.trace.session import TraceCollector, traced

    path = program(tmp_path, "setTimeout(() => console.log('timer'), 0); Promise.resolve().then(() => {});")
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), path.name), tmp_path, 30), any_node, collector, detail_limit=5)
    asyncio.run(run_to_end(request))
    # The count includes the records every trace begins with (resource type names, versions).
    assert collector.summarised_after is not None and collector.summarised_after < 40
    assert len([event for event in collector.events if isinstance(event, Init)]) <= 5


def test_intervals_keep_their_phase_past_the_limit_and_300000_resources_later(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    """Each resource's type is kept until it is gone, however many came after it, in counts too."""
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.attribute import attribute_lines
    from app.trace.session import TraceCollector, traced

    source = """
    let left = 300000;
    const early = setInterval(() => {
      if (left > 0) return;
      console.log('interval from the start');
      clearInterval(early);
    }, 1);
    (function batch() {
      for (let i = 0; i < 2000 && left > 0; i++, left--) setImmediate(() => {});
      if (left > 0) setImmediate(batch);
      else {
        let runs = 0;
        const late = setInterval(() => {
          if (++runs < 3) return;
          console.log('interval from after the switch, third run');
          clearInterval(late);
        }, 1);
      }
    })();
    """
    path = program(tmp_path, source)
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), path.name), tmp_path, 60), any_node, collector)
    result = asyncio.run(run_to_end(request))
    assert collector.summarised_after is not None
    lines = {line.text: (line.phase, line.queue) for line in attribute_lines(collector.events, result.stdout)}
    assert lines == {
        "interval from the start": ("timers", "macrotask"),
        "interval from after the switch, third run": ("timers", "macrotask"),
    }


def test_past_the_detail_limit_lines_keep_their_phase_and_queue(any_node: NodeBinary, tmp_path: Path) -> None:
    """In counts, promises have no ids and no creation records, but their callbacks still set the queue."""
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.attribute import attribute_lines
    from app.trace.session import TraceCollector, traced

    source = """
    (async () => {
      for (let i = 0; i < 20000; i++) await null;
      console.log('after the awaits');
      setTimeout(() => {
        console.log('timer');
        Promise.resolve().then(() => console.log('then in the timer'));
        process.nextTick(() => console.log('tick in the timer'));
        setImmediate(async () => {
          await null;
          console.log('after an await in an immediate');
        });
      }, 0);
    })();
    """
    path = program(tmp_path, source)
    collector = TraceCollector()
    request = traced(RunRequest((str(any_node.path), path.name), tmp_path, 30), any_node, collector, detail_limit=1000)
    result = asyncio.run(run_to_end(request))
    assert collector.summarised_after is not None
    lines = [(line.text, line.phase, line.queue) for line in attribute_lines(collector.events, result.stdout)]
    assert lines == [
        ("after the awaits", "main", "microtask"),
        ("timer", "timers", "macrotask"),
        ("tick in the timer", "timers", "nextTick"),
        ("then in the timer", "timers", "microtask"),
        ("after an await in an immediate", "check", "microtask"),
    ]


def test_lines_are_cut_exactly_where_the_runner_cuts_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = r"""
    process.stdout.write('progress 1\rprogress 2\r\n');
    process.stdout.write('half a line, ');
    setTimeout(() => process.stdout.write('finished by a timer\nlast\x0cline'), 1);
    """
    lines = trace_json(program(tmp_path, source), capsys)
    assert [(line["text"], line["phase"]) for line in lines] == [
        ("progress 1\rprogress 2", "main"),
        ("half a line, finished by a timer", "main"),
        ("last\x0cline", "timers"),
    ]


def test_a_live_viewer_gets_events_while_the_program_still_runs(bundled_node: NodeBinary, tmp_path: Path) -> None:
    import asyncio

    from app.runner.process import RunRequest, run_to_end
    from app.trace.schema import Write
    from app.trace.session import TraceCollector, traced

    path = program(tmp_path, "console.log('early'); setTimeout(() => console.log('late'), 400);")
    seen: list[tuple[str, float]] = []
    collector = TraceCollector(on_event=lambda e: isinstance(e, Write) and seen.append((e.text, time.monotonic())))
    request = traced(RunRequest((str(bundled_node.path), path.name), tmp_path, 10), bundled_node, collector)
    asyncio.run(run_to_end(request))
    assert [text for text, _ in seen] == ["early\n", "late\n"]
    assert seen[1][1] - seen[0][1] > 0.3  # "early" was delivered while the 400 ms timer was still pending


def test_trace_tiers_saves_compiles_and_deopts_and_says_how_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "run.jsonl"
    source = Path(__file__).with_name("traces").joinpath("tiers_deopt.js").read_text()
    assert main(["trace", str(program(tmp_path, source)), "--tiers", "--save", str(saved)]) == 0
    assert "deopts of the program's functions, from V8's code log" in capsys.readouterr().err
    kinds = [type(event).__name__ for event in load_recording(saved).events]
    assert "TierStep" in kinds and "Deopt" in kinds
