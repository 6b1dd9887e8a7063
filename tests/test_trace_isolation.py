"""The tracer never changes a program: its children, what it can inspect, and what it prints, on every Node."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest

from app.nodejs.locate import NodeBinary
from app.runner.process import RunRequest, RunResult, run_to_end
from app.trace.addon import TRACER
from app.trace.attribute import attribute_lines
from app.trace.schema import PROCESS_THREADS, Hello, Process
from app.trace.session import TraceCollector, traced

TIMEOUT = 10  # seconds; every case here finishes in well under one when it works
# The children below get fds 3 to 99 as pipes their parent never reads (CHILD_STDIO): whatever number the
# trace fd has in the traced process, in the child that number is a pipe that fills up, as libuv's own
# pipes did in the reports.


def run(
    folder: Path,
    node: NodeBinary,
    source: str,
    *,
    trace: bool,
    flags: tuple[str, ...] = (),
    name: str = "main.js",
    timeout: float = TIMEOUT,
) -> tuple[RunResult, TraceCollector]:
    """Run `source` (dedented) from `folder`, plain or under the tracer, to its end or its timeout."""
    (folder / name).write_text(textwrap.dedent(source))
    request = RunRequest((str(node.path), *flags, name), folder, timeout)
    collector = TraceCollector()
    if trace:
        request = traced(request, node, collector)
    return asyncio.run(run_to_end(request)), collector


def finished_cleanly(result: RunResult) -> None:
    assert not result.timed_out, f"stopped by the timeout; stdout {result.stdout[-5:]}"
    assert (result.exit_code, result.signal) == (0, None), result.stderr[-10:]


def same_as_plain(tmp_path: Path, node: NodeBinary, source: str, name: str = "main.js") -> RunResult:
    """Run plain and traced; both must end the same way with the same output. Returns the traced run."""
    plain, _ = run(tmp_path, node, source, trace=False, name=name)
    traced_run, collector = run(tmp_path, node, source, trace=True, name=name)
    assert collector.mode == "exact", collector.addon
    assert (traced_run.stdout, traced_run.exit_code, traced_run.signal) == (plain.stdout, plain.exit_code, plain.signal)
    return traced_run


def only_the_traced_process_spoke(collector: TraceCollector) -> None:
    """One main-thread HELLO in the trace pipe: no child wrote into it (children have a channel of their own)."""
    hellos = [event for event in collector.events if isinstance(event, Hello) and event.thread == 0]
    assert len(hellos) == 1, hellos
    assert collector.error is None
    assert collector.children_error is None


def traced_children(collector: TraceCollector) -> list[Process]:
    """The child processes that were traced on their own channel, each with one hello and one PROCESS record."""
    processes = [event for event in collector.events if isinstance(event, Process)]
    hellos = [e for e in collector.events if isinstance(e, Hello) and e.thread >= PROCESS_THREADS]
    assert sorted(e.thread for e in hellos if e.thread % PROCESS_THREADS == 0) == [e.thread for e in processes]
    assert {e.pid for e in processes} == {e.pid for e in hellos}
    return processes


# --- children that inherit the tracer's flags ---------------------------------------------------------------

FORKED_CHILD_AWAITS = """
const CHILD_STDIO = ['inherit', 'inherit', 'inherit', 'ipc', ...Array(96).fill('pipe')]; // see the top
const { fork } = require('node:child_process');
if (process.argv[2] === 'child') {
  (async () => {
    for (let i = 0; i < 5000; i++) await null;
    console.log(`child done, execArgv ${JSON.stringify(process.execArgv)}`);
  })();
} else {
  const child = fork(__filename, ['child'], { stdio: CHILD_STDIO });
  child.on('exit', (code, signal) => console.log(`child exit ${code} ${signal}`));
}
"""


def test_a_forked_child_that_awaits_thousands_of_times_finishes(any_node: NodeBinary, tmp_path: Path) -> None:
    # Node 24 used to block forever: the child wrote its trace into a pipe nobody reads (in the reports,
    # one of libuv's own).
    result, collector = run(tmp_path, any_node, FORKED_CHILD_AWAITS, trace=True)
    finished_cleanly(result)
    assert result.stdout == ["child done, execArgv []", "child exit 0 null"]
    only_the_traced_process_spoke(collector)
    assert [e.how for e in traced_children(collector)] == ["fork"]
    child = attribute_lines(collector.events, result.stdout)[0]
    assert (child.phase, child.queue, child.who) == ("main", "microtask", "child")


SPAWNED_WITH_EXEC_ARGV = """
const CHILD_STDIO = ['inherit', 'inherit', 'inherit', 'ipc', ...Array(96).fill('pipe')]; // see the top
const { spawn } = require('node:child_process');
if (process.argv[2] === 'child') {
  (async () => {
    for (let i = 0; i < 5000; i++) await null;
    setTimeout(() => console.log('child timer'), 1);
  })();
} else {
  const child = spawn(process.execPath, [...process.execArgv, __filename, 'child'], { stdio: CHILD_STDIO });
  child.on('exit', (code, signal) => console.log(`child exit ${code} ${signal}`));
}
"""


def test_a_child_spawned_with_exec_argv_runs_normally(any_node: NodeBinary, tmp_path: Path) -> None:
    # Node 20 used to kill this child with SIGSEGV.
    result, collector = run(tmp_path, any_node, SPAWNED_WITH_EXEC_ARGV, trace=True)
    finished_cleanly(result)
    assert result.stdout == ["child timer", "child exit 0 null"]
    only_the_traced_process_spoke(collector)
    assert [e.how for e in traced_children(collector)] == ["fork"]  # its stdio has an IPC channel


def test_a_child_handed_the_tracer_explicitly_writes_only_to_its_own_channel(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    """Even given `--require tracer.js` by hand, a child is not the process that owns the trace pipe."""
    source = SPAWNED_WITH_EXEC_ARGV.replace("...process.execArgv", f"'--require', {json.dumps(str(TRACER))}")
    result, collector = run(tmp_path, any_node, source, trace=True)
    finished_cleanly(result)
    assert result.stdout == ["child timer", "child exit 0 null"]
    only_the_traced_process_spoke(collector)
    assert len(traced_children(collector)) == 1


UNREACHABLE_CHILDREN = """
const { spawnSync } = require('node:child_process');
const code = "setTimeout(() => console.log('child ran, traced ' + (process.env.LOOPLAB_TRACE_TAGGED === '1')), 1)";
const envs = [
  { ...process.env, LOOPLAB_TRACE_CHILDREN: '/nonexistent/looplab-fifo' }, // no channel to open
  { PATH: process.env.PATH }, // a clean environment: no preload at all
];
for (const env of envs) spawnSync(process.execPath, ['-e', code], { env, stdio: 'inherit' });
"""


def test_a_child_the_tracer_cannot_reach_runs_untraced(any_node: NodeBinary, tmp_path: Path) -> None:
    result, collector = run(tmp_path, any_node, UNREACHABLE_CHILDREN, trace=True)
    finished_cleanly(result)
    assert result.stdout == ["child ran, traced false"] * 2
    only_the_traced_process_spoke(collector)
    assert traced_children(collector) == []


CLUSTER = """
const CHILD_STDIO = ['inherit', 'inherit', 'inherit', 'ipc', ...Array(96).fill('pipe')]; // see the top
const cluster = require('node:cluster');
const http = require('node:http');
const REQUESTS = 400;
if (cluster.isPrimary) {
  cluster.setupPrimary({ stdio: CHILD_STDIO });
  const workers = [cluster.fork(), cluster.fork()];
  let listening = 0;
  let exited = 0;
  cluster.on('exit', () => {
    if (++exited === workers.length) console.log('workers gone');
  });
  cluster.on('listening', (worker, address) => {
    if (++listening < workers.length) return;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let sent = 0;
    let done = 0;
    const one = () => {
      if (sent === REQUESTS) return;
      sent++;
      http.get({ host: '127.0.0.1', port: address.port, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (++done < REQUESTS) return one();
          console.log(`served ${done}`);
          agent.destroy();
          for (const w of workers) w.disconnect();
        });
      });
    };
    for (let i = 0; i < 4; i++) one();
  });
} else {
  http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1');
}
"""


def test_a_two_worker_cluster_serves_its_requests_and_ends(any_node: NodeBinary, tmp_path: Path) -> None:
    # 200 requests were enough to hang it on Node 24.
    # Its workers are traced too, with the HTTP hooks: on a loaded machine (load 20 on 2 cores) Node 20 needed
    # more than 10 s, so this case alone has longer.
    result, collector = run(tmp_path, any_node, CLUSTER, trace=True, timeout=40)
    finished_cleanly(result)
    assert result.stdout == ["served 400", "workers gone"]
    only_the_traced_process_spoke(collector)
    assert [e.how for e in traced_children(collector)] == ["cluster", "cluster"]


def test_node_test_runs_its_test_files_in_children_with_a_clean_exec_argv(any_node: NodeBinary, tmp_path: Path) -> None:
    # Each test file runs in a child started with process.execArgv; on Node 20 each one crashed.
    (tmp_path / "sum.test.js").write_text(
        textwrap.dedent(
            """
            const test = require('node:test');
            const assert = require('node:assert');
            test('runs untraced, after awaiting', async () => {
              for (let i = 0; i < 5000; i++) await null;
              assert.deepStrictEqual(process.execArgv.filter((arg) => arg.endsWith('tracer.js')), []);
            });
            """
        )
    )
    request = RunRequest((str(any_node.path), "--test", "sum.test.js"), tmp_path, TIMEOUT)
    collector = TraceCollector()
    result = asyncio.run(run_to_end(traced(request, any_node, collector)))
    finished_cleanly(result)
    assert any(line.strip() in ("# pass 1", "ℹ pass 1") for line in result.stdout), result.stdout
    only_the_traced_process_spoke(collector)


# --- what the program can see -------------------------------------------------------------------------------


def test_promises_print_and_compare_as_they_do_untraced(any_node: NodeBinary, tmp_path: Path) -> None:
    source = """
    const assert = require('node:assert');
    console.log(import('node:fs'));
    console.log(Promise.resolve(1));
    (async () => {})().then(() => {});
    try {
      assert.deepStrictEqual(Promise.resolve(1), Promise.resolve(1));
      console.log('deepStrictEqual: equal');
    } catch {
      console.log('deepStrictEqual: different');
    }
    """
    result = same_as_plain(tmp_path, any_node, source)
    assert result.stdout[:2] == ["Promise { <pending> }", "Promise { 1 }"]


def test_process_stdout_write_is_the_streams_own(any_node: NodeBinary, tmp_path: Path) -> None:
    """pino writes straight to fd 1 only when `stdout.write === stdout.constructor.prototype.write`."""
    source = """
    for (const name of ['stdout', 'stderr']) {
      const stream = process[name];
      console.log(name, Object.prototype.hasOwnProperty.call(stream, 'write'),
        stream.write === stream.constructor.prototype.write);
    }
    """
    result = same_as_plain(tmp_path, any_node, source)
    assert result.stdout == ["stdout false true", "stderr false true"]


def test_a_frozen_error_constructor_changes_nothing(any_node: NodeBinary, tmp_path: Path) -> None:
    source = """
    Object.freeze(Error);
    setTimeout(function later() { console.log('timer'); }, 0);
    process.nextTick(() => console.log('tick'));
    Promise.resolve().then(() => console.log('promise'));
    console.log('main');
    """
    plain, _ = run(tmp_path, any_node, source, trace=False)
    result, collector = run(tmp_path, any_node, source, trace=True)
    finished_cleanly(result)
    assert result.stdout == plain.stdout == ["main", "tick", "promise", "timer"]
    lines = {line.text: line for line in attribute_lines(collector.events, result.stdout)}
    assert (lines["timer"].phase, lines["timer"].callback) == ("timers", "later")
    assert lines["timer"].site == f"{tmp_path / 'main.js'}:3:1"


def test_an_encoding_node_refuses_is_refused_as_it_is_untraced(any_node: NodeBinary, tmp_path: Path) -> None:
    # In a worker, Node takes the 'buffer' encoding and fails later, in the main thread; the tracer used
    # to throw at once in the worker, so the program went on as it never would.
    source = """
    const { Worker, isMainThread } = require('node:worker_threads');
    const where = isMainThread ? 'main' : 'worker';
    for (const encoding of ['buffer', 'no-such-encoding', 'latin1', '']) {
      try {
        process.stdout.write(`${where} ${encoding}\\n`, encoding);
      } catch (error) {
        console.log(`${where} ${encoding || 'empty'} threw ${error.code}`);
      }
    }
    if (isMainThread) new Worker(__filename);
    """
    same_as_plain(tmp_path, any_node, source)


def test_execution_async_ids_are_the_untraced_ones(any_node: NodeBinary, tmp_path: Path) -> None:
    # Node 20 gives every promise an async id as soon as any hook with init is enabled; the tracer sets
    # V8's promise hooks to its own alone there (Node 24 has trackPromises: false).
    source = """
    const { executionAsyncId: id, triggerAsyncId: trigger } = require('node:async_hooks');
    const seen = [`main ${id()} ${trigger()}`];
    setTimeout(() => seen.push(`timer ${id()} ${trigger()}`), 0);
    setImmediate(() => seen.push(`immediate ${id()} ${trigger()}`));
    process.nextTick(() => seen.push(`tick ${id()} ${trigger()}`));
    Promise.resolve().then(() => seen.push(`then ${id()} ${trigger()}`));
    require('node:fs').readFile(__filename, async () => {
      seen.push(`readFile ${id()} ${trigger()}`);
      await null;
      seen.push(`after await ${id()} ${trigger()}`);
      setTimeout(() => console.log([...seen, `last timer ${id()} ${trigger()}`].sort().join('\\n')), 1);
    });
    """
    result = same_as_plain(tmp_path, any_node, source)
    assert result.stderr == []  # Node 20: no DEP0111 warning from the binding the tracer reads


def test_a_program_that_enables_its_own_hook_sees_the_untraced_promise_ids(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    # Then Node tracks promises as it would untraced, and the tracer's own hooks skip them.
    source = """
    const asyncHooks = require('node:async_hooks');
    const { executionAsyncId: id, triggerAsyncId: trigger } = asyncHooks;
    const seen = [];
    const early = Promise.resolve(1);
    setTimeout(function enableHook() {
      asyncHooks.createHook({
        init(asyncId, type, triggerId) { seen.push(`init ${asyncId} ${type} ${triggerId}`); },
      }).enable();
      early.then(() => seen.push(`early then ${id()} ${trigger()}`));
      const promise = Promise.resolve(2);
      console.log(promise);
      setImmediate(async () => {
        await promise;
        seen.push(`after await ${id()} ${trigger()}`);
        process.nextTick(() => console.log(seen.join('\\n')));
      });
    }, 1);
    """
    result = same_as_plain(tmp_path, any_node, source)
    assert any("Symbol(async_id_symbol)" in line for line in result.stdout), result.stdout  # Node's ids, shown


# --- TLS sockets (the tls view, tracer_tls.js) ---------------------------------------------------------------

TLS_INSPECTED = """
const fs = require('node:fs');
const tls = require('node:tls');
const listenKeylog = process.argv[2] === 'keylog';
const seen = { client: [], server: [] };
const emit = tls.TLSSocket.prototype.emit; // what the program would see if anyone emitted on its sockets
tls.TLSSocket.prototype.emit = function (name, ...rest) {
  if (typeof name === 'string') seen[this._tlsOptions.isServer ? 'server' : 'client'].push(name);
  return emit.call(this, name, ...rest);
};
const labels = [];
const server = tls.createServer({ key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') }, (socket) => {
  socket.on('data', (chunk) => socket.end(chunk));
});
if (listenKeylog) server.on('keylog', (line) => labels.push(`server ${String(line).split(' ')[0]}`));
server.listen(0, '127.0.0.1', () => {
  const client = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: fs.readFileSync('ca.pem') });
  if (listenKeylog) client.on('keylog', (line) => labels.push(`client ${String(line).split(' ')[0]}`));
  client.on('secureConnect', () => {
    console.log('keylog listeners', client.listenerCount('keylog'), server.listenerCount('keylog'));
    console.log('newListener listeners', client.listenerCount('newListener'));
    console.log('handle keys', Object.keys(client._handle).sort().join(','));
    client.end('ping');
  });
  client.on('data', (chunk) => console.log('echo', String(chunk)));
  client.on('close', () => server.close(() => {
    console.log('client events', seen.client.join(','));
    console.log('server events', seen.server.join(','));
    console.log('key-log lines', labels.sort().join(','));
    console.log('tracer modules', Object.keys(require.cache).filter((f) => f.includes('tracer_tls')).length);
  }));
});
"""


@pytest.mark.parametrize("keylog", ["keylog", "quiet"])
def test_a_tls_exchange_sees_the_same_events_listeners_and_key_log_lines(
    any_node: NodeBinary, tmp_path: Path, keylog: str
) -> None:
    """The tls view reads sockets between callbacks and wraps only the handle's own key-log callback: no event
    is emitted, no listener added, no key-log line made (without a program's listener) or lost (with one)."""
    from app.trace.schema import TlsKeylog, TlsNegotiated
    from tests.test_tls_trace_live import write_certs

    write_certs(tmp_path)
    source = TLS_INSPECTED.replace("process.argv[2] === 'keylog'", "true" if keylog == "keylog" else "false")
    plain, _ = run(tmp_path, any_node, source, trace=False)
    result, collector = run(tmp_path, any_node, source, trace=True)
    finished_cleanly(result)
    assert result.stdout == plain.stdout
    assert "echo ping" in result.stdout and "tracer modules 0" in result.stdout
    lines = [line for line in result.stdout if line.startswith("key-log lines")]
    traced_labels = [e for e in collector.events if isinstance(e, TlsKeylog)]
    assert len(traced_labels) == (10 if keylog == "keylog" else 0)
    assert (lines == ["key-log lines "]) == (keylog == "quiet")
    assert any(isinstance(e, TlsNegotiated) for e in collector.events)  # the tracer did look at the sockets


# --- HTTP: the wire and agent views' hooks (tracer_http.js) --------------------------------------------------

HTTP_AS_SEEN = """
const http = require('node:http');
const net = require('node:net');
const seen = (what, socket) =>
  console.log(what, socket.listenerCount('data'), socket.readableFlowing, Object.keys(socket).sort().join(','));
const server = http.createServer((req, res) => {
  seen('server socket', req.socket);
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => res.end(`got ${body.length}`));
});
function raw() {  // a plain net client, reading with 'readable', after the HTTP requests
  const socket = net.connect(server.address().port, '127.0.0.1', () => socket.end('GET /raw HTTP/1.0\\r\\n\\r\\n'));
  socket.on('readable', () => { while (socket.read() !== null) console.log('raw read', socket.readableFlowing); });
  socket.on('close', () => server.close(() => console.log('closed')));
}
server.listen(0, '127.0.0.1', () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });  // one socket: the requests take turns
  let left = 2;
  for (const size of [10, 200000]) {
    const req = http.request({ port: server.address().port, host: '127.0.0.1', method: 'POST', agent }, (res) => {
      seen('client socket', res.socket);
      res.setEncoding('utf8');
      res.on('data', (text) => console.log(text, Object.keys(agent.freeSockets).length));
      res.on('end', () => {
        if (--left) return;
        // tracer.js and its addon are in require.cache; the HTTP half is not
        const ours = Object.keys(require.cache).filter((file) => file.endsWith('tracer_http.js'));
        console.log(ours.length, Object.getOwnPropertyNames(agent).sort().join(','));
        agent.destroy();
        raw();
      });
    });
    req.end('x'.repeat(size));
  }
});
"""


def test_an_http_exchange_sees_the_same_sockets_agents_and_listeners_traced(
    any_node: NodeBinary, tmp_path: Path
) -> None:
    """Wrapped writes and reads add no listener, change no flowing mode, leave the tracer's file out of
    require.cache; a big body is still delivered whole (and the trace keeps only its start)."""
    from app.trace.schema import WireData

    result = same_as_plain(tmp_path, any_node, HTTP_AS_SEEN)
    assert "got 200000 0" in result.stdout and result.stdout[-1] == "closed"
    _, collector = run(tmp_path, any_node, HTTP_AS_SEEN, trace=True)
    kept = sum(len(event.data) for event in collector.events if isinstance(event, WireData))
    assert 0 < kept < 40_000  # 200 kB went each way and back; each turn keeps its first 4 KiB


def test_a_program_without_sockets_never_loads_the_http_hooks(any_node: NodeBinary, tmp_path: Path) -> None:
    source = r"""
    const loaded = () => process.moduleLoadList.filter((name) => /NativeModule (net|http|_http_\w+)$/.test(name));
    setTimeout(() => console.log(loaded()), 1);
    """
    result = same_as_plain(tmp_path, any_node, source)
    assert "NativeModule net" not in result.stdout[0]


CHANNEL_SUBSCRIBER = """
const http = require('node:http');
const channels = require('node:diagnostics_channel');
let started = 0;
channels.subscribe('http.server.request.start', () => started++);
const server = http.createServer((req, res) => req.resume().on('end', () => res.end('y'.repeat(5000))));
server.listen(0, '127.0.0.1', async () => {
  for (let i = 0; i < 80; i++) {  // 80 connections, 5 kB each way: past the tracer's byte cap, so it stops listening
    await new Promise((resolve) => {
      const options = { host: '127.0.0.1', port: server.address().port, method: 'POST', agent: false };
      const req = http.request(options, (res) => {
        res.resume().on('end', resolve);
      });
      req.end('x'.repeat(5000));
    });
  }
  console.log(`the program's subscriber saw ${started} requests`);
  server.close();
});
"""


def test_the_programs_own_channel_subscriber_sees_every_request(any_node: NodeBinary, tmp_path: Path) -> None:
    from app.trace.schema import WireData

    result = same_as_plain(tmp_path, any_node, CHANNEL_SUBSCRIBER)
    assert result.stdout == ["the program's subscriber saw 80 requests"]
    _, collector = run(tmp_path, any_node, CHANNEL_SUBSCRIBER, trace=True)
    kept = sum(len(event.data) for event in collector.events if isinstance(event, WireData))
    assert 200_000 < kept <= 1 << 18  # the whole run's cap was reached


STREAMS_AS_SEEN = r"""
const { Readable, Writable, PassThrough, pipeline } = require('node:stream');
const seen = [];
const source = Readable.from(['a', 'b', 'c']);
const middle = new PassThrough({ highWaterMark: 2 });
const sink = new Writable({
  highWaterMark: 1,
  write(chunk, encoding, done) { seen.push(String(chunk)); setImmediate(done); },
});
console.log(Object.keys(sink).join(','), Object.keys(middle).length);
const { write, push, pipe, emit } = middle;
console.log(write.name, write.length, push.name, pipe.name, emit.name, emit.length);
console.log(Object.getOwnPropertyDescriptor(sink, '_writableState').enumerable, sink.writableHighWaterMark);
for (const name of ['drain', 'finish', 'end', 'close']) sink.on(name, () => seen.push(name));
pipeline(source, middle, sink, (error) => {
  console.log(error || 'ok', seen.join(' '), sink.listenerCount('drain'), middle.listenerCount('data'));
});
"""


def test_streams_see_the_same_keys_names_and_events_traced(any_node: NodeBinary, tmp_path: Path) -> None:
    """The streams hooks (a state accessor on Stream.prototype, wrapped write, push, pipe and emit; Node names
    its write, push and pipe with no name) change no key,
    name, length or event order a program sees."""
    from app.trace.schema import StreamNew

    result = same_as_plain(tmp_path, any_node, STREAMS_AS_SEEN)
    assert result.stdout[1] == " 3   emit 1" and result.stdout[-1].startswith("ok a")
    _, collector = run(tmp_path, any_node, STREAMS_AS_SEEN, trace=True)
    made = sorted(e.name for e in collector.events if isinstance(e, StreamNew))
    assert made == ["PassThrough", "Readable", "Writable"]


CHANNELS_AS_SEEN = r"""
const wt = require('node:worker_threads');
const shape = (d) => d === undefined ? 'none' : 'value' in d
  ? `data ${typeof d.value} w${+d.writable} e${+d.enumerable} c${+d.configurable}`
  : `accessor ${d.get.name}/${d.get.length} ${d.set && d.set.name} e${+d.enumerable} c${+d.configurable}`;
console.log('globalThis', shape(Object.getOwnPropertyDescriptor(globalThis, 'MessageChannel')));
console.log('exports', shape(Object.getOwnPropertyDescriptor(wt, 'MessageChannel')));
const MC = globalThis.MessageChannel;
console.log('globalThis once read', shape(Object.getOwnPropertyDescriptor(globalThis, 'MessageChannel')));
// (String(MessageChannel) differs: a Proxy prints as `function () { [native code] }`)
console.log(MC === wt.MessageChannel, MC.name, MC.length, Object.getOwnPropertyNames(MC).join());
console.log(shape(Object.getOwnPropertyDescriptor(MC, 'prototype')), MC.prototype.constructor === MC,
  Object.getPrototypeOf(MC) === Function.prototype, require('node:util').inspect(MC));
const channel = new MC();
console.log(channel instanceof MC, Object.getPrototypeOf(channel) === MC.prototype, String(channel),
  Object.keys(channel).join(), channel.constructor === MC, channel.port1 instanceof wt.MessagePort);
class Sub extends MC { hello() { return `sub ${this.port1.constructor.name}`; } }
const sub = new Sub();
console.log(sub instanceof Sub, sub instanceof MC, sub.hello(), Reflect.construct(MC, [], Sub) instanceof Sub);
try { MC(); } catch (error) { console.log(error.constructor.name, error.message); }
try {
  new wt.Worker('', { eval: true, workerData: { port: channel.port1 } }); // not in a transferList
} catch (error) { console.log(error.name); }
const { postMessage } = wt.MessagePort.prototype;
console.log(postMessage.name, postMessage.length, Object.getOwnPropertyNames(wt.MessagePort.prototype).join());
const worker = new wt.Worker(`const { workerData, MessagePort } = require('node:worker_threads');
  workerData.port.postMessage([workerData.port instanceof MessagePort, typeof globalThis.MessageChannel]);`,
  { eval: true, workerData: { port: sub.port1 }, transferList: [sub.port1] });
sub.port2.once('message', (reply) => { console.log('from the worker', reply.join()); sub.port2.close(); });
channel.port2.onmessage = ({ data }) => { console.log('onmessage', data); channel.port2.close(); };
channel.port1.postMessage('to myself');
"""

CHANNELS_IMPORTED = """
import { MessageChannel } from 'node:worker_threads';
console.log(MessageChannel === globalThis.MessageChannel, new MessageChannel() instanceof MessageChannel);
"""


def test_message_channels_look_and_behave_the_same_traced(any_node: NodeBinary, tmp_path: Path) -> None:
    """MessageChannel is a Proxy of Node's that names the ports it makes: identity, descriptors' shapes (Node 20's
    lazy accessor on globalThis, Node 24's data property), instanceof, subclasses, names and errors stay Node's."""
    result = same_as_plain(tmp_path, any_node, CHANNELS_AS_SEEN)
    assert result.stdout[3] == "true MessageChannel 0 length,name,arguments,caller,prototype"
    assert result.stdout[-2:] == ["onmessage to myself", "from the worker true,function"]
    assert same_as_plain(tmp_path, any_node, CHANNELS_IMPORTED, name="main.mjs").stdout == ["true true"]


TIERS_AS_SEEN = r"""
const { fork } = require('node:child_process');
if (process.argv[2] === 'child') {
  console.log('child execArgv', JSON.stringify(process.execArgv));
  process.exit(0);
}
function hot(x) { return x * 2; }
%PrepareFunctionForOptimization(hot);
hot(1);
hot(2);
%OptimizeFunctionOnNextCall(hot);
hot(3);
// A deopt, whatever the machine's load: V8 prints "[bailout ...]" for it unless told where else
console.log('main', hot(0.5), JSON.stringify(process.execArgv), require('node:fs').readdirSync('.').join());
setImmediate(() => console.log('immediate'));
process.nextTick(() => console.log('tick'));
fork(__filename, ['child']).on('exit', (code) => console.log('child exit', code));
"""


def test_the_tiers_views_v8_log_changes_no_output_order_or_exec_argv(any_node: NodeBinary, tmp_path: Path) -> None:
    """With the tiers view's V8 log, stdout and stderr are the program's alone (V8's "[bailout" lines go to the
    log's folder), process.execArgv (and so a fork's) is the untraced one, and nothing is left in its folder."""
    from app.trace.schema import Deopt

    natives = ("--allow-natives-syntax",)
    plain, _ = run(tmp_path, any_node, TIERS_AS_SEEN, trace=False, flags=natives)
    collector = TraceCollector()
    request = RunRequest((str(any_node.path), *natives, "main.js"), tmp_path, TIMEOUT)
    with_tiers = asyncio.run(run_to_end(traced(request, any_node, collector, tiers=True)))
    collector.run_over()
    finished_cleanly(with_tiers)
    assert with_tiers.stdout == plain.stdout and with_tiers.stderr == plain.stderr == []
    assert (
        plain.stdout[0] == 'main 1 ["--allow-natives-syntax"] main.js'
        and 'child execArgv ["--allow-natives-syntax"]' in plain.stdout
    )
    assert any(isinstance(event, Deopt) and event.function == "hot" for event in collector.events)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["main.js"]


# --- the heap view's GC hooks (heap_hooks.cc) ------------------------------------------------------------------

HEAP_CHURN = r"""
const { PerformanceObserver, performance } = require('node:perf_hooks');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const churn = (rounds) => { let n = 0; for (let i = 0; i < rounds; i++) n += { i, s: `x${i}` }.s.length; return n; };
if (!isMainThread) {
  churn(100000);
  parentPort.postMessage('worker churned');
} else {
  let seen = 0;
  const observer = new PerformanceObserver((list) => { seen += list.getEntries().length; });
  observer.observe({ entryTypes: ['gc'] });  // the program's own gc observer still gets its entries
  const order = [];
  let kept = [];
  setTimeout(() => { for (let i = 0; i < 100000; i++) kept.push({ i }); order.push('timeout'); }, 0);
  setImmediate(() => { churn(100000); order.push('immediate'); });
  process.nextTick(() => order.push('tick'));
  Promise.resolve().then(() => { churn(50000); order.push('promise'); });
  churn(200000);
  const worker = new Worker(__filename);
  worker.on('message', (text) => order.push(text));
  worker.on('exit', (code) => {
    kept = null;
    setImmediate(() => {
      observer.disconnect();
      console.log(order.sort().join(' '), `exit ${code}`, seen > 0);
      const cached = Object.keys(require.cache).filter((file) => /heap_hooks/.test(file));
      console.log(process.getActiveResourcesInfo().join(','), cached);
      console.log(typeof performance.eventLoopUtilization().utilization);
    });
  });
}
"""


def test_a_program_that_churns_the_heap_runs_the_same_traced(any_node: NodeBinary, tmp_path: Path) -> None:
    """The GC hooks schedule nothing and keep nothing alive: the same output (the program's own 'gc' observer, its
    active resources, require.cache), in the main thread and in a worker that churns and ends."""
    from app.trace.schema import Gc

    result = same_as_plain(tmp_path, any_node, HEAP_CHURN)
    assert result.stdout[0] == "immediate promise tick timeout worker churned exit 0 true"
    _, collector = run(tmp_path, any_node, HEAP_CHURN, trace=True)
    threads = {event.thread for event in collector.events if isinstance(event, Gc)}
    assert threads == {0, 1}  # the worker's isolate had its own hooks, removed as it ended


WORKERS_TERMINATED_WHILE_CHURNING = r"""
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (isMainThread) {
  let done = 0;
  for (let k = 0; k < 3; k++) {
    const worker = new Worker(__filename);
    const stop = () => worker.terminate().then((code) => { if (++done === 3) console.log('terminated', code); });
    // terminated once it churns (a worker stopped before its first line ends with code 0, after it with 1)
    worker.once('message', () => setTimeout(stop, 5 + k * 5));
  }
} else {
  let keep = [];
  (function churn() {
    for (let i = 0; i < 50000; i++) keep.push({ i });
    if (keep.length > 200000) keep = [];
    setImmediate(churn);
  })();
  parentPort.postMessage('churning');
}
"""


def test_workers_terminated_while_they_churn_the_heap_end_cleanly(any_node: NodeBinary, tmp_path: Path) -> None:
    """A worker's GC hooks go with its isolate, even when it is terminated while it churns the heap."""
    result = same_as_plain(tmp_path, any_node, WORKERS_TERMINATED_WHILE_CHURNING)
    assert len(result.stdout) == 1 and result.stdout[0].startswith("terminated ")
