"""Follow mode's transport: a real TCP server on loopback, real followers joining it with the token."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from app.classroom.address import TOKEN_ENV, parse_address
from app.classroom.client import join
from app.classroom.protocol import (
    ProtocolError,
    RunEvents,
    RunFinished,
    RunStarted,
    Show,
    decode,
    encode,
    join_line,
)
from app.classroom.server import ClassroomServer
from app.errors import LooplabError
from app.runner.process import OutputLine, RunResult
from app.trace.recording import load_recording

ROOT = Path(__file__).parent.parent
TRACES = ROOT / "tests" / "traces"


def _result() -> RunResult:
    line = OutputLine("stdout", "timeout", 0, 0.01)
    return RunResult((line,), 0, None, False, False, False, 0.05, 10.0)


async def _next(messages, timeout: float = 5.0):  # noqa: ANN001, ANN202
    return await asyncio.wait_for(anext(messages), timeout)


def test_every_message_survives_the_wire_unchanged() -> None:
    events = load_recording(TRACES / "loop_tour.jsonl").events
    for message in (
        Show("event-loop-phases", 4, 2),
        RunStarted("slide 5's code on Node 24.19.0"),
        RunEvents(events),
        RunEvents(events[:3], again=True),
        RunFinished(_result(), "exit code 0 after 0.05 s"),
    ):
        assert decode(encode(message)) == message


@pytest.mark.parametrize(
    "line",
    [b"not json\n", b"[1]\n", b'{"type": "teleport"}\n', b'{"type": "show", "lesson": "x", "slide": -1, "step": 0}\n'],
)
def test_a_line_outside_the_protocol_is_an_error(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


async def test_several_followers_turn_with_the_presenter_in_order() -> None:
    server = ClassroomServer()
    await server.start()
    server.publish(Show("event-loop-phases", 0, 0))
    try:
        connections = [await join("127.0.0.1", server.port, server.token) for _ in range(4)]
        streams = [c.messages() for c in connections]
        for stream in streams:
            assert await _next(stream) == Show("event-loop-phases", 0, 0)
        assert server.followers == 4
        turns = [Show("event-loop-phases", 1, 0), Show("event-loop-phases", 1, 1), Show("timers-phase", 0, 0)]
        for turn in turns:
            server.publish(turn)
        for stream in streams:
            assert [await _next(stream) for _ in turns] == turns
        for connection in connections:
            await connection.close()
    finally:
        await server.close()


async def test_a_follower_joining_late_gets_the_slide_and_the_run_so_far() -> None:
    events = load_recording(TRACES / "loop_tour.jsonl").events
    server = ClassroomServer()
    await server.start()
    try:
        server.publish(Show("timers-phase", 3, 1))
        server.publish(RunStarted("slide 4's code"))
        server.publish(RunEvents(events[:10]))
        server.publish(RunEvents(events[10:]))
        server.publish(RunFinished(_result(), "exit code 0"))
        connection = await join("127.0.0.1", server.port, server.token)
        stream = connection.messages()
        got = [await _next(stream) for _ in range(4)]
        assert got == [
            Show("timers-phase", 3, 1),
            RunStarted("slide 4's code"),
            RunEvents(events),
            RunFinished(_result(), "exit code 0"),
        ]
        await connection.close()
    finally:
        await server.close()


async def test_a_wrong_token_is_refused_with_one_line() -> None:
    server = ClassroomServer()
    await server.start()
    server.publish(Show("event-loop-phases", 0, 0))
    try:
        with pytest.raises(LooplabError) as caught:
            await join("127.0.0.1", server.port, server.token + "x")
        message = str(caught.value)
        assert "\n" not in message
        assert f"127.0.0.1:{server.port} refused to let you follow: wrong join token" in message
        assert server.followers == 0 and server.refused == 1
    finally:
        await server.close()


async def test_nobody_presenting_at_the_address_is_one_line() -> None:
    server = ClassroomServer()
    await server.start()
    port = server.port
    await server.close()  # the port is free again: nobody listens there
    with pytest.raises(LooplabError) as caught:
        await join("127.0.0.1", port, "token")
    assert str(caught.value).startswith(f"no presenter at 127.0.0.1:{port}: ")


async def test_a_follower_cannot_change_what_the_class_sees() -> None:
    server = ClassroomServer()
    await server.start()
    server.publish(Show("event-loop-phases", 2, 0))
    try:
        watcher = await join("127.0.0.1", server.port, server.token)
        watching = watcher.messages()
        await _next(watching)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(join_line(server.token))
        for line in (encode(Show("cpp-addons", 9, 0)), b'{"join": "again", "protocol": 1}\n', b"\xff" * 70000):
            writer.write(line)
        await writer.drain()
        assert decode(await reader.readline()) == Show("event-loop-phases", 2, 0)
        server.publish(Show("event-loop-phases", 3, 0))  # a real turn reaches both, and nothing else does
        assert decode(await reader.readline()) == Show("event-loop-phases", 3, 0)
        assert await _next(watching) == Show("event-loop-phases", 3, 0)
        assert server.state.position == Show("event-loop-phases", 3, 0)
        assert server.state.turns == 2
        writer.close()
        await watcher.close()
    finally:
        await server.close()


async def test_a_connection_that_never_joins_is_turned_away() -> None:
    server = ClassroomServer()
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await writer.drain()
        refusal = json.loads(await asyncio.wait_for(reader.readline(), 5))
        assert refusal["type"] == "refused" and "not a looplab follower" in refusal["reason"]
        assert await asyncio.wait_for(reader.read(), 5) == b""  # and closed
        writer.close()
    finally:
        await server.close()


async def test_followers_leaving_are_counted() -> None:
    counts: list[int] = []
    server = ClassroomServer()
    server.on_followers = counts.append
    await server.start()
    server.publish(Show("event-loop-phases", 0, 0))
    try:
        first = await join("127.0.0.1", server.port, server.token)
        second = await join("127.0.0.1", server.port, server.token)
        await first.close()
        for _ in range(100):
            if server.followers == 1:
                break
            await asyncio.sleep(0.01)
        assert counts == [1, 2, 1]
        await second.close()
    finally:
        await server.close()


@pytest.mark.parametrize("text", ["127.0.0.1", "127.0.0.1:http", ":80", "127.0.0.1:70000"])
def test_a_mistyped_address_is_one_line_with_an_example(text: str) -> None:
    with pytest.raises(LooplabError, match="is not an address .*e.g. 127.0.0.1:41235"):
        parse_address(text)


def test_addresses_parse_with_ipv6_in_brackets() -> None:
    assert parse_address("127.0.0.1:41235") == ("127.0.0.1", 41235)
    assert parse_address("[::1]:8000") == ("::1", 8000)


async def _looplab(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, err.decode()


async def test_looplab_follow_with_a_wrong_token_prints_one_line_and_exits() -> None:
    server = ClassroomServer()
    await server.start()
    server.publish(Show("timers", 0, 0))
    try:
        code, err = await _looplab("follow", server.address, env={TOKEN_ENV: "guessed"})
        assert code == 2
        assert err == (
            f"looplab: error: the presenter at {server.address} refused to let you follow: "
            "wrong join token (copy it from the presenter's screen)\n"
        )
        assert server.refused == 1 and server.followers == 0
    finally:
        await server.close()


async def test_looplab_present_on_a_busy_port_prints_one_line() -> None:
    server = ClassroomServer()
    await server.start()
    try:
        code, err = await _looplab("present", "timers", "--port", str(server.port))
        assert code == 2
        assert err == (
            f"looplab: error: cannot listen on 127.0.0.1:{server.port}: Address already in use "
            "(try another --port, or 0 for any free one)\n"
        )
    finally:
        await server.close()
