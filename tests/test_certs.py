"""The `[tls]` table: made at run time, checked by real Node (OpenSSL 3.0 in Node 20, 3.5 in Node 24)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from app.course.load import load_course, read_course
from app.course.model import TLS_FILE_NAMES, TlsFiles
from app.learner.workspace import Workspace
from app.nodejs.locate import NodeBinary
from app.runner.certs import fixture_names, fixtures_for, tls_files
from app.runner.exercise import run_directory
from app.runner.process import RunRequest, run_to_end
from tests.conftest import EXERCISE_TOML, tiny_course

EX = "exercises/hello-order/exercise.toml"

# Serves on 127.0.0.1 with cert.pem, then connects to each name with only ca.pem trusted, one after another.
CONNECT_EACH = r"""
const tls = require('node:tls');
const fs = require('node:fs');
const pair = { cert: fs.readFileSync('cert.pem'), key: fs.readFileSync('key.pem') };
const server = tls.createServer(pair, (s) => s.end('hi'));
server.listen(0, '127.0.0.1', async () => {
  const port = server.address().port;
  for (const name of ['127.0.0.1', 'localhost']) {
    const outcome = await new Promise((done) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: name === 'localhost' ? name : undefined,
        checkServerIdentity: (host, cert) => tls.checkServerIdentity(name, cert), ca: fs.readFileSync('ca.pem') });
      socket.on('secureConnect', () => { socket.end(); done('ok'); });
      socket.on('error', (err) => done(err.code));
    });
    console.log(JSON.stringify([name, outcome]));
  }
  server.close();
});
"""


def tls_course(tmp_path: Path, table: str) -> Path:
    return tiny_course(tmp_path, {EX: EXERCISE_TOML + "\n" + table})


def test_a_tls_table_is_read_and_its_files_named(tmp_path: Path) -> None:
    root = tls_course(tmp_path, '[tls]\nhosts = ["localhost", "127.0.0.1", "::1"]\n')
    exercise = load_course(root).exercise("hello-order")
    assert exercise.tls == TlsFiles(("localhost", "127.0.0.1", "::1"), "localhost")
    assert fixture_names(exercise) == TLS_FILE_NAMES
    assert [f.path for f in fixtures_for(exercise)] == list(TLS_FILE_NAMES)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('[tls]\nhosts = ["localhost", "192.0.2.1"]\n', "tls.hosts[1]: '192.0.2.1' is not a loopback address"),
        ('[tls]\nhosts = ["server.invalid"]\n', "tls.hosts[0]: 'server.invalid' is not a loopback name"),
        ("[tls]\nhosts = []\n", "tls.common_name: a certificate with no hosts needs a common_name"),
        ('[tls]\nhost = ["localhost"]\n', "tls.host: unknown key (did you mean 'hosts'?)"),
        ('[tls]\nhosts = ["localhost"]\n[[fixtures]]\npath = "ca.pem"\ntext = "x"\n', "[tls] writes ca.pem"),
    ],
)
def test_a_bad_tls_table_is_one_clear_problem(tmp_path: Path, table: str, problem: str) -> None:
    root = tls_course(tmp_path, table)
    _, problems = read_course(root)
    assert any(problem in str(p) and f"{root}/{EX}:" in str(p) for p in problems), [str(p) for p in problems]


def test_the_files_are_made_once_per_process_and_not_stored_in_the_course() -> None:
    spec = TlsFiles(("localhost",), "localhost")
    first, again = tls_files(spec), tls_files(spec)
    assert first is again
    other = tls_files(TlsFiles(("127.0.0.1",), "127.0.0.1"))
    assert other[0].content == first[0].content  # one CA per process
    assert other[1].content != first[1].content and other[2].content != first[2].content
    assert first[2].content.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_the_workspace_copy_gets_the_certificates_too(tmp_path: Path) -> None:
    root = tls_course(tmp_path / "course", '[tls]\nhosts = ["localhost"]\n')
    exercise = load_course(root).exercise("hello-order")
    files = Workspace(tmp_path / "work").starter_files(exercise, 24)
    assert {path.name for path in files} >= set(TLS_FILE_NAMES)


def connect_each(node: NodeBinary, spec: TlsFiles, tmp_path: Path) -> dict[str, str]:
    program = tmp_path / "main.js"
    program.write_text(CONNECT_EACH)
    with run_directory(program, "main.js", tls_files(spec)) as folder:
        result = asyncio.run(run_to_end(RunRequest((str(node.path), "main.js"), folder, 10)))
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(line) for line in result.stdout)


def test_node_trusts_the_server_for_every_host_named(any_node: NodeBinary, tmp_path: Path) -> None:
    outcomes = connect_each(any_node, TlsFiles(("localhost", "127.0.0.1", "::1"), "localhost"), tmp_path)
    assert outcomes == {"127.0.0.1": "ok", "localhost": "ok"}


def test_a_cn_only_certificate_names_no_address(any_node: NodeBinary, tmp_path: Path) -> None:
    """Node falls back to the common name for a host name only: an IP address must be in the SAN."""
    outcomes = connect_each(any_node, TlsFiles((), "localhost"), tmp_path)
    assert outcomes == {"127.0.0.1": "ERR_TLS_CERT_ALTNAME_INVALID", "localhost": "ok"}
