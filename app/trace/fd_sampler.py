"""The traced process's open descriptors, read from /proc while it runs: what the fds view shows besides sockets.

Linux only; anywhere /proc cannot be read, a sample is None and the view shows what the tracer saw.
Socket inodes are matched to addresses through /proc/PID/net/{tcp,tcp6,udp,udp6,unix}, read again only
when a socket the last sample did not know appears.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from app.trace.decode import TraceDecoder, TraceFormatError
from app.trace.schema import FdSample, Hello

TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}
NET_TABLES = ("tcp", "tcp6", "udp", "udp6")
ANON_KINDS = {
    "[eventpoll]": "epoll",
    "[eventfd]": "eventfd",
    "[signalfd]": "signalfd",
    "[timerfd]": "timerfd",
    "[io_uring]": "io_uring",
    "inotify": "inotify",
    "[pidfd]": "pidfd",
}
Row = tuple[int, str, str, str, str]  # fd, kind, name, peer, state


def hex_address(text: str) -> str:
    """`0100007F:1F90` -> `127.0.0.1:8080`; IPv6 as `[::1]:8080` (the kernel prints each 32-bit word in host order)."""
    address, _, port = text.partition(":")
    raw = bytes.fromhex(address)
    words = b"".join(struct.pack("=I", struct.unpack(">I", raw[i : i + 4])[0]) for i in range(0, len(raw), 4))
    if len(words) == 4:
        host = socket.inet_ntop(socket.AF_INET, words)
    else:
        host = f"[{socket.inet_ntop(socket.AF_INET6, words)}]"
    return f"{host}:{int(port, 16)}"


def parse_net_table(text: str, kind: str) -> dict[int, tuple[str, str, str, str]]:
    """inode -> (kind, local, remote, state) from one of /proc/net/tcp, tcp6, udp, udp6."""
    found = {}
    for row in text.splitlines()[1:]:
        cells = row.split()
        if len(cells) < 10 or not cells[9].isdigit():
            continue
        remote = hex_address(cells[2])
        state = TCP_STATES.get(cells[3], cells[3])
        if kind.startswith("udp"):  # UDP has no states: 07 is an unconnected socket, 01 a connected one
            state, remote = ("connected", remote) if cells[3] == "01" else ("", "")
        elif state == "LISTEN":
            remote = ""
        found[int(cells[9])] = (kind, hex_address(cells[1]), remote, state)
    return found


def parse_unix_table(text: str) -> dict[int, tuple[str, str, str, str]]:
    """inode -> ("unix", path or "", "", "") from /proc/net/unix."""
    found = {}
    for row in text.splitlines()[1:]:
        cells = row.split()
        if len(cells) >= 7 and cells[6].isdigit():
            found[int(cells[6])] = ("unix", cells[7] if len(cells) > 7 else "", "", "")
    return found


def classify(fd: int, target: str, sockets: dict[int, tuple[str, str, str, str]]) -> Row:
    """One descriptor, from what readlink says it points at."""
    if target.startswith("socket:["):
        inode = int(target[8:-1])
        kind, name, peer, state = sockets.get(inode, ("socket", "", "", ""))
        return (fd, kind, name, peer, state)
    if target.startswith("pipe:["):
        return (fd, "pipe", "", "", "")
    if target.startswith("anon_inode:"):
        what = target.removeprefix("anon_inode:")
        return (fd, ANON_KINDS.get(what, what.strip("[]")), "", "", "")
    if target.startswith("/dev/pts/") or target == "/dev/tty":
        return (fd, "tty", target, "", "")
    return (fd, "file", target, "", "")


class FdSampler:
    """Samples one process's descriptors; `sample()` returns a new FdSample only when the table changed."""

    def __init__(self, pid: int, proc: Path = Path("/proc"), forked_from: str | None = None) -> None:
        self.pid = pid
        self.proc = proc
        self._sockets: dict[int, tuple[str, str, str, str]] = {}
        self.last: tuple[Row, ...] | None = None
        if forked_from is None:  # our own executable: until the pid runs another, it is not Node yet
            forked_from = os.readlink(proc / "self" / "exe") if (proc / "self").exists() else ""
        self._forked_from = forked_from

    def read(self) -> tuple[Row, ...] | None:
        """The table now, () while the process is not Node yet, None once it is gone or /proc cannot be read."""
        folder = self.proc / str(self.pid) / "fd"
        try:
            if os.readlink(self.proc / str(self.pid) / "exe") == self._forked_from:
                return ()  # still looplab's own fork, before exec: its descriptors are not the program's
            names = os.listdir(folder)
        except OSError:
            # Mid-exec (the spawn returns before the kernel is done with it) these can fail for a moment.
            return None if self.gone() else ()
        targets: list[tuple[int, str]] = []
        for name in names:
            try:
                targets.append((int(name), os.readlink(folder / name)))
            except (OSError, ValueError):
                continue  # closed between listdir and readlink
        inodes = {int(t[8:-1]) for _, t in targets if t.startswith("socket:[")}
        if not inodes <= self._sockets.keys():
            self._sockets = self._read_sockets()
        rows = [classify(fd, target, self._sockets) for fd, target in targets]
        return tuple(sorted(self._with_interest(row) if row[1] == "epoll" else row for row in rows))

    def gone(self) -> bool:
        """True once the process has ended (a zombie counts) or /proc cannot tell us about it at all."""
        try:
            stat = (self.proc / str(self.pid) / "stat").read_text()
        except OSError:
            return True
        state = stat.rpartition(")")[2].split()[:1]  # the name in parentheses may hold spaces
        return not state or state[0] in ("Z", "X")

    def _with_interest(self, row: Row) -> Row:
        """An epoll fd with the fds it watches (its interest list, from fdinfo's `tfd:` lines) as its name."""
        try:
            info = (self.proc / str(self.pid) / "fdinfo" / str(row[0])).read_text()
        except OSError:
            return row
        watched = [line.split()[1] for line in info.splitlines() if line.startswith("tfd:")]
        return (row[0], row[1], " ".join(sorted(watched, key=int)), row[3], row[4])

    def _read_sockets(self) -> dict[int, tuple[str, str, str, str]]:
        found: dict[int, tuple[str, str, str, str]] = {}
        net = self.proc / str(self.pid) / "net"
        for kind in (*NET_TABLES, "unix"):
            try:
                text = (net / kind).read_text()
            except OSError:
                continue
            found.update(parse_unix_table(text) if kind == "unix" else parse_net_table(text, kind.removesuffix("6")))
        return found


