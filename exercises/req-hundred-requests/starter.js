// The request showdown: 100 GET requests from each of four clients to a server on
// 127.0.0.1, first all at once, then one after another. For each run the server counts
// the TCP connections and the bytes; the client measures the time and the memory.
const http = require('node:http');

const REQUESTS = 100; // per client and per run: 800 requests in all
const ka = new http.Agent({ keepAlive: true, maxSockets: 10 });
const clients = [
  ['http.request, global agent', (url) => viaHttp(url, undefined)],
  ['http.request, agent: false', (url) => viaHttp(url, false)],
  ['http.request, keep-alive, maxSockets 10', (url) => viaHttp(url, ka)],
  ['fetch (undici)', viaFetch],
];

function viaHttp(url, agent) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}
async function viaFetch(url) {
  const res = await fetch(url);
  await res.text();
}

function startServer() { // a fresh server per run, so each count starts at 0
  const sockets = [];
  const server = http.createServer((req, res) => res.end('ok'));
  server.on('connection', (socket) => sockets.push(socket));
  const seen = () => ({ // closed sockets keep their byte counts
    connections: sockets.length,
    bytesIn: sockets.reduce((sum, s) => sum + s.bytesRead, 0),
    bytesOut: sockets.reduce((sum, s) => sum + s.bytesWritten, 0),
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen })));
}

async function measure(name, send, together) {
  const { server, seen } = await startServer();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const before = process.memoryUsage();
  const start = performance.now();
  if (together) await Promise.all(Array.from({ length: REQUESTS }, () => send(url)));
  else for (let i = 0; i < REQUESTS; i++) await send(url);
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  const { connections, bytesIn, bytesOut } = seen();
  server.closeAllConnections(); // the idle keep-alive connections too
  await new Promise((resolve) => server.close(resolve));
  const kib = (key) => `${after[key] >= before[key] ? '+' : '-'}${Math.round(Math.abs(after[key] - before[key]) / 1024)} KiB`;
  console.log(`  ${name.padEnd(40)} ${String(connections).padStart(3)} connection${connections === 1 ? ', ' : 's,'} ` +
    `${bytesIn / REQUESTS} B per request, ${bytesOut / REQUESTS} B per answer`);
  return `  ${name.padEnd(40)} ${ms.toFixed(1).padStart(6)} ms, heap ${kib('heapUsed')}, rss ${kib('rss')}`;
}

async function main() {
  const guard = setTimeout(() => { console.log('stopped: over 15 s'); process.exit(1); }, 15_000);
  console.log(`Node ${process.version}, undici ${process.versions.undici}: ${REQUESTS} requests per client`);

  const { server } = await startServer(); // warm-up: the first use of each client costs extra
  const url = `http://127.0.0.1:${server.address().port}/`;
  let t = performance.now();
  await viaFetch(url);
  const firstFetch = performance.now() - t;
  t = performance.now();
  await viaHttp(url);
  console.log(`warm-up: first fetch ${firstFetch.toFixed(1)} ms, first http.get ${(performance.now() - t).toFixed(1)} ms`);
  server.closeAllConnections();
  server.close();

  const timings = [];
  for (const together of [true, false]) {
    console.log(together ? 'all at once:' : 'one after another:');
    for (const [name, send] of clients) timings.push(await measure(name, send, together));
  }
  console.log('time and memory (they change from run to run):');
  for (const line of timings) console.log(line);
  ka.destroy();
  clearTimeout(guard);
}

main();
