"""The trace's typed events, and the numbers they travel as from tracer.js (kept in step by a test)."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from app.check.spec import PHASE_NAMES, QUEUE_NAMES


class Kind(IntEnum):
    """Record kinds written by tracer.js and loop_markers.c."""

    INIT = 1
    BEFORE = 2
    AFTER = 3
    DESTROY = 4
    RESOLVE = 5
    STRING = 6
    LABEL = 7
    WRITE = 8
    MARK = 9
    TIMER = 10
    EXIT_EVENT = 13
    HELLO = 14
    SUMMARY = 15
    COUNTS = 16
    META = 17
    TIMEBASE = 18
    BODY = 19
    POOL = 20
    POOL_SIZE = 21
    SOCKET = 22  # the fds view: a handle's fd and addresses
    WIRE = 23  # the wire view: a socket's bytes (tracer_http.js)
    TLS = 24  # the tls view: a TLS socket's addresses, byte counters, negotiated names, key-log labels (tracer_tls.js)
    AGENT = 25  # the agent view: an http.Agent's sockets (tracer_http.js)
    PROCESS = 26  # a child process of the program: its parent and how it was started (tracer_procs.js)
    MESSAGE = 27  # the lanes view: a message sent or received between threads or processes (tracer_messages.js)
    STREAM = 28  # the streams view: a stream's buffered lengths and markers (tracer_stream.js)
    TIERS_CLOCK = 29  # the tiers view: the trace's clock around the call whose compile V8's log records
    HEAP = 31  # the heap view: a GC pause, a heap space's used size (heap_hooks.cc, copied by tracer.js)


PHASES = ("", *PHASE_NAMES)  # by the number tracer.js writes; 0 is unused
QUEUES = ("", *QUEUE_NAMES)
MARKS = ("", "prepare", "check")
COUNTED = ("callback", "init", "resolve", "write")
POOL_STEPS = ("", "queued", "done")  # a thread-pool job: handed to libuv, then its callback began on the loop
MAGIC = 0x504F4F4C
HEADER_BYTES = 12
INTERNAL_FLAG = 1 << 24
HANDLE_FLAG = 1 << 25  # a libuv handle: it lives on after its callbacks, until it is closed
ADDON_WORK_FLAG = 1 << 26  # an add-on's async work (napi_create_async_work): a thread-pool job
MORE_FLAG = 1 << 16
CONTINUED_FLAG = 1 << 17
WIRE_STEPS = ("wrote", "read", "parsed", "opened", "closed")  # a WIRE record's bits 12-15
AGENT_STEPS = ("counts", "new")  # an AGENT record's bits 12-15
# a STREAM record's bits 12-15 (tracer_stream.js): new, then lengths, then markers
STREAM_STEPS = (
    "new",
    "readable_length",
    "writable_length",
    "write_false",
    "drain",
    "end",
    "finish",
    "close",
    "error",
    "pipe",
    "cut",
    "push_false",
    "unshown",
)

# a HEAP record's low byte of a (heap_hooks.cc writes 1 and 2, tracer.js 3 and 4)
HEAP_GC, HEAP_SPACE, HEAP_NAMES, HEAP_DROPPED = 1, 2, 3, 4
# V8's GCType bits (v8-callbacks.h), as learners meet them in --trace-gc and the notes
GC_KINDS = {
    1: "scavenge",
    2: "minor mark-sweep",
    4: "mark-sweep-compact",
    8: "incremental marking",
    16: "weak callbacks",
}
GC_FORCED = 4  # V8's kGCCallbackFlagForced: gc() or the heap snapshot asked for it
SIZE_WHEN = ("loop", "before", "after")  # a space's size as poll began or ended, or just before or after a GC


FRIENDLY_TYPES = {
    "Timeout": "timer",
    "Immediate": "immediate",
    "TickObject": "nextTick",
    "PROMISE": "promise reaction",
    "FSREQCALLBACK": "fs callback",
    "FSREQPROMISE": "fs promise",
    "TCPCONNECTWRAP": "connect",
    "TCPWRAP": "socket",
    "TCPSERVERWRAP": "server",
    "PIPEWRAP": "pipe",
    "PROCESSWRAP": "child process",
    "GETADDRINFOREQWRAP": "dns.lookup",
    "QUERYWRAP": "dns query",
    "UDPWRAP": "udp socket",
    "UDPSENDWRAP": "udp send",
    "SHUTDOWNWRAP": "shutdown",
    "WRITEWRAP": "write",
    "MESSAGEPORT": "message port",
    "WORKER": "worker",
    "HTTPINCOMINGMESSAGE": "http request",
    "HTTPCLIENTREQUEST": "http client request",
    "SIGNALWRAP": "signal",
}


def friendly_kind(resource_type: str) -> str:
    """What a learner would call this kind of async resource."""
    return FRIENDLY_TYPES.get(resource_type, resource_type.lower() or "callback")


# --- decoded events: each names its thread; async ids are per thread -------------------------------------


class Hello(NamedTuple):
    thread: int
    exact: bool  # phases from loop markers (True) or inferred from resource types (False)
    pid: int


PROCESS_THREADS = 65536  # a child process's threads are numbered n * 65536 + threadId (n = 1, 2, ...)
STARTED_BY = ("", "fork", "spawn", "cluster")


def process_of(thread: int) -> int:
    """0 for the program's own process, n for the n-th child process that said hello."""
    return thread // PROCESS_THREADS


