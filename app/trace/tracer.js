'use strict';
// looplab's tracer, preloaded with `node --require tracer.js`. It records what the event loop does and
// writes it, in small binary records, to the pipe whose fd is in LOOPLAB_TRACE_FD.
//
// Rules it keeps so that the traced program behaves exactly as it would alone:
//   - it never schedules a timer, an immediate, a tick or a promise job of its own;
//   - it writes synchronously and never calls console.* (or anything that creates async resources);
//   - each hook does a few typed-array stores; stack traces are taken only within a budget.
//
// The record layout is mirrored in app/trace/schema.py; tests/test_trace_decode.py keeps the two in step.

const traceFd = Number(process.env.LOOPLAB_TRACE_FD);
if (Number.isInteger(traceFd) && traceFd > 2) startTracing(traceFd);

function startTracing(fd) {
  const asyncHooks = require('node:async_hooks');
  const fs = require('node:fs');
  const path = require('node:path');
  const { threadId } = require('node:worker_threads');

  // Record kinds (each record is four int32 words; STRING and WRITE carry bytes after them).
  const INIT = 1, BEFORE = 2, AFTER = 3, DESTROY = 4, RESOLVE = 5, STRING = 6, LABEL = 7, WRITE = 8;
  const TIMER = 10, EXIT_EVENT = 13, HELLO = 14, SUMMARY = 15, COUNTS = 16, META = 17, TIMEBASE = 18, BODY = 19;
  // Phases and queues, as numbers in records.
  const MAIN = 1, TIMERS = 2, PENDING = 3, POLL = 4, CHECK = 5, CLOSE = 6, EXIT = 7;
  const MACROTASK = 1, NEXTTICK = 2, MICROTASK = 3;
  const MARK_PREPARE = 1, MARK_CHECK = 2;
  const CTRL_USED = 0, CTRL_MARK = 1, CTRL_ITERATION = 2;
  const HEADER = 12, CAPACITY = 4096;

  // Node versions that know createHook's trackPromises option reject a non-boolean; older ones ignore it.
  function supportsTrackPromises() {
    try {
      asyncHooks.createHook({ trackPromises: 'probe' });
      return false;
    } catch {
      return true;
    }
  }

  const detailLimit = Number(process.env.LOOPLAB_TRACE_DETAIL_LIMIT) || 100000;
  let siteBudget = Number(process.env.LOOPLAB_TRACE_SITE_BUDGET) || 2000;

  // --- the buffer: shared with the addon (exact phases) or our own (phases inferred) ----------------
  let addon = null;
  let handle = null;
  try {
    addon = require(process.env.LOOPLAB_TRACE_ADDON);
    handle = addon.start(fd, threadId);
  } catch {
    addon = null;
  }
  const exact = addon !== null;
  const buffer = exact ? handle.buffer : new ArrayBuffer(CAPACITY);
  const ctrl = exact ? new Int32Array(handle.control) : new Int32Array(5);
  if (!exact) ctrl[CTRL_USED] = HEADER;
  const words = new Int32Array(buffer);
  const bytes = new Uint8Array(buffer);

  function flush() {
    if (exact) return addon.flush(handle);
    const used = ctrl[CTRL_USED];
    if (used <= HEADER) return;
    words[0] = 0x504f4f4c;
    words[1] = threadId;
    words[2] = used;
    try {
      fs.writeSync(fd, bytes, 0, used);
    } catch {
      // The reader is gone; tracing must never break the program.
    }
    ctrl[CTRL_USED] = HEADER;
  }

  let records = 0;
  function record(kind, a, b, c) {
    let at = ctrl[CTRL_USED];
    if (at + 16 > CAPACITY) {
      flush();
      at = ctrl[CTRL_USED];
    }
    const w = at >> 2;
    words[w] = kind;
    words[w + 1] = a;
    words[w + 2] = b;
    words[w + 3] = c;
    ctrl[CTRL_USED] = at + 16;
    records++;
  }

  // A record followed by bytes, split so that no piece is larger than the buffer.
  function recordWithBytes(kind, a, data, c) {
    const room = CAPACITY - HEADER - 16;
    let offset = 0;
    do {
      const size = Math.min(room, data.length - offset);
      let at = ctrl[CTRL_USED];
      if (at + 16 + ((size + 3) & ~3) > CAPACITY) {
        flush();
        at = ctrl[CTRL_USED];
      }
      const more = offset + size < data.length ? 1 : 0;
      const w = at >> 2;
      words[w] = kind;
      words[w + 1] = a | (more << 16) | ((offset > 0 ? 1 : 0) << 17);
      words[w + 2] = size;
      words[w + 3] = c;
      bytes.set(data.subarray(offset, offset + size), at + 16);
      ctrl[CTRL_USED] = at + 16 + ((size + 3) & ~3);
      offset += size;
      records++;
    } while (offset < data.length);
  }

  const strings = new Map();
  function stringId(text) {
    let id = strings.get(text);
    if (id === undefined) {
      id = strings.size + 1;
      strings.set(text, id);
      recordWithBytes(STRING, 0, Buffer.from(text.slice(0, 2000)), id);
    }
    return id;
  }

  // --- where was this scheduled? ---------------------------------------------------------------------
  const tracerFile = __filename;
  function userFile(file) {
    if (!file || file.startsWith('node:') || file === tracerFile) return false;
    return !file.includes(`${path.sep}node_modules${path.sep}`);
  }
  const keepCallsites = (_, callsites) => callsites;
  // The call stack as V8 CallSite objects, below `below`; whatever the program set, restored at once.
  function callsites(below, limit) {
    const savedPrepare = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    Error.prepareStackTrace = keepCallsites;
    Error.stackTraceLimit = limit;
    const holder = {};
    Error.captureStackTrace(holder, below);
    const sites = holder.stack;
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
    return Array.isArray(sites) ? sites : [];
  }

  // Returns [site, api]: the first frame in the user's code, and the Node API it called, if any.
  function scheduledAt() {
    const stack = callsites(scheduledAt, 24);
    let api = null;
    for (const site of stack) {
      const file = site.getFileName();
      if (userFile(file)) {
        const name = file.startsWith('file://') ? require('node:url').fileURLToPath(file) : file;
        return [stringId(`${name}:${site.getLineNumber()}:${site.getColumnNumber()}`), api ? stringId(api) : 0];
      }
      if (file && file.startsWith('node:') && !file.startsWith('node:internal')) {
        const fn = site.getFunctionName();
        const module = file.slice(5);
        if (fn && !fn.startsWith('_')) api = `${module}.${fn.replace(/^Object\./, '')}`;
      }
    }
    return [0, 0];
  }

  // Is this promise job the evaluation of the entry module's body (an ES module runs inside one)?
  function isModuleBody() {
    let seenUser = false;
    for (const site of callsites(isModuleBody, 40)) {
      if (userFile(site.getFileName())) seenUser = true;
      // Evaluation, not instantiation: ModuleJob.#asyncInstantiate also shows the module's first line.
      else if (seenUser && /^ModuleJob\.(run|runSync|evaluate)$/.test(`${site.getTypeName()}.${site.getFunctionName()}`)) {
        return typeof site.isAsync !== 'function' || !site.isAsync();
      }
    }
    return false;
  }

  // --- resource types ------------------------------------------------------------------------------
  const typeIds = new Map();
  const TYPE_PROMISE = typeCode('PROMISE');
  const TYPE_TICK = typeCode('TickObject');
  const TYPE_TIMEOUT = typeCode('Timeout');
  const TYPE_IMMEDIATE = typeCode('Immediate');
  const TYPE_MICROTASK = typeCode('Microtask'); // queueMicrotask wraps its callback in one of these
  function typeCode(type) {
    let code = typeIds.get(type);
    if (code === undefined) {
      code = stringId(type);
      typeIds.set(type, code);
    }
    return code;
  }
  // libuv handles: after the check phase their callbacks can only be close callbacks. The INIT record
  // says which resources are handles, so this is the only list of them.
  const HANDLE_TYPES = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'TTYWRAP', 'UDPWRAP',
    'PROCESSWRAP', 'SIGNALWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'TIMERWRAP', 'HTTP2SESSION', 'QUIC_ENDPOINT',
    'MESSAGEPORT', 'WORKER']
    .map(typeCode));
  const INTERNAL_TICKS = new Set(['afterWriteTick']);

  // --- phase and queue: decided here, once, for every callback and every write ------------------------
  let phase = MAIN;
  let queue = MACROTASK;
  let mainBody = 0; // the promise job evaluating an ES module entry
  let commonJsEntry = false; // user code ran outside any callback: the entry is CommonJS, not a module job
  let depth = 0; // nested before/after: only the outermost callback decides the phase
  let contextId = 0; // the async id of the outermost callback running now
  let iteration = -1; // the loop iteration the phase was decided in
  let afterCheck = 0; // after the check marker: 0 check, 1 close, 2 timers, 3 pending
  const types = new Map(); // async id -> type code, for non-promise resources

  function macrotaskPhase(type) {
    const mark = ctrl[CTRL_MARK];
    const turn = ctrl[CTRL_ITERATION];
    if (!exact) {
      if (type === TYPE_TIMEOUT) return TIMERS;
      if (type === TYPE_IMMEDIATE) return CHECK;
      return POLL;
    }
    if (mark === MARK_PREPARE) return POLL;
    if (mark === 0) return type === TYPE_TIMEOUT ? TIMERS : PENDING; // before the first poll
    // After the check marker: check (immediates), close (handle closes), timers, then next pending.
    if (turn !== iteration) {
      iteration = turn;
      afterCheck = 0;
    }
    if (type === TYPE_IMMEDIATE) {
      afterCheck = 0;
      return CHECK;
    }
    if (type === TYPE_TIMEOUT) {
      afterCheck = 2;
      return TIMERS;
    }
    if (afterCheck <= 1 && HANDLE_TYPES.has(type)) {
      afterCheck = 1;
      return CLOSE;
    }
    afterCheck = 3;
    return PENDING;
  }

  // --- bounded mode: full detail up to the limit, then counts per phase and queue ----------------------
  let summary = false;
  const counts = new Int32Array(8 * 4 * 4); // [phase][queue][what: 0 callback, 1 init, 2 resolve, 3 write]
  function countsFlush() {
    for (let p = 0; p < 8; p++) {
      for (let q = 0; q < 4; q++) {
        for (let what = 0; what < 4; what++) {
          const n = counts[(p * 4 + q) * 4 + what];
          if (n) {
            record(COUNTS, (p << 8) | q, what, n);
            counts[(p * 4 + q) * 4 + what] = 0;
          }
        }
      }
    }
  }
  function maybeSummarise() {
    if (records < detailLimit) return;
    summary = true;
    siteBudget = 0;
    record(SUMMARY, records, 0, 0);
    destroyHook.disable(); // counts need no destroy events
  }
  let sinceCounts = 0;
  function bump(what) {
    counts[(phase * 4 + queue) * 4 + what]++;
    if (++sinceCounts >= 65536) {
      sinceCounts = 0;
      countsFlush();
    }
  }

  // An ES module entry's body runs inside a promise job (on Node 20 even during poll, as the loader reads
  // files asynchronously). The first sign of user code inside a module-evaluation job names that job the
  // main module: it and the queues it drains are `main`, wherever the loop was.
  function checkForModuleBody() {
    if (commonJsEntry || mainBody !== 0 || depth === 0 || queue !== MICROTASK || !isModuleBody()) return;
    mainBody = contextId;
    phase = MAIN;
    queue = MACROTASK;
    record(BODY, contextId, 0, 0);
  }

  // --- hooks ------------------------------------------------------------------------------------------
  let firstTracedId = Infinity; // async ids below it belong to resources created before tracing began
  let inWrite = 0; // inside our stdout/stderr wrapper or getter: whatever is created there is Node's own
  let timeBaseSent = false;
  const timers = new Map(); // live Timeout resources, to report an interval's next due time

  function init(id, type, trigger, resource) {
    if (!destroyArmed) armDestroy(); // from inside a hook callback, on purpose: see armDestroy
    if (id < firstTracedId && id > 0) firstTracedId = id;
    const code = typeIds.get(type) ?? typeCode(type);
    if (code !== TYPE_PROMISE) types.set(id, code);
    if (summary) return bump(1);
    let internal = inWrite > 0;
    if (code === TYPE_TICK && resource && resource.callback && INTERNAL_TICKS.has(resource.callback.name)) {
      internal = true;
    }
    let site = 0, api = 0;
    if (siteBudget > 0 && !internal && (code !== TYPE_PROMISE || phase === MAIN)) {
      siteBudget--;
      [site, api] = scheduledAt();
      if (site === 0) internal = true;
      else if (depth === 0 && phase === MAIN) commonJsEntry = true;
      else checkForModuleBody();
    }
    record(INIT, id, trigger, code | (internal ? 1 << 24 : 0) | (HANDLE_TYPES.has(code) ? 1 << 25 : 0));
    if (code === TYPE_PROMISE) return maybeSummarise();
    let name = '';
    if (code === TYPE_TIMEOUT) {
      name = resource._onTimeout && resource._onTimeout.name;
      timers.set(id, resource);
      if (exact && !timeBaseSent) {
        // Node counts timer start times from its own base; markers count from tracing's start. Pair them.
        // Nothing updates the loop's clock between setTimeout reading it and this line.
        timeBaseSent = true;
        record(TIMEBASE, addon.now(handle) - (resource._idleStart | 0), 0, 0);
      }
      record(TIMER, id, resource._idleTimeout, resource._idleStart | 0);
    } else if (code === TYPE_IMMEDIATE) {
      name = resource._onImmediate && resource._onImmediate.name;
    } else if (code === TYPE_TICK) {
      name = resource.callback && resource.callback.name;
    }
    if (name || site || api) record(LABEL, id, name ? stringId(name) : api, site);
    maybeSummarise();
  }

  function before(id) {
    let code = types.get(id);
    // Promises are not in `types` (too many); nor is anything created before tracing began, which is
    // older than the first resource we saw (async ids only grow). Where promises have their own hook,
    // anything unknown here is one of the latter.
    if (code === undefined && (splitPromises || id < firstTracedId)) code = 0;
    enter(id, code);
  }

  function enter(id, code) {
    if (depth++ === 0) {
      contextId = id;
      if (code === undefined || code === TYPE_PROMISE || code === TYPE_MICROTASK) {
        queue = MICROTASK;
      } else if (code === TYPE_TICK) {
        queue = NEXTTICK;
      } else {
        queue = MACROTASK;
        phase = macrotaskPhase(code);
      }
    }
    if (summary) return bump(0);
    record(BEFORE, id, phase | (queue << 8), 0);
  }

  function after(id) {
    if (--depth <= 0) {
      depth = 0;
      contextId = 0;
      queue = MACROTASK;
    }
    const timer = timers.get(id);
    if (timer !== undefined && timer._repeat) {
      if (!summary) record(TIMER, id, timer._idleTimeout, timer._idleStart | 0); // an interval, re-armed
    } else {
      const code = types.get(id);
      // Ticks, immediates and one-shot timers never run again: forget them even if destroy never comes.
      if (code === TYPE_TICK || code === TYPE_IMMEDIATE || code === TYPE_TIMEOUT) {
        types.delete(id);
        timers.delete(id);
      }
    }
    if (!summary) record(AFTER, id, 0, 0);
  }

  function destroy(id) {
    types.delete(id);
    timers.delete(id);
    record(DESTROY, id, 0, 0);
  }

  function promiseResolve(id) {
    if (summary) return bump(2);
    record(RESOLVE, id, 0, 0);
  }

  // --- output: every write to stdout and stderr, with the phase and queue it happened in ----------------
  // process.stdout is created lazily on first use; wrap it then, so tracing never creates it early.
  function wrapWhenCreated(name, streamCode) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    if (descriptor && typeof descriptor.get === 'function' && descriptor.configurable) {
      let wrapped = null;
      Object.defineProperty(process, name, {
        __proto__: null,
        configurable: true,
        enumerable: descriptor.enumerable,
        get() {
          inWrite++;
          let stream;
          try {
            stream = descriptor.get.call(this);
          } finally {
            inWrite--;
          }
          if (stream !== wrapped && stream) {
            wrapWrite(stream, streamCode);
            wrapped = stream;
          }
          return stream;
        },
        set: descriptor.set,
      });
    } else if (process[name]) {
      wrapWrite(process[name], streamCode);
    }
  }

  function wrapWrite(stream, streamCode) {
    const original = stream.write;
    stream.write = function write(chunk, encoding, callback) {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
        if (phase === MAIN && depth === 0) commonJsEntry = true;
        else checkForModuleBody();
        const p = phase;
        const q = queue;
        const data = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
          : chunk;
        if (summary) bump(3);
        recordWithBytes(WRITE, streamCode | (p << 4) | (q << 8), data, contextId);
      }
      inWrite++;
      try {
        return original.apply(this, arguments);
      } finally {
        inWrite--;
      }
    };
  }

  // destroy is only needed for timers, immediates and handles. But as soon as a hook wants destroy,
  // async_hooks also tracks every promise for destroy (a weak reference each, and much garbage
  // collection): it doubled the cost of an await-heavy program. Two ways round it:
  //  - Node 24 lets a hook skip promises (trackPromises): our hooks do, and promises get V8's lighter
  //    promise hooks with ids of our own (negative, so never an async id).
  //  - Node 20 decides promise tracking when a hook is enabled outside a hook callback; enabled from inside
  //    one (see armDestroy), the destroy hook is added without it. If the program enables hooks of its
  //    own later, Node may start tracking promises again: slower, never wrong.
  const splitPromises = supportsTrackPromises();
  const destroyHook = asyncHooks.createHook(splitPromises ? { destroy, trackPromises: false } : { destroy });
  const flowHook = splitPromises
    ? asyncHooks.createHook({ init, before, after, trackPromises: false })
    : asyncHooks.createHook({ init, before, after, promiseResolve });
  let destroyArmed = splitPromises;
  function armDestroy() {
    destroyArmed = true;
    destroyHook.enable();
  }
  const promiseId = Symbol('looplab.promiseId');
  let lastPromiseId = 0;
  function startPromiseHooks() {
    require('node:v8').promiseHooks.createHook({
      init(promise, parent) {
        const id = --lastPromiseId;
        promise[promiseId] = id;
        init(id, 'PROMISE', parent === undefined ? contextId : parent[promiseId] || 0, promise);
      },
      before(promise) {
        enter(promise[promiseId], TYPE_PROMISE);
      },
      after(promise) {
        after(promise[promiseId]);
      },
      settled(promise) {
        if (promise[promiseId] !== undefined) promiseResolve(promise[promiseId]);
      },
    });
  }

  record(HELLO, threadId, exact ? 1 : 0, process.pid);
  record(META, stringId(process.version), stringId(process.versions.uv), stringId(process.argv[1] || ''));
  wrapWhenCreated('stdout', 1);
  wrapWhenCreated('stderr', 2);
  process.on('beforeExit', () => {
    phase = EXIT;
    record(EXIT_EVENT, 1, 0, 0);
  });
  process.on('exit', () => {
    phase = EXIT;
    record(EXIT_EVENT, 2, 0, 0);
    if (summary) countsFlush();
    flush(); // the addon flushes again at the very end; without it, this is the last chance
  });
  flowHook.enable();
  if (splitPromises) {
    destroyHook.enable();
    startPromiseHooks();
  }
}
