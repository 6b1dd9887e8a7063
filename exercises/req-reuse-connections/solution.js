// A client sends 100 requests at once to a server on 127.0.0.1. The server counts the
// TCP connections they arrive on: each one costs a handshake, a socket on both ends and
// kernel memory, and these 100 requests all go to the same host and port.
const http = require('node:http');

const REQUESTS = 100;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 }); // 4 sockets at most, reused
let requests = 0;
let connections = 0;

const server = http.createServer((req, res) => {
  requests++;
  res.end('ok');
});
server.on('connection', () => connections++);

function get(port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

server.listen(0, '127.0.0.1', async () => {
  const guard = setTimeout(() => { console.log('still waiting after 5 s'); process.exit(1); }, 5000);
  const start = performance.now();
  const answers = await Promise.all(Array.from({ length: REQUESTS }, () => get(server.address().port)));
  const ms = Math.round(performance.now() - start);
  const ok = answers.filter((a) => a === 'ok').length;
  console.log(`client: ${ok} of ${REQUESTS} answered "ok" in ${ms} ms`);
  console.log(`server: ${requests} requests over ${connections} connections`);
  clearTimeout(guard);
  server.close(); // since Node 19 this also closes idle keep-alive connections
});
