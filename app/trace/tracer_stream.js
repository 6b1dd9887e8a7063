'use strict';
// The streams view's half of the tracer. tracer.js loads it at the first stream the program's own code makes
// (see "the streams view" there: a stream constructed while the program's code is on the stack, which takes in
// its own classes, `new Readable(...)`, and what Node's APIs build for its calls: fs.createReadStream,
// zlib.createGzip, crypto.createCipheriv, net.connect, http.request's ClientRequest is no stream), and the body
// of every incoming HTTP message (site "server request (http)" or "client response (http)"). Other streams Node
// makes by itself in a callback (a server's accepted socket) and process.stdio are left out.
//
// For each such stream (STREAM_LIMIT at most) it records, as STREAM records (kind 28):
//   - when first looked at: its class, kind, the site that made it, highWaterMark and objectMode of each side
//     (read from the stream: Node 20 and 24 differ, so nothing is assumed);
//   - its buffered length, readable and writable, read between callbacks when it changed: at most one of each
//     per callback (a loop of writes in one callback is one step), RECORDS_PER_STREAM records in all, then a CUT
//     record and only the markers that end a stream;
//   - markers as they happen: write() returning false (once until 'drain'), push() returning false (once until
//     the buffer is below highWaterMark again), 'drain', 'end', 'finish', 'close', 'error', and pipe() (pipeline
//     pipes too) with the destination's number.
// It never changes what the program does: its wrappers sit on prototypes (Writable's and Duplex's write,
// Readable's push and pipe, an emit on Stream.prototype that calls EventEmitter's) and call what was there.

const STREAM = 28;
const NEW = 0, READABLE_LENGTH = 1, WRITABLE_LENGTH = 2, WRITE_FALSE = 3, DRAIN = 4, END = 5, FINISH = 6;
const CLOSE = 7, ERROR = 8, PIPE = 9, CUT = 10, PUSH_FALSE = 11, UNSHOWN = 12; // what, in a's bits 12-15
const STREAM_LIMIT = 32; // streams shown; more are counted (UNSHOWN)
const RECORDS_PER_STREAM = 400, FINAL_MARKERS = 16; // then a CUT record, then only end/finish/close/error
const MARKERS = { drain: DRAIN, end: END, finish: FINISH, close: CLOSE, error: ERROR };

