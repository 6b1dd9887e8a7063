"""The runner, with real Node: timeouts, process groups, output caps, streams, exits and cancellation."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from app.errors import LooplabError
from app.nodejs.locate import NodeBinary
from app.runner import cgroup
from app.runner import process as process_module
from app.runner.process import MAX_LINE, NodeRun, OutputLine, RunRequest, RunResult, run_to_end
from app.trace.attribute import attribute_lines
from app.trace.schema import Process
from app.trace.session import TraceCollector, traced
from tests.conftest import processes_with

pytestmark = pytest.mark.alone  # cgroups and leftover processes are counted machine-wide


def node_run(node: NodeBinary, folder: Path, source: str, timeout: float = 10, **kwargs: object) -> RunResult:
    (folder / "main.js").write_text(source)
    request = RunRequest((str(node.path), "main.js"), folder, timeout, **kwargs)  # type: ignore[arg-type]
    return asyncio.run(run_to_end(request))


def server_family_source(marker: str) -> str:
    """A server that never closes, a child that never exits, and a detached grandchild that escapes the group."""
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    return f"""
    const net = require('node:net');
    const {{ spawn }} = require('node:child_process');
    const child = spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore' }});
    const loner = spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore', detached: true }});
    loner.unref();
    const server = net.createServer(() => {{}});
    server.listen(0, '127.0.0.1', () => console.log('port', server.address().port, child.pid, loner.pid));
    """


def run_cgroups_left() -> list[Path]:
    """The run cgroups this process made that still exist: each run removes its own."""
    parent = cgroup.parent_folder()
    return list(parent.glob(f"{cgroup.PREFIX}{os.getpid()}-*")) if parent is not None else []


def gone(pid: int) -> bool:
    """Not running and not a zombie either: nothing of it is left in /proc."""
    return not Path(f"/proc/{pid}").exists()


def test_timeout_kills_a_listening_server_and_all_its_children(any_node: NodeBinary, tmp_path: Path) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    started = time.monotonic()
    result = node_run(any_node, tmp_path, server_family_source(marker), timeout=1.5)
    assert result.timed_out and not result.cancelled
    assert result.signal == "SIGKILL" and result.exit_code is None
    assert time.monotonic() - started < 4
    assert processes_with(marker) == []
    assert result.leftovers == ()
    _, port, child, loner = result.stdout[0].split()
    assert gone(int(child)) and gone(int(loner))
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", int(port)), timeout=2):
        pass


def test_children_are_killed_even_when_node_exits_by_itself(bundled_node: NodeBinary, tmp_path: Path) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    source = f"""
    const {{ spawn }} = require('node:child_process');
    spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore', detached: true }}).unref();
    console.log('parent done');
    """
    result = node_run(bundled_node, tmp_path, source, timeout=10)
    assert result.exit_code == 0 and not result.timed_out
    assert result.duration < 5
    assert processes_with(marker) == []


def test_a_detached_child_that_exits_early_is_not_left_a_zombie(bundled_node: NodeBinary, tmp_path: Path) -> None:
    source = """
    const { spawn } = require('node:child_process');
    const quick = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', detached: true });
    quick.unref();
    console.log(quick.pid);
    setTimeout(() => {}, 300);  // the child dies first; it is handed to us only when we exit
    """
    result = node_run(bundled_node, tmp_path, source)
    assert result.exit_code == 0
    assert gone(int(result.stdout[0]))


def test_output_is_capped_with_a_note_and_the_program_stopped(any_node: NodeBinary, tmp_path: Path) -> None:
    result = node_run(
        any_node,
        tmp_path,
        "for (let i = 0; ; i++) console.log('line ' + i);",
        timeout=20,
        output_limit=50_000,
    )
    assert result.truncated and not result.timed_out
    assert result.duration < 10
    kept = sum(len(line.text) + 1 for line in result.lines)
    assert 45_000 < kept <= 50_000
    assert result.stdout[:3] == ["line 0", "line 1", "line 2"]
    assert "output limit" in result.describe_end()


def test_stdout_and_stderr_are_kept_apart_in_arrival_order(any_node: NodeBinary, tmp_path: Path) -> None:
    source = """
    console.log('out 1');
    console.error('err 1');
    console.log('out 2');
    process.stderr.write('err 2 without newline');
    """
    result = node_run(any_node, tmp_path, source)
    assert result.stdout == ["out 1", "out 2"]
    assert result.stderr == ["err 1", "err 2 without newline"]
    assert [line.seq for line in result.lines] == list(range(4))
    assert all(a.elapsed <= b.elapsed for a, b in zip(result.lines, result.lines[1:], strict=False))


def test_a_non_zero_exit_code_is_reported(any_node: NodeBinary, tmp_path: Path) -> None:
    result = node_run(any_node, tmp_path, "console.log('before'); process.exitCode = 3;")
    assert (result.exit_code, result.signal, result.timed_out) == (3, None, False)
    assert result.describe_end() == "exit code 3"


def test_an_uncaught_exception_exits_1_with_the_error_on_stderr(any_node: NodeBinary, tmp_path: Path) -> None:
    result = node_run(any_node, tmp_path, "setTimeout(() => { throw new TypeError('boom') }, 1);")
    assert result.exit_code == 1
    assert any("TypeError: boom" in line for line in result.stderr)


def test_death_by_signal_is_named(bundled_node: NodeBinary, tmp_path: Path) -> None:
    result = node_run(bundled_node, tmp_path, "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);")
    assert result.signal == "SIGTERM" and result.exit_code is None
    assert result.describe_end() == "killed by SIGTERM"


def test_a_missing_entry_file_is_node_s_own_error(bundled_node: NodeBinary, tmp_path: Path) -> None:
    request = RunRequest((str(bundled_node.path), "nowhere.js"), tmp_path, 10)
    result = asyncio.run(run_to_end(request))
    assert result.exit_code == 1
    assert any("Cannot find module" in line for line in result.stderr)


def test_a_missing_executable_is_a_clear_error(tmp_path: Path) -> None:
    request = RunRequest((str(tmp_path / "no-node"), "main.js"), tmp_path, 10)
    with pytest.raises(LooplabError, match="cannot start it"):
        asyncio.run(run_to_end(request))


def test_a_missing_run_directory_is_a_clear_error(bundled_node: NodeBinary, tmp_path: Path) -> None:
    request = RunRequest((str(bundled_node.path), "main.js"), tmp_path / "gone", 10)
    with pytest.raises(LooplabError, match="run directory not found"):
        asyncio.run(run_to_end(request))


def test_lines_arrive_while_the_program_is_still_running(bundled_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("console.log('first'); setTimeout(() => console.log('second'), 400);")
    received: list[tuple[str, float]] = []

    async def watch() -> RunResult:
        async with await NodeRun.start(RunRequest((str(bundled_node.path), "main.js"), tmp_path, 10)) as run:
            async for line in run:
                received.append((line.text, time.monotonic()))
            return await run.result()

    result = asyncio.run(watch())
    assert [text for text, _ in received] == ["first", "second"]
    assert received[1][1] - received[0][1] > 0.3
    assert result.exit_code == 0


def test_cancel_stops_a_server_and_everything_it_started(any_node: NodeBinary, tmp_path: Path) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    (tmp_path / "main.js").write_text(server_family_source(marker))

    async def cancel_after_first_line() -> tuple[RunResult, list[OutputLine]]:
        lines = []
        async with await NodeRun.start(RunRequest((str(any_node.path), "main.js"), tmp_path, 30)) as run:
            async for line in run:
                lines.append(line)
                run.cancel()
            return await run.result(), lines

    started = time.monotonic()
    result, lines = asyncio.run(cancel_after_first_line())
    assert result.cancelled and not result.timed_out
    assert time.monotonic() - started < 5
    _, _, child, loner = lines[0].text.split()
    assert processes_with(marker) == []
    assert gone(int(child)) and gone(int(loner))


def test_cancelling_the_consumer_task_kills_the_program(bundled_node: NodeBinary, tmp_path: Path) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    (tmp_path / "main.js").write_text(server_family_source(marker))

    async def consume_then_get_cancelled() -> None:
        async def consume() -> None:
            async with await NodeRun.start(RunRequest((str(bundled_node.path), "main.js"), tmp_path, 30)) as run:
                async for _ in run:
                    pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.8)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.3)  # the run's own cleanup finishes in the background

    asyncio.run(consume_then_get_cancelled())
    assert processes_with(marker) == []


def test_a_line_without_newlines_is_cut_into_pieces(bundled_node: NodeBinary, tmp_path: Path) -> None:
    result = node_run(bundled_node, tmp_path, f"process.stdout.write('x'.repeat({MAX_LINE * 2 + 10}));")
    assert [len(text) for text in result.stdout] == [MAX_LINE, MAX_LINE, 10]


def test_the_program_gets_extra_env_but_not_our_node_options(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--require /nonexistent.js")
    source = "console.log(process.env.GREETING); console.log(String(process.env.NODE_OPTIONS));"
    result = node_run(bundled_node, tmp_path, source, env={"GREETING": "hi"})
    assert result.stdout == ["hi", "undefined"]


def test_the_machines_proxy_settings_never_reach_the_program_but_the_exercise_can_set_them(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NODE_USE_ENV_PROXY", "HTTP_PROXY", "https_proxy", "No_Proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    source = "console.log(Object.keys(process.env).filter((k) => /proxy/i.test(k)).sort().join(','));"
    assert node_run(bundled_node, tmp_path, source).stdout == [""]
    assert node_run(bundled_node, tmp_path, source, env={"HTTP_PROXY": "x"}).stdout == ["HTTP_PROXY"]


def test_concurrent_runs_never_reap_each_other(bundled_node: NodeBinary, tmp_path: Path) -> None:
    # Each run leaves a detached orphan, so every cleanup sweeps for strays while other runs are starting.
    source = """
    const { spawn } = require('node:child_process');
    spawn(process.execPath, ['-e', ''], { stdio: 'ignore', detached: true }).unref();
    setTimeout(() => console.log('done'), 20);
    """
    (tmp_path / "main.js").write_text(source)

    async def many() -> list[RunResult]:
        request = RunRequest((str(bundled_node.path), "main.js"), tmp_path, 20)
        return await asyncio.gather(*(run_to_end(request) for _ in range(16)))

    results = asyncio.run(many())
    assert [(r.exit_code, r.stdout) for r in results] == [(0, ["done"])] * 16
    assert run_cgroups_left() == []  # some runs end before their spawn returns (see the next tests)


def test_a_start_cancelled_at_any_step_leaves_no_process(bundled_node: NodeBinary, tmp_path: Path) -> None:
    """Cancelled while spawning (the app does this when the learner switches exercise): nothing may outlive it."""
    marker = f"looplab-test-{uuid.uuid4().hex}"
    (tmp_path / "main.js").write_text(server_family_source(marker))
    request = RunRequest((str(bundled_node.path), "main.js"), tmp_path, 30, side_channel=lambda data: None)

    async def cancel_after(steps: int) -> bool:
        """Cancel the start after `steps` turns of the event loop; True if the cancel came before it finished."""
        task = asyncio.create_task(NodeRun.start(request))
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        try:
            run = await task
        except asyncio.CancelledError:
            return True
        async with run:  # started in time: leaving the block stops it
            return False

    async def every_step() -> list[bool]:
        outcomes = [await cancel_after(steps) for steps in range(12)]
        await asyncio.sleep(0.3)
        return outcomes

    outcomes = asyncio.run(every_step())
    assert outcomes[0] and not outcomes[-1]  # from before the spawn to after it: every step in between was tried
    assert processes_with(marker) == []
    assert run_cgroups_left() == []


def escaping_family_source(marker: str, leader_stays: bool) -> str:
    """A grandchild that leaves the process group (setsid) with an empty environment: no group, no marker."""
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    spawn_loner = f"spawn(process.execPath, ['-e', {forever!r}], {{ stdio: 'ignore', detached: true, env: {{}} }})"
    # The child starts the loner and stays, so the loner's parent is inside the run, not the leader itself.
    child = f"const {{ spawn }} = require('node:child_process'); {spawn_loner}.unref(); {forever}"
    ending = "setInterval(() => {}, 1000);" if leader_stays else "setTimeout(() => {}, 400);"
    return f"""
    const {{ spawn }} = require('node:child_process');
    spawn(process.execPath, ['-e', {child!r}], {{ stdio: 'ignore' }}).unref();
    {spawn_loner}.unref();
    {ending}
    """


@pytest.fixture(params=["cgroup", "process tree"])
def tracking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs tracked by a cgroup (where the machine allows it, as here and in CI) and by walking the process tree."""
    if request.param == "cgroup":
        if not cgroup.available():
            pytest.skip("this machine does not let us make cgroups")
    else:
        monkeypatch.setattr(cgroup, "_parent", None)
    return request.param


