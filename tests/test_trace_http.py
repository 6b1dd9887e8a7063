"""The wire and agent records from real runs on every Node: http with agents, fetch (undici's sockets are
net.Sockets too), and https, whose bytes are recorded as plaintext."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, run_to_end
from app.trace.agent_model import replay_agents
from app.trace.session import TraceCollector, traced
from app.trace.wire_model import replay_wire
from tests.tui_course import TRACES


def traced_run(node: NodeBinary, folder: Path, program: Path) -> list:
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), str(program)), folder, 10), node, collector)
    result = asyncio.run(run_to_end(request))
    assert result.exit_code == 0, result.stderr[-5:]
    return collector.events


def test_the_recorded_program_gives_the_same_connections_and_agents_live(any_node: NodeBinary, tmp_path: Path) -> None:
    events = traced_run(any_node, tmp_path, TRACES / "http_keepalive.js")
    wire = replay_wire(events)
    kept, closing = wire.at(len(wire)).connections
    assert [m.start.split()[:2] for m in kept.requests] == [["GET", "/one"], ["POST", "/two"]]
    assert [m.start for m in closing.requests] == ["GET /three HTTP/1.1"] and closing.closed
    assert kept.responses[1].body == b"POST /two got hello\n"
    agents = replay_agents(events)
    first, second = agents.at(len(agents)).agents
    assert first.hosts[0].history[0][1:] == (0, 1, 1) and second.settings == "no keepAlive · no socket limit"


FETCH = """
const http = require('node:http');
const server = http.createServer((req, res) => res.end(`hi ${req.url}`));
server.listen(0, '127.0.0.1', async () => {
  const reply = await fetch(`http://127.0.0.1:${server.address().port}/fetched`);
  console.log(await reply.text());
  server.closeAllConnections();
  server.close();
});
"""


def test_fetch_traffic_shows_on_the_wire(any_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text(FETCH)
    wire = replay_wire(traced_run(any_node, tmp_path, tmp_path / "main.js"))
    (connection,) = wire.at(len(wire)).connections
    assert connection.requests[0].start == "GET /fetched HTTP/1.1"
    assert connection.to_server.source == "wrote"  # undici's own bytes, as it wrote them
    assert connection.responses[0].body == b"hi /fetched"


HTTPS = """
const https = require('node:https');
const fs = require('node:fs');
const server = https.createServer({ key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') },
  (req, res) => res.end('secret'));
server.listen(0, '127.0.0.1', () => {
  const options = { host: '127.0.0.1', port: server.address().port, ca: fs.readFileSync('cert.pem'), path: '/tls' };
  https.get(options, (res) => {
    res.setEncoding('utf8');
    res.on('data', (text) => console.log(text));
    res.on('end', () => { https.globalAgent.destroy(); server.close(); });
  });
});
"""


def test_https_bytes_are_the_plaintext_and_the_global_agent_is_named(any_node: NodeBinary, tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate to serve")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "main.js").write_text(textwrap.dedent(HTTPS))
    events = traced_run(any_node, tmp_path, tmp_path / "main.js")
    wire = replay_wire(events)
    (connection,) = wire.at(len(wire)).connections
    assert connection.tls and connection.requests[0].start == "GET /tls HTTP/1.1"
    assert connection.responses[0].body == b"secret"
    agents = replay_agents(events)
    (agent,) = agents.at(len(agents)).agents
    assert agent.name == "https.globalAgent" and agent.hosts[0].host.startswith("127.0.0.1:")