module.exports = function traceStreams({ record, stringId, micros }) {
  const stream = require('node:stream');
  const { Readable, Writable, Duplex, Transform, Stream } = stream;
  const known = new WeakMap(); // stream -> its state
  const live = new Set(); // states of streams not closed yet (their stream held weakly)
  let numbers = 0, unshown = 0, unshownSaid = 0;

  function made(object, site) {
    if (known.has(object)) return;
    if (numbers >= STREAM_LIMIT) {
      unshown++;
      return;
    }
    const state = { number: ++numbers, ref: new WeakRef(object), site, said: false, records: 0, cut: false,
      readable: -1, writable: -1, waiting: false, full: false };
    known.set(object, state);
    live.add(state);
  }

  function note(state, what, b) {
    if (state.records >= RECORDS_PER_STREAM) {
      if (!state.cut) {
        state.cut = true;
        record(STREAM, state.number | (CUT << 12), 0, micros() | 0);
      }
      const final = what === END || what === FINISH || what === CLOSE || what === ERROR;
      if (!final || state.records >= RECORDS_PER_STREAM + FINAL_MARKERS) return;
    }
    state.records++;
    record(STREAM, state.number | (what << 12), b, micros() | 0);
  }

  // Said once the constructors are done (Duplex stores its writable state after its readable one).
  function introduce(state, object) {
    state.said = true;
    if (state.site === '(incoming http)') { // a client's response knows its request by now, a server's does not
      let req;
      try {
        req = object.req;
      } catch {
        req = undefined;
      }
      state.site = req ? 'client response (http)' : 'server request (http)';
    }
    const rs = object._readableState, ws = object._writableState;
    const kind = object instanceof Transform ? 'transform' : rs && ws ? 'duplex' : rs ? 'readable' : 'writable';
    let name = '';
    try {
      const maker = object.constructor;
      name = typeof maker === 'function' && typeof maker.name === 'string' ? maker.name : '';
    } catch {
      name = '';
    }
    const side = (s) => (s ? `${s.highWaterMark}|${s.objectMode ? 1 : 0}` : '-1|0');
    const text = `${name || kind}|${kind}|${state.site}|${side(rs)}|${side(ws)}`;
    record(STREAM, state.number | (NEW << 12), micros() | 0, stringId(text));
  }

  function lengths(state, object) {
    if (!state.said) introduce(state, object);
    if (state.cut) return;
    const rs = object._readableState, ws = object._writableState;
    if (rs && rs.length !== state.readable) {
      state.readable = rs.length;
      if (state.full && rs.length < rs.highWaterMark) state.full = false;
      note(state, READABLE_LENGTH, rs.length);
    }
    if (ws && ws.length !== state.writable) {
      state.writable = ws.length;
      note(state, WRITABLE_LENGTH, ws.length);
    }
  }

  // Between callbacks (tracer.js calls it as each callback ends, and once as the first begins after the main
  // module made a stream): the lengths that changed.
  function settle() {
    if (unshown !== unshownSaid) {
      unshownSaid = unshown;
      record(STREAM, UNSHOWN << 12, unshown, micros() | 0);
    }
    for (const state of live) {
      const object = state.ref.deref();
      if (object === undefined) live.delete(state);
      else lengths(state, object);
    }
  }

  function seen(object) {
    const state = known.get(object);
    if (state !== undefined && !state.said) introduce(state, object);
    return state;
  }

  function replace(owner, name, make) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    if (!descriptor || typeof descriptor.value !== 'function') return;
    const original = descriptor.value;
    const replacement = make(original);
    Object.defineProperty(replacement, 'name', { __proto__: null, value: original.name });
    Object.defineProperty(replacement, 'length', { __proto__: null, value: original.length });
    Object.defineProperty(owner, name, { __proto__: null, ...descriptor, value: replacement });
  }

  const writeOriginal = Writable.prototype.write;
  // Named parameters and call(): Node's write and push read no arguments.length, and on Node 20 a
  // Reflect.apply of `arguments` made the pipe benchmark a quarter slower.
  const wrappedWrite = (original) => function write(chunk, encoding, callback) {
    const result = original.call(this, chunk, encoding, callback);
    if (result === false) {
      try {
        const state = seen(this);
        if (state !== undefined && !state.waiting) {
          state.waiting = true;
          note(state, WRITE_FALSE, this._writableState.length);
        }
      } catch {
        // Tracing must never break the program.
      }
    }
    return result;
  };
  replace(Writable.prototype, 'write', wrappedWrite);
  if (Duplex.prototype.write === writeOriginal) replace(Duplex.prototype, 'write', wrappedWrite);

  replace(Readable.prototype, 'push', (original) => function push(chunk, encoding) {
    const result = original.call(this, chunk, encoding);
    if (result === false && chunk !== null) {
      try {
        const state = seen(this);
        if (state !== undefined && !state.full) {
          state.full = true;
          note(state, PUSH_FALSE, this._readableState.length);
        }
      } catch {
        // Tracing must never break the program.
      }
    }
    return result;
  });

  replace(Readable.prototype, 'pipe', (original) => function pipe(destination) {
    try {
      const state = seen(this);
      if (state !== undefined) {
        const to = destination && typeof destination === 'object' ? seen(destination) : undefined;
        note(state, PIPE, to === undefined ? 0 : to.number);
      }
    } catch {
      // Tracing must never break the program.
    }
    return Reflect.apply(original, this, arguments);
  });

  // Stream.prototype has no emit of its own: this one notes the markers, then calls the one it inherits.
  if (!Object.prototype.hasOwnProperty.call(Stream.prototype, 'emit')) {
    const inherited = Object.getPrototypeOf(Stream.prototype);
    const emit = function emit(name, first, second) {
      if (name === 'drain' || name === 'end' || name === 'finish' || name === 'close' || name === 'error') {
        const what = MARKERS[name];
        try {
          const state = seen(this);
          if (state !== undefined) marker(state, this, what);
        } catch {
          // Tracing must never break the program.
        }
      }
      const base = inherited.emit; // looked up each time: a program may replace EventEmitter's
      switch (arguments.length) { // every 'data' passes here: no spread of `arguments` for the usual counts
        case 1: return base.call(this, name);
        case 2: return base.call(this, name, first);
        case 3: return base.call(this, name, first, second);
        default: return Reflect.apply(base, this, arguments);
      }
    };
    Object.defineProperty(emit, 'length', { __proto__: null, value: inherited.emit.length });
    Object.defineProperty(Stream.prototype, 'emit', { __proto__: null, value: emit, writable: true, configurable: true });
  }

  function marker(state, object, what) {
    if (what === DRAIN) state.waiting = false;
    lengths(state, object); // the lengths the marker happened at
    const rs = object._readableState, ws = object._writableState;
    const length = what === END ? (rs ? rs.length : 0) : ws ? ws.length : rs ? rs.length : 0;
    note(state, what, length);
    if (what === CLOSE) live.delete(state);
  }

  return { made, settle };
};
