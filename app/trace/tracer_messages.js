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
//   - a MessageChannel's ports, `port N` with N the port's name in this thread: tracer.js names port1 and
//     port2 where the channel is made (`<pid>.<threadId>.<n>`, direction a and b: the port's side); a port
//     that arrives inside a message (or in workerData) gets a name of this thread's, direction `?`. The
//     sender of such a message records a `carry` (the carrier channel, direction and k, the port's index in
//     the message and its name, side and counts so far), the receiver an `adopt` of the same carrier, k and
//     index: the model joins them and so knows every name's channel and side (app/trace/port_names.py).
//     Node's own ports have no name and are never recorded; receiveMessageOnPort is not seen (its messages
//     are not counted, so a port read that way pairs no more).
// Messages on one channel and direction arrive in the order they were sent, so the k-th send (counted by the
// sender) is the k-th receive (counted by the receiver): each record carries k.
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
// original was not), MessagePort.prototype's postMessage is wrapped and it gets an own (not enumerable)
// kHybridDispatch that calls EventTarget.prototype's, and in a traced child process.send and process.emit.
// Node's own IPC messages (cmd NODE_...) are not counted.
// Record: kind MESSAGE (27) with bytes "step channel direction k µs" (step send, receive, or clock with
// "clock - - <markers µs> µs"), or "carry|adopt channel direction k index port side sent received";
// app/trace/decode.py reads them.

