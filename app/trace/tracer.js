'use strict';
// looplab's tracer, preloaded with `node --require tracer.js`. It records what the event loop does and
// writes it, in small binary records, to the pipe whose fd is in LOOPLAB_TRACE_FD.
//
// Rules it keeps so that the traced program behaves exactly as it would alone:
//   - it never schedules a timer, an immediate, a tick or a promise job of its own;
//   - it writes synchronously and never calls console.* (or anything that creates async resources);
//   - each hook does a few typed-array stores; stack traces are taken only within a budget;
//   - what programs inspect stays as it is: promises print and compare the same, `process.stdout.write`
//     is the stream's prototype's, hooks never throw, child processes never write into the program's
//     trace pipe (they have a channel of their own; they and the program see NODE_OPTIONS and
//     LOOPLAB_TRACE_* in their environment); what it does change is on prototypes and module objects
//     (`write` on the stdout stream's prototype,
//     fs.write and fs.writeSync; once a TCP socket exists, net.Socket.prototype's `_writeGeneric`, `push`
//     and `_destroy`, http.Agent.prototype's addRequest and removeSocket: tracer_http.js; once a Worker or
//     child process exists, Worker.prototype's postMessage and emit, ChildProcess.prototype's spawn and emit,
//     MessagePort.prototype's postMessage and an own Symbol.for('nodejs.internal.kHybridDispatch'):
//     tracer_messages.js; from the start, MessageChannel on the worker_threads exports and globalThis, a Proxy of
//     Node's that names the ports it makes (String(MessageChannel) reads `function () { [native code] }`), and
//     MessageChannel.prototype.constructor, the Proxy: nameChannelPorts; once Node's stream module is loaded,
//     `_readableState`/`_writableState` accessors on Stream.prototype (so `'_readableState' in` a legacy Stream
//     is true), Module.prototype.require until then,
//     fs.createReadStream/createWriteStream; once the program made a stream, Writable/Duplex write, Readable
//     push and pipe, Stream.prototype.emit: tracer_stream.js), and on Node 20 hidden async-id symbols on promises;
//     with the heap hooks (heap_hooks.cc, loaded with process.dlopen): a GC prologue and epilogue callback on the
//     isolate and two unref'd libuv handles, no JavaScript at all (see "the heap view": what a program could notice).
//     tests/test_trace_isolation.py compares traced runs with plain ones.
//
// The record layout is mirrored in app/trace/schema.py; tests/test_trace_decode.py keeps the two in step.

// A Node child of the traced program (fork, cluster, `node --test`, spawn with process.execArgv) would
// inherit the preload and the fd's number, but not the fd (it is close-on-exec), and would write into
// whatever that number is in the child: a libuv pipe, fatally. So the traced process drops the preload
// from the process.execArgv it passes on, and the first process to trace stamps its pid into the
// environment: another process never writes to that fd number. A Node child started with the environment
// (NODE_OPTIONS carries the preload) opens a channel of its own instead and tags its records with its pid
// (tracer_procs.js); without that channel it does nothing. With the tiers view, looplab's V8 log options are
// dropped from process.execArgv too: the program sees, and its children inherit, the options it was given.
const ownerPid = process.env.LOOPLAB_TRACE_PID;
const { isMainThread } = require('node:worker_threads');
forgetOwnPreload();
let traceFd = Number(process.env.LOOPLAB_TRACE_FD);
if (Number.isInteger(traceFd) && traceFd > 2 && ownsTheTracePipe()) {
  startTracing(traceFd, process.env.LOOPLAB_TRACE_TAGGED === '1');
} else if (ownerPid !== undefined && ownerPid !== String(process.pid) && isMainThread &&
  process.env.LOOPLAB_TRACE_CHILDREN) {
  traceFd = loadProcs().openChannel(process.env.LOOPLAB_TRACE_CHILDREN);
  if (traceFd > 2) {
    // its workers write to its channel; its own children open theirs
    process.env.LOOPLAB_TRACE_PID = String(process.pid);
    process.env.LOOPLAB_TRACE_FD = String(traceFd);
    process.env.LOOPLAB_TRACE_TAGGED = '1';
    startTracing(traceFd, true);
  }
}

// Which pipe or file fd 1 is ("" if none): a child process whose stdout is the program's prints straight to it.
function stdoutIdentity() {
  try {
    const stat = require('node:fs').fstatSync(1);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return '';
  }
}

// tracer_procs.js, for child processes only, kept out of require.cache where the program would see it.
function loadProcs() {
  const file = require('node:path').join(__dirname, 'tracer_procs.js');
  try {
    return require(file);
  } catch {
    return { openChannel: () => -1, started() {} };
  } finally {
    delete require.cache[file];
  }
}

// Called once, by the main thread with the tiers view on: its lazy compile is V8's log's clock pulse.
function looplabTiersClock() {
  return 0;
}

// Workers share the process, and its pipe; a child process has another pid.
function ownsTheTracePipe() {
  if (ownerPid !== undefined) return ownerPid === String(process.pid);
  if (!isMainThread) return false;
  process.env.LOOPLAB_TRACE_PID = String(process.pid);
  return true;
}

// Remove `--require <this file>` from process.execArgv, which is what Node passes on to its children, and the
// tiers view's V8 log options (the ones looplab adds, listed in LOOPLAB_TRACE_TIERS_ARGS; see app/trace/v8_log.py).
function forgetOwnPreload() {
  const argv = process.execArgv;
  const path = require('node:path');
  const isThisFile = (file) => path.resolve(file) === __filename;
  const tiersArgs = (process.env.LOOPLAB_TRACE_TIERS_ARGS || '').split('\n').filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    if (tiersArgs.includes(argv[i])) {
      argv.splice(i--, 1);
      continue;
    }
    if ((argv[i] === '--require' || argv[i] === '-r') && i + 1 < argv.length && isThisFile(argv[i + 1])) {
      argv.splice(i--, 2);
    } else if (argv[i].startsWith('--require=') && isThisFile(argv[i].slice('--require='.length))) {
      argv.splice(i--, 1);
    }
  }
}

