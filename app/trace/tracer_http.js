'use strict';
// The wire and agent views' half of the tracer. tracer.js loads it at the program's first TCP socket or
// server, so a program that never opens one never pays for it; it gets tracer.js's record functions.
//
// wire: the bytes each net.Socket wrote and read, as JavaScript handed them over (a TLS socket's are the
// plaintext, before encryption and after decryption). Writes are seen in Socket.prototype._writeGeneric,
// the one path under write(), writev() and a write made while connecting; reads in Socket.prototype.push,
// where Node's stream code hands over what the socket read. Node's HTTP server reads its sockets in C++
// (the parser consumes the handle), so for those the request head as the parser saw it is recorded
// instead, from the 'http.server.request.start' channel. Bytes kept are capped (TURN_BYTES each time a
// socket's direction turns, SOCKET_BYTES a socket, TOTAL_BYTES a run); offsets say what was skipped.
//
// agent: each http.Agent met on a socket (`socket._httpMessage.agent`), and its free, busy and queued
// sockets per host:port, read between callbacks (settle) when a socket moved bytes or closed or a request
// was added, and recorded when they change.
//
// Like tracer.js it never changes what the program does: no listeners, no timers, no sockets, nothing
// created on the program's objects; its wrappers sit on prototypes (net.Socket's _writeGeneric, push and
// _destroy; http.Agent's addRequest and removeSocket, once an agent is met) and call what was there.

const WIRE = 23, AGENT = 25;
const WROTE = 0, READ = 1, PARSED = 2, OPENED = 3, CLOSED = 4; // what a WIRE record says, in a's bits 12-15
const AGENT_COUNTS = 0, AGENT_NEW = 1; // what an AGENT record says, in a's bits 12-15
const TURN_BYTES = 4096, SOCKET_BYTES = 32768, TOTAL_BYTES = 1 << 18;
const RECORD_LIMIT = 50000; // records of both kinds in a run: a long benchmark cannot flood the trace
const MAX_NUMBER = 0xfff; // socket and agent numbers fit in a's low 12 bits

