'use strict';
// looplab's tracer in a child process of the traced program: a Node process started by fork, by cluster, or by
// spawn or exec of a Node binary with the program's environment (NODE_OPTIONS carries the preload, see
// app/trace/session.py). tracer.js loads this file in such a child only; the learner's own process never does.
//
// The traced program owns the trace pipe, which its children do not inherit. looplab offers children a
// channel of their own: a FIFO in a private folder, named in LOOPLAB_TRACE_CHILDREN, which looplab reads
// for the whole run. Every traced child process writes its chunks there, each header tagged with
// pid * 1024 + threadId, so looplab can tell processes apart (app/trace/decode.py renumbers them
// n * 65536 + threadId, n = 1, 2, ... in the order they said hello). A write of at most PIPE_BUF bytes to a
// FIFO is atomic, and a chunk is never larger, so the processes' chunks never interleave.
//
// The channel is opened non-blocking: if nobody reads it (looplab is gone) the open fails and the child runs
// untraced; if it is full, a flush waits a little for room, then drops that chunk. The fd is close-on-exec
// (Node opens every file so), so the child's own children open the channel for themselves.

const fs = require('node:fs');

// The channel's fd, or -1 if it cannot be opened: the child then runs as it would untraced.
function openChannel(path) {
  try {
    return fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return -1;
  }
}

// How the child was started, from what it has before its main module runs: a cluster worker has already
// loaded Node's cluster worker code (NODE_UNIQUE_ID, which says so, is gone from its environment by now, on
// Node 20 and 24), a forked child has an IPC channel; anything else was spawned (spawn, exec, execFile of node).
const FORK = 1, SPAWN = 2, CLUSTER = 3;
function startedBy() {
  const loaded = process.moduleLoadList;
  if (Array.isArray(loaded) && loaded.includes('NativeModule internal/cluster/child')) return CLUSTER;
  if (typeof process.send === 'function') return FORK;
  return SPAWN;
}

// The PROCESS record (kind 26), once, just after the main thread's hello: a = the parent's pid, b = how it was
// started, c = a string: the absolute time (µs since the epoch) at which this process's micros() clock read 0,
// so lanes of several processes share one time axis, then 1 if its stdout is the program's own (inherited: what
// it prints goes straight out), else 0 (a pipe to its parent, a file: its parent may print it, or not).
function started({ record, stringId, micros, PROCESS, stdoutIdentity }) {
  try {
    const { performance } = require('node:perf_hooks');
    const now = Math.round((performance.timeOrigin + performance.now()) * 1000);
    const own = process.env.LOOPLAB_TRACE_STDOUT;
    const direct = own !== undefined && own !== '' && own === stdoutIdentity() ? 1 : 0;
    record(PROCESS, process.ppid, startedBy(), stringId(`${now - micros()} ${direct}`));
  } catch {
    // tracing must never break the program
  }
}

module.exports = { openChannel, started };
