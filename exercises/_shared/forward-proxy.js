// startForwardProxy(log) is a forward HTTP proxy for loopback targets: absolute-form requests, and CONNECT tunnels
const http = require('node:http');
const net = require('node:net');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']); // this proxy never reaches past the machine

function startForwardProxy(log = (line) => console.log(line)) {
  const proxy = http.createServer((req, res) => {
    // A request line to a proxy must carry the whole URL ("absolute-form"); "/menu" alone names no server.
    if (!/^https?:\/\//.test(req.url)) {
      log(`proxy: ${req.method} ${req.url} -> 400 (which server?)`);
      res.writeHead(400, { 'content-type': 'text/plain' }).end('a proxy needs the whole URL\n');
      return;
    }
    const target = new URL(req.url);
    if (!LOOPBACK.has(target.hostname)) {
      log(`proxy: ${req.method} ${req.url} -> 403 (not loopback)`);
      res.writeHead(403).end();
      return;
    }
    log(`proxy: ${req.method} ${req.url}`);
    const headers = { ...req.headers, host: target.host }; // the origin gets its own name as Host
    delete headers['proxy-connection'];
    const upstream = http.request(target, { method: req.method, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  // CONNECT host:port asks for a raw tunnel; after "200" the proxy copies bytes both ways, unread.
  proxy.on('connect', (req, client, head) => {
    const { hostname, port } = new URL(`http://${req.url}`);
    if (!LOOPBACK.has(hostname)) {
      log(`proxy: CONNECT ${req.url} -> 403 (not loopback)`);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    log(`proxy: CONNECT ${req.url}`);
    const upstream = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return proxy;
}

module.exports = { startForwardProxy };
