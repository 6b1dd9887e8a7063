"""No packet leaves loopback: every network exercise of the course, run under strace on both Nodes.

The exercises are found in the course at test time: every exercise of a lesson in the `io` section, and
every other one whose program (starter, solution, fixtures) uses net, dgram, dns, http, https, http2 or
tls. Each program runs under `strace -f -e trace=connect,sendto,sendmsg,bind,listen`, and every socket
address strace prints is checked:
  - connect, sendto, sendmsg: only 127.0.0.0/8 and ::1 (an IPv4-mapped ::ffff:127.x too). AF_UNIX,
    AF_NETLINK and AF_UNSPEC (a UDP socket disconnecting) send nothing off the machine.
  - bind: a loopback address, or the wildcard (0.0.0.0 or ::) with port 0 on a socket that never listens.
    Node's dgram binds a socket that sends before it is bound to 0.0.0.0:0 by itself (socket.send and
    socket.connect both do), so that bind is not the program's choice and sends nothing; it is reported,
    not failed. A wildcard bind that then listens is a server open to the network, against the course's
    rule (`listen(0, '127.0.0.1')`), and fails; so does a wildcard bind to a fixed port, and any other
    address.
Set LOOPLAB_COURSE_ROOT to check another checkout's course (a lesson branch in progress).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.course.load import load_course
from app.course.model import Course, Exercise
from app.nodejs.locate import NodeBinary
from app.runner.certs import fixtures_for
from app.runner.exercise import run_directory
from app.runner.process import RunRequest, run_to_end
from app.trace.syscalls import strace_path

REPO = Path(__file__).resolve().parent.parent
STRACE = strace_path()  # None where strace is missing or may not trace (no ptrace rights)
NETWORK_MODULES = re.compile(
    r"""\b(?:require\(|from\s+|import\(\s*)['"](?:node:)?(?:net|dgram|dns|http|https|http2|tls)(?:/promises)?['"]"""
)
GLOBAL_FETCH = re.compile(r"\bfetch\(")  # needs no require
SYSCALLS = "connect,sendto,sendmsg,bind,listen"
AT_ONCE = 2  # two cores
LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<call>connect|sendto|sendmsg|bind|listen)\((?P<fd>\d+),(?P<rest>.*)$")
FAMILY = re.compile(r"sa_family=(AF_\w+)")
IPV4 = re.compile(r'sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
IPV6 = re.compile(r'sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')


@dataclass(frozen=True)
class Finding:
    call: str
    address: str  # "127.0.0.1:80", or the family when it carries no IP address
    line: str


def is_loopback(host: str) -> bool:
    address = ipaddress.ip_address(host)
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def sockaddrs(rest: str) -> list[tuple[str, str, int]]:
    """(family, host, port) for every socket address in the rest of a strace line; host "" for non-IP ones."""
    found = []
    for family_match in FAMILY.finditer(rest):
        family = family_match.group(1)
        tail = rest[family_match.end() :]
        pattern = {"AF_INET": IPV4, "AF_INET6": IPV6}.get(family)
        ip = pattern.search(tail[:200]) if pattern is not None else None
        found.append((family, ip.group(2), int(ip.group(1))) if ip else (family, "", 0))
    return found


def check_strace(text: str) -> tuple[list[Finding], list[Finding]]:
    """(violations, wildcard binds that only send) of one strace log."""
    bad: list[Finding] = []
    wildcard: dict[tuple[str, str], Finding] = {}  # (pid, fd) -> its wildcard bind, until it listens or closes
    quiet: list[Finding] = []
    for raw in text.splitlines():
        match = LINE.match(raw)
        if match is None:
            continue
        call, key = match["call"], (match["pid"], match["fd"])
        if call == "listen":
            if key in wildcard:
                bad.append(wildcard.pop(key))
            continue
        for family, host, port in sockaddrs(match["rest"]):
            if not host:
                if family not in ("AF_UNIX", "AF_NETLINK", "AF_UNSPEC"):
                    bad.append(Finding(call, family, raw))
                continue
            where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            finding = Finding(call, where, raw)
            if is_loopback(host):
                continue
            if call == "bind" and ipaddress.ip_address(host).is_unspecified and port == 0:
                wildcard[key] = finding
            else:
                bad.append(finding)
    quiet.extend(wildcard.values())
    return bad, quiet


def network_exercises(course: Course) -> list[Exercise]:
    io = {e for lesson in course.lessons if lesson.section in ("io", "protocols") for e in lesson.exercises}
    chosen = []
    for exercise in course.exercises.values():
        sources = [exercise.starter, exercise.solution]
        texts = [p.read_text(errors="replace") for p in sources if p is not None and p.is_file()]
        texts += [fixture.content.decode(errors="replace") for fixture in exercise.fixtures]
        if exercise.id in io or any(NETWORK_MODULES.search(text) or GLOBAL_FETCH.search(text) for text in texts):
            chosen.append(exercise)
    return sorted(chosen, key=lambda e: e.id)


def programs(exercise: Exercise) -> list[Path]:
    """The starter and, for a fix, the solution: a learner runs both."""
    return [exercise.starter] + ([exercise.solution] if exercise.solution is not None else [])


COURSE = load_course(Path(os.environ.get("LOOPLAB_COURSE_ROOT", REPO)))
EXERCISES = network_exercises(COURSE)


async def traced_syscalls(exercise: Exercise, program: Path, node: NodeBinary, limit: asyncio.Semaphore) -> str:
    assert STRACE is not None
    async with limit:
        files = fixtures_for(exercise)
        with run_directory(program, exercise.entry, files) as folder, tempfile.TemporaryDirectory() as out:
            log = Path(out) / "strace.log"
            argv = (
                STRACE,
                "-f",
                "-qq",
                "-o",
                str(log),
                "-e",
                f"trace={SYSCALLS}",
                str(node.path),
                *exercise.node_args,
                exercise.entry,
            )
            await run_to_end(RunRequest(argv, folder, exercise.timeout + 5, env=exercise.env))
            return log.read_text(errors="replace") if log.exists() else ""


def test_the_course_has_network_exercises_to_check() -> None:
    assert EXERCISES, "no exercise uses the network: the finder is broken"


def test_the_checker_catches_an_address_off_the_machine() -> None:
    log = "\n".join(
        [
            '7 connect(21, {sa_family=AF_INET, sin_port=htons(41000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            '7 sendto(22, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), '
            'inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 1',
            '7 bind(23, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
            "7 bind(24, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "::", &sin6_addr), sin6_scope_id=0}, 28) = 0',
            "7 listen(24, 511) = 0",
            '7 connect(25, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0',
            '7 sendmsg(26, {msg_name={sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("192.0.2.7")}, '
            "msg_namelen=16, msg_iov=[], msg_iovlen=0, msg_controllen=0, msg_flags=0}, 0) = 0",
        ]
    )
    bad, quiet = check_strace(log)
    assert [f.address for f in bad] == ["[2001:db8::1]:53", "[::]:0", "192.0.2.7:9"]
    assert [f.address for f in quiet] == ["0.0.0.0:0"]  # dgram's own bind before a send: reported only


@pytest.mark.skipif(STRACE is None, reason="strace is not installed (apt-get install strace) or may not trace here")
def test_no_packet_leaves_loopback(any_node: NodeBinary) -> None:
    async def everything() -> list[tuple[str, str]]:
        limit = asyncio.Semaphore(AT_ONCE)
        runs = [(e, p) for e in EXERCISES for p in programs(e)]
        logs = await asyncio.gather(*(traced_syscalls(e, p, any_node, limit) for e, p in runs))
        return [(f"{e.id}/{p.name}", log) for (e, p), log in zip(runs, logs, strict=True)]

    problems, reported = [], []
    for name, log in asyncio.run(everything()):
        bad, quiet = check_strace(log)
        problems += [f"{name}: {f.call} {f.address}\n    {f.line}" for f in bad]
        reported += [f"{name}: {f.call} {f.address} (then only loopback traffic)" for f in quiet]
    if reported:
        print("wildcard binds of sockets that only sent to loopback:\n" + "\n".join(reported))
    assert not problems, "off loopback:\n" + "\n".join(problems)