class Process(NamedTuple):
    """A child process of the program (any Node process it or its children started), after its Hello."""

    thread: int  # its main thread: n * 65536
    pid: int
    ppid: int  # its parent's pid (a shell's, for exec)
    how: str  # fork (it has an IPC channel), cluster (a cluster worker) or spawn (spawn, exec, execFile)
    clock: int  # µs since the epoch at which its micros clock (Pool, Tls... events) read 0
    direct: bool = True  # its stdout is the program's own (inherited), not a pipe to its parent or a file


class Meta(NamedTuple):
    thread: int
    node_version: str
    uv_version: str
    entry: str


class Init(NamedTuple):
    thread: int
    id: int
    trigger: int
    type: str
    internal: bool
    handle: bool = False  # a libuv handle (socket, server, port...): lives on until closed
    addon_work: bool = False  # an add-on's async work, which runs on the thread pool


class Label(NamedTuple):
    thread: int
    id: int
    name: str  # the callback's name, or the Node API that scheduled it, or ""
    site: str  # "file:line:column" in the user's code, or ""


def site_parts(site: str | None) -> tuple[str, int] | None:
    """(file, line) from a Label's site, "file:line:column"; None for no site or one not in that form."""
    if not site:
        return None
    path, _, _column = site.rpartition(":")
    file, _, line = path.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else None


class Timer(NamedTuple):
    thread: int
    id: int
    delay: int  # ms
    start: int  # ms on Node's timer clock; due = start + delay


class Before(NamedTuple):
    thread: int
    id: int
    phase: str
    queue: str
    micros: int = 0  # an outermost macrotask callback's start, µs since tracing began (markers' clock); else 0


class After(NamedTuple):
    thread: int
    id: int


class Destroy(NamedTuple):
    thread: int
    id: int


class Resolve(NamedTuple):
    thread: int
    id: int


class Write(NamedTuple):
    thread: int
    stream: str  # stdout or stderr
    phase: str
    queue: str
    context: int  # async id of the outermost callback running, 0 for the main module itself
    text: str
    direct: bool = False  # fs.write(Sync) to fd 1 or 2: reaches the fd at once, even from a worker thread


class Mark(NamedTuple):
    thread: int
    kind: str  # prepare (poll begins) or check (poll ended)
    iteration: int
    loop_ms: int  # the loop's clock, ms since tracing began
    micros: int = 0  # the real time it ran, µs since tracing began (loop_ms is the loop's cached clock); 0: unknown


class TimeBase(NamedTuple):
    thread: int
    offset: int  # loop_ms = Node timer clock + offset


class ModuleBody(NamedTuple):
    thread: int
    id: int  # the promise job that is really an ES module entry's body: the main module


class Pool(NamedTuple):
    thread: int
    id: int  # the async id of the request (its Init came just before a "queued")
    step: str  # queued (handed to the pool) or done (its callback begins on the loop thread)
    micros: int  # µs since tracing began, on the markers' clock (Mark.loop_ms * 1000, to within a few ms)


class PoolSize(NamedTuple):
    thread: int
    size: int  # libuv's thread count, from UV_THREADPOOL_SIZE as the process had it at its first pool job


