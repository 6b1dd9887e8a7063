'use strict';
// The lanes view's part of the tracer: each message a thread or process sends to another, and its arrival.
// tracer.js loads this file only when the program has another thread or process to talk to: in the main
// thread at the first Worker or child process it creates, in a worker thread at its start, in a child
// process (once child processes are traced) when it has an IPC channel. Any other program never loads it.
//
// Channels, and the names both ends give them (one name per channel, so the model can pair its ends):
//   - a Worker's public channel, `worker T` (T its threadId): the parent's worker.postMessage and the worker's
//     'message' event; in the worker, parentPort.postMessage and parentPort's messages. Direction `down`
//     is parent to worker, `up` worker to parent;
//   - a child's IPC channel, `ipc P` (P the child's pid): the parent's child.send and its 'message' event; in
//     the child, process.send and process's 'message'.
// Messages on one channel and direction arrive in the order they were sent, so the k-th send (counted by the
// sender) is the k-th receive (counted by the receiver): each record carries k.
// Other MessagePorts (a MessageChannel's two ends, often transferred to a worker) are not recorded yet.
//
// Every record carries the time in µs on the machine's monotonic clock (process.hrtime, CLOCK_MONOTONIC), which
// every thread and process on this machine shares (performance.timeOrigin is each thread's own start, kept in
// ms as a double: two threads' sums need not agree to the µs). A send's time is read before postMessage or send
// is called (the other end may receive it before the call returns); it counts only if the call did not throw.
// The first record also ties the thread's own loop clock (the markers') to it, so the model can
// place each loop iteration of every lane on one time axis.
//
// What the program could notice: Worker.prototype gets own `postMessage` and `emit` wrappers (they call
// the originals with the same arguments and return what they return), ChildProcess.prototype own `spawn`
// and `emit`, a child's `send`, a worker's parentPort `postMessage` and its
// Symbol.for('nodejs.internal.kHybridDispatch') method are wrapped on the object (not enumerable where the
// original was not), and in a traced child process.send and process.emit. Node's own IPC messages (cmd NODE_...)
// are not counted.
// Record: kind MESSAGE (27) with bytes "step channel direction k µs" (step send, receive, or clock with
// "clock - - <markers µs> µs"); app/trace/decode.py reads them.

module.exports = function traceMessages({ recordWithBytes, micros, MESSAGE, threadId, isMainThread }) {
  const counts = new Map(); // "step channel direction" -> messages so far
  const now = () => Number(process.hrtime.bigint() / 1000n);

  function note(step, channel, direction, micros = now()) {
    try {
      const key = `${step} ${channel} ${direction}`;
      const k = (counts.get(key) || 0) + 1;
      counts.set(key, k);
      recordWithBytes(MESSAGE, 0, Buffer.from(`${key} ${k} ${micros}`), 0);
    } catch {
      // tracing must never break the program
    }
  }
  recordWithBytes(MESSAGE, 0, Buffer.from(`clock - - ${micros()} ${now()}`), 0);

  function wrapMethod(object, name, make) {
    const descriptor = Object.getOwnPropertyDescriptor(object, name);
    const original = descriptor ? descriptor.value : object[name];
    if (typeof original !== 'function' || (descriptor && (!descriptor.writable || !descriptor.configurable))) {
      return;
    }
    const wrapper = make(original);
    Object.defineProperty(wrapper, 'name', { __proto__: null, value: original.name });
    Object.defineProperty(wrapper, 'length', { __proto__: null, value: original.length });
    Object.defineProperty(object, name, {
      __proto__: null, value: wrapper, writable: true, configurable: true,
      enumerable: descriptor ? descriptor.enumerable : false,
    });
  }

  const sendsBy = (channelOf, direction) => (original) => function (...args) {
    const micros = now();
    const result = Reflect.apply(original, this, args);
    const channel = channelOf(this);
    if (channel && !isInternal(args[0])) note('send', channel, direction, micros);
    return result;
  };
  // Node's own messages over IPC (cluster's, handles sent along) have a cmd starting NODE_, and arrive as
  // 'internalMessage', never 'message': they are not the program's.
  function isInternal(message) {
    try {
      return message !== null && typeof message === 'object' && typeof message.cmd === 'string' &&
        message.cmd.startsWith('NODE_');
    } catch {
      return false; // a getter of the program's threw: Node's own test would have thrown too
    }
  }
  const receivesBy = (channelOf, direction) => (original) => function (type, ...args) {
    if (type === 'message') {
      const channel = channelOf(this);
      if (channel) note('receive', channel, direction);
    }
    return Reflect.apply(original, this, [type, ...args]);
  };

  // Each is wrapped once, when first needed: a program that starts workers but no child never loads child_process.
  let workersWatched = false, childrenWatched = false;
  function watchWorkers() {
    if (workersWatched) return;
    workersWatched = true;
    const { Worker } = require('node:worker_threads');
    const workerChannel = (worker) => (typeof worker.threadId === 'number' && worker.threadId >= 0
      ? `worker ${worker.threadId}` : '');
    wrapMethod(Worker.prototype, 'postMessage', sendsBy(workerChannel, 'down'));
    wrapMethod(Worker.prototype, 'emit', receivesBy(workerChannel, 'up'));
  }

  function watchChildren() {
    if (childrenWatched) return;
    childrenWatched = true;
    const { ChildProcess } = require('node:child_process');
    const ipcChannel = (child) => (typeof child.pid === 'number' ? `ipc ${child.pid}` : '');
    wrapMethod(ChildProcess.prototype, 'spawn', (original) => function (...args) {
      const result = Reflect.apply(original, this, args);
      if (typeof this.send === 'function' && this.channel) {
        wrapMethod(this, 'send', sendsBy(ipcChannel, 'down'));
      }
      return result;
    });
    wrapMethod(ChildProcess.prototype, 'emit', receivesBy(ipcChannel, 'up'));
  }

  // This thread's own channel to its parent: a worker's parentPort, a child's IPC channel.
  const port = isMainThread ? null : require('node:worker_threads').parentPort;
  if (port) {
    const own = `worker ${threadId}`;
    wrapMethod(port, 'postMessage', sendsBy(() => own, 'up'));
    // A port's messages reach its listeners through Node's hybrid dispatch (shared by name with Node's core).
    wrapMethod(port, Symbol.for('nodejs.internal.kHybridDispatch'), (original) => function (data, type, event) {
      if (type === 'message') note('receive', own, 'down');
      return Reflect.apply(original, this, [data, type, event]);
    });
  }
  if (typeof process.send === 'function' && isMainThread) {
    const own = `ipc ${process.pid}`;
    wrapMethod(process, 'send', sendsBy(() => own, 'up'));
    wrapMethod(process, 'emit', receivesBy(() => own, 'down'));
  }
  return { watchWorkers, watchChildren };
};