@pytest.mark.parametrize("leader_stays", [True, False], ids=["killed at the timeout", "leader exits by itself"])
def test_a_grandchild_that_leaves_the_group_and_clears_its_environment_is_killed(
    any_node: NodeBinary, tmp_path: Path, tracking: str, leader_stays: bool
) -> None:
    marker = f"looplab-test-{uuid.uuid4().hex}"
    result = node_run(any_node, tmp_path, escaping_family_source(marker, leader_stays), timeout=1.5)
    assert result.timed_out == leader_stays
    assert processes_with(marker) == [] and result.leftovers == ()
    assert run_cgroups_left() == []


def test_a_program_that_ends_before_the_spawn_returns_leaves_no_cgroup(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spawn can return after the program is already a zombie (many runs at once on a busy machine).

    A zombie's /proc/PID/cgroup says "0::/", which once made the runner think the child had not joined
    its cgroup: it dropped the cgroup while the program's detached child was still inside, and left it.
    """
    if not cgroup.available():
        pytest.skip("this machine does not let us make cgroups")
    marker = f"looplab-test-{uuid.uuid4().hex}"
    forever = f"/* {marker} */ setInterval(() => {{}}, 1000)"
    detached = "{ stdio: 'ignore', detached: true }"
    source = f"require('node:child_process').spawn(process.execPath, ['-e', {forever!r}], {detached}).unref();"
    exec_program = NodeRun._exec

    async def slow_exec(self: NodeRun, *args: object) -> object:
        started = await exec_program(self, *args)  # type: ignore[arg-type]
        await asyncio.sleep(1.0)  # the program has ended by now; its detached child still runs
        return started

    monkeypatch.setattr(NodeRun, "_exec", slow_exec)
    result = node_run(bundled_node, tmp_path, source, timeout=10)
    assert result.exit_code == 0 and result.leftovers == ()
    assert processes_with(marker) == []
    assert run_cgroups_left() == []


def test_a_child_that_may_not_join_the_cgroup_runs_tracked_by_its_process_tree(
    bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where writing to cgroup.procs is refused, the child stops before its exec and is started again outside."""
    if not cgroup.available():
        pytest.skip("this machine does not let us make cgroups")
    monkeypatch.setattr(cgroup, "join_fd", lambda folder: os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
    marker = f"looplab-test-{uuid.uuid4().hex}"
    result = node_run(bundled_node, tmp_path, escaping_family_source(marker, leader_stays=False), timeout=5)
    assert result.exit_code == 0 and not result.timed_out
    assert processes_with(marker) == [] and result.leftovers == ()
    assert run_cgroups_left() == []


@pytest.mark.parametrize("stall", ["after the spawn", "in the cleanup"])
def test_the_duration_runs_from_the_spawn_to_the_exit(
    stall: str, bundled_node: NodeBinary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded machine may stall the runner just after the spawn, or after the exit: the clock still reads the
    program's life, as Node itself measures it (it once read 0.01 s beside 57 ms of loop time)."""
    real_spawn, real_kill = asyncio.create_subprocess_exec, process_module.kill_run

    async def slow_after_spawn(*args: object, **kwargs: object) -> asyncio.subprocess.Process:
        started = await real_spawn(*args, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.4)  # the program runs meanwhile
        return started

    async def slow_cleanup(*args: object, **kwargs: object) -> list[object]:
        await asyncio.sleep(1.0)
        return await real_kill(*args, **kwargs)  # type: ignore[arg-type]

    if stall == "after the spawn":
        monkeypatch.setattr(process_module.asyncio, "create_subprocess_exec", slow_after_spawn)
    else:
        monkeypatch.setattr(process_module, "kill_run", slow_cleanup)
    busy = "const until = Date.now() + 600; while (Date.now() < until);"
    result = node_run(bundled_node, tmp_path, busy + "process.on('exit', () => console.log(process.uptime()));")
    lived = float(result.stream("stdout")[-1])  # seconds from Node's start to its exit, by its own clock
    assert lived <= result.duration < lived + 0.5, (lived, result.duration)


# --- traced runs: forked children and cluster workers, each traced on the run's FIFO -----------------------------


def traced_family_source(marker: str) -> str:
    """A traced program with two forked children and two cluster workers that never end, each printing its pid."""
    return f"""
    const cluster = require('node:cluster');
    const {{ fork }} = require('node:child_process');
    const role = process.argv[2];
    if (role === 'child' || role === 'worker') {{
      console.log(role, process.pid);
      setInterval(() => {{}}, 1000);
    }} else {{
      cluster.setupPrimary({{ args: ['worker', {marker!r}] }});
      const kids = [fork(__filename, ['child', {marker!r}]), fork(__filename, ['child', {marker!r}])];
      cluster.fork();
      cluster.fork();
      console.log('parent', kids.length);
    }}
    """


def fifo_folders_left() -> list[Path]:
    """The children's FIFOs this process made that still exist: each run removes its own."""
    return list(Path(tempfile.gettempdir()).glob(f"looplab-fifo-{os.getpid()}-*/*"))


def traced_family_run(node: NodeBinary, folder: Path, cancel: bool) -> tuple[RunResult, list[str], TraceCollector]:
    (folder / "main.js").write_text(traced_family_source(MARKER))
    collector = TraceCollector()
    # Four Node processes start in well under a second; a loaded machine (load 16 on 2 cores) took up to 4 s.
    request = traced(RunRequest((str(node.path), "main.js"), folder, 30 if cancel else 8), node, collector)

    async def go() -> tuple[RunResult, list[str]]:
        lines = []
        async with await NodeRun.start(request) as run:
            async for line in run:
                lines.append(line.text)
                if cancel and len(lines) == 5:
                    await asyncio.sleep(1)  # a child killed between its line and its next flush leaves no trace
                    run.cancel()
            return await run.result(), lines

    result, lines = asyncio.run(go())
    return result, lines, collector


MARKER = f"looplab-test-{uuid.uuid4().hex}"


@pytest.mark.parametrize("cancel", [False, True], ids=["timeout", "cancel"])
def test_traced_forked_children_and_cluster_workers_end_with_the_run(
    any_node: NodeBinary, tmp_path: Path, cancel: bool
) -> None:
    result, lines, collector = traced_family_run(any_node, tmp_path, cancel)
    assert result.cancelled if cancel else result.timed_out
    assert sorted(line.split()[0] for line in lines) == ["child", "child", "parent", "worker", "worker"]
    assert processes_with(MARKER) == []
    assert result.leftovers == ()
    assert all(gone(int(line.split()[1])) for line in lines if line.split()[0] != "parent")
    assert fifo_folders_left() == []
    # every child was traced, on its own channel, and each of its lines carries its pid
    assert sorted(e.how for e in collector.events if isinstance(e, Process)) == ["cluster", "cluster", "fork", "fork"]
    for line in attribute_lines(collector.events, lines):
        if line.text.startswith(("child", "worker")):
            assert (line.phase, line.who, line.pid) == ("main", "child", int(line.text.split()[1]))
