"""The fds view's pure model, on traces recorded from real Node (tests/traces/tcp_fds.js and udp_fds.js say how)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.trace.fd_model import FdSnapshot, FdTimeline, replay_fds
from app.trace.loop_model import replay
from app.trace.loop_snapshot import RunEnd
from app.trace.recording import load_recording
from app.trace.schema import After, Before, FdSample, Init, Mark, Socket

TRACES = Path(__file__).parent / "traces"


def recorded(name: str) -> list:
    recording = load_recording(TRACES / f"{name}.jsonl")
    return [*recording.events, RunEnd.of_recording(recording)]


@pytest.fixture(scope="module")
def tcp() -> FdTimeline:
    return replay_fds(recorded("tcp_fds"))


@pytest.fixture(scope="module")
def udp() -> FdTimeline:
    return replay_fds(recorded("udp_fds"))


def sockets(snapshot: FdSnapshot, kind: str) -> list:
    return [row for row in snapshot.rows if row.kind == kind and row.handle]


def test_a_loopback_server_and_both_ends_of_its_connection_have_their_addresses(tcp: FdTimeline) -> None:
    snapshot = tcp.at(tcp.wake_positions[2])  # the server's side of the connection has just been read from
    (server,) = sockets(snapshot, "tcp server")
    client, accepted = sockets(snapshot, "tcp")
    assert server.local.startswith("127.0.0.1:") and not server.remote
    assert client.remote == server.local  # the client's peer is the listening address
    assert accepted.local == server.local and accepted.remote == client.local  # the 4-tuple, seen from the server
    assert len({server.fd, client.fd, accepted.fd}) == 3  # accept4 gave the connection an fd of its own


def test_a_row_is_lit_exactly_while_a_callback_of_its_socket_runs(tcp: FdTimeline) -> None:
    for position in tcp.wake_positions:
        lit = [row for row in tcp.at(position).rows if row.lit]
        assert len(lit) == 1 and lit[0].handle
    first = tcp.wake_positions[0]
    (server,) = sockets(tcp.at(first), "tcp server")
    assert server.lit and server.wakes == 1  # a connection to accept woke the loop
    after = next(i for i in range(first, len(tcp) + 1) if not any(row.lit for row in tcp.at(i).rows))
    assert isinstance(tcp.events[after - 1], After)


def test_the_loop_sleeps_in_epoll_between_prepare_and_the_next_callback(tcp: FdTimeline) -> None:
    prepare = next(i for i, e in enumerate(tcp.events, 1) if isinstance(e, Mark) and e.kind == "prepare")
    assert tcp.at(prepare).waiting and not tcp.at(prepare - 1).waiting


def test_closed_sockets_leave_the_table_and_the_end_lists_none(tcp: FdTimeline, udp: FdTimeline) -> None:
    for timeline in (tcp, udp):
        end = timeline.at(len(timeline))
        assert end.exited
        assert not [row for row in end.rows if row.kind in ("tcp", "tcp server", "udp")]


def test_proc_samples_add_the_file_the_program_opened_and_the_loops_epoll(tcp: FdTimeline) -> None:
    snapshot = tcp.at(tcp.wake_positions[2])
    assert snapshot.sampled_at is not None
    files = [row.local for row in snapshot.rows if row.kind == "file"]
    assert any(path.endswith("tcp_fds.js") for path in files)
    assert snapshot.loop_epoll is not None  # the epoll whose interest list holds the program's sockets
    (epoll,) = [row for row in snapshot.rows if row.fd == snapshot.loop_epoll]
    watched = {int(fd) for fd in epoll.local.split()}
    assert {row.fd for row in sockets(snapshot, "tcp server") + sockets(snapshot, "tcp")} <= watched
    assert snapshot.own_count > 0 and not any(row.own for row in snapshot.rows if row.handle)


def test_a_udp_pair_shows_both_sockets_and_the_connected_ones_peer(udp: FdTimeline) -> None:
    snapshot = udp.at(udp.wake_positions[-1])
    bound, connected = sorted(sockets(snapshot, "udp"), key=lambda row: bool(row.remote))
    assert bound.local.startswith("127.0.0.1:") and not bound.remote
    assert connected.remote == bound.local


def test_positions_are_the_loop_timelines_even_with_other_threads_events() -> None:
    events = recorded("tcp_fds")
    worker = [Init(1, 5, 1, "TCPWRAP", False, True), Socket(1, 5, 30, "127.0.0.1:1", ""), Before(1, 5, "poll", "")]
    mixed = events[:10] + worker + events[10:]
    assert len(replay_fds(mixed)) == len(replay(mixed)) == len(events)


def test_a_reused_fd_number_belongs_to_the_newer_socket_only() -> None:
    events = [
        Init(0, 5, 1, "TCPWRAP", False, True),
        Socket(0, 5, 21, "127.0.0.1:1000", "127.0.0.1:2000"),
        Init(0, 6, 1, "TCPWRAP", False, True),
        Socket(0, 6, 21, "127.0.0.1:1001", "127.0.0.1:2000"),
    ]
    rows = replay_fds(events).at(4).rows
    assert [(row.fd, row.local) for row in rows if row.handle] == [(21, "127.0.0.1:1001")]


def test_a_socket_closed_after_a_sample_is_not_brought_back_by_that_sample() -> None:
    events = [
        Init(0, 5, 1, "TCPWRAP", False, True),
        Socket(0, 5, 21, "127.0.0.1:1000", "127.0.0.1:2000"),
        FdSample(0, ((21, "tcp", "127.0.0.1:1000", "127.0.0.1:2000", "ESTABLISHED"), (3, "epoll", "21", "", ""))),
        Before(0, 5, "close", "macrotask"),
        After(0, 5),
    ]
    timeline = replay_fds(events)
    assert [row.state for row in timeline.at(3).rows if row.fd == 21] == ["ESTABLISHED"]
    assert timeline.at(3).loop_epoll == 3
    assert not [row for row in timeline.at(5).rows if row.fd == 21]  # its close callback ran


def test_stepping_back_gives_the_same_table_as_going_forward(tcp: FdTimeline) -> None:
    fresh = FdTimeline()
    for event in tcp.events:
        fresh.extend([event])
    for position in range(0, len(tcp) + 1, 7):
        assert tcp.at(position) == fresh.at(position)
