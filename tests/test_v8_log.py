"""V8's code log, as the tiers view reads it: real samples from Node 20 and Node 24, and live runs on both."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, run_to_end
from app.trace import v8_log
from app.trace.schema import Deopt, Mark, TiersClock, TierStep, Write
from app.trace.session import TraceCollector, traced

SAMPLES = Path(__file__).parent / "v8_logs"  # trimmed from real logs of tests/traces/tiers_deopt.js run as main.js
RUN_FOLDER = Path("/tmp/looplab-sample")  # where those runs ran
CLOCK = TiersClock(0, 1000, 1010)


def sample(node: str) -> str:
    return (SAMPLES / f"node{node}.log").read_text()


def tiers_of(events: list, function: str) -> list[str]:
    return [e.tier for e in events if isinstance(e, TierStep) and e.function == function]


def test_node20_climbs_ignition_sparkplug_turbofan_with_no_maglev() -> None:
    events = v8_log.tier_events(sample("20"), RUN_FOLDER, CLOCK)
    assert tiers_of(events, "scale")[:3] == ["interpreted", "baseline", "turbofan"]
    assert "maglev" not in {e.tier for e in events}  # V8 11.3 ships Maglev off


def test_node24_reaches_maglev_before_turbofan() -> None:
    events = v8_log.tier_events(sample("24"), RUN_FOLDER, CLOCK)
    warm = tiers_of(events, "warm")
    assert warm[0] == "interpreted"
    assert warm.index("maglev") < warm.index("turbofan")


@pytest.mark.parametrize("node", ["20", "24"])
def test_a_deopt_names_its_function_the_code_it_dropped_and_v8s_reason(node: str) -> None:
    events = v8_log.tier_events(sample(node), RUN_FOLDER, CLOCK)
    deopt = next(e for e in events if isinstance(e, Deopt) and e.function == "scale")
    assert deopt.reason == "not a Smi"
    assert deopt.kind == "deopt-eager"
    assert deopt.where == f"{RUN_FOLDER}/main.js:6:16"
    made = next(e for e in events if isinstance(e, TierStep) and e.code == deopt.code)
    assert made.tier == deopt.tier != "interpreted"


@pytest.mark.parametrize("node", ["20", "24"])
def test_only_the_programs_own_functions_are_kept(node: str) -> None:
    text = sample(node)
    assert "node:internal/" in text and "tracer.js" in text  # the samples have others' code too
    events = v8_log.tier_events(text, RUN_FOLDER, CLOCK)
    assert events and all(e.file == f"{RUN_FOLDER}/main.js" for e in events)
    assert {e.function for e in events} == {"", "warm", "scale"}
    assert v8_log.tier_events(text, Path("/tmp/elsewhere"), CLOCK) == []


@pytest.mark.parametrize("node", ["20", "24"])
def test_times_are_moved_onto_the_trace_clock_by_the_clock_functions_compile(node: str) -> None:
    items, logged = v8_log.parse_log(sample(node))
    assert logged is not None
    first = next(item for item in items if isinstance(item, v8_log.Code) and "main.js" in item.file)
    events = v8_log.tier_events(sample(node), RUN_FOLDER, CLOCK)
    assert events[0].micros == first.micros - logged + 1005  # the middle of the tracer's two reads


def test_names_are_split_from_paths_and_v8s_escapes_undone() -> None:
    assert v8_log.split_name("add /run/a b/main.js:1:13") == ("add", "/run/a b/main.js", 1, 13)
    assert v8_log.split_name(" /run/main.js:1:1") == ("", "/run/main.js", 1, 1)
    assert v8_log.split_name("get size file:///run/m.mjs:4:3") == ("get size", "file:///run/m.mjs", 4, 3)
    assert v8_log.unescape(r"a\x2Cb") == "a,b"
    assert v8_log.is_own_file("file:///run/m.mjs", Path("/run"))
    assert not v8_log.is_own_file("/run/node_modules/x/index.js", Path("/run"))
    assert not v8_log.is_own_file("/runner/main.js", Path("/run"))


def test_compiles_go_before_the_first_timed_event_after_them() -> None:
    step = TierStep(0, "f", "/run/main.js", 1, 1, "turbofan", "0x1", 2500)
    events = [
        CLOCK,
        Write(0, "stdout", "main", "macrotask", 0, "x\n"),
        Mark(0, "prepare", 1, 2),
        Mark(0, "check", 1, 3),
    ]
    assert v8_log.line_up(events, [step]) == [*events[:2], events[2], step, events[3]]
    assert v8_log.line_up(events, [step._replace(micros=9000)])[-1].micros == 9000  # after everything timed


def test_the_programs_own_v8_tracing_is_left_alone() -> None:
    assert v8_log.clashes(("--trace-deopt",)) == "--trace-deopt"
    assert v8_log.clashes(("--logfile=x.log",)) == "--logfile=x.log"
    assert v8_log.clashes(("--expose-gc", "--max-semi-space-size=1")) is None


def test_a_program_that_sets_v8_flags_itself_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("require('node:v8').setFlagsFromString('--trace-deopt');\n")
    (tmp_path / "plain.js").write_text("console.log(1);\n")
    assert v8_log.clashes((), tmp_path / "main.js") == "v8.setFlagsFromString"
    assert v8_log.clashes((), tmp_path / "plain.js") is None
    assert v8_log.clashes((), tmp_path / "missing.js") is None


HOT = """\
    function double(x) {
      return x * 2;
    }
    %PrepareFunctionForOptimization(double);
    double(1);
    double(2);
    %OptimizeFunctionOnNextCall(double);
    double(3); // TurboFan's code, for small integers only, whatever the machine's load
    console.log(double(0.5), JSON.stringify(process.execArgv)); // a deopt
    """
NATIVES = ("--allow-natives-syntax",)


def run_hot(
    folder: Path, node: NodeBinary, tiers: bool, flags: tuple[str, ...] = ()
) -> tuple[list[str], TraceCollector]:
    (folder / "main.js").write_text(textwrap.dedent(HOT))
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), *flags, "main.js"), folder, 10), node, collector, tiers=tiers)
    folder = collector.v8_log_folder
    result = asyncio.run(run_to_end(request))
    assert result.exit_code == 0, result.stderr[-5:]
    assert folder is None or folder.is_dir()
    collector.run_over()
    assert folder is None or not folder.exists()  # V8's log folder is gone with the run
    return result.stdout, collector


def test_compiles_and_deopts_of_a_hot_function_arrive_and_nothing_is_left_behind(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    stdout, collector = run_hot(tmp_path, any_node, tiers=True, flags=NATIVES)
    events = collector.events
    tiers = tiers_of(events, "double")
    assert tiers[0] == "interpreted" and "turbofan" in tiers, tiers
    deopt = next(e for e in events if isinstance(e, Deopt))
    assert (deopt.function, deopt.tier, deopt.reason) == ("double", "turbofan", "not a Smi")
    assert stdout == ['1 ["--allow-natives-syntax"]']  # the program's own output; execArgv without looplab's options
    assert sorted(path.name for path in tmp_path.iterdir()) == ["main.js"]
    assert collector.v8_log_folder is None


def test_a_program_running_with_its_own_trace_deopt_keeps_it_on_stdout(
    bundled_node: NodeBinary, tmp_path: Path
) -> None:
    stdout, collector = run_hot(tmp_path, bundled_node, tiers=True, flags=(*NATIVES, "--trace-deopt"))
    assert any(line.startswith("[bailout") for line in stdout)
    assert collector.tiers_off is not None and "(--trace-deopt)" in collector.tiers_off
    assert not any(isinstance(e, TierStep) for e in collector.events)