module.exports = function traceHttp({ recordWithBytes: recordAlways, micros, socketAddress: address }) {
  const net = require('node:net');
  const sockets = new Map(); // net.Socket -> what we know of it, until it is destroyed
  const agents = new Map(); // http.Agent -> { number, said: Map(key -> [free, busy, queued] last recorded) }
  const active = new Set(); // sockets with bytes since the last settle
  let dirty = false; // an agent's tables may have changed since the last settle
  let socketNumbers = 0, agentNumbers = 0, totalKept = 0, records = 0;

  function recordWithBytes(kind, a, data, c) {
    if (records++ < RECORD_LIMIT) recordAlways(kind, a, data, c);
  }

  function text(value) {
    return Buffer.from(String(value));
  }

  const notTcp = new WeakSet(); // pipes (process.stdout into a pipe is a net.Socket too) and ttys
  function stateOf(socket) {
    let state = sockets.get(socket);
    if (state !== undefined || socketNumbers >= MAX_NUMBER || notTcp.has(socket)) return state;
    const handle = socket._handle;
    if (!handle || typeof handle.getpeername !== 'function') { // a TLS socket's handle lends its TCP one's
      notTcp.add(socket);
      return undefined;
    }
    state = { number: ++socketNumbers, offsets: [0, 0, 0], turn: -1, turnKept: 0, kept: 0 };
    sockets.set(socket, state);
    const server = Boolean(socket._server || socket.server || (socket._tlsOptions && socket._tlsOptions.isServer));
    const said = [server ? 'server' : 'client', socket.encrypted ? 'tls' : 'tcp',
      address(handle, 'getsockname'), address(handle, 'getpeername')].join('|');
    const id = handle && typeof handle.getAsyncId === 'function' ? handle.getAsyncId() : 0;
    recordWithBytes(WIRE, state.number | (OPENED << 12), text(said), id);
    return state;
  }

  // Keep the first bytes of `pieces` ([chunk, encoding] pairs) the caps allow, converting only those; the
  // record's c is where they start in that direction.
  function note(socket, what, pieces) {
    let total = 0;
    for (const [chunk, encoding] of pieces) total += lengthOf(chunk, encoding);
    if (total === 0) return;
    const state = stateOf(socket);
    if (state === undefined) return;
    active.add(socket);
    dirty = true;
    const turn = what === WROTE ? WROTE : READ;
    if (state.turn !== turn) {
      state.turn = turn;
      state.turnKept = 0;
    }
    const offset = state.offsets[what];
    state.offsets[what] += total;
    const room = Math.min(total, TURN_BYTES - state.turnKept, SOCKET_BYTES - state.kept, TOTAL_BYTES - totalKept);
    if (room <= 0) return;
    const chunks = [];
    let gathered = 0;
    for (const [chunk, encoding] of pieces) {
      if (gathered >= room) break;
      const bytes = bytesOf(chunk, encoding);
      chunks.push(bytes);
      gathered += bytes.length;
    }
    const kept = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, gathered)).subarray(0, room);
    state.turnKept += room;
    state.kept += room;
    totalKept += room;
    recordWithBytes(WIRE, state.number | (what << 12), kept, offset);
  }

  function encodingOf(encoding) {
    if (encoding === 'latin1' || encoding === 'utf8' || encoding === undefined) return encoding || 'utf8'; // HTTP's
    return typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
  }

  function lengthOf(chunk, encoding) {
    if (typeof chunk === 'string') return Buffer.byteLength(chunk, encodingOf(encoding));
    return ArrayBuffer.isView(chunk) ? chunk.byteLength : 0;
  }

  function bytesOf(chunk, encoding) {
    if (typeof chunk === 'string') return Buffer.from(chunk, encodingOf(encoding));
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }

  // What _writeGeneric is about to hand the handle: one chunk, or writev's [{ chunk, encoding }] (copied:
  // Node's writev then replaces the entries with their chunks).
  function written(writev, data, encoding) {
    if (!writev) return [[data, encoding]];
    const pieces = [];
    for (const entry of data) if (entry) pieces.push([entry.chunk, entry.encoding]);
    return pieces;
  }

  const proto = net.Socket.prototype;
  const writeGeneric = proto._writeGeneric;
  replace(proto, '_writeGeneric', function _writeGeneric(writev, data, encoding) {
    let pieces = null;
    try {
      if (!this.connecting && this._handle && totalKept < TOTAL_BYTES) pieces = written(writev, data, encoding);
    } catch {
      pieces = null;
    }
    const result = Reflect.apply(writeGeneric, this, arguments);
    if (pieces !== null) {
      try {
        note(this, WROTE, pieces);
      } catch {
        // Tracing must never break the program.
      }
    }
    return result;
  });

  const push = proto.push;
  replace(proto, 'push', function push_(chunk) {
    if (chunk !== null && ArrayBuffer.isView(chunk) && totalKept < TOTAL_BYTES) {
      try {
        note(this, READ, [[chunk]]);
      } catch {
        // Tracing must never break the program.
      }
    }
    return Reflect.apply(push, this, arguments);
  }, 'push');

  // A descriptor like the one there (or inherited), with our function.
  function replace(object, name, replacement, shownName = name) {
    let owner = object;
    while (owner !== null && !Object.prototype.hasOwnProperty.call(owner, name)) owner = Object.getPrototypeOf(owner);
    const descriptor = owner && Object.getOwnPropertyDescriptor(owner, name);
    if (!descriptor || typeof descriptor.value !== 'function') return;
    Object.defineProperty(replacement, 'name', { __proto__: null, value: shownName });
    Object.defineProperty(replacement, 'length', { __proto__: null, value: descriptor.value.length });
    Object.defineProperty(object, name, { __proto__: null, ...descriptor, value: replacement });
  }

  // Node's HTTP server parses in C++: JavaScript never holds those bytes. The head as parsed stands in.
  const channels = require('node:diagnostics_channel');
  channels.subscribe('http.server.request.start', parsedHead);
  let parsing = true;
  function parsedHead(message) {
    try {
      if (totalKept >= TOTAL_BYTES) return;
      const { request, socket } = message;
      if (!socket || !socket._handle || !socket._handle._consumed) return; // push saw the bytes
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      const raw = request.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      note(socket, PARSED, [[`${lines.join('\r\n')}\r\n\r\n`, 'latin1']]);
    } catch {
      // Tracing must never break the program.
    }
  }

  // A socket closes through _destroy, whoever destroys it: its totals are final then.
  const destroy = proto._destroy;
  replace(proto, '_destroy', function _destroy() {
    const result = Reflect.apply(destroy, this, arguments);
    dirty = true;
    const state = sockets.get(this);
    if (state !== undefined) {
      try {
        sockets.delete(this);
        recordWithBytes(WIRE, state.number | (CLOSED << 12), text(`${this.bytesWritten}|${this.bytesRead}`), 0);
      } catch {
        // Tracing must never break the program.
      }
    }
    return result;
  });

  // Between callbacks: agents met on the sockets active since the last time, and, if anything moved, their
  // counts. Called at every callback's start and end, so it does nothing when nothing happened.
  function settle() {
    if (parsing && totalKept >= TOTAL_BYTES) { // no more bytes kept: Node need not build the channel's messages
      parsing = false;
      channels.unsubscribe('http.server.request.start', parsedHead); // between callbacks, never inside a publish
    }
    if (active.size !== 0) {
      for (const socket of active) {
        const message = socket._httpMessage;
        if (message && message.agent && typeof message.agent === 'object' && !agents.has(message.agent)) {
          meet(message.agent);
        }
      }
      active.clear();
    }
    if (!dirty) return;
    dirty = false;
    for (const [agent, known] of agents) count(agent, known);
  }

  // A request queued on an agent, or a socket it forgets when it closes, moves no byte: these two say so.
  let agentWatched = false;
  function watchAgents() {
    agentWatched = true;
    const agentProto = require('node:http').Agent.prototype;
    for (const name of ['addRequest', 'removeSocket']) {
      const original = agentProto[name];
      if (typeof original !== 'function') continue;
      replace(agentProto, name, function () {
        dirty = true;
        return Reflect.apply(original, this, arguments);
      });
    }
  }

  function meet(agent) {
    if (agentNumbers >= MAX_NUMBER) return;
    if (!agentWatched) watchAgents();
    const known = { number: ++agentNumbers, said: new Map() };
    agents.set(agent, known);
    let name = `agent ${known.number}`;
    if (agent === require('node:http').globalAgent) name = 'http.globalAgent';
    else if (agent.protocol === 'https:' && agent === require('node:https').globalAgent) name = 'https.globalAgent';
    const limit = (value) => (Number.isFinite(value) ? value : 0); // 0: no limit
    const said = [name, agent.keepAlive ? 1 : 0, limit(agent.maxSockets), limit(agent.maxFreeSockets)].join('|');
    recordWithBytes(AGENT, known.number | (AGENT_NEW << 12), text(said), micros() | 0);
  }

  // Called between every two callbacks: no allocation unless a count changed.
  function count(agent, known) {
    const said = known.said; // key -> [free, busy, queued] as last recorded
    for (const key in agent.sockets) if (!said.has(key)) said.set(key, [0, 0, 0]);
    for (const key in agent.freeSockets) if (!said.has(key)) said.set(key, [0, 0, 0]);
    for (const key in agent.requests) if (!said.has(key)) said.set(key, [0, 0, 0]);
    for (const [key, last] of said) {
      const free = sizeOf(agent.freeSockets, key), busy = sizeOf(agent.sockets, key);
      const queued = sizeOf(agent.requests, key);
      if (free === last[0] && busy === last[1] && queued === last[2]) continue;
      last[0] = free;
      last[1] = busy;
      last[2] = queued;
      if (free + busy + queued === 0) said.delete(key);
      const line = `${shortKey(known, key)}|${free}|${busy}|${queued}`;
      recordWithBytes(AGENT, known.number | (AGENT_COUNTS << 12), text(line), micros() | 0);
    }
  }

  function sizeOf(table, key) {
    const list = table && table[key];
    return Array.isArray(list) ? list.length : 0;
  }

  // An https agent's key holds its TLS options (a whole CA certificate): long ones are cut, and numbered apart.
  function shortKey(known, key) {
    if (key.length <= 120) return key;
    if (known.long === undefined) known.long = new Map();
    if (!known.long.has(key)) known.long.set(key, `${key.slice(0, 100).replace(/\s+/g, ' ')}…#${known.long.size + 1}`);
    return known.long.get(key);
  }

  return { settle };
};