class ExitEvent(NamedTuple):
    thread: int
    which: str  # beforeExit or exit


class Summary(NamedTuple):
    thread: int
    after_records: int  # full detail stopped after this many records; counts follow


class Counts(NamedTuple):
    thread: int
    phase: str
    queue: str
    what: str  # callback, init, resolve or write
    count: int


# --- the fds view: descriptors from the tracer and from /proc ------------------------------------------------


class Socket(NamedTuple):
    """A socket, pipe or tty handle's fd and addresses, read from the handle between callbacks."""

    thread: int
    id: int  # the handle's async id
    fd: int
    local: str  # "127.0.0.1:41234" or "[::1]:41234"; "" when it has none (a pipe) or not yet
    remote: str  # the peer of a connected socket, or ""


class FdSample(NamedTuple):
    """The process's open descriptors as /proc showed them, taken by looplab while the run went on.

    `fds` holds (fd, kind, name, peer, state) rows: kind is tcp, udp, unix, file, pipe, epoll, ...; name is
    the local address or the path; peer the remote address; state the TCP state (LISTEN, ESTABLISHED...).
    """

    thread: int  # always 0: the process's table, shared by its threads
    fds: tuple[tuple[int, str, str, str, str], ...]


class Syscall(NamedTuple):
    """A system call of the main thread, from strace's log, placed after the trace records made before it."""

    thread: int  # always 0: the loop's thread
    name: str  # epoll_pwait, accept4, read, sendto...
    fd: int  # the descriptor it acted on, -1 for none
    detail: str  # a few words: bytes moved, fds ready, an address, a path
    result: str  # what it returned, as strace printed it


# --- the wire and agent views (app/trace/tracer_http.js) ------------------------------------------------------


class WireOpen(NamedTuple):
    """A socket's first bytes: which end it is and its addresses."""

    thread: int
    socket: int  # the tracer's number for it, 1, 2, ...
    handle: int  # its handle's async id (a TLS socket's is its TLSWRAP's)
    role: str  # client or server (accepted by a server of the program)
    tls: bool  # the bytes are plaintext: before encryption, after decryption
    local: str  # "127.0.0.1:41234", or "[::1]:41234"
    remote: str


class WireData(NamedTuple):
    """Bytes one socket wrote or read (the first of them, within the tracer's caps)."""

    thread: int
    socket: int
    step: str  # wrote, read, or parsed: a request head as Node's HTTP parser saw it (it read the bytes in C++)
    offset: int  # where `data` starts in what this socket wrote (or read, or had parsed) so far
    data: str  # the bytes kept, one character per byte (latin-1), so a saved trace keeps them exactly

    @property
    def raw(self) -> bytes:
        return self.data.encode("latin-1")


class WireClose(NamedTuple):
    thread: int
    socket: int
    written: int  # socket.bytesWritten and socket.bytesRead when it was destroyed
    read: int


class AgentNew(NamedTuple):
    """An http.Agent the tracer met on a socket."""

    thread: int
    agent: int  # the tracer's number for it
    name: str  # http.globalAgent, https.globalAgent, or "agent 2"
    keep_alive: bool
    max_sockets: int  # 0: no limit
    max_free: int
    micros: int


class AgentCounts(NamedTuple):
    """An agent's sockets for one host:port changed (read between callbacks)."""

    thread: int
    agent: int
    key: str  # the agent's name for the host: "127.0.0.1:41234:" (host:port:localAddress[:family])
    free: int  # idle, kept alive for the next request
    busy: int  # in use by a request (or connecting for one)
    queued: int  # requests waiting for a socket
    micros: int


# --- the tls view: each TLS socket, from tracer_tls.js (a = its TLSWRAP async id) ------------------------------

TLS_SIDES = ("client", "server")


class TlsOpen(NamedTuple):
    """A TLS socket's TCP addresses, once it is connected."""

    thread: int
    id: int  # the TLS handle's async id: one per socket, one socket per side of a connection
    side: str  # client or server
    micros: int  # µs since tracing began, the clock of Pool events
    local: str  # "127.0.0.1:41234"
    remote: str


