"""The TLS ladder model: from one program's recorded traces on Node 20 and Node 24, and small made-up ones."""

from __future__ import annotations

import pytest

from app.trace.decode import decode_all
from app.trace.loop_model import replay
from app.trace.recording import load_recording
from app.trace.schema import Kind, TlsBytes, TlsKeylog, TlsNegotiated, TlsOpen, TraceEvent
from app.trace.tls_model import Ladder, TlsSnapshot, key_names, replay_tls
from tests.test_trace_decode import chunk, rec, string
from tests.tui_course import TRACES

NODES = ("node20", "node24")


def recorded(node: str) -> list[TraceEvent]:
    return list(load_recording(TRACES / f"tls_handshake_{node}.jsonl").events)


def final(node: str) -> TlsSnapshot:
    timeline = replay_tls(recorded(node))
    return timeline.at(len(timeline))


def only_ladder(node: str) -> Ladder:
    snapshot = final(node)
    assert len(snapshot.ladders) == 1
    return snapshot.ladders[0]


@pytest.mark.parametrize("node", NODES)
def test_both_ends_of_the_connection_make_one_ladder_in_handshake_order(node: str) -> None:
    ladder = only_ladder(node)
    assert ladder.client_traced and ladder.server_traced
    assert ladder.client.startswith("127.0.0.1:") and ladder.server.startswith("127.0.0.1:")
    said = [(step.side, step.label(ladder.protocol)) for step in ladder.steps if step.kind != "keys"]
    assert said[:6] == [
        ("client", "TCP connected"),
        ("server", "accepted"),
        ("client", "ClientHello"),
        ("server", "ServerHello…Finished"),
        ("client", "Finished + 4 B data"),  # written in secureConnect: it leaves with the Finished
        ("client", "secure"),
    ]
    assert ("server", "secure") in said
    assert ("server", "12 B data + session tickets") in said  # "pong to ping", and TLS 1.3's tickets
    assert said[-2:] == [("client", "closed"), ("server", "closed")]
    times = [step.micros for step in ladder.steps]
    assert times == sorted(times)


def test_node_20_and_node_24_negotiate_tls_1_3_with_different_groups() -> None:
    old, new = only_ladder("node20"), only_ladder("node24")
    assert (old.protocol, old.cipher, old.group) == ("TLSv1.3", "TLS_AES_256_GCM_SHA384", "X25519")
    assert (new.protocol, new.cipher, new.group) == ("TLSv1.3", "TLS_AES_256_GCM_SHA384", "X25519MLKEM768")
    assert final("node20").node_version.startswith("v20.") and final("node24").node_version.startswith("v24.")


def test_the_ml_kem_key_share_makes_node_24s_first_flights_far_bigger() -> None:
    old, new = only_ladder("node20"), only_ladder("node24")
    hello_20, hello_24 = old.flight("client", 1), new.flight("client", 1)
    assert hello_20 is not None and hello_24 is not None
    assert 250 < hello_20.wire < 600  # an X25519 share is 32 bytes
    assert hello_24.wire - hello_20.wire > 1100  # an ML-KEM-768 share adds 1184 bytes
    reply_20, reply_24 = old.flight("server", 1), new.flight("server", 1)
    assert reply_20 is not None and reply_24 is not None
    assert reply_24.wire - reply_20.wire > 1000  # and its ciphertext 1088 on the way back
    finished_20, finished_24 = old.flight("client", 2), new.flight("client", 2)
    assert finished_20 is not None and finished_24 is not None and finished_20.wire == finished_24.wire


@pytest.mark.parametrize("node", NODES)
def test_key_log_labels_show_when_each_side_had_its_keys(node: str) -> None:
    ladder = only_ladder(node)
    keys = [(step.side, step.label(ladder.protocol)) for step in ladder.steps if step.kind == "keys"]
    # The server derives its handshake keys and its own application key on reading the ClientHello; the client
    # all of them on reading the server's flight; the server the client's application key on its Finished.
    assert keys == [
        ("server", "keys: handshake, exporter, server app"),
        ("client", "keys: handshake, exporter, app"),
        ("server", "keys: client app"),
    ]


@pytest.mark.parametrize("node", NODES)
def test_tls_positions_are_the_loop_timelines_and_any_position_replays_the_same(node: str) -> None:
    events = recorded(node)
    tls, loop = replay_tls(events), replay(events)
    assert len(tls) == len(loop)
    for position in range(0, len(tls) + 1, 5):
        assert replay_tls(loop.events[:position]).at(position) == tls.at(position)
    assert tls.at(0).ladders == ()
    steps = [len(tls.at(p).ladders[0].steps) if tls.at(p).ladders else 0 for p in range(len(tls) + 1)]
    assert steps == sorted(steps) and steps[-1] == len(only_ladder(node).steps)


