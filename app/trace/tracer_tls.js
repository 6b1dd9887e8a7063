'use strict';
// The tls view's part of the tracer: each TLS socket's handshake, as the socket itself shows it. tracer.js
// loads this file the first time Node creates a TLSWRAP resource (a TLS socket's native handle), so a
// program that never makes a TLS connection never loads it, and pays for it with nothing but one string
// comparison per resource created.
//
// A watched connection is looked at whenever a callback begins or ends (tracer.js calls look()), and
// every change is recorded, with the µs clock the thread pool's records use:
//   - its TCP addresses, once both are known (the client's local port is the server's remote port: that
//     pairs the two ends of one connection when both are in this process);
//   - the byte counters: the TCP handle's (bytes on the wire: TLS records) and the TLS handle's own
//     (application data in clear), and whether the handshake is done (socket._secureEstablished);
//   - once it is done: the protocol, cipher and key-exchange group the handle reports;
//   - the NSS key-log labels (never the secrets) of the lines the program asked for itself;
//   - that it closed.
// Once a connection is secure and data has gone both ways, only its close is looked for.
// Everything is read, nothing is called that the program could have replaced: the counters are the
// native handles' own accessors, the negotiated names their native methods, never the socket's
// getProtocol() or getCipher().
//
// What the program could notice, and why it does not matter:
//   - key-log lines: OpenSSL computes them only when the program listens for 'keylog' (Node then enables
//     the callback); nothing here enables it, since that would make OpenSSL call into JavaScript where
//     it did not before (a callback the program's own async hooks would see). The handle's `onkeylog`
//     (set by Node on the internal `socket._handle`) is wrapped to note each line's label and then call
//     Node's function, so the program gets the same lines at the same moments; only a program reading
//     `socket._handle.onkeylog` itself could tell.
//   - nothing is read from a handle once its socket has let go of it (`socket._handle` is no longer the
//     same object): a closed TLS handle's native side may be freed, and calling into it crashes Node.
// Record: kind TLS; a = the TLSWRAP async id; b = what | 256 on the server side | 512 once secure;
// c = a string id (OPEN: "µs local|remote"; BYTES: "µs wire-read wire-written data-read data-written";
// NEGOTIATED: "protocol|cipher|group"; KEYLOG: "µs label") or µs (CLOSED). app/trace/decode.py reads them.

const OPEN = 1, BYTES = 2, NEGOTIATED = 3, KEYLOG = 4, CLOSED = 5;
const SERVER = 1 << 8, SECURE = 1 << 9;
const LIMIT = 64; // connections watched at once: a busy server's thousandth handshake teaches nothing new

module.exports = function watchTls({ record, stringId, micros, socketAddress: address, TLS }) {
  const watched = new Map(); // TLSWRAP async id -> connection
  let ownerSymbol = null; // Node's internal symbol from a handle to its socket, learnt from the first handle

  function created(id, handle) {
    if (watched.size >= LIMIT || handle === null || typeof handle !== 'object') return;
    watched.set(id, {
      handle, socket: null, looks: 0, side: 0, opened: false, said: '', secure: false, settled: false,
      keylogWrapped: false,
    });
  }

  function look() {
    for (const [id, connection] of watched) {
      try {
        lookAt(id, connection);
      } catch {
        watched.delete(id); // tracing must never break the program
      }
    }
  }

  function socketOf(handle) {
    if (ownerSymbol === null) {
      ownerSymbol = Object.getOwnPropertySymbols(handle).find((symbol) => symbol.description === 'owner_symbol')
        || null;
      if (ownerSymbol === null) return null;
    }
    const socket = handle[ownerSymbol];
    return socket && typeof socket === 'object' && socket._tlsOptions ? socket : null;
  }

  function lookAt(id, c) {
    const handle = c.handle;
    if (c.socket === null) {
      c.socket = socketOf(handle); // set by Node just after the handle is made, never inside init
      if (c.socket === null) {
        if (++c.looks > 64) watched.delete(id); // a handle no TLSSocket owns: nothing to show
        return;
      }
      c.side = c.socket._tlsOptions.isServer ? SERVER : 0;
    }
    if (c.socket._handle !== handle) {
      record(TLS, id, CLOSED | c.side | (c.secure ? SECURE : 0), micros() | 0);
      watched.delete(id);
      return;
    }
    if (!c.keylogWrapped && typeof handle.onkeylog === 'function') wrapKeylog(id, c);
    const tcp = handle._parent;
    if (!c.opened) c.opened = open(id, c, tcp);
    const secure = c.socket._secureEstablished === true;
    if (c.settled) return;
    const dataRead = counter(handle, 'bytesRead'), dataWritten = counter(handle, 'bytesWritten');
    const said = `${counter(tcp, 'bytesRead')} ${counter(tcp, 'bytesWritten')} ${dataRead} ${dataWritten}`;
    if (secure && !c.secure) negotiated(id, c, handle);
    if (said === c.said && secure === c.secure) return;
    c.said = said;
    c.secure = secure;
    if (said !== '0 0 0 0' || secure) {
      record(TLS, id, BYTES | c.side | (secure ? SECURE : 0), stringId(`${micros() | 0} ${said}`));
    }
    // Handshake done and data seen both ways: the ladder is complete but for its close, which is all that is
    // looked for from now on (a long-lived connection then costs one comparison per callback).
    c.settled = secure && dataRead > 0 && dataWritten > 0;
  }

  function counter(handle, name) {
    const value = handle ? handle[name] : 0;
    return typeof value === 'number' ? value : 0;
  }

  function open(id, c, tcp) {
    const remote = address(tcp, 'getpeername');
    if (remote === '') return false; // a client still connecting
    record(TLS, id, OPEN | c.side, stringId(`${micros() | 0} ${address(tcp, 'getsockname')}|${remote}`));
    return true;
  }

  function negotiated(id, c, handle) {
    const protocol = typeof handle.getProtocol === 'function' ? handle.getProtocol() || '' : '';
    const cipher = typeof handle.getCipher === 'function' ? handle.getCipher() : null;
    let group = '';
    if (c.side === 0 && typeof handle.getEphemeralKeyInfo === 'function') {
      const info = handle.getEphemeralKeyInfo(); // the client's view of the key exchange
      if (info && typeof info === 'object') {
        group = info.name || (info.type ? `${info.type}${info.size ? ` ${info.size}` : ''}` : '');
      }
    }
    const name = cipher && typeof cipher.name === 'string' ? cipher.name : '';
    record(TLS, id, NEGOTIATED | c.side | SECURE, stringId(`${protocol}|${name}|${group}`));
  }

  function wrapKeylog(id, c) {
    c.keylogWrapped = true;
    const original = c.handle.onkeylog;
    const side = c.side;
    c.handle.onkeylog = function onkeylog(line) {
      try {
        if (ArrayBuffer.isView(line)) {
          const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
          const space = bytes.indexOf(0x20);
          const label = bytes.toString('latin1', 0, space < 0 ? Math.min(bytes.length, 40) : Math.min(space, 40));
          record(TLS, id, KEYLOG | side | (c.secure ? SECURE : 0), stringId(`${micros() | 0} ${label}`));
        }
      } catch {
        // never in the program's way
      }
      return Reflect.apply(original, this, arguments);
    };
  }

  return { created, look, watching: () => watched.size !== 0 };
};