class TlsBytes(NamedTuple):
    """A TLS socket's counters when they changed, read as a callback began or ended."""

    thread: int
    id: int
    side: str
    secure: bool  # the handshake is done (Node's 'secure' has been emitted)
    micros: int  # µs since tracing began, the clock of Pool events
    wire_read: int  # bytes of TLS records read from the TCP socket
    wire_written: int  # ... and written to it
    data_read: int  # bytes of application data decrypted
    data_written: int  # bytes of application data the program wrote


class TlsNegotiated(NamedTuple):
    thread: int
    id: int
    side: str
    protocol: str  # TLSv1.3, TLSv1.2
    cipher: str  # OpenSSL's name: TLS_AES_256_GCM_SHA384
    group: str  # the key exchange: X25519, X25519MLKEM768, "DH 2048"; "" on a server (only a client can say)


class TlsKeylog(NamedTuple):
    """A key-log line the program asked for (its 'keylog' listener): only the NSS label, never the secret."""

    thread: int
    id: int
    side: str
    micros: int  # when OpenSSL reported it
    label: str  # CLIENT_HANDSHAKE_TRAFFIC_SECRET, ..., CLIENT_RANDOM (TLS 1.2)


class TlsClosed(NamedTuple):
    thread: int
    id: int
    side: str
    micros: int


# --- the lanes view: messages between threads and processes, from tracer_messages.js ---------------------------


class Message(NamedTuple):
    """A message sent or received on a channel between two threads or two processes."""

    thread: int
    step: str  # send or receive
    channel: str  # both ends name it alike: "worker 2" (a Worker's public channel), "ipc 4242" (a child's IPC);
    # "port <name>": a MessagePort, by its name in this thread (the model resolves it with PortMove)
    direction: str  # down (parent to worker or child) or up; a port's side (a, b, or ? if adopted: see PortMove)
    k: int  # the k-th send (or receive) on this channel and direction: the k-th send is the k-th receive
    micros: int  # µs on the machine's monotonic clock (process.hrtime): one clock for every thread and process


class PortMove(NamedTuple):
    """A MessagePort sent inside a message (carry, the sender's record) or found in one received (adopt).

    Both ends name it by the carrier message: (carrier, direction, k) as in Message, and `index`, the port's place
    among the message's ports. Joined, they say which channel and side an adopted port's local name stands for."""

    thread: int
    step: str  # carry or adopt
    carrier: str  # the channel the message went on: "worker 2", or "port <name>" (a port's name in this thread)
    direction: str  # as Message.direction on that channel
    k: int  # the message's k on the carrier (0: workerData, handed over by the Worker's constructor)
    index: int
    port: str  # the moved port's name in this thread: "<pid>.<threadId>.<n>"
    side: str  # a or b (port1 or port2 of its MessageChannel), ? when this thread does not know (adopt)
    sent: int  # carry: messages the port had sent from this thread (its next send is sent + 1 there)
    received: int  # carry: messages it had received in this thread


class MessageClock(NamedTuple):
    """Ties a thread's loop clock (Mark.loop_ms, Pool.micros) to the absolute µs of Message events."""

    thread: int
    loop_micros: int  # the thread's markers' clock, µs since its tracing began
    micros: int  # the monotonic clock's µs (Message.micros) at the same moment


# --- the streams view: each stream the program made, from tracer_stream.js -----------------------------------


class StreamNew(NamedTuple):
    """A stream the program's own code made, as the tracer first looked at it (its sides' settings from the stream)."""

    thread: int
    stream: int  # the tracer's number for it, 1, 2, ...
    name: str  # its class: Writable, Gzip, ReadStream, or the program's own (Slow)
    kind: str  # readable, writable, duplex or transform
    site: str  # "file:line:column" in the program where it was made
    readable_hwm: int  # -1: no readable side
    readable_objects: bool  # objectMode: lengths and highWaterMark count objects, not bytes
    writable_hwm: int  # -1: no writable side
    writable_objects: bool
    micros: int


class StreamStep(NamedTuple):
    """A stream's buffered length changed (read between callbacks), or a marker: write() returned false, 'drain',
    'end', 'finish', 'close', 'error', pipe() (value: the destination's number, 0 for a stream not shown), cut
    (no more lengths for this stream), unshown (stream 0: value streams were not shown, over the limit)."""

    thread: int
    stream: int
    step: str  # one of STREAM_STEPS but new
    value: int  # the length the step is about (readable for end and push_false, else writable if it has one)
    micros: int