def test_a_client_whose_server_is_elsewhere_shows_the_servers_flights_from_what_it_read() -> None:
    events: list[TraceEvent] = [
        TlsOpen(0, 7, "client", 10, "127.0.0.1:5000", "127.0.0.1:443"),
        TlsBytes(0, 7, "client", False, 20, 0, 300, 0, 0),
        TlsBytes(0, 7, "client", False, 900, 2000, 300, 0, 0),
        TlsNegotiated(0, 7, "client", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "X25519"),
        TlsKeylog(0, 7, "client", 900, "CLIENT_RANDOM"),
        TlsBytes(0, 7, "client", True, 950, 2000, 400, 0, 0),
    ]
    ladder = replay_tls(events).at(len(events)).ladders[0]
    assert (ladder.client_traced, ladder.server_traced) == (True, False)
    flights = [(step.side, step.label(ladder.protocol), step.wire) for step in ladder.flights]
    assert flights == [("client", "ClientHello", 300), ("server", "ServerHello…HelloDone", 2000),
                       ("client", "KeyExchange…Finished", 100)]
    assert ("client", "keys: master secret") in [(s.side, s.label(ladder.protocol)) for s in ladder.steps]


def test_data_written_before_the_handshake_is_done_leaves_with_the_finished() -> None:
    """An https request is written as soon as the socket exists; TLS holds it until the handshake is done."""
    events: list[TraceEvent] = [
        TlsOpen(0, 7, "client", 10, "127.0.0.1:5000", "127.0.0.1:8443"),
        TlsBytes(0, 7, "client", False, 20, 0, 349, 0, 60),
        TlsBytes(0, 7, "client", False, 30, 768, 349, 0, 60),
        TlsBytes(0, 7, "client", True, 40, 768, 349, 0, 60),
        TlsBytes(0, 7, "client", True, 50, 768, 511, 0, 60),
    ]
    ladder = replay_tls(events).at(len(events)).ladders[0]
    flights = [(step.side, step.label("TLSv1.3"), step.wire) for step in ladder.flights]
    assert flights == [
        ("client", "ClientHello", 349),
        ("server", "ServerHello…Finished", 768),
        ("client", "Finished + 60 B data", 162),
    ]


def test_key_names_name_a_key_both_ways_once() -> None:
    both = ("SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "EXPORTER_SECRET")
    assert key_names(both) == "handshake, exporter"
    assert key_names(("CLIENT_TRAFFIC_SECRET_0",)) == "client app"
    assert key_names(("SOMETHING_NEW",)) == "SOMETHING_NEW"


def test_tls_records_decode_to_typed_events() -> None:
    tls = int(Kind.TLS)
    data = chunk(
        0,
        string(1, "15 127.0.0.1:1|127.0.0.1:2"),
        rec(tls, 9, 1, 1),
        string(2, "40 0 517 0 0"),
        rec(tls, 9, 2, 2),
        string(3, "TLSv1.3|TLS_AES_128_GCM_SHA256|X25519MLKEM768"),
        rec(tls, 9, 3 | 512, 3),
        string(4, "60 EXPORTER_SECRET"),
        rec(tls, 11, 4 | 256, 4),
        rec(tls, 11, 5 | 256 | 512, 77),
    )
    events = decode_all(data)
    assert [type(event).__name__ for event in events] == [
        "TlsOpen", "TlsBytes", "TlsNegotiated", "TlsKeylog", "TlsClosed",
    ]
    assert events[0] == TlsOpen(0, 9, "client", 15, "127.0.0.1:1", "127.0.0.1:2")
    assert events[1] == TlsBytes(0, 9, "client", False, 40, 0, 517, 0, 0)
    assert events[2] == TlsNegotiated(0, 9, "client", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "X25519MLKEM768")
    assert events[3] == TlsKeylog(0, 11, "server", 60, "EXPORTER_SECRET")
    assert events[4].side == "server" and events[4].micros == 77  # type: ignore[union-attr]


def test_a_saved_trace_keeps_the_tls_events(tmp_path) -> None:  # noqa: ANN001
    from app.trace.recording import save_recording

    recording = load_recording(TRACES / "tls_handshake_node24.jsonl")
    save_recording(recording, tmp_path / "saved.jsonl")
    assert load_recording(tmp_path / "saved.jsonl").events == recording.events
