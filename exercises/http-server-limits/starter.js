// What an HTTP server accepts, and for how long: the defaults of this Node,
// then four requests a raw TCP client writes by hand to a server with short
// limits, so each limit shows up within a second.
const http = require('node:http');
const net = require('node:net');

const fresh = http.createServer();
console.log(`defaults: requestTimeout ${fresh.requestTimeout} ms, headersTimeout ${fresh.headersTimeout} ms`);
console.log(`defaults: keepAliveTimeout ${fresh.keepAliveTimeout} ms, maxHeaderSize ${http.maxHeaderSize} bytes`);
console.log(`defaults: connectionsCheckingInterval ${fresh.connectionsCheckingInterval} ms`);
const { keepAlive, maxSockets, maxFreeSockets } = http.globalAgent;
console.log(`globalAgent: keepAlive ${keepAlive}, maxSockets ${maxSockets}, maxFreeSockets ${maxFreeSockets}`);
console.log(`new http.Agent(): keepAlive ${new http.Agent().keepAlive}`);

const server = http.createServer({
  headersTimeout: 200, // the whole head must arrive within 200 ms
  requestTimeout: 400, // the whole request within 400 ms
  connectionsCheckingInterval: 50, // how often Node looks for late requests
  keepAliveTimeout: 100, // an idle connection may stay this long after an answer
}, (req, res) => res.end('ok'));

// Write `text` on a new connection; resolve with the first line of the answer
// and how long after connecting the server closed the connection.
function raw(text) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(server.address().port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('close', () => resolve({ status: answer.split('\r\n')[0], ms: Date.now() - started }));
  });
}

server.listen(0, '127.0.0.1', async () => {
  const big = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'a'.repeat(20000)}\r\n\r\n`);
  console.log(`20,000-byte cookie: ${big.status}`);
  const noHost = await raw('GET / HTTP/1.1\r\n\r\n');
  console.log(`no Host header: ${noHost.status}`);
  const slow = await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // the blank line never comes
  console.log(`head never finished: ${slow.status}, after 200 ms or more: ${slow.ms >= 200}`);
  const idle = await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'); // then silence
  console.log(`idle after the answer: ${idle.status}, closed after ${(idle.ms / 1000).toFixed(1)} s`);
  server.close();
});
