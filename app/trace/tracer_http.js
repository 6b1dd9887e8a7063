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
// sockets per host:port, read between callbacks (settle) and recorded when they change.
//
// Like tracer.js it never changes what the program does: no listeners, no timers, no sockets, nothing
// created on the program's objects; the two wrappers sit on net.Socket.prototype and call what was there.

const WIRE = 23, AGENT = 25;
const WROTE = 0, READ = 1, PARSED = 2, OPENED = 3, CLOSED = 4; // what a WIRE record says, in a's bits 12-15
const AGENT_COUNTS = 0, AGENT_NEW = 1; // what an AGENT record says, in a's bits 12-15
const TURN_BYTES = 4096, SOCKET_BYTES = 65536, TOTAL_BYTES = 1 << 20;
const RECORD_LIMIT = 50000; // records of both kinds in a run: a long benchmark cannot flood the trace
const SCAN = 16; // sockets looked at per settle besides the ones active since the last, to see them destroyed
const MAX_NUMBER = 0xfff; // socket and agent numbers fit in a's low 12 bits

module.exports = function traceHttp({ recordWithBytes: recordAlways, micros }) {
  const net = require('node:net');
  const sockets = new Map(); // net.Socket -> what we know of it, until it is destroyed
  const agents = new Map(); // http.Agent -> { number, said: Map(key -> "free|busy|queued") }
  const active = new Set(); // sockets with bytes since the last settle
  let scan = sockets.entries();
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

  const out = {};
  function address(handle, method) {
    if (!handle || typeof handle[method] !== 'function') return '';
    out.address = undefined;
    if (handle[method](out) !== 0 || typeof out.address !== 'string') return '';
    return `${out.family === 'IPv6' || out.family === 6 ? `[${out.address}]` : out.address}:${out.port}`;
  }

  // Keep the first bytes of `chunks` the caps allow; the record's c is where they start in that direction.
  function note(socket, what, chunks) {
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    if (total === 0) return;
    const state = stateOf(socket);
    if (state === undefined) return;
    active.add(socket);
    const turn = what === WROTE ? WROTE : READ;
    if (state.turn !== turn) {
      state.turn = turn;
      state.turnKept = 0;
    }
    const offset = state.offsets[what];
    state.offsets[what] += total;
    const room = Math.min(total, TURN_BYTES - state.turnKept, SOCKET_BYTES - state.kept, TOTAL_BYTES - totalKept);
    if (room <= 0) return;
    const kept = chunks.length === 1 ? chunks[0].subarray(0, room) : Buffer.concat(chunks, total).subarray(0, room);
    state.turnKept += room;
    state.kept += room;
    totalKept += room;
    recordWithBytes(WIRE, state.number | (what << 12), kept, offset);
  }

  function bytesOf(chunk, encoding) {
    if (typeof chunk === 'string') {
      const name = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
      return Buffer.from(chunk, name);
    }
    return ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : null;
  }

  // What _writeGeneric is about to hand the handle: one chunk, or writev's [{ chunk, encoding }].
  function written(writev, data, encoding) {
    if (!writev) {
      const bytes = bytesOf(data, encoding);
      return bytes === null ? [] : [bytes];
    }
    const chunks = [];
    for (const entry of data) {
      const bytes = entry && bytesOf(entry.chunk, entry.encoding);
      if (bytes) chunks.push(bytes);
    }
    return chunks;
  }

  const proto = net.Socket.prototype;
  const writeGeneric = proto._writeGeneric;
  replace(proto, '_writeGeneric', function _writeGeneric(writev, data, encoding) {
    let chunks = null;
    try {
      if (!this.connecting && this._handle) chunks = written(writev, data, encoding); // before writev reuses data
    } catch {
      chunks = null;
    }
    const result = Reflect.apply(writeGeneric, this, arguments);
    if (chunks !== null) {
      try {
        note(this, WROTE, chunks);
      } catch {
        // Tracing must never break the program.
      }
    }
    return result;
  });

  const push = proto.push;
  replace(proto, 'push', function push_(chunk) {
    if (chunk !== null && ArrayBuffer.isView(chunk)) {
      try {
        note(this, READ, [new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)]);
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
  channels.subscribe('http.server.request.start', (message) => {
    try {
      const { request, socket } = message;
      if (!socket || !socket._handle || !socket._handle._consumed) return; // push saw the bytes
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      const raw = request.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      note(socket, PARSED, [Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')]);
    } catch {
      // Tracing must never break the program.
    }
  });

  // Between callbacks: sockets destroyed since (with their byte totals), agents met, their counts. The sockets
  // looked at are the ones with bytes since the last time and a few more in turn: many idle ones cost little.
  function settle() {
    for (const socket of active) look(socket, sockets.get(socket));
    active.clear();
    for (let i = 0; i < SCAN && sockets.size !== 0; i++) {
      let next = scan.next();
      if (next.done) {
        scan = sockets.entries();
        next = scan.next();
      }
      if (!next.done) look(next.value[0], next.value[1]);
    }
    for (const [agent, known] of agents) count(agent, known);
  }

  function look(socket, state) {
    if (state === undefined) return;
    try {
      if (socket.destroyed) {
        sockets.delete(socket);
        recordWithBytes(WIRE, state.number | (CLOSED << 12), text(`${socket.bytesWritten}|${socket.bytesRead}`), 0);
        return;
      }
      const message = socket._httpMessage;
      if (message && message.agent && typeof message.agent === 'object' && !agents.has(message.agent)) {
        meet(message.agent);
      }
    } catch {
      sockets.delete(socket);
    }
  }

  function meet(agent) {
    if (agentNumbers >= MAX_NUMBER) return;
    const known = { number: ++agentNumbers, said: new Map() };
    agents.set(agent, known);
    let name = `agent ${known.number}`;
    if (agent === require('node:http').globalAgent) name = 'http.globalAgent';
    else if (agent.protocol === 'https:' && agent === require('node:https').globalAgent) name = 'https.globalAgent';
    const limit = (value) => (Number.isFinite(value) ? value : 0); // 0: no limit
    const said = [name, agent.keepAlive ? 1 : 0, limit(agent.maxSockets), limit(agent.maxFreeSockets)].join('|');
    recordWithBytes(AGENT, known.number | (AGENT_NEW << 12), text(said), micros() | 0);
  }

  function count(agent, known) {
    const keys = new Set(known.said.keys());
    for (const table of [agent.sockets, agent.freeSockets, agent.requests]) {
      if (table && typeof table === 'object') for (const key in table) keys.add(key);
    }
    for (const key of keys) {
      const size = (table) => (table && Array.isArray(table[key]) ? table[key].length : 0);
      const said = `${size(agent.freeSockets)}|${size(agent.sockets)}|${size(agent.requests)}`;
      if (known.said.get(key) === said) continue;
      if (said === '0|0|0') known.said.delete(key);
      else known.said.set(key, said);
      recordWithBytes(AGENT, known.number | (AGENT_COUNTS << 12), text(`${shortKey(known, key)}|${said}`), micros() | 0);
    }
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
