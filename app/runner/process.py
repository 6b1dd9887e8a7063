"""Run one program safely: no shell, its own process group, a timeout, capped output, lines as they arrive."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.errors import LooplabError
from app.runner import cgroup, watcher
from app.runner.cleanup import RUN_MARKER, become_subreaper, descendants, kill_run, start_time

DEFAULT_OUTPUT_LIMIT = 1_000_000  # bytes over both streams
TRACE_FD_ENV = "LOOPLAB_TRACE_FD"  # tells the tracer which fd is its pipe
CHILDREN_ENV = "LOOPLAB_TRACE_CHILDREN"  # the FIFO the program's traced child processes write to
MAX_LINE = 16_384  # a longer line without a newline is cut into pieces of this size
_DROPPED_ENV = ("NODE_OPTIONS", "NODE_PATH", "FORCE_COLOR", "NODE_DEBUG")
# Node 24 sends http.request and fetch through HTTP_PROXY when NODE_USE_ENV_PROXY=1: a learner's proxy would take
# loopback traffic off the machine. Compared upper-cased, so http_proxy goes too; an exercise's [env] may set them.
_DROPPED_PROXY_ENV = frozenset({"NODE_USE_ENV_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"})


@dataclass(frozen=True)
class OutputLine:
    stream: str  # "stdout" or "stderr"
    text: str
    seq: int  # arrival order across both streams
    elapsed: float  # seconds since the program started


@dataclass(frozen=True)
class RunRequest:
    argv: tuple[str, ...]  # argv[0] is the executable; nothing goes through a shell
    cwd: Path
    timeout: float
    env: Mapping[str, str] = field(default_factory=dict)  # added to a cleaned copy of ours
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    # Bytes from a dedicated pipe (the tracer's), handed over as they arrive; None: no such pipe.
    side_channel: Callable[[bytes], None] | None = None
    # Bytes from a FIFO the program's child processes may open (their tracers'), as they arrive; None: no FIFO.
    children_channel: Callable[[bytes], None] | None = None


@dataclass(frozen=True)
class RunResult:
    lines: tuple[OutputLine, ...]
    exit_code: int | None  # None when a signal ended it
    signal: str | None
    timed_out: bool
    cancelled: bool
    truncated: bool
    duration: float
    timeout: float
    leftovers: tuple[int, ...] = ()  # pids that outlived the final kill (should always be empty)

    def stream(self, name: str) -> list[str]:
        return [line.text for line in self.lines if line.stream == name]

    @property
    def stdout(self) -> list[str]:
        return self.stream("stdout")

    @property
    def stderr(self) -> list[str]:
        return self.stream("stderr")

    @property
    def clean(self) -> bool:
        """It ended by itself, with exit code 0: not stopped, cut short or killed."""
        return self.exit_code == 0 and not (self.cancelled or self.timed_out or self.truncated or self.signal)

    def describe_end(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.timed_out:
            return f"stopped after the {self.timeout:g} s timeout"
        if self.truncated:
            return "stopped: output limit reached"
        if self.signal:
            return f"killed by {self.signal}"
        return f"exit code {self.exit_code}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["lines"] = [asdict(line) for line in self.lines]
        return data


def _widen_pipe(fd: int) -> None:
    """Ask Linux for a 1 MiB pipe, so the program never waits on us for a moment's pause (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)


def child_environment(extra: Mapping[str, str], token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV and k.upper() not in _DROPPED_PROXY_ENV}
    env.update(extra)
    env[RUN_MARKER] = token
    return env


_fifo_folder: Path | None = None  # one private folder per looplab process for the runs' FIFOs (mkdtemp is slow)
_fifo_lock = threading.Lock()