SAMPLE_EVERY = 0.01  # seconds between samples; one costs about 0.2 ms (more when a new socket appears)
PROBE_BYTES = 1 << 16  # the tracer's hello is in its first chunk; give up on a stream that has none


class PidProbe:
    """Finds the traced process's pid in the first bytes of the trace (the tracer's hello says it)."""

    def __init__(self) -> None:
        self._decoder = TraceDecoder()
        self._seen = 0
        self.pid: int | None = None

    def feed(self, data: bytes) -> int | None:
        if self._seen > PROBE_BYTES:
            return None
        self._seen += len(data)
        try:
            events = self._decoder.feed(data[:PROBE_BYTES])
        except TraceFormatError:
            self._seen = PROBE_BYTES + 1
            return None
        self.pid = next((e.pid for e in events if isinstance(e, Hello) and e.thread == 0), None)
        return self.pid


class SamplerThread(threading.Thread):
    """Samples the descriptors every SAMPLE_EVERY seconds while the process lives; hands on each change.

    A thread, so that reading /proc (several ms for /proc/net/tcp on a busy machine) never holds up the
    trace pipe or the app.
    """

    def __init__(
        self, pid: int, deliver: Callable[[FdSample, int], None], mark: Callable[[], int], every: float = SAMPLE_EVERY
    ) -> None:
        super().__init__(name=f"fd-sampler-{pid}", daemon=True)
        self.sampler = FdSampler(pid)
        self.deliver = deliver  # (sample, mark): `mark` says how much of the trace had arrived when it was taken
        self.mark = mark
        self.every = every
        self._stop_now = threading.Event()
        self.samples = 0

    def run(self) -> None:
        while not self._stop_now.is_set():
            mark = self.mark()
            rows = self.sampler.read()
            if rows is None:
                return  # the process is gone
            if rows and rows != self.sampler.last:
                self.sampler.last = rows
                self.samples += 1
                self.deliver(FdSample(0, rows), mark)
            self._stop_now.wait(self.every)

    def stop(self) -> None:
        self._stop_now.set()