module.exports = function traceMessages({ recordWithBytes, micros, MESSAGE, threadId, isMainThread, ports }) {
  const counts = new Map(); // "step channel direction" -> messages so far
  const now = () => Number(process.hrtime.bigint() / 1000n);
  const { MessagePort } = require('node:worker_threads');
  const types = require('node:util').types;

  // The k of this message (-1 if it could not be recorded).
  function note(step, channel, direction, micros = now()) {
    try {
      const key = `${step} ${channel} ${direction}`;
      const k = (counts.get(key) || 0) + 1;
      counts.set(key, k);
      recordWithBytes(MESSAGE, 0, Buffer.from(`${key} ${k} ${micros}`), 0);
      return k;
    } catch {
      return -1; // tracing must never break the program
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

  // `carries`: the channel can move MessagePorts (a worker's can, IPC cannot).
  const sendsBy = (channelOf, direction, carries = false) => (original) => function (...args) {
    const micros = now();
    const result = Reflect.apply(original, this, args);
    const channel = channelOf(this);
    if (channel && !isInternal(args[0])) {
      const k = note('send', channel, direction, micros);
      if (carries) carryPorts(channel, direction, k, args[0]);
    }
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
  const receivesBy = (channelOf, direction, carries = false) => (original) => function (type, ...args) {
    if (type === 'message') {
      const channel = channelOf(this);
      if (channel) {
        const k = note('receive', channel, direction);
        if (carries) adoptPorts(channel, direction, k, args[0]);
      }
    }
    return Reflect.apply(original, this, [type, ...args]);
  };

  // --- MessagePorts that move: a named port sent inside a message is "carried" (the sender's record) and
  // "adopted" (the receiver's); the model joins the two on (carrier channel, direction, k, index) ---------------
  // `index`: the port's place among the MessagePorts of the message's value, in a walk both ends make alike:
  // depth-first over own enumerable data properties of arrays and plain objects (what structured clone copies
  // as such), at most WALK_DEPTH deep and WALK_PROPERTIES properties, never running a getter.
  const WALK_DEPTH = 4, WALK_PROPERTIES = 256;
  const portPrototype = MessagePort.prototype;
  // Kept by structured clone as what they are, with no ports inside that a walk would look for.
  const opaque = (value) => types.isArrayBufferView(value) || types.isAnyArrayBuffer(value) || types.isDate(value) ||
    types.isRegExp(value) || types.isMap(value) || types.isSet(value) || types.isNativeError(value) ||
    types.isBoxedPrimitive(value);
  // Calls found(port, index) for each MessagePort; false if the sender's value would arrive in another shape
  // (an accessor, a class instance that arrives as a plain object): then nothing it found may be trusted.
  function walkPorts(value, found) {
    let index = 0, budget = WALK_PROPERTIES;
    const visit = (item, depth) => {
      if (item === null || typeof item !== 'object') return true;
      if (types.isProxy(item)) return false;
      const prototype = Object.getPrototypeOf(item);
      if (prototype === portPrototype) {
        found(item, index++);
        return true;
      }
      const isArray = Array.isArray(item);
      if (!isArray && prototype !== Object.prototype && prototype !== null) return opaque(item);
      if (depth >= WALK_DEPTH) return true;
      const keys = isArray ? null : Object.keys(item);
      const length = isArray ? item.length : keys.length;
      for (let i = 0; i < length && budget > 0; i++, budget--) {
        const field = Object.getOwnPropertyDescriptor(item, isArray ? i : keys[i]);
        if (field === undefined) continue; // a hole
        if (!('value' in field)) return false;
        if (!visit(field.value, depth + 1)) return false;
      }
      return true;
    };
    return visit(value, 0);
  }
  const countOf = (step, port) => counts.get(`${step} port ${port.name} ${port.side}`) || 0;
  function move(step, carrier, direction, k, index, port) {
    const text = `${step} ${carrier} ${direction} ${k} ${index} ${port.name} ${port.side} ` +
      `${countOf('send', port)} ${countOf('receive', port)}`;
    recordWithBytes(MESSAGE, 0, Buffer.from(text), 0);
  }
  // After a successful send (so the value could be cloned: no proxies, no functions), k its count on the carrier.
  function carryPorts(carrier, direction, k, value) {
    if (k < 0) return;
    try {
      const carried = [];
      if (!walkPorts(value, (port, index) => {
        const name = ports.ports.get(port);
        if (name !== undefined) carried.push([port, index, name]);
      })) return;
      for (const [port, index, name] of carried) {
        move('carry', carrier, direction, k, index, name);
        ports.ports.delete(port); // left behind detached: what the program still posts on it goes nowhere
      }
    } catch {
      // tracing must never break the program
    }
  }
  // Before the program's listener sees the value: each port in it gets a name of this thread's (side unknown
  // here, `?`: the model learns it from the sender's carry).
  function adoptPorts(carrier, direction, k, value) {
    if (k < 0) return;
    try {
      walkPorts(value, (port, index) => {
        if (ports.ports.has(port)) return;
        const name = { name: ports.next(), side: '?' };
        ports.ports.set(port, name);
        move('adopt', carrier, direction, k, index, name);
      });
    } catch {
      // tracing must never break the program
    }
  }

  // Messages on a named port (Node's own ports have no name and are never recorded), and the post by which
  // a Worker's constructor hands its thread workerData: carrier `worker T`, k = 0.
  let newWorker = null; // the last Worker handle made; its constructor posts workerData on handle.messagePort
  function workerCreated(handle) {
    newWorker = handle;
  }
  function watchPorts() {
    wrapMethod(portPrototype, 'postMessage', (original) => function (...args) {
      const micros = now();
      const result = Reflect.apply(original, this, args);
      try {
        const port = ports.ports.get(this);
        if (port !== undefined) {
          const channel = `port ${port.name}`;
          carryPorts(channel, port.side, note('send', channel, port.side, micros), args[0]);
        } else if (newWorker !== null && newWorker.messagePort === this) {
          const threadId = newWorker.threadId;
          newWorker = null;
          const data = args[0] !== null && typeof args[0] === 'object' &&
            Object.getOwnPropertyDescriptor(args[0], 'workerData');
          if (data && 'value' in data && typeof threadId === 'number') carryPorts(`worker ${threadId}`, 'down', 0, data.value);
        }
      } catch {
        // tracing must never break the program
      }
      return result;
    });
    // A port's messages reach its listeners through Node's hybrid dispatch (EventTarget.prototype's, shared
    // by name with Node's core): MessagePort.prototype gets an own one.
    wrapMethod(portPrototype, Symbol.for('nodejs.internal.kHybridDispatch'), (original) => function (data, type, event) {
      if (type === 'message') {
        const port = ports.ports.get(this);
        if (port !== undefined) {
          const channel = `port ${port.name}`;
          adoptPorts(channel, port.side, note('receive', channel, port.side), data);
        }
      }
      return Reflect.apply(original, this, [data, type, event]);
    });
  }

  // Each is wrapped once, when first needed: a program that starts workers but no child never loads child_process.
  let workersWatched = false, childrenWatched = false;
  function watchWorkers() {
    if (workersWatched) return;
    workersWatched = true;
    const { Worker } = require('node:worker_threads');
    const workerChannel = (worker) => (typeof worker.threadId === 'number' && worker.threadId >= 0
      ? `worker ${worker.threadId}` : '');
    wrapMethod(Worker.prototype, 'postMessage', sendsBy(workerChannel, 'down', true));
    wrapMethod(Worker.prototype, 'emit', receivesBy(workerChannel, 'up', true));
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

  watchPorts();
  // This thread's own channel to its parent: a worker's parentPort, a child's IPC channel.
  const port = isMainThread ? null : require('node:worker_threads').parentPort;
  if (port) {
    const own = `worker ${threadId}`;
    wrapMethod(port, 'postMessage', sendsBy(() => own, 'up', true));
    wrapMethod(port, Symbol.for('nodejs.internal.kHybridDispatch'), (original) => function (data, type, event) {
      if (type === 'message') adoptPorts(own, 'down', note('receive', own, 'down'), data);
      return Reflect.apply(original, this, [data, type, event]);
    });
    adoptPorts(own, 'down', 0, require('node:worker_threads').workerData); // the ports its parent handed it
  }
  if (typeof process.send === 'function' && isMainThread) {
    const own = `ipc ${process.pid}`;
    wrapMethod(process, 'send', sendsBy(() => own, 'up'));
    wrapMethod(process, 'emit', receivesBy(() => own, 'down'));
  }
  return { watchWorkers, watchChildren, workerCreated };
};