def _fifo_home() -> Path:
    """The folder for this process's FIFOs, made on first use and removed when looplab exits (or by the watcher)."""
    global _fifo_folder
    with _fifo_lock:
        if _fifo_folder is None or not _fifo_folder.is_dir():
            folder = Path(tempfile.mkdtemp(prefix=f"{watcher.FIFO_FOLDER_PREFIX}{os.getpid()}-"))
            watcher.register(str(folder), dir=str(folder))
            atexit.register(_remove_fifo_home, folder)
            _fifo_folder = folder
        return _fifo_folder


def _remove_fifo_home(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    watcher.release(str(folder))


class ChildrenChannel:
    """A FIFO in a private folder that any process of the run may open for writing, for the whole run.

    looplab holds a write end itself, so the reader sees no end of file between one child and the next; it
    lets go once the run is over, and the reader drains what is left and stops.
    """

    def __init__(self) -> None:
        self.path = _fifo_home() / f"children-{uuid.uuid4().hex}"
        self.read_fd = self.hold_fd = -1
        try:
            os.mkfifo(self.path, 0o600)
            self.read_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            self.hold_fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            if self.read_fd >= 0:
                os.close(self.read_fd)
            self.remove()
            raise
        _widen_pipe(self.read_fd)

    def let_go(self) -> None:
        """No more writers of ours: the reader ends once every child has closed it too."""
        if self.hold_fd >= 0:
            os.close(self.hold_fd)
            self.hold_fd = -1

    def remove(self) -> None:
        self.let_go()
        with contextlib.suppress(OSError):
            self.path.unlink()


class NodeRun:
    """A started program. Iterate it for output lines as they arrive; `await result()` for how it ended."""

    def __init__(self, request: RunRequest) -> None:
        self.request = request
        self._queue: asyncio.Queue[OutputLine | None] = asyncio.Queue()
        self._lines: list[OutputLine] = []
        self._bytes = 0
        self._truncated = False
        self._cancelled = False
        self._timed_out = False
        self._stop = asyncio.Event()
        self._token = uuid.uuid4().hex
        self._started = 0.0
        self._ended: float | None = None  # when the program exited
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[RunResult] | None = None
        self._side: asyncio.StreamReader | None = None
        self._side_transport: asyncio.BaseTransport | None = None
        self._children: ChildrenChannel | None = None
        self._children_side: asyncio.StreamReader | None = None
        self._children_transport: asyncio.BaseTransport | None = None
        self._group: Path | None = None  # the run's cgroup, where this machine lets us make one
        self._known: dict[int, str | None] = {}  # without a cgroup: pid -> start time of all seen below the leader

    @classmethod
    async def start(cls, request: RunRequest) -> NodeRun:
        run = cls(request)
        await run._spawn()
        return run

    async def _spawn(self) -> None:
        become_subreaper()
        if not self.request.cwd.is_dir():
            raise LooplabError(f"{self.request.cwd}: run directory not found")
        env = child_environment(self.request.env, self._token)
        self._group = cgroup.create(self._token)
        join = cgroup.join_fd(self._group) if self._group is not None else None
        # Registered before the spawn: if looplab dies from here on, the watcher cleans up for us.
        watcher.register(self._token, token=self._token, cgroup=str(self._group) if self._group else None)
        side_read, side_write = os.pipe() if self.request.side_channel else (-1, -1)
        if side_read >= 0:
            _widen_pipe(side_read)
        if side_write >= 0:
            env[TRACE_FD_ENV] = str(side_write)
        if self.request.children_channel is not None:
            try:
                self._children = ChildrenChannel()
                env[CHILDREN_ENV] = str(self._children.path)
            except OSError:  # no FIFO here: the program's children run untraced
                self._children = None
        self._started = time.monotonic()  # the run's clock: from the spawn, not from once it is set up
        try:
            try:
                self._process = await self._exec(env, side_write, join)
            except subprocess.SubprocessError:
                # The child could not join the cgroup (not allowed here) and stopped before its exec:
                # start it again outside any cgroup; the process tree is tracked instead.
                if join is None:
                    raise
                os.close(join)
                join = None
                self._forget_group()
                watcher.register(self._token, token=self._token, cgroup=None)
                self._process = await self._exec(env, side_write, None)
        except BaseException as exc:
            if side_read >= 0:
                os.close(side_read)
            self._close_children()
            if self._group is None or cgroup.kill_and_remove(self._group):
                watcher.release(self._token)  # nothing of it can be left (asyncio kills a half-started child)
            self._group = None
            if isinstance(exc, OSError):
                raise LooplabError(f"{self.request.argv[0]}: cannot start it ({exc.strerror or exc})") from None
            raise
        finally:
            if side_write >= 0:
                os.close(side_write)  # only the child keeps the write end, so EOF means it is gone
            if join is not None:
                os.close(join)
        watcher.register(self._token, token=self._token, cgroup=self._group and str(self._group), pgid=self.pid)
        if side_read >= 0:
            self._side = asyncio.StreamReader(limit=1 << 22)
            try:
                self._side_transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                    lambda: asyncio.StreamReaderProtocol(self._side), os.fdopen(side_read, "rb", buffering=0)
                )
            except BaseException:  # cancelled before a supervisor exists: nothing else would ever stop it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
                if self._group is not None and cgroup.kill_and_remove(self._group):
                    watcher.release(self._token)  # else the watcher still holds it, and removes it when we exit
                self._close_children()
                raise
        if self._children is not None:
            self._children_side = asyncio.StreamReader(limit=1 << 22)
            try:
                self._children_transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                    lambda: asyncio.StreamReaderProtocol(self._children_side),
                    os.fdopen(self._children.read_fd, "rb", buffering=0),
                )
            except BaseException:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
                if self._group is not None and cgroup.kill_and_remove(self._group):
                    watcher.release(self._token)
                self._close_children()
                raise
        self._supervisor = asyncio.create_task(self._supervise())

    async def _exec(self, env: dict[str, str], side_write: int, join: int | None) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self.request.argv,
            cwd=self.request.cwd,
            env=env,
            pass_fds=(side_write,) if side_write >= 0 else (),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # Its own process group, killed as a whole; it stays in our session, which is how
            # cleanup tells our children from the orphans of a run (see reap_stray_orphans).
            process_group=0,
            # Joins the run's cgroup between fork and exec, so even its first child is inside it.
            preexec_fn=functools.partial(_join_cgroup, join) if join is not None else None,
        )

    def _close_children(self) -> None:
        if self._children is not None:
            if self._children_transport is not None:
                self._children_transport.close()
            else:
                with contextlib.suppress(OSError):
                    os.close(self._children.read_fd)
            self._children.remove()
            self._children = None

    def _forget_group(self) -> None:
        if self._group is not None:
            cgroup.remove(self._group)
            self._group = None

    @property
    def pid(self) -> int | None:
        """The program's pid, which is also its process group's id."""
        return self._process.pid if self._process is not None else None

    def cancel(self) -> None:
        """Stop the program and everything it started; the result says it was cancelled."""
        if not self._stop.is_set():
            self._cancelled = True
            self._stop.set()

    async def result(self) -> RunResult:
        assert self._supervisor is not None
        return await asyncio.shield(self._supervisor)

    async def __aenter__(self) -> NodeRun:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._supervisor is not None and not self._supervisor.done():
            self.cancel()  # leaving the block early, by error or by choice, stops the program
        with contextlib.suppress(asyncio.CancelledError):
            await self.result()

    async def __aiter__(self) -> AsyncIterator[OutputLine]:
        while True:
            line = await self._queue.get()
            if line is None:
                return
            yield line

    # --- internals ---

    def _emit(self, stream: str, text: str) -> None:
        if self._truncated:
            return
        self._bytes += len(text.encode("utf-8", "replace")) + 1
        if self._bytes > self.request.output_limit:
            self._truncated = True
            self._stop.set()
            return
        line = OutputLine(stream, text, len(self._lines), time.monotonic() - self._started)
        self._lines.append(line)
        self._queue.put_nowait(line)

    async def _read(self, stream: asyncio.StreamReader, name: str) -> None:
        pending = b""
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                self._emit(name, raw.decode("utf-8", "replace").removesuffix("\r"))
            while len(pending) > MAX_LINE:
                self._emit(name, pending[:MAX_LINE].decode("utf-8", "replace"))
                pending = pending[MAX_LINE:]
        if pending:
            self._emit(name, pending.decode("utf-8", "replace").removesuffix("\r"))

    async def _read_side(self, stream: asyncio.StreamReader, sink: Callable[[bytes], None]) -> None:
        while chunk := await stream.read(1 << 20):
            sink(chunk)

    async def _follow_tree(self, leader: int) -> None:
        """Without a cgroup: note every process below the leader while it runs, for the final kill."""
        while True:
            alive = {pid for pid, started in self._known.items() if start_time(pid) == started}
            for pid in descendants({leader, *alive}):
                if pid not in self._known:
                    self._known[pid] = start_time(pid)
            await asyncio.sleep(0.05)

    async def _supervise(self) -> RunResult:
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        readers = [
            asyncio.create_task(self._read(process.stdout, "stdout")),
            asyncio.create_task(self._read(process.stderr, "stderr")),
        ]
        if self._side is not None and self.request.side_channel is not None:
            readers.append(asyncio.create_task(self._read_side(self._side, self.request.side_channel)))
        if self._children_side is not None and self.request.children_channel is not None:
            readers.append(asyncio.create_task(self._read_side(self._children_side, self.request.children_channel)))
        exited = asyncio.create_task(process.wait())
        exited.add_done_callback(lambda _: setattr(self, "_ended", time.monotonic()))  # not after the cleanup
        stop = asyncio.create_task(self._stop.wait())
        follow = asyncio.create_task(self._follow_tree(process.pid)) if self._group is None else None
        try:
            done, _ = await asyncio.wait(
                {exited, stop}, timeout=self.request.timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                self._timed_out = True
            # Whatever happened, nothing the program started may outlive it.
            if follow is not None:
                follow.cancel()
            known = {pid for pid, started in self._known.items() if start_time(pid) == started}
            leftovers = await kill_run(process.pid, self._token, process.pid, group=self._group, known=known)
            await exited
            if self._children is not None:
                self._children.let_go()  # every writer is gone: the children's reader drains the FIFO and ends
            # A pipe held open by an escaped process must not hang us: give the readers a moment.
            _, stuck = await asyncio.wait(readers, timeout=1.0)
            for task in stuck:
                task.cancel()
        finally:
            stop.cancel()
            if follow is not None:
                follow.cancel()
            if self._side_transport is not None:
                self._side_transport.close()
            self._close_children()
            if not exited.done():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            self._queue.put_nowait(None)
        code = process.returncode
        return RunResult(
            lines=tuple(self._lines),
            exit_code=code if code is not None and code >= 0 else None,
            signal=signal.Signals(-code).name if code is not None and code < 0 else None,
            timed_out=self._timed_out,
            cancelled=self._cancelled,
            truncated=self._truncated,
            duration=(self._ended or time.monotonic()) - self._started,
            timeout=self.request.timeout,
            leftovers=tuple(leftovers),
        )


def _join_cgroup(procs_fd: int) -> None:
    """Runs in the child between fork and exec: only a write on an fd opened beforehand (no import, no lock).

    A preexec function makes the spawn fork instead of vfork, and runs Python's at-fork hooks in the child;
    with threads in the parent (the app's workers) that is safe only while it takes no lock, as here.
    Joining after the spawn instead would leave a window in which the program could start an escapee.
    """
    # Not allowed here: the OSError stops the child before its exec, and the parent sees a SubprocessError.
    # (The parent cannot tell afterwards from /proc/PID/cgroup: a child that already exited shows "0::/".)
    os.write(procs_fd, b"0")


async def run_to_end(request: RunRequest) -> RunResult:
    async with await NodeRun.start(request) as run:
        return await run.result()
