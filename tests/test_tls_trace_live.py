"""The tracer's TLS records from real runs: one loopback TLS exchange, traced on Node 20 and Node 24."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.course.model import TlsFiles
from app.nodejs.locate import NodeBinary
from app.runner.certs import tls_files
from app.runner.process import RunRequest, run_to_end
from app.trace.schema import TlsBytes, TlsClosed, TlsKeylog, TlsNegotiated, TlsOpen
from app.trace.session import TraceCollector, traced
from app.trace.tls_model import replay_tls
from tests.tui_course import TRACES

LOOPBACK = TlsFiles(("localhost", "127.0.0.1", "::1"), "localhost")
GROUPS = {20: "X25519", 24: "X25519MLKEM768"}  # what each Node's OpenSSL (3.0, 3.5) picks on loopback


def write_certs(folder: Path) -> None:
    """ca.pem, cert.pem and key.pem, made at run time as exercises get them (never committed)."""
    for fixture in tls_files(LOOPBACK):
        (folder / fixture.path).write_bytes(fixture.content)


def trace_run(folder: Path, node: NodeBinary, program: str) -> TraceCollector:
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), program), folder, 10), node, collector)
    result = asyncio.run(run_to_end(request))
    assert (result.exit_code, result.timed_out) == (0, False), result.stderr[-10:]
    return collector


def test_a_traced_tls_exchange_records_both_ends_and_what_they_negotiated(any_node: NodeBinary, tmp_path: Path) -> None:
    write_certs(tmp_path)
    (tmp_path / "main.js").write_bytes((TRACES / "tls_handshake.js").read_bytes())
    events = trace_run(tmp_path, any_node, "main.js").events
    opened = {e.side: e for e in events if isinstance(e, TlsOpen)}
    assert set(opened) == {"client", "server"}
    assert opened["client"].local == opened["server"].remote and opened["client"].remote == opened["server"].local
    negotiated = {e.side: e for e in events if isinstance(e, TlsNegotiated)}
    client = negotiated["client"]
    assert (client.protocol, client.cipher) == ("TLSv1.3", "TLS_AES_256_GCM_SHA384")
    assert client.group == GROUPS[any_node.major]
    labels = {(e.side, e.label) for e in events if isinstance(e, TlsKeylog)}
    five = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}
    assert labels == {(side, label) for side in ("client", "server") for label in five}
    assert {e.side for e in events if isinstance(e, TlsClosed)} == {"client", "server"}
    last = {e.side: e for e in events if isinstance(e, TlsBytes)}
    assert last["client"].wire_written == last["server"].wire_read  # every byte one wrote, the other read
    assert (last["client"].data_written, last["server"].data_read) == (4, 4)  # "ping"

    timeline = replay_tls(list(events))
    ladder = timeline.at(len(timeline)).ladders[0]
    hello = ladder.flight("client", 1)
    assert hello is not None and hello.label(ladder.protocol) == "ClientHello"
    assert (hello.wire > 1200) == (any_node.major >= 24)  # the ML-KEM-768 key share is 1184 bytes


def test_a_program_without_tls_writes_no_tls_record(any_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("require('node:net').createServer().listen(0, '127.0.0.1', function () {\n"
                                      "  this.close(() => console.log('closed'));\n});\n")
    events = trace_run(tmp_path, any_node, "main.js").events
    assert not [e for e in events if type(e).__name__.startswith("Tls")]
