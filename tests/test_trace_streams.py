"""The streams records from real runs on every Node: which streams are the program's, their settings as Node set
them, the markers, the bounds, and that a program without streams of its own never loads tracer_stream.js."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, run_to_end
from app.trace.schema import StreamNew, StreamStep
from app.trace.session import TraceCollector, traced
from app.trace.stream_model import replay_streams
from tests.tui_course import TRACES


def traced_run(node: NodeBinary, folder: Path, source: str | Path) -> tuple[list, list[str]]:
    program = source if isinstance(source, Path) else folder / "main.js"
    if not isinstance(source, Path):
        program.write_text(textwrap.dedent(source))
    collector = TraceCollector()
    request = traced(RunRequest((str(node.path), str(program)), folder, 10), node, collector)
    result = asyncio.run(run_to_end(request))
    assert result.exit_code == 0, result.stderr[-5:]
    return collector.events, [line.text for line in result.lines]


def test_the_drain_program_fills_to_this_nodes_default(any_node: NodeBinary, tmp_path: Path) -> None:
    events, lines = traced_run(any_node, tmp_path, TRACES / "stream_drain.js")
    default = 16384 if any_node.version.startswith("v20") else 65536  # measured: Node 20 and Node 24
    (disk,) = replay_streams(events).at(10**9).streams
    assert disk.sides[0].hwm == default and disk.sides[0].peak == default
    assert lines[0] == f"write {default // 4096} returned false at {default} bytes"
    assert disk.count("write_false") == disk.count("drain") == len(lines) - 1
    assert [m.step for m in disk.markers][-2:] == ["finish", "close"]


def test_only_the_programs_own_streams_are_shown(any_node: NodeBinary, tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("some bytes\n" * 100)
    events, lines = traced_run(
        any_node,
        tmp_path,
        """
        const fs = require('node:fs');
        const zlib = require('node:zlib');
        const { PassThrough } = require('node:stream');
        console.log('stdout is a stream, not the program\\'s');
        const file = fs.createReadStream(__dirname + '/data.txt', { highWaterMark: 256 });
        const gzip = zlib.createGzip();
        const out = new PassThrough({ objectMode: true });
        file.pipe(gzip).pipe(out);
        out.resume();
        out.on('end', () => console.log('done'));
        """,
    )
    assert lines == ["stdout is a stream, not the program's", "done"]
    made = [e for e in events if isinstance(e, StreamNew)]
    assert sorted(e.name for e in made) == ["Gzip", "PassThrough", "ReadStream"]
    by_name = {e.name: e for e in made}
    assert by_name["ReadStream"].readable_hwm == 256 and by_name["ReadStream"].kind == "readable"
    assert by_name["PassThrough"].kind == "transform" and by_name["PassThrough"].writable_objects
    assert sorted(e.site.rpartition("main.js:")[2] for e in made) == ["6:17", "7:19", "8:13"]  # the calls


def test_a_long_stream_is_cut_and_streams_past_the_limit_are_counted(any_node: NodeBinary, tmp_path: Path) -> None:
    events, lines = traced_run(
        any_node,
        tmp_path,
        """
        const { Writable, PassThrough } = require('node:stream');
        const many = [];
        for (let i = 0; i < 40; i++) many.push(new PassThrough());
        const sink = new Writable({ highWaterMark: 4, write(chunk, encoding, done) { setImmediate(done); } });
        let n = 0;
        (function next() {
          if (++n > 1000) return sink.end(() => console.log('wrote', n - 1));
          sink.write('x');
          setImmediate(next);
        })();
        """,
    )
    assert lines == ["wrote 1000"]
    steps = [e for e in events if isinstance(e, StreamStep)]
    snapshot = replay_streams(events).at(10**9)
    assert len(snapshot.streams) == 32 and snapshot.unshown == 9  # 40 PassThroughs and the sink: 32 followed
    assert not any(e.stream == 41 for e in steps)
    assert len([e for e in steps if e.stream == 33]) == 0  # the sink came 41st: not followed either


def test_a_program_without_streams_of_its_own_loads_nothing(any_node: NodeBinary, tmp_path: Path) -> None:
    events, lines = traced_run(
        any_node,
        tmp_path,
        """
        const { Stream } = require('node:stream');
        setTimeout(() => console.log('emit is inherited:', !Object.hasOwn(Stream.prototype, 'emit')), 1);
        """,
    )
    assert lines == ["emit is inherited: true"]
    assert not any(isinstance(e, StreamNew | StreamStep) for e in events)


def test_streams_are_seen_from_an_es_module_and_from_fs_alone(any_node: NodeBinary, tmp_path: Path) -> None:
    """An ES module's imports load before its body (seen between callbacks); fs.createReadStream loads Node's stream
    module itself (seen by its wrapper), with no require of a stream module first."""
    (tmp_path / "main.mjs").write_text(
        "import { Writable } from 'node:stream';\n"
        "const w = new Writable({ highWaterMark: 4, write(c, e, done) { setImmediate(done); } });\n"
        "console.log(w.write('abcdef'));\nw.end();\n"
    )
    events, lines = traced_run(any_node, tmp_path, tmp_path / "main.mjs")
    (made,) = [e for e in events if isinstance(e, StreamNew)]
    assert lines == ["false"] and made.writable_hwm == 4 and made.site.endswith("main.mjs:2:11")
    assert [e.step for e in events if isinstance(e, StreamStep)][0] == "write_false"
    events, _ = traced_run(
        any_node, tmp_path, "require('fs').createReadStream(__filename, { highWaterMark: 64 }).resume();\n"
    )
    (made,) = [e for e in events if isinstance(e, StreamNew)]
    assert (made.name, made.readable_hwm) == ("ReadStream", 64)


def test_an_http_exchange_shows_the_clients_socket_and_both_bodies_not_the_servers_socket(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    """The client's socket is made under http.get in the program's code. Node makes the server's socket and both
    IncomingMessages in callbacks (with the tracer's own wrappers on the stack: not the program); of those, the two
    incoming bodies are shown, named by their side, because the program asked for them."""
    events, lines = traced_run(
        any_node,
        tmp_path,
        """
        const http = require('node:http');
        const server = http.createServer((req, res) => res.end('hi'));
        server.listen(0, '127.0.0.1', () => {
          http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
            res.resume().on('end', () => { console.log(res.statusCode); server.close(); });
          });
        });
        """,
    )
    assert lines == ["200"]
    made = [(e.name, e.site.rpartition("/")[2]) for e in events if isinstance(e, StreamNew)]
    assert made == [
        ("Socket", "main.js:5:8"),
        ("IncomingMessage", "server request (http)"),
        ("IncomingMessage", "client response (http)"),
    ]
    response = replay_streams(events).at(10**9).streams[2]
    assert response.kind == "readable" and [m.step for m in response.markers][:1] == ["end"]
