// A loopback HTTP server and three requests, recorded for the wire and agent views (tests/test_wire_model.py,
// tests/test_wire_view.py):
//   looplab trace tests/traces/http_keepalive.js --save tests/traces/http_keepalive.jsonl
// Requests one and two go through a keep-alive agent that allows one socket: two is queued while one runs,
// then reuses its socket. Request three says `Connection: close` on an agent of its own: a second socket.
const http = require('node:http');

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => res.end(`${req.method} ${req.url}${body ? ` got ${body}` : ''}\n`));
});

function ask(agent, path, options = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: server.address().port, path, agent, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(`${res.statusCode} ${text.trim()}`));
    });
    req.end(options.body);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const kept = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const replies = await Promise.all([
    ask(kept, '/one'),
    ask(kept, '/two', { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } }),
  ]);
  replies.push(await ask(new http.Agent(), '/three', { headers: { connection: 'close' } }));
  for (const reply of replies) console.log(reply);
  kept.destroy();
  server.close(() => console.log('server closed'));
});