// `tagged`: a child process's, whose chunk headers carry pid * 1024 + threadId (see tracer_procs.js).
function startTracing(fd, tagged) {
  const asyncHooks = require('node:async_hooks');
  const fs = require('node:fs');
  const path = require('node:path');
  const { threadId } = require('node:worker_threads');

  // Record kinds (each record is four int32 words; STRING and WRITE carry bytes after them).
  const INIT = 1, BEFORE = 2, AFTER = 3, DESTROY = 4, RESOLVE = 5, STRING = 6, LABEL = 7, WRITE = 8;
  const TIMER = 10, EXIT_EVENT = 13, HELLO = 14, SUMMARY = 15, COUNTS = 16, META = 17, TIMEBASE = 18, BODY = 19;
  const POOL = 20, POOL_SIZE = 21;
  const POOL_QUEUED = 1, POOL_DONE = 2;
  const SOCKET = 22; // the fds view: a handle's fd and addresses (see "sockets" below)
  // Kinds 23 (wire) and 25 (agent) are written by tracer_http.js, loaded at the first TCP socket (see below).
  const TLS = 24; // the tls view: tracer_tls.js, loaded at the first TLS socket
  const PROCESS = 26; // a child process's pid, parent and how it was started: tracer_procs.js
  const MESSAGE = 27; // the lanes view: tracer_messages.js, loaded at the first worker or child process
  const TIERS_CLOCK = 29; // the tiers view: the trace's clock around a call whose compile V8 logs
  const HEAP = 31; // the heap view: GC pauses and heap spaces, from heap_hooks.cc's ring (see "the heap view")
  const HEAP_NAMES = 3, HEAP_DROPPED = 4; // a's low byte; heap_hooks.cc writes 1 (a GC) and 2 (a space's size)
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

  // Node 20 has no trackPromises, and enabling any hook with init makes Node set V8's promise hooks to its
  // own, which give every promise an async id and run its reactions under it: executionAsyncId() and
  // triggerAsyncId() then differ from an untraced run. The binding that sets V8's promise hooks lets us run
  // ours alone instead (see usePromiseHooks). process.binding('async_wrap') warns (DEP0111), so it is
  // read with warnings off, which emitWarning checks before anything else, and the setting put back.
  // Only if nothing has set promise hooks yet (an earlier --require may have asked for them).
  function promiseHookBinding() {
    const quiet = Object.getOwnPropertyDescriptor(process, 'noDeprecation');
    if (quiet !== undefined && !quiet.configurable) return null;
    try {
      if (quiet === undefined || quiet.value !== true) {
        Object.defineProperty(process, 'noDeprecation',
          { __proto__: null, value: true, writable: true, enumerable: true, configurable: true });
      }
      const { setPromiseHooks, getPromiseHooks } = process.binding('async_wrap');
      if (typeof setPromiseHooks !== 'function' || typeof getPromiseHooks !== 'function') return null;
      const running = getPromiseHooks();
      for (let index = 0; index < 4; index++) if (running[index] !== undefined) return null;
      return { setPromiseHooks, getPromiseHooks };
    } catch {
      return null; // e.g. the permission model refuses process.binding
    } finally {
      if (quiet !== undefined) Object.defineProperty(process, 'noDeprecation', quiet);
      else delete process.noDeprecation;
    }
  }

  const detailLimit = Number(process.env.LOOPLAB_TRACE_DETAIL_LIMIT) || 100000;
  let siteBudget = Number(process.env.LOOPLAB_TRACE_SITE_BUDGET) || 2000;

  // --- the buffer: shared with the addon (exact phases) or our own (phases inferred) ----------------
  if (tagged && threadId >= 1024) return; // the tag has room for 1024 threads a process
  const threadTag = tagged ? (process.pid * 1024 + threadId) | 0 : threadId;
  let addon = null;
  let handle = null;
  try {
    addon = require(process.env.LOOPLAB_TRACE_ADDON);
    handle = addon.start(fd, threadTag, isMainThread);
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
    words[1] = threadTag;
    words[2] = used;
    for (let waits = 0; ; waits++) {
      try {
        fs.writeSync(fd, bytes, 0, used);
      } catch (error) {
        // A child's channel is non-blocking: wait for room a while. Otherwise the reader is gone, and
        // tracing must never break the program.
        if (error.code === 'EAGAIN' && waits < 20) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
          continue;
        }
      }
      break;
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
  const tracerFolder = path.dirname(__filename) + path.sep; // its parts too: their wrappers sit on Node's stacks
  function userFile(file) {
    if (!file || file.startsWith('node:') || file === tracerFile || file.startsWith(tracerFolder)) return false;
    return !file.includes(`${path.sep}node_modules${path.sep}`);
  }
  const keepCallsites = (_, callsites) => callsites;
  const SHORT_STACK = 9;
  // The call stack as V8 CallSite objects, below `below`; whatever the program set, restored at once.
  // A program may freeze Error (or make these accessors): then the stack is read from its text instead,
  // so the tracer never throws and never calls a setter of the program's.
  function callsites(below, limit) {
    if (!canBorrowErrorSettings()) return callsitesFromText(below);
    const savedPrepare = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    try {
      Error.prepareStackTrace = keepCallsites;
      Error.stackTraceLimit = limit;
      const holder = {};
      Error.captureStackTrace(holder, below);
      const sites = holder.stack;
      return Array.isArray(sites) ? sites : [];
    } catch {
      return [];
    } finally {
      Error.prepareStackTrace = savedPrepare;
      Error.stackTraceLimit = savedLimit;
    }
  }

  function canBorrowErrorSettings() {
    if (!Object.isExtensible(Error)) return false;
    for (const name of ['prepareStackTrace', 'stackTraceLimit']) {
      const descriptor = Object.getOwnPropertyDescriptor(Error, name);
      if (descriptor && (!descriptor.writable || !descriptor.configurable || 'get' in descriptor)) return false;
    }
    return true;
  }

  // Frames parsed from `    at [async ][new ]Type.fn [as x] (file:line:col)`, with the CallSite methods used here.
  const FRAME = /^\s*at (async )?(?:new )?(?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
  function callsitesFromText(below) {
    let text;
    try {
      const holder = {};
      Error.captureStackTrace(holder, below);
      text = holder.stack;
    } catch {
      return [];
    }
    if (typeof text !== 'string') return [];
    const sites = [];
    for (const line of text.split('\n')) {
      const match = FRAME.exec(line);
      if (match === null) continue;
      const qualified = (match[2] || '').replace(/ \[as [^\]]*\]$/, '');
      const dot = qualified.lastIndexOf('.');
      const file = match[3];
      const lineNumber = Number(match[4]);
      const column = Number(match[5]);
      sites.push({
        getFileName: () => file,
        getLineNumber: () => lineNumber,
        getColumnNumber: () => column,
        getFunctionName: () => (qualified === '' ? null : qualified.slice(dot + 1)),
        getTypeName: () => (dot < 0 ? null : qualified.slice(0, dot)),
        isAsync: () => match[1] !== undefined,
      });
    }
    return sites;
  }

  // Returns [site, api]: the first frame in the user's code, and the Node API it called, if any.
  // Most resources are made within a few frames of the user's call; capturing fewer frames costs less.
  function scheduledAt() {
    const stack = callsites(scheduledAt, SHORT_STACK);
    let found = userSite(stack);
    if (found === null && stack.length >= SHORT_STACK) found = userSite(callsites(scheduledAt, 24));
    return found || [0, 0];
  }

  function userSite(stack) {
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
    return null;
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
  // Work libuv hands to its thread pool: file system requests, dns.lookup and lookupService, crypto jobs,
  // zlib. Only these get times (they are rare next to promises); their codes are added as they are first seen.
  const POOL_TYPE_NAMES = new Set(['FSREQCALLBACK', 'FSREQPROMISE', 'GETADDRINFOREQWRAP', 'GETNAMEINFOREQWRAP',
    'ZLIB', 'PBKDF2REQUEST', 'RANDOMBYTESREQUEST', 'SCRYPTREQUEST', 'HKDFREQUEST', 'HASHREQUEST', 'CIPHERREQUEST',
    'SIGNREQUEST', 'VERIFYREQUEST', 'DERIVEBITSREQUEST', 'KEYGENREQUEST', 'KEYPAIRGENREQUEST', 'SECRETKEYGENREQUEST',
    'CHECKPRIMEREQUEST', 'RANDOMPRIMEREQUEST', 'KEYEXPORTREQUEST']);
  const poolCodes = new Set();
  // An add-on's async work (napi_create_async_work) runs on the pool too. Its type is any name the add-on chose, and
  // Node gives it a bare {} as its resource, which none of Node's own resources is: the first one of a type decides.
  const addonCodes = new Set();
  const typeIds = new Map();
  const TYPE_PROMISE = typeCode('PROMISE');
  const TYPE_TICK = typeCode('TickObject');
  const TYPE_TIMEOUT = typeCode('Timeout');
  const TYPE_IMMEDIATE = typeCode('Immediate');
  // c-ares answers (dns.resolve*) reach JavaScript from a native immediate, which Node's check handle runs
  const TYPE_QUERYWRAP = typeCode('QUERYWRAP');
  const TYPE_MICROTASK = typeCode('Microtask'); // queueMicrotask wraps its callback in one of these
  function typeCode(type, resource) {
    let code = typeIds.get(type);
    if (code === undefined) {
      code = stringId(type);
      typeIds.set(type, code);
      if (POOL_TYPE_NAMES.has(type)) poolCodes.add(code);
      else if (resource && typeof resource === 'object' && Object.getPrototypeOf(resource) === Object.prototype &&
        Object.keys(resource).length === 0) {
        poolCodes.add(code);
        addonCodes.add(code);
      }
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
  const types = typesById(); // async id -> type code, for non-promise resources

  // Async ids only grow, and most resources (timers, immediates, ticks) live briefly. A ring of typed
  // arrays holds them with no Map growing to hundreds of thousands of entries and no garbage (a fifth of
  // the tracer's cost on a burst of 150,000 timers); one still alive when its slot comes round again
  // moves to a Map.
  function typesById() {
    const slots = 1 << 18;
    const ids = new Float64Array(slots); // 0: empty (async ids start at 1)
    const codes = new Int32Array(slots);
    const moved = new Map();
    return {
      set(id, code) {
        const slot = id & (slots - 1);
        if (ids[slot] !== 0 && ids[slot] !== id) moved.set(ids[slot], codes[slot]);
        ids[slot] = id;
        codes[slot] = code;
      },
      get(id) {
        const slot = id & (slots - 1);
        if (ids[slot] === id) return codes[slot];
        return moved.size === 0 ? undefined : moved.get(id);
      },
      delete(id) {
        const slot = id & (slots - 1);
        if (ids[slot] === id) ids[slot] = 0;
        else if (moved.size !== 0) moved.delete(id);
      },
    };
  }

  function macrotaskPhase(type) {
    const mark = ctrl[CTRL_MARK];
    const turn = ctrl[CTRL_ITERATION];
    if (!exact) {
      if (type === TYPE_TIMEOUT) return TIMERS;
      if (type === TYPE_IMMEDIATE || type === TYPE_QUERYWRAP) return CHECK;
      return POLL;
    }
    if (mark === MARK_PREPARE) return POLL;
    if (mark === 0) return type === TYPE_TIMEOUT ? TIMERS : PENDING; // before the first poll
    // After the check marker: check (immediates), close (handle closes), timers, then next pending.
    if (turn !== iteration) {
      iteration = turn;
      afterCheck = 0;
    }
    if (type === TYPE_IMMEDIATE || type === TYPE_QUERYWRAP) {
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

  // --- the syscalls lane: under strace, a write of the buffer at each callback's start and end marks, in
  // strace's log, which syscalls each callback made (app/trace/syscalls.py lines them up). Only then.
  const flushEachCallback = process.env.LOOPLAB_TRACE_SYSCALLS === '1';

  // --- sockets: each handle's fd and addresses, for the fds view -----------------------------------------
  // A socket's fd and addresses are read from its handle between callbacks, never inside init: there the
  // handle is still being constructed, and reading `fd` is a segfault (Node 20.20 and 24.19 alike). Each
  // watched handle is looked at when an outermost callback begins or ends, until it is fully named (a
  // connected socket: both addresses; a server or UDP socket: its own; a pipe or tty: its fd), then
  // forgotten: sockets are few, and a named one costs nothing more.
  const SOCKET_TYPES = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'UDPWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'TTYWRAP']
    .map(typeCode));
  const TYPE_TCP = typeCode('TCPWRAP');
  const TYPE_UDP = typeCode('UDPWRAP');
  const UDP_LOOKS = 16;
  const watchedSockets = new Map(); // async id -> { resource, code, said, looks }
  function watchSocket(id, code, resource) {
    if (resource && typeof resource === 'object') watchedSockets.set(id, { resource, code, said: '', looks: 0 });
  }
  function nameSockets() {
    for (const [id, socket] of watchedSockets) {
      let fd, local = '', remote = '';
      try {
        fd = socket.resource.fd;
        if (typeof fd !== 'number') { // the handle is gone (its C++ side freed): nothing to name
          watchedSockets.delete(id);
          continue;
        }
        if (fd < 0) continue; // not open yet (a client before connect), or closing
        local = socketAddress(socket.resource, 'getsockname');
        remote = socketAddress(socket.resource, 'getpeername');
      } catch {
        watchedSockets.delete(id);
        continue;
      }
      const said = `${fd}|${local}|${remote}`;
      if (said !== socket.said) {
        socket.said = said;
        record(SOCKET, id, fd, stringId(`${local}|${remote}`));
      }
      // A UDP socket may still be connected after it is bound: it is looked at a few more times.
      const named = typeof socket.resource.getsockname !== 'function' || (local !== '' && (remote !== '' ||
        (socket.code !== TYPE_TCP && (socket.code !== TYPE_UDP || ++socket.looks > UDP_LOOKS))));
      if (named) watchedSockets.delete(id);
    }
  }
  // The wire and agent views: tracer_http.js, loaded at the first TCP socket or server and never before (a
  // program without sockets starts as fast as ever), kept out of require.cache where the program would see it.
  const TYPE_TCP_SERVER = typeCode('TCPSERVERWRAP');
  const TYPE_TLS = typeCode('TLSWRAP');
  let http = null; // null: not loaded yet; false: failed to load
  function loadHttpTracer() {
    http = loadPart('tracer_http.js', { recordWithBytes, micros, socketAddress });
  }
  // A part of the tracer, loaded when first needed and kept out of require.cache, where the program would see
  // it; false if it could not be loaded (tracing must never break the program).
  function loadPart(name, api) {
    const file = path.join(__dirname, name);
    try {
      return require(file)(api);
    } catch {
      return false;
    } finally {
      delete require.cache[file];
    }
  }
  const addressOut = {};
  function socketAddress(resource, method) { // also tracer_http.js's and tracer_tls.js's
    if (!resource || typeof resource[method] !== 'function') return '';
    addressOut.address = undefined;
    if (resource[method](addressOut) !== 0 || typeof addressOut.address !== 'string') return '';
    const v6 = addressOut.family === 'IPv6' || addressOut.family === 6;
    const host = v6 ? `[${addressOut.address}]` : addressOut.address;
    return `${host}:${addressOut.port}`;
  }

  // --- the tls view: each TLS socket's handshake, by tracer_tls.js, required only once one exists --------
  let tls = null; // null: not loaded yet; false: failed to load
  function watchTls(id, resource) {
    if (tls === null) tls = loadPart('tracer_tls.js', { record, stringId, micros, socketAddress, TLS });
    try {
      if (tls) tls.created(id, resource);
    } catch {
      // tracing must never break the program
    }
  }

  // --- the lanes view: messages between threads and processes, by tracer_messages.js, required only when the
  // program starts a worker or a child process, or is itself a worker or a child with an IPC channel ----------
  const TYPE_WORKER = typeCode('WORKER');
  const TYPE_PROCESS = typeCode('PROCESSWRAP');
  let messages = null; // null: not loaded yet; false: failed to load
  let messagesFor = 0; // the resource types it has been told of: 1 workers, 2 child processes
  const ports = nameChannelPorts();
  function loadMessages() {
    if (messages === null) {
      messages = loadPart('tracer_messages.js', { recordWithBytes, micros, MESSAGE, threadId, isMainThread, ports });
    }
  }
  // Each new Worker: its constructor posts workerData (and the ports in it) to the thread right after this.
  function workerCreated(resource) {
    if (!(messagesFor & 1)) watchMessages(TYPE_WORKER);
    try {
      if (messages) messages.workerCreated(resource);
    } catch {
      // tracing must never break the program
    }
  }
  function watchMessages(code) {
    const what = code === TYPE_WORKER ? 1 : 2;
    messagesFor |= what;
    loadMessages();
    try {
      if (messages) (what === 1 ? messages.watchWorkers : messages.watchChildren)();
    } catch {
      // tracing must never break the program
    }
  }

  // A MessageChannel's two ports get a name when it is made (`<pid>.<threadId>.<n>`, sides a and b), so that
  // tracer_messages.js can follow them wherever they move: no JS API links the two ends of a channel later.
  // MessageChannel (on the worker_threads exports and globalThis) becomes a Proxy of Node's: everything but
  // `new` is the original's (name, length, prototype, toString, calling without new throws the same), and
  // MessageChannel.prototype.constructor is the Proxy, so `new MessageChannel().constructor === MessageChannel`.
  // Each property keeps its shape: Node 20's globalThis one is a lazy accessor that turns into a data property
  // when first read, Node 24's a data property. Names only: nothing is recorded here.
  function nameChannelPorts() {
    const names = { ports: new WeakMap(), made: 0 };
    names.next = () => `${process.pid}.${threadId}.${++names.made}`;
    try {
      const workerThreads = require('node:worker_threads');
      const Original = workerThreads.MessageChannel;
      const exported = Object.getOwnPropertyDescriptor(workerThreads, 'MessageChannel');
      const global = Object.getOwnPropertyDescriptor(globalThis, 'MessageChannel');
      const constructor = Object.getOwnPropertyDescriptor(Original.prototype, 'constructor');
      if (typeof Original !== 'function' || !exported || !('value' in exported) || !exported.writable ||
        !exported.configurable || !global || !global.configurable || !constructor || !constructor.writable ||
        constructor.value !== Original) {
        return names;
      }
      const portOf = (channel, key) => {
        const own = Object.getOwnPropertyDescriptor(channel, key);
        return own && own.value;
      };
      const Traced = new Proxy(Original, {
        __proto__: null,
        construct(target, args, newTarget) {
          const channel = Reflect.construct(target, args, newTarget === Traced ? target : newTarget);
          try {
            const name = names.next();
            const port1 = portOf(channel, 'port1'), port2 = portOf(channel, 'port2');
            if (typeof port1 === 'object' && port1 !== null) names.ports.set(port1, { name, side: 'a' });
            if (typeof port2 === 'object' && port2 !== null) names.ports.set(port2, { name, side: 'b' });
          } catch {
            // tracing must never break the program
          }
          return channel;
        },
      });
      Object.defineProperty(workerThreads, 'MessageChannel', { ...exported, value: Traced });
      if ('value' in global) {
        if (global.value === Original) Object.defineProperty(globalThis, 'MessageChannel', { ...global, value: Traced });
      } else {
        const lazy = { // named `get MessageChannel` like Node's; the first read leaves a data property, as Node's does
          get MessageChannel() {
            Object.defineProperty(globalThis, 'MessageChannel', { __proto__: null, value: Traced, writable: true });
            return Traced;
          },
        };
        Object.defineProperty(globalThis, 'MessageChannel',
          { ...global, get: Object.getOwnPropertyDescriptor(lazy, 'MessageChannel').get });
      }
      Object.defineProperty(Original.prototype, 'constructor', { ...constructor, value: Traced });
    } catch {
      // tracing must never break the program
    }
    return names;
  }

  // --- the streams view: tracer_stream.js, loaded at the first stream the program's own code creates -------
  // Step one costs a program nothing until Node's stream module is loaded (by the program, or for
  // process.stdout): then an accessor for `_readableState` and `_writableState` on Stream.prototype sees every
  // stream's constructor store its state, and a short stack tells whose it is. A stream made while the
  // program's own code is on the stack (not for process.stdin/stdout/stderr) is the program's; only then is
  // tracer_stream.js loaded. Noticed after each require, at fs.createReadStream/createWriteStream, when stdout
  // or stderr is created, and between callbacks (an ES module's imports are loaded before its body runs).
  const STREAM = 28;
  let streams = null; // null: not loaded yet; false: failed to load
  let streamsUnsettled = true;
  let streamsArmed = false;
  let modulesSeen = 0;
  let streamJudgeBudget = 4000; // stacks taken to judge streams, at most
  const streamsJudged = new WeakSet(); // a Duplex stores two states: judged once
  function armStreamsIfLoaded() {
    const list = process.moduleLoadList;
    if (streamsArmed || !Array.isArray(list) || list.length === modulesSeen) return;
    const from = modulesSeen;
    modulesSeen = list.length;
    for (let i = from; i < list.length; i++) if (list[i] === 'NativeModule internal/streams/legacy') return armStreams();
  }
  function armStreams() {
    if (streamsArmed) return;
    streamsArmed = true;
    try {
      const proto = require('node:stream').Stream.prototype;
      for (const key of ['_readableState', '_writableState']) {
        if (Object.prototype.hasOwnProperty.call(proto, key)) continue;
        Object.defineProperty(proto, key, {
          __proto__: null, configurable: true, enumerable: false,
          get() { return undefined; },
          set(value) { // what a plain store would do, then a look at who made the stream
            Object.defineProperty(this, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
            if (streamJudgeBudget > 0 && streams !== false && !streamsJudged.has(this)) streamMade(this);
          },
        });
      }
    } catch {
      // tracing must never break the program
    }
  }
  function streamMade(stream) {
    streamsJudged.add(stream);
    streamJudgeBudget--;
    try {
      let site = null;
      for (const frame of callsites(streamMade, 16)) {
        const file = frame.getFileName();
        if (/^get(Stdin|Stdout|Stderr)$/.test(frame.getFunctionName() || '')) return; // process.stdout & co
        if (userFile(file)) { // the line that said `new Slow(...)`, not Slow's constructor, when both are seen
          const name = file.startsWith('file://') ? require('node:url').fileURLToPath(file) : file;
          site = `${name}:${frame.getLineNumber()}:${frame.getColumnNumber()}`;
          if (typeof frame.isConstructor !== 'function' || !frame.isConstructor()) break;
        } else if (site !== null) {
          break;
        }
      }
      // Node's own, made in a callback, is left out (a server's accepted socket), except an HTTP message's
      // incoming body (a server's request, a client's response): the program asked for that one.
      if (site === null && isIncomingHttp(stream)) site = INCOMING_HTTP;
      if (site === null) return;
      if (streams === null) streams = loadPart('tracer_stream.js', { record, stringId, micros, STREAM });
      if (streams) streams.made(stream, site);
    } catch {
      // tracing must never break the program
    }
  }
  const INCOMING_HTTP = '(incoming http)'; // tracer_stream.js names its side once the parser has set it up
  function isIncomingHttp(stream) {
    let proto = Object.getPrototypeOf(stream);
    for (let depth = 0; proto !== null && depth < 4; depth++, proto = Object.getPrototypeOf(proto)) {
      const own = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (own && typeof own.value === 'function' && own.value.name === 'IncomingMessage') return true;
    }
    return false;
  }
  function watchStreamMakers() {
    const Module = require('node:module');
    const moduleRequire = Module.prototype.require;
    Module.prototype.require = function require(id) { // put back once streams are armed
      try {
        return Reflect.apply(moduleRequire, this, arguments);
      } finally {
        armStreamsIfLoaded();
        if (streamsArmed && Module.prototype.require === require) Module.prototype.require = moduleRequire;
      }
    };
    const fs = require('node:fs');
    for (const name of ['createReadStream', 'createWriteStream']) {
      const original = fs[name];
      if (typeof original !== 'function') continue;
      replaceExport(fs, name, function (...args) {
        if (!streamsArmed) {
          require('node:stream');
          armStreams();
        }
        return Reflect.apply(original, this, args);
      });
    }
  }

  // --- the heap view: each GC pause and the heap spaces' sizes, from heap_hooks.cc ----------------------------
  // Which source, tried on Node 20.20.2 and 24.19.0: N-API has no GC hooks; a 'gc' PerformanceObserver hands its
  // entries to JavaScript through a setImmediate of its own (the program's async hooks see an Immediate it never
  // made); v8.GCProfiler (both have it) records each GC's kind, cost and spaces, but not when it began. So a small
  // C++ addon: V8 calls its GC prologue and epilogue on this thread around each pause, and nothing runs in
  // JavaScript or is scheduled. A GC can come in the middle of record(), so the addon keeps its records in a ring
  // of its own, copied into the trace here as each outermost callback begins and ends (drainHeap) and at exit. Loaded with process.dlopen: no require.cache entry. What a program could
  // notice: two more unref'd libuv handles (a prepare and a check, as the loop markers have: neither keeps the loop
  // alive or shortens its poll, and getActiveResourcesInfo lists neither), the space-size reads inside each pause
  // (0.1 to 0.25 µs for all spaces, before and after: under half a microsecond a pause), and the addon among the
  // process's mapped files.
  let heapRing = null, heapCtrl = null, heapDropped = 0;
  function startHeapHooks() {
    const file = process.env.LOOPLAB_TRACE_HEAP_ADDON;
    if (!file || !exact) return; // its times are on the markers' clock
    // Built for one Node (addon.py names it heap_hooks-<version>-...): a child process running another Node, which
    // inherits the variable, must not load it, as V8's C++ API differs between versions.
    if (!path.basename(file).startsWith(`heap_hooks-${process.version}-`)) return;
    try {
      const module = { exports: {} };
      process.dlopen(module, file);
      const hooks = module.exports.start(micros());
      heapRing = new Int32Array(hooks.ring);
      heapCtrl = new Int32Array(hooks.control);
      const counted = records;
      record(HEAP, HEAP_NAMES, 0, stringId(hooks.spaces.join('|')));
      records = counted;
      drainHeap();
    } catch {
      heapRing = heapCtrl = null; // tracing must never break the program
    }
  }
  // Records only: record() allocates nothing, so no GC can add to the ring between the last check and the reset.
  // They do not count against the detail limit: the ring bounds them, and the limit is the program's.
  function drainHeap() {
    const counted = records;
    for (let at = 0; at < heapCtrl[0]; at += 4) record(HEAP, heapRing[at + 1], heapRing[at + 2], heapRing[at + 3]);
    heapCtrl[0] = 0;
    if (heapCtrl[1] !== heapDropped) {
      heapDropped = heapCtrl[1];
      record(HEAP, HEAP_DROPPED, heapDropped, micros() | 0);
    }
    records = counted;
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
  let warmingUp = false;
  function maybeSummarise() {
    if (records < detailLimit || warmingUp) return;
    summary = true;
    siteBudget = 0;
    record(SUMMARY, records, 0, 0);
    destroyHook.disable(); // counts need no destroy events
    destroyArmed = true; // nor arm it again (Node 20)
    if (stopPromiseHooks !== null) countPromiseCallbacksOnly();
    if (stopHidingAsyncIds !== null) stopHidingAsyncIds();
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

  // --- the thread pool: when each job was queued and when its callback ran, in µs on the markers' clock ----
  const clockStart = process.hrtime.bigint();
  const micros = exact && typeof addon.micros === 'function'
    ? () => addon.micros(handle)
    : () => Number((process.hrtime.bigint() - clockStart) / 1000n);
  let poolSizeSent = false;
  // libuv reads UV_THREADPOOL_SIZE when the first job is queued, which is now: atoi, 0 -> 1, capped at 1024
  // (a negative number wraps to a huge unsigned one, so the cap), unset -> 4. libuv 1.52 (Node 24) reads it
  // into 16 bytes and ignores a longer value. tests/test_trace_corpus.py counts the threads that really start.
  const [uvMajor, uvMinor] = process.versions.uv.split('.').map(Number);
  const envBuffer = uvMajor > 1 || uvMinor >= 52 ? 16 : Infinity;
  function poolSize() {
    const text = process.env.UV_THREADPOOL_SIZE;
    if (text === undefined || Buffer.byteLength(text) >= envBuffer) return 4;
    const match = /^\s*([+-]?\d+)/.exec(text);
    const asked = match === null ? 0 : Number(match[1]);
    if (asked === 0) return 1;
    return asked < 0 ? 1024 : Math.min(asked, 1024);
  }
  function poolQueued(id) {
    if (!poolSizeSent) {
      poolSizeSent = true;
      record(POOL_SIZE, poolSize(), 0, 0);
    }
    record(POOL, id, micros() | 0, POOL_QUEUED);
  }

  // --- hooks ------------------------------------------------------------------------------------------
  let firstTracedId = Infinity; // async ids below it belong to resources created before tracing began
  let inWrite = 0; // inside our stdout/stderr wrapper or getter: whatever is created there is Node's own
  let timeBaseSent = false;
  const timers = new Map(); // live Timeout resources, to report an interval's next due time
  // A new Timeout's init comes from its constructor, before setTimeout's insert() reads the loop's clock into
  // _idleStart: the timer is recorded at the next hook, which comes after that.
  let unstartedTimer = null;
  let unstartedId = 0;
  function recordStartedTimer() {
    const timer = unstartedTimer;
    unstartedTimer = null;
    record(TIMER, unstartedId, timer._idleTimeout, timer._idleStart | 0);
  }

  function init(id, type, trigger, resource) {
    if (unstartedTimer !== null) recordStartedTimer();
    if (!destroyArmed) armDestroy(); // from inside a hook callback, on purpose: see armDestroy
    if (id < firstTracedId && id > 0) firstTracedId = id;
    const code = typeIds.get(type) ?? typeCode(type, resource);
    if (code !== TYPE_PROMISE) types.set(id, code);
    else if (!splitPromises) hideAsyncIds(resource);
    // in counts too: messages are few, and the lanes view draws them whatever the detail
    if (code === TYPE_WORKER) workerCreated(resource);
    else if (code === TYPE_PROCESS && !(messagesFor & 2)) watchMessages(code);
    if (summary) {
      if (code === TYPE_TIMEOUT && resource._repeat) timers.set(id, resource); // an interval runs again
      return bump(1);
    }
    let internal = inWrite > 0;
    if (code === TYPE_TICK && resource && resource.callback && INTERNAL_TICKS.has(resource.callback.name)) {
      internal = true;
    }
    let site = 0, api = 0;
    if (siteBudget > 0 && !internal && (code !== TYPE_PROMISE || phase === MAIN)) {
      siteBudget--;
      try {
        [site, api] = scheduledAt();
      } catch {
        [site, api] = [0, 0];
      }
      if (site === 0) internal = true;
      else if (depth === 0 && phase === MAIN) commonJsEntry = true;
      else checkForModuleBody();
    }
    record(INIT, id, trigger, code | (internal ? 1 << 24 : 0) | (HANDLE_TYPES.has(code) ? 1 << 25 : 0) |
      (addonCodes.has(code) ? 1 << 26 : 0));
    if (SOCKET_TYPES.has(code)) watchSocket(id, code, resource);
    if (http === null && (code === TYPE_TCP || code === TYPE_TCP_SERVER)) loadHttpTracer();
    if (code === TYPE_PROMISE) return maybeSummarise();
    if (code === TYPE_TLS) watchTls(id, resource);
    let name = '';
    if (code === TYPE_TIMEOUT) {
      name = resource._onTimeout && resource._onTimeout.name;
      timers.set(id, resource);
      if (exact && !timeBaseSent) {
        // Node counts timer start times from its own base; markers count from tracing's start. Pair them.
        // _idleStart is not set yet (null | 0 is 0): this holds while the loop's clock has not moved since Node
        // took its timer base, as when the first timer is made by the main module.
        timeBaseSent = true;
        record(TIMEBASE, addon.now(handle) - (resource._idleStart | 0), 0, 0);
      }
      unstartedTimer = resource;
      unstartedId = id;
    } else if (code === TYPE_IMMEDIATE) {
      name = resource._onImmediate && resource._onImmediate.name;
    } else if (code === TYPE_TICK) {
      name = resource.callback && resource.callback.name;
    }
    if (name || site || api) record(LABEL, id, name ? stringId(name) : api, site);
    if (poolCodes.has(code)) poolQueued(id); // after its label: the job is named when it appears
    maybeSummarise();
  }

  function before(id) {
    if (unstartedTimer !== null) recordStartedTimer();
    let code = types.get(id);
    // Promises are not in `types` (too many); nor is anything created before tracing began, which is
    // older than the first resource we saw (async ids only grow). Where promises have their own hook,
    // anything unknown here is one of the latter, or a promise of Node's that our own hook has seen.
    if (code === undefined) {
      if (nodeTracksPromises(id)) return;
      // Before the loop's first callback only ticks run: a forked child's IPC set-up queues some before the
      // preload (so their type is unknown), and the main module's microtasks drain after them.
      if (id < firstTracedId && phase === MAIN && depth === 0) code = TYPE_TICK;
      else if (splitPromises || id < firstTracedId) code = 0;
    } else if (!summary && poolCodes.has(code)) {
      record(POOL, id, micros() | 0, POOL_DONE);
    }
    enter(id, code);
  }

  function enter(id, code) {
    if (depth === 0 && watchedSockets.size !== 0) nameSockets();
    if (depth === 0 && http) http.settle();
    if (depth === 0 && !streamsArmed) armStreamsIfLoaded();
    if (depth === 0 && streamsUnsettled && streams) { // lengths change inside callbacks: leave() reads them
      streamsUnsettled = false; // but the main module is no callback
      streams.settle();
    }
    if (tls && tls.watching()) tls.look();
    if (depth === 0 && heapCtrl !== null && heapCtrl[0] !== 0) drainHeap();
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
    // The delay view: an outermost macrotask callback says when it began (µs on the markers' clock); ticks and
    // microtasks, the most frequent, do not: they belong to the callback they follow.
    record(BEFORE, id, phase | (queue << 8), exact && depth === 1 && queue === MACROTASK ? micros() | 0 : 0);
    // The syscalls lane: what strace logs next is this callback's doing.
    if (flushEachCallback && depth === 1 && !warmingUp) flush();
  }

  function leave() {
    if (tls && tls.watching()) tls.look();
    if (--depth <= 0) {
      if (watchedSockets.size !== 0) nameSockets();
      if (http) http.settle();
      if (streams) streams.settle();
      if (heapCtrl !== null && heapCtrl[0] !== 0) drainHeap();
      depth = 0;
      contextId = 0;
      queue = MACROTASK;
    }
  }

  function after(id) {
    if (unstartedTimer !== null) recordStartedTimer();
    const code = types.get(id);
    if (code === undefined && nodeTracksPromises(id)) return;
    leave();
    const timer = timers.get(id);
    if (timer !== undefined && timer._repeat) {
      if (!summary) record(TIMER, id, timer._idleTimeout, timer._idleStart | 0); // an interval, re-armed
    } else {
      // Ticks, immediates and one-shot timers never run again: forget them even if destroy never comes.
      if (code === TYPE_TICK || code === TYPE_IMMEDIATE || code === TYPE_TIMEOUT) {
        types.delete(id);
        timers.delete(id);
      }
    }
    if (!summary) record(AFTER, id, 0, 0);
    if (flushEachCallback && depth === 0 && !summary && !warmingUp) flush();
  }

  function destroy(id) {
    if (unstartedTimer !== null) recordStartedTimer();
    types.delete(id);
    watchedSockets.delete(id);
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
          if (!streamsArmed) armStreamsIfLoaded(); // after stdout itself is made: it is not the program's
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

  // The wrapper goes on the stream's prototype, never on the stream: `process.stdout.write` stays what
  // the program would see untraced (pino, for one, checks `stream.write === stream.constructor.prototype.write`).
  const outputStreams = new Map(); // process.stdout and process.stderr, to their stream codes
  const wrappedPrototypes = new WeakSet();
  function wrapWrite(stream, streamCode) {
    outputStreams.set(stream, streamCode);
    const proto = Object.getPrototypeOf(stream);
    if (proto === null || wrappedPrototypes.has(proto)) return;
    wrappedPrototypes.add(proto);
    const own = Object.getOwnPropertyDescriptor(proto, 'write');
    if (own && (typeof own.value !== 'function' || !own.configurable)) return;
    const parent = Object.getPrototypeOf(proto);
    function write(chunk, encoding, callback) {
      const original = own ? own.value : parent.write;
      const code = inWrite === 0 ? outputStreams.get(this) : undefined;
      if (code === undefined) return Reflect.apply(original, this, arguments);
      noteWrite(code, chunk, encoding);
      inWrite++;
      try {
        return Reflect.apply(original, this, arguments);
      } finally {
        inWrite--;
      }
    }
    Object.defineProperty(proto, 'write', {
      __proto__: null, value: write, writable: true, configurable: true, enumerable: own ? own.enumerable : true,
    });
  }

  // A write's bytes, with the phase and queue it was asked for in. Never throws: an encoding Node would
  // refuse is left for Node to refuse, exactly as it would untraced.
  // `direct` (fs.write/writeSync to fd 1 or 2) sets bit 12: in a worker such a write reaches the fd at once,
  // while its process.stdout's writes reach it later, through the main thread.
  function noteWrite(streamCode, chunk, encoding, end, direct) {
    try {
      let data;
      if (typeof chunk === 'string') {
        const name = typeof encoding === 'string' && encoding !== '' ? encoding : 'utf8';
        if (!Buffer.isEncoding(name)) return;
        data = Buffer.from(chunk, name);
      } else if (ArrayBuffer.isView(chunk)) {
        data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      } else {
        return;
      }
      if (end !== undefined) data = data.subarray(0, Math.max(0, end));
      if (phase === MAIN && depth === 0) commonJsEntry = true;
      else checkForModuleBody();
      if (summary) bump(3);
      recordWithBytes(WRITE, streamCode | (phase << 4) | (queue << 8) | (direct ? 0x1000 : 0), data, contextId);
    } catch {
      // Tracing must never break the program.
    }
  }

  // fs.writeSync(1, ...) and fs.write(1, ...) skip process.stdout (pino's default destination does so):
  // they are output too. Node's own use of them inside a stream write is already counted (inWrite).
  function observeDirectWrites() {
    const fs = require('node:fs');
    const writeSync = fs.writeSync;
    const write = fs.write;
    replaceExport(fs, 'writeSync', function writeSync_(fd, buffer, offsetOrOptions) {
      if ((fd !== 1 && fd !== 2) || inWrite > 0) return Reflect.apply(writeSync, this, arguments);
      inWrite++;
      let written;
      try {
        written = Reflect.apply(writeSync, this, arguments);
      } finally {
        inWrite--;
      }
      const [chunk, encoding] = directWriteBytes(arguments);
      noteWrite(fd, chunk, encoding, written, true);
      return written;
    });
    replaceExport(fs, 'write', function write_(fd) {
      if ((fd === 1 || fd === 2) && inWrite === 0) {
        const [chunk, encoding, end] = directWriteBytes(arguments);
        noteWrite(fd, chunk, encoding, end, true);
      }
      return Reflect.apply(write, this, arguments);
    });
    try {
      require('node:module').syncBuiltinESMExports(); // `import { writeSync } from 'node:fs'` sees them too
    } catch {
      // Older Nodes: ES modules importing these names bypass the tracer.
    }
  }

  // fs.write(Sync)'s arguments: (fd, string, position, encoding) or (fd, view, offset, length, ...) or
  // (fd, view, { offset, length }); returns [chunk, encoding, end].
  function directWriteBytes(args) {
    const chunk = args[1];
    if (typeof chunk === 'string') return [chunk, typeof args[3] === 'string' ? args[3] : 'utf8', undefined];
    if (!ArrayBuffer.isView(chunk)) return [null, undefined, undefined];
    const options = args[2] !== null && typeof args[2] === 'object' ? args[2] : null;
    const offset = (options ? options.offset : args[2]) | 0;
    const length = options ? options.length : args[3];
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset + Math.min(offset, chunk.byteLength),
      Math.max(0, chunk.byteLength - offset));
    return [view, undefined, typeof length === 'number' ? length : undefined];
  }

  function replaceExport(object, name, replacement) {
    const descriptor = Object.getOwnPropertyDescriptor(object, name);
    if (!descriptor || !descriptor.writable || !descriptor.configurable) return;
    Object.defineProperty(replacement, 'name', { __proto__: null, value: name });
    Object.defineProperty(replacement, 'length', { __proto__: null, value: descriptor.value.length });
    Object.defineProperty(object, name, { ...descriptor, value: replacement });
  }

  // destroy is only needed for timers, immediates and handles. But as soon as a hook wants destroy,
  // async_hooks also tracks every promise for destroy (a weak reference each, and much garbage
  // collection): it doubled the cost of an await-heavy program. The ways round it:
  //  - Node 24 lets a hook skip promises (trackPromises): our hooks do, and promises get V8's lighter
  //    promise hooks with ids of our own (negative, so never an async id).
  //  - Node 20: our hooks skip promises, and V8's promise hooks are set to ours alone (promiseHookBinding,
  //    usePromiseHooks), so Node neither tracks promises for destroy nor gives them async ids. destroy is
  //    still armed by the first resource (see armDestroy), which an empty program never makes.
  //  - Node 20 without that binding: Node decides promise tracking when a hook is enabled outside a hook
  //    callback; enabled from inside one (see armDestroy), the destroy hook is added without it. If the
  //    program enables hooks of its own later, Node may start tracking promises again: slower, never wrong.
  const trackPromisesOption = supportsTrackPromises();
  const promiseBinding = trackPromisesOption ? null : promiseHookBinding();
  const splitPromises = trackPromisesOption || promiseBinding !== null;
  let destroyHook, flowHook;
  if (trackPromisesOption) {
    destroyHook = asyncHooks.createHook({ destroy, trackPromises: false });
    flowHook = asyncHooks.createHook({ init, before, after, trackPromises: false });
  } else if (splitPromises) {
    destroyHook = asyncHooks.createHook({ destroy });
    flowHook = asyncHooks.createHook({ init: initSkippingPromises, before, after });
  } else {
    destroyHook = asyncHooks.createHook({ destroy });
    flowHook = asyncHooks.createHook({ init, before, after, promiseResolve });
  }
  // Node 20, once the program asks for promise ids (it enables async hooks of its own, or adds promise
  // hooks through v8.promiseHooks): Node's promise hooks run again, and our hooks see promises, which
  // they skip as Node 24's do. Their init says so; their before and after have an id we never saw.
  function initSkippingPromises(id, type, trigger, resource) {
    if (type !== 'PROMISE') init(id, type, trigger, resource);
  }
  function nodeTracksPromises(id) {
    return promiseBinding !== null && id >= firstTracedId && !onlyOurPromiseHooks();
  }
  let destroyArmed = trackPromisesOption;
  function armDestroy() {
    destroyArmed = true;
    const alone = promiseBinding !== null && onlyOurPromiseHooks();
    destroyHook.enable(); // Node 20: Node sets V8's promise hooks again, its own among them
    if (alone) setOurPromiseHooks();
  }
  // A promise's id lives in a private field, put on the promise by a base constructor that returns it:
  // no property, symbol or inspection (console.log, assert.deepStrictEqual) can see it.
  class ReturnsItsArgument {
    constructor(object) {
      return object;
    }
  }
  class PromiseStamp extends ReturnsItsArgument {
    #id;
    constructor(promise, id) {
      super(promise);
      this.#id = id;
    }
    static idOf(promise) {
      return #id in promise ? promise.#id : 0;
    }
  }
  // Node 20 without the binding (with it, Node's promise hooks run only when the program asked for them)
  // stores a promise's async ids on it as symbol properties whenever an init hook is on, where
  // console.log and assert.deepStrictEqual see them. Made non-enumerable they are not seen; reconfiguring
  // them after Node adds them is slow (tripled the cost of an await loop), so a promise hook of ours, run
  // before Node's, adds them non-enumerable first and Node's assignment keeps that. The symbols are
  // learnt from the first promise, the only one whose ids are reconfigured.
  let asyncIdSymbols = null;
  function hideAsyncIds(promise) {
    if (asyncIdSymbols !== null) return;
    const found = Object.getOwnPropertySymbols(promise)
      .filter((symbol) => symbol.description === 'async_id_symbol' || symbol.description === 'trigger_async_id_symbol');
    if (found.length !== 2) return;
    asyncIdSymbols = found;
    for (const symbol of found) Object.defineProperty(promise, symbol, { __proto__: null, enumerable: false });
  }
  // defineProperty costs about 1.4 µs a promise (an await loop ran 12 times slower): in counts, for
  // programs with more than the detail limit's worth of records, promises made from then on show them.
  let stopHidingAsyncIds = null;
  const hiddenUntilSet = { __proto__: null, value: undefined, writable: true, enumerable: false, configurable: true };
  function addAsyncIdsHidden(promise) {
    if (asyncIdSymbols === null) return;
    Object.defineProperty(promise, asyncIdSymbols[0], hiddenUntilSet);
    Object.defineProperty(promise, asyncIdSymbols[1], hiddenUntilSet);
  }
  let lastPromiseId = 0;
  let stopPromiseHooks = null;
  // Node 20: V8 runs one set of promise hooks, which Node's registry (the one v8.promiseHooks adds to)
  // builds from every hook in it, Node's own for async_hooks included, each time it changes. Ours stay in
  // the registry, so they outlive any such change; while nothing else has changed it since we last set
  // V8's hooks to ours alone, they are set to ours alone again after each change of ours. Once the program
  // changes the registry, Node's hooks run as they would untraced, and we leave them.
  let ownPromiseHooks = null; // [init, before, after, settled] as we last gave them to V8
  function onlyOurPromiseHooks() {
    if (ownPromiseHooks === null) return false;
    const running = promiseBinding.getPromiseHooks(); // array methods may be the program's: none used
    for (let index = 0; index < 4; index++) if (running[index] !== ownPromiseHooks[index]) return false;
    return true;
  }
  function setOurPromiseHooks() {
    const hooks = ownPromiseHooks;
    promiseBinding.setPromiseHooks(hooks[0], hooks[1], hooks[2], hooks[3]);
  }
  function usePromiseHooks(hooks) {
    const alone = promiseBinding !== null && (ownPromiseHooks === null || onlyOurPromiseHooks());
    if (stopPromiseHooks !== null) stopPromiseHooks();
    stopPromiseHooks = require('node:v8').promiseHooks.createHook(hooks);
    if (alone) {
      ownPromiseHooks = [hooks.init, hooks.before, hooks.after, hooks.settled];
      setOurPromiseHooks();
    }
  }
  function startPromiseHooks() {
    if (summary) return countPromiseCallbacksOnly();
    usePromiseHooks({
      init(promise, parent) {
        const id = --lastPromiseId;
        new PromiseStamp(promise, id);
        init(id, 'PROMISE', parent === undefined ? contextId : PromiseStamp.idOf(parent), promise);
      },
      before(promise) {
        enter(PromiseStamp.idOf(promise), TYPE_PROMISE);
      },
      after(promise) {
        after(PromiseStamp.idOf(promise));
      },
      settled(promise) {
        const id = PromiseStamp.idOf(promise);
        if (id !== 0) promiseResolve(id);
      },
    });
  }

  // In counts, a promise needs no id, its creation and settling no record: only its callbacks count,
  // and they still set the queue that writes are attributed to. Half the hook calls, and no field to add.
  const COUNTED_PROMISE = -0x7fffffff; // a context id that names no resource
  function countPromiseCallbacksOnly() {
    usePromiseHooks({
      before() {
        enter(COUNTED_PROMISE, TYPE_PROMISE);
      },
      after: leave,
    });
  }

  // Run the hooks' code a few times before the program starts, then forget it: V8 compiles a function on
  // its first call and warms its caches on the next few. Done in the program's time, that work made a
  // 0 ms timeout win its race against an immediate from the main module far more often than untraced.
  function warmUp() {
    const saved = { used: ctrl[CTRL_USED], records, strings: strings.size, siteBudget, destroyArmed };
    destroyArmed = true; // arming destroy here, outside a hook callback, would track promises on Node 20
    warmingUp = true;
    for (let round = 0; round < 4; round++) {
      const id = -1e9 - round;
      init(id, 'Immediate', 0, { _onImmediate: function warmUp() {} });
      before(id);
      after(id);
      destroy(id);
      stringId(`${tracerFile}:${round}:1`);
      noteWrite(1, 'warm-up\n', 'utf8');
    }
    for (const [text, id] of strings) if (id > saved.strings) strings.delete(text);
    ({ siteBudget, destroyArmed } = saved);
    warmingUp = false;
    records = saved.records;
    ctrl[CTRL_USED] = saved.used;
    phase = MAIN;
    queue = MACROTASK;
    depth = 0;
    contextId = 0;
    commonJsEntry = false;
  }

  if (ctrl[CTRL_USED] < CAPACITY / 2) warmUp(); // nothing written yet, so nothing to take back
  record(HELLO, threadId, exact ? 1 : 0, process.pid);
  record(META, stringId(process.version), stringId(process.versions.uv), stringId(process.argv[1] || ''));
  // The tiers view (looplab ran Node with V8's code log, LOOPLAB_TRACE_TIERS=1): V8 logs the first compile of
  // looplabTiersClock on its log's clock, and the two reads around the call say when that was on the trace's.
  if (process.env.LOOPLAB_TRACE_TIERS === '1' && isMainThread && !tagged) {
    const before = micros();
    looplabTiersClock();
    record(TIERS_CLOCK, before | 0, micros() | 0, 0);
  }
  if (!isMainThread || typeof process.send === 'function') loadMessages();
  startHeapHooks();
  if (tagged && isMainThread) loadProcs().started({ record, stringId, micros, PROCESS, stdoutIdentity });
  else if (isMainThread) process.env.LOOPLAB_TRACE_STDOUT = stdoutIdentity(); // children compare theirs with it
  flush(); // the fds view: looplab learns the pid now and samples /proc while the main module runs
  wrapWhenCreated('stdout', 1);
  wrapWhenCreated('stderr', 2);
  watchStreamMakers();
  observeDirectWrites(); // after watchStreamMakers: it syncs the fs exports ES modules import
  process.on('beforeExit', () => {
    phase = EXIT;
    record(EXIT_EVENT, 1, 0, 0);
  });
  process.on('exit', () => {
    phase = EXIT;
    record(EXIT_EVENT, 2, 0, 0);
    if (http) http.settle();
    if (streams) streams.settle();
    if (heapCtrl !== null) drainHeap();
    if (summary) countsFlush();
    flush(); // the addon flushes again at the very end; without it, this is the last chance
  });
  // Registered before async_hooks enables its own promise hook, so it runs first (Node re-registers its
  // hook at the end each time a hook is enabled or disabled).
  if (!splitPromises) stopHidingAsyncIds = require('node:v8').promiseHooks.onInit(addAsyncIdsHidden);
  flowHook.enable();
  if (destroyArmed) destroyHook.enable();
  if (splitPromises) startPromiseHooks();
}
