"""The wire and agent models, on a recorded loopback HTTP run (tests/traces/http_keepalive.js says how) and made-up
records: connections by their addresses, messages split from the bytes, agents' sockets over time."""

from __future__ import annotations

from app.trace.agent_model import replay_agents
from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.trace.schema import TraceEvent, WireClose, WireData, WireOpen
from app.trace.wire_model import replay_wire, split_messages
from tests.tui_course import TRACES


def recorded() -> list[TraceEvent]:
    return list(load_recording(TRACES / "http_keepalive.jsonl").events)


def test_two_requests_share_the_kept_alive_socket_and_the_third_has_its_own() -> None:
    wire = replay_wire(recorded())
    end = wire.at(len(wire))
    kept, closing = end.connections
    assert [m.start for m in kept.requests] == ["GET /one HTTP/1.1", "POST /two HTTP/1.1"]
    assert [m.start for m in kept.responses] == ["HTTP/1.1 200 OK"] * 2
    assert [m.start for m in closing.requests] == ["GET /three HTTP/1.1"]
    assert kept.client != closing.client and kept.server == closing.server  # two sockets, one server
    assert kept.ends == closing.ends == ("client", "server") and kept.closed and closing.closed
    assert (kept.to_server.source, kept.to_client.source) == ("wrote", "wrote")  # each direction as its writer wrote it


def test_each_message_is_split_into_start_line_headers_and_body() -> None:
    end = replay_wire(recorded()).at(10**9)
    post, reply = end.connections[0].requests[1], end.connections[0].responses[1]
    assert post.header("content-length") == "5" and post.body == b"hello" and post.complete
    assert reply.body == b"POST /two got hello\n" and reply.body_size == 20
    assert reply.header("connection") == "keep-alive"
    assert end.connections[1].requests[0].header("connection") == "close"
    assert end.connections[0].requests[0].body_size == 0  # a GET with no length has no body


def test_wire_positions_are_the_loop_timelines_and_the_newest_message_is_marked() -> None:
    events = recorded()
    wire, loop = replay_wire(events), replay(events)
    assert len(wire) == len(loop)
    assert wire.at(0).connections == ()
    first = wire.change_positions[1]  # the first request's bytes, written by the client
    snapshot = wire.at(first)
    assert [m.start for m in snapshot.connections[0].requests] == ["GET /one HTTP/1.1"]
    assert snapshot.latest == (0, True, 0) and snapshot.connections[0].responses == ()
    for position in range(0, len(wire) + 1, 11):
        assert replay_wire(loop.events[:position]).at(position) == wire.at(position)


def test_bytes_past_the_tracers_cap_are_counted_and_the_next_message_found() -> None:
    body = 10000
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {body}\r\n\r\n".encode()
    second = b"HTTP/1.1 204 No Content\r\n\r\n"
    kept = head + b"x" * (4096 - len(head))  # the tracer kept the first 4 KiB of that turn
    messages, seen = split_messages([(0, kept), (len(head) + body, second)])
    big, empty = messages
    assert big.body_size == body and big.missing == body - (4096 - len(head)) and big.complete
    assert empty.start == "HTTP/1.1 204 No Content" and empty.body_size == 0
    assert seen == len(head) + body + len(second)


def test_a_chunked_body_is_joined_and_one_still_coming_is_not_complete() -> None:
    stream = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    (message,), _ = split_messages([(0, stream)])
    assert message.body == b"hello world" and message.complete
    (partial,), _ = split_messages([(0, stream[:-12])])
    assert partial.body == b"hello " and not partial.complete and partial.body_size is None


def test_a_server_whose_client_is_not_traced_shows_the_head_its_parser_saw() -> None:
    head = "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n"
    events = [
        WireOpen(0, 1, 9, "server", False, "127.0.0.1:8000", "127.0.0.1:50000"),
        WireData(0, 1, "parsed", 0, head),
        WireData(0, 1, "wrote", 0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        WireClose(0, 1, 40, 36),
    ]
    (connection,) = replay_wire(events).at(4).connections
    assert connection.ends == ("server",) and connection.client == "127.0.0.1:50000"
    assert connection.to_server.source == "parsed" and connection.requests[0].parsed
    assert connection.responses[0].body == b"ok"


def test_the_kept_alive_agent_queues_the_second_request_then_keeps_its_socket_free() -> None:
    agents = replay_agents(recorded())
    kept, throwaway = agents.at(len(agents)).agents
    assert (kept.keep_alive, kept.max_sockets, throwaway.keep_alive) == (True, 1, False)
    (host,) = kept.hosts
    assert host.host.startswith("127.0.0.1:") and host.key.endswith(":")
    steps = [(c.free, c.busy, c.queued) for c in host.history]
    assert steps[0] == (0, 1, 1)  # one socket allowed: the second request waits
    assert (1, 0, 0) in steps  # both answered: the socket stays, free, for the next request
    assert steps[-1] == (0, 0, 0)  # agent.destroy() at the end
    assert [(c.free, c.busy, c.queued) for c in throwaway.hosts[0].history] == [(0, 1, 0), (0, 0, 0)]
    times = [c.micros for c in host.history]
    assert times == sorted(times)


def test_agent_positions_are_the_loop_timelines() -> None:
    events = recorded()
    agents, loop = replay_agents(events), replay(events)
    assert len(agents) == len(loop) and agents.at(0).agents == ()
    for position in range(0, len(agents) + 1, 13):
        assert replay_agents(loop.events[:position]).at(position) == agents.at(position)


def test_a_huge_stream_is_split_from_its_kept_bytes_alone() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2000000000\r\n\r\n"
    (message,), seen = split_messages([(0, head + b"x" * 4000), (len(head) + 1_999_999_000, b"y" * 1000)])
    assert message.body_size == 2_000_000_000 and message.missing == 2_000_000_000 - 5000 and message.complete
    assert seen == len(head) + 2_000_000_000


def test_a_saved_trace_keeps_every_byte_of_the_wire(tmp_path) -> None:  # noqa: ANN001
    from app.trace.recording import save_recording

    recording = load_recording(TRACES / "http_keepalive.jsonl")
    binary = WireData(0, 1, "read", 500, bytes(range(256)).decode("latin-1"))
    events = (*recording.events, binary)
    save_recording(recording.__class__(**{**recording.__dict__, "events": events}), tmp_path / "saved.jsonl")
    loaded = load_recording(tmp_path / "saved.jsonl").events
    assert loaded == events and loaded[-1].raw == bytes(range(256))


def test_looplab_replay_lists_each_connections_requests_and_answers(capsys) -> None:  # noqa: ANN001
    from app.cli.main import main

    assert main(["replay", str(TRACES / "http_keepalive.jsonl")]) == 0
    out = capsys.readouterr().out
    lines = [line.rstrip() for line in out.splitlines()]
    rows = [line for line in lines[lines.index("on the wire") :] if "HTTP/1.1" in line]
    assert len(rows) == 3 and all(row.endswith("HTTP/1.1 200 OK") for row in rows)
    assert ["GET /one" in rows[0], "POST /two" in rows[1], "GET /three" in rows[2]] == [True] * 3
    assert "(same socket)" in rows[1]
