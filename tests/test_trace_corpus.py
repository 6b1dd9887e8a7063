"""The accuracy corpus on real Node: every line's phase and queue, and that tracing never changes the order."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, RunResult, run_to_end
from app.trace.attribute import attribute_lines
from app.trace.pool_model import replay_pool
from app.trace.schema import Init, Pool, PoolSize, Socket
from app.trace.session import TraceCollector, traced
from tests.trace_corpus.corpus import CorpusProgram, load_corpus, mismatches

PROGRAMS = load_corpus()
ORDER_RUNS = 20
EXTRA_PLAIN_RUNS = 100  # looking for a traced order among untraced runs before calling it new


def test_the_corpus_is_big_enough_and_fully_specified() -> None:
    assert len(PROGRAMS) >= 25
    for program in PROGRAMS:
        assert program.lines, f"{program.name} declares no expected lines"


async def run_program(program: CorpusProgram, node: NodeBinary, trace: bool) -> tuple[RunResult, TraceCollector]:
    with tempfile.TemporaryDirectory() as folder:
        entry = program.copy_to(Path(folder))
        request = RunRequest((str(node.path), entry.name), Path(folder), 15)
        collector = TraceCollector()
        if trace:
            request = traced(request, node, collector)
        return await run_to_end(request), collector


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_every_line_has_its_expected_phase_and_queue(program: CorpusProgram, any_node: NodeBinary) -> None:
    result, collector = asyncio.run(run_program(program, any_node, trace=True))
    assert collector.mode == "exact", collector.addon
    assert result.exit_code == program.exit_code, result.stderr[-5:]
    lines = attribute_lines(collector.events, result.stdout)
    got = [(line.text, line.phase, line.queue, line.thread) for line in lines]
    assert mismatches(program, got, any_node.major) == []


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_tracing_keeps_an_order_the_program_has_without_it(program: CorpusProgram, any_node: NodeBinary) -> None:
    async def orders(trace: bool, runs: int) -> list[tuple[str, ...]]:
        limit = asyncio.Semaphore(2)  # two cores

        async def one() -> tuple[str, ...]:
            async with limit:
                result, _ = await run_program(program, any_node, trace)
            return tuple(result.stdout)

        return list(await asyncio.gather(*(one() for _ in range(runs))))

    plain = set(asyncio.run(orders(False, ORDER_RUNS)))
    traced_orders = set(asyncio.run(orders(True, ORDER_RUNS)))
    unseen = traced_orders - plain
    if unseen:  # a rarer order: does the program give it without the tracer too, given more tries?
        plain |= set(asyncio.run(orders(False, EXTRA_PLAIN_RUNS)))
    assert traced_orders <= plain, f"only under the tracer: {traced_orders - plain}; without it: {plain}"


def test_pool_jobs_are_timed_and_the_one_thread_makes_the_read_wait(any_node: NodeBinary) -> None:
    program = next(p for p in PROGRAMS if p.name == "pool_starvation")
    result, collector = asyncio.run(run_program(program, any_node, trace=True))
    assert result.exit_code == 0, result.stderr[-5:]
    assert [e.size for e in collector.events if isinstance(e, PoolSize)] == [1]  # the program's own setting
    steps = [(e.id, e.step) for e in collector.events if isinstance(e, Pool)]
    assert len(steps) == 12 and all((ident, "done") in steps for ident, _ in steps)  # 6 jobs, each queued then done
    pool = replay_pool(list(collector.events))
    pbkdf2, read, lookup = pool.at(len(pool)).jobs[:3]
    assert (pbkdf2.type, read.type, lookup.type) == ("PBKDF2REQUEST", "FSREQCALLBACK", "GETADDRINFOREQWRAP")
    assert pbkdf2.queued <= read.queued <= lookup.queued < pbkdf2.done <= read.started_by <= read.done
    waited = [pool.at(p) for p in range(len(pool) + 1) if pool.at(p).waiting]
    assert waited and [job.label for job in waited[0].waiting] == ["fs.readFile"]


# Unset, atoi's leniency (0 and text give one thread, a sign and trailing text are skipped), the cap of 1024
# (a negative number wraps round to a huge one), and a 16-character value, which libuv 1.52 cannot read.
@pytest.mark.parametrize("value", [None, "1", "0", "abc", "7", "2000", "-3", " 5x", "0000000000000002"])
def test_the_pool_size_the_tracer_reports_is_the_threads_libuv_started(value: str | None, any_node: NodeBinary) -> None:
    program = next(p for p in PROGRAMS if p.name == "pool_size")
    with tempfile.TemporaryDirectory() as folder:
        entry = program.copy_to(Path(folder))
        env = {} if value is None else {"UV_THREADPOOL_SIZE": value}
        collector = TraceCollector()
        request = traced(RunRequest((str(any_node.path), entry.name), Path(folder), 15, env), any_node, collector)
        result = asyncio.run(run_to_end(request))
    started = int(result.stdout[0])
    assert [e.size for e in collector.events if isinstance(e, PoolSize)] == [started]


# --- the fds view: the tracer names each socket's fd and addresses (SOCKET records) -------------------------


def corpus_program(name: str) -> CorpusProgram:
    return next(program for program in PROGRAMS if program.name == name)


def sockets_of(collector: TraceCollector) -> dict[str, list[Socket]]:
    """The main thread's Socket events, by the type of the handle they name."""
    types = {e.id: e.type for e in collector.events if isinstance(e, Init) and e.thread == 0}
    named: dict[str, list[Socket]] = {}
    for event in collector.events:
        if isinstance(event, Socket) and event.thread == 0:
            named.setdefault(types.get(event.id, "?"), []).append(event)
    return named


def test_a_loopback_http_exchange_names_the_server_and_both_ends_of_the_connection(any_node: NodeBinary) -> None:
    result, collector = asyncio.run(run_program(corpus_program("http_loopback"), any_node, trace=True))
    assert result.exit_code == 0
    named = sockets_of(collector)
    (server,) = named["TCPSERVERWRAP"]
    assert server.local.startswith("127.0.0.1:") and server.remote == "" and server.fd > 2
    ends = {(s.local, s.remote) for s in named["TCPWRAP"] if s.remote}
    client = next(local for local, remote in ends if remote == server.local)
    assert (server.local, client) in ends  # the accepted socket is the same 4-tuple, seen from the server
    assert len({s.fd for s in named["TCPWRAP"]} | {server.fd}) == 3


def test_a_udp_socket_is_named_once_bound_and_a_refused_client_only_by_its_fd(any_node: NodeBinary) -> None:
    _, udp = asyncio.run(run_program(corpus_program("udp_loopback"), any_node, trace=True))
    assert [(s.local.startswith("127.0.0.1:"), s.remote) for s in sockets_of(udp)["UDPWRAP"]] == [(True, "")]
    _, refused = asyncio.run(run_program(corpus_program("refused_loopback"), any_node, trace=True))
    clients = sockets_of(refused)["TCPWRAP"]
    assert clients and all(s.remote == "" and s.fd > 2 for s in clients)  # never connected: no peer to name