# --- the tiers view: V8's code log (app/trace/v8_log.py), lined up with the trace -------------------------------


class TiersClock(NamedTuple):
    """The trace's clock (µs since tracing began) just before and after the call whose compile V8 logged."""

    thread: int
    before: int
    after: int


TIERS = ("interpreted", "baseline", "maglev", "turbofan")  # lowest first; a ladder's rungs


class TierStep(NamedTuple):
    """V8 made code for one of the program's functions in `tier` (app/trace/v8_log.py); it runs there until dropped."""

    thread: int  # always 0: the main thread's isolate
    function: str  # its name, "" for an anonymous one (a module's top level is one)
    file: str  # its file, as V8 names it (a path, or a file:// URL for an ES module)
    line: int
    column: int
    tier: str  # one of TIERS
    code: str  # the code's address in V8's log: a Deopt names the code it drops by it
    micros: int  # µs since tracing began (the trace's clock, through TiersClock)


class Deopt(NamedTuple):
    """V8 threw away one of a function's optimised codes: calls go back to a lower tier."""

    thread: int
    function: str
    file: str
    line: int
    column: int
    tier: str  # the tier of the code it dropped (maglev or turbofan)
    code: str
    kind: str  # deopt-eager, deopt-lazy, deopt-soft...
    reason: str  # V8's words: "not a Smi", "wrong map", "Insufficient type feedback for ..."
    where: str  # the source position, "file:line:column" (" inlined at " the caller's, when it was inlined)
    micros: int


# --- the heap view: GC pauses and heap spaces, from heap_hooks.cc (V8's GC callbacks) ----------------------


class Gc(NamedTuple):
    """A garbage collection's pause on this thread, from V8's GC prologue to its epilogue."""

    thread: int
    kind: str  # one of GC_KINDS' names
    forced: bool  # asked for (gc(), a heap snapshot), not decided by V8
    start: int  # µs since tracing began, on the markers' clock (Mark.loop_ms * 1000)
    pause: int  # µs the thread stood still


class HeapSize(NamedTuple):
    """A heap space's used size when it changed: just before or after a GC, or as poll began or ended."""

    thread: int
    space: str  # V8's name: new_space, old_space, code_space, large_object_space...
    when: str  # loop, before (a GC) or after
    kib: int  # KiB in use, rounded up
    micros: int


class HeapDropped(NamedTuple):
    """The hooks' ring was full: this many records (GCs or sizes) in all were lost so far."""

    thread: int
    count: int
    micros: int


TraceEvent = (
    Hello
    | Meta
    | Init
    | Label
    | Timer
    | Before
    | After
    | Destroy
    | Resolve
    | Write
    | Mark
    | TimeBase
    | ExitEvent
    | Summary
    | Counts
    | Pool
    | PoolSize
    | ModuleBody
    | Socket
    | FdSample
    | Syscall
    | WireOpen
    | WireData
    | WireClose
    | AgentNew
    | AgentCounts
    | TlsOpen
    | TlsBytes
    | TlsNegotiated
    | TlsKeylog
    | TlsClosed
    | Message
    | MessageClock
    | PortMove
    | Process
    | StreamNew
    | StreamStep
    | TiersClock
    | TierStep
    | Deopt
    | Gc
    | HeapSize
    | HeapDropped
)

EVENT_TYPES: dict[str, type] = {
    cls.__name__.lower(): cls
    for cls in (
        Hello,
        Meta,
        Init,
        Label,
        Timer,
        Before,
        After,
        Destroy,
        Resolve,
        Write,
        Mark,
        TimeBase,
        ExitEvent,
        Summary,
        Counts,
        Pool,
        PoolSize,
        ModuleBody,
        Socket,
        FdSample,
        Syscall,
        WireOpen,
        WireData,
        WireClose,
        AgentNew,
        AgentCounts,
        TlsOpen,
        TlsBytes,
        TlsNegotiated,
        TlsKeylog,
        TlsClosed,
        Message,
        MessageClock,
        PortMove,
        Process,
        StreamNew,
        StreamStep,
        TiersClock,
        TierStep,
        Deopt,
        Gc,
        HeapSize,
        HeapDropped,
    )
}
