"""The syscalls lane: strace's log lined up with the trace, its model, and the view on a recorded run."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.trace.loop_snapshot import RunEnd
from app.trace.recording import load_recording
from app.trace.schema import After, Before, Hello, Init, Syscall
from app.trace.syscall_model import SyscallTimeline
from app.trace.syscalls import describe, line_up, main_thread_calls, parse_log, strace_path
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.syscall_view import SyscallView
from app.tui.widgets.visualizer import Visualizer
from tests.conftest import write_files
from tests.test_fd_view import SOCKETS
from tests.test_tui_app import run_and_wait, wait_for
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES, write_tui_course

LOG = """\
41 write(23, "LOOP\\0\\0\\0\\0"..., 512) = 512
41 epoll_pwait(14,  <unfinished ...>
44 read(9, "x", 1) = 1
41 <... epoll_pwait resumed>[{events=EPOLLIN, data={u32=24, u64=24}}], 1024, -1, NULL, 8) = 1
41 accept4(24, {sa_family=AF_INET, sin_port=htons(5), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 26
41 write(23, "LOOP\\0\\0\\0\\0"..., 64) = 64
41 connect(27, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (x)
"""


def test_the_log_is_cut_at_the_tracers_own_writes_and_keeps_only_the_loop_thread() -> None:
    assert [tid for tid, _ in parse_log(LOG)] == [41, 44, 41, 41, 41, 41]  # the interrupted call joined up
    first, second = main_thread_calls(LOG, 41)
    assert [(c.name, c.fd, c.detail) for c in first] == [("epoll_pwait", 14, "ready: 24"), ("accept4", 24, "new fd 26")]
    assert [(c.name, c.detail, c.result) for c in second] == [("connect", "127.0.0.1:8080", "-1 EINPROGRESS")]
    assert describe("epoll_pwait", "14, [], 1024, 0, NULL, 8", "0").detail == "nothing ready (timeout 0 ms)"


def test_syscalls_go_after_the_chunk_they_followed() -> None:
    events = [Hello(0, True, 41), Init(0, 5, 1, "TCPWRAP", False, True), Before(0, 5, "poll", "macrotask"), After(0, 5)]
    merged = line_up(events, [1, 3], LOG)
    names = [getattr(e, "name", type(e).__name__) for e in merged]
    assert names == ["Hello", "epoll_pwait", "accept4", "Init", "Before", "connect", "After"]


@pytest.fixture(scope="module")
def recorded() -> SyscallTimeline:
    recording = load_recording(TRACES / "tcp_syscalls.jsonl")
    return SyscallTimeline([*recording.events, RunEnd.of_recording(recording)])


def test_the_loop_waits_in_epoll_and_accepts_before_the_servers_callback_runs(recorded: SyscallTimeline) -> None:
    accept = next(row for row in recorded.rows if row.name == "accept4")
    wait = max((row for row in recorded.rows if row.name == "epoll_pwait" and row.position < accept.position),
               key=lambda row: row.position)
    assert accept.phase == wait.phase == "poll" and accept.by == wait.by == 0  # libuv's work, not a callback's
    assert str(accept.fd) in wait.detail  # epoll said the listening socket was ready
    connect = next(row for row in recorded.rows if row.name == "connect")
    assert connect.by != 0 and connect.detail.startswith("127.0.0.1:")  # made by a callback of the program


def test_a_snapshot_lights_the_calls_of_the_callback_running_then(recorded: SyscallTimeline) -> None:
    connect = next(row for row in recorded.rows if row.name == "connect")
    snapshot = recorded.at(connect.position)
    assert snapshot.rows[-1] == connect and snapshot.current(connect) and snapshot.running == connect.by
    assert not any(snapshot.current(row) for row in snapshot.rows if row.by != connect.by)
    assert recorded.at(0).rows == ()


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = write_tui_course(tmp_path / "course")
    write_files(
        root,
        {
            "lessons/syscalls/lesson.toml": (
                'title = "Syscalls"\nsection = "loop"\norder = 3\nsummary = "What the loop asks the kernel."\n'
                'exercises = ["tcp-fds"]\nviews = ["loop", "syscalls"]\n'
            ),
            "lessons/syscalls/slides.md": "# Syscalls\n\nepoll_pwait, then accept4.\n",
            "exercises/tcp-fds/exercise.toml": SOCKETS,
        },
    )
    (root / "exercises/tcp-fds/starter.js").write_bytes((TRACES / "tcp_fds.js").read_bytes())
    return root


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_syscalls_lane_at_the_accept(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_accept(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "tcp_syscalls")
        view = pilot.app.screen.query_one(SyscallView)
        assert view.calls is not None
        accept = next(row for row in view.calls.rows if row.name == "accept4")
        pilot.app.screen.query_one(Visualizer)._go(accept.position)
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="tcp-fds"), terminal_size=size, run_before=at_the_accept)


@pytest.mark.skipif(strace_path() is None, reason="strace is not installed")
async def test_a_live_run_with_the_lane_open_records_the_loops_syscalls(course: Path) -> None:
    app = make_app(course, start="tcp-fds")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        await run_and_wait(pilot, screen, "r")
        visualizer = screen.query_one(Visualizer)
        assert visualizer.timeline is not None
        calls = [e for e in visualizer.timeline.events if isinstance(e, Syscall)]
        assert {"epoll_pwait", "accept4", "connect"} <= {call.name for call in calls}
        view = screen.query_one(SyscallView)
        assert view.snapshot is not None and view.snapshot.rows  # drawn at the end of the run
