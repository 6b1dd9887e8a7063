// A client sends one http and one https request through a forward proxy on 127.0.0.1
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const tls = require('node:tls');
const { startForwardProxy } = require('./forward-proxy.js');

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const readAll = (res) =>
  new Promise((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve(body.trim()));
  });

const origin = http.createServer((req, res) => {
  console.log(`origin: ${req.method} ${req.url}`);
  res.end('the menu\n');
});
const tlsFiles = { key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') };
const secureOrigin = https.createServer(tlsFiles, (req, res) => {
  console.log(`secure origin: ${req.method} ${req.url}`);
  res.end('the secret menu\n');
});
const proxy = startForwardProxy();

async function main() {
  const originPort = await listen(origin);
  const securePort = await listen(secureOrigin);
  const proxyPort = await listen(proxy);

  // 1. Plain http: the request goes to the proxy, and its request line names the origin.
  const plain = await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      path: `http://127.0.0.1:${originPort}/menu`,
      agent: false,
    });
    req.on('response', resolve).on('error', reject).end();
  });
  console.log(`client (http): ${plain.statusCode} ${await readAll(plain)}`);

  // 2. https: ask the proxy for a tunnel, then speak TLS with the origin through it.
  const tunnel = await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      method: 'CONNECT',
      path: `127.0.0.1:${securePort}`,
      agent: false,
    });
    req.on('connect', (res, socket) => {
      console.log(`client: CONNECT answered ${res.statusCode}`);
      resolve(socket);
    });
    req.on('error', reject).end();
  });
  const secure = await new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', // the name the certificate is checked against
      port: securePort,
      path: '/menu',
      // no agent: this one request speaks TLS over the tunnel's socket
      createConnection: () => tls.connect({ socket: tunnel, host: '127.0.0.1', ca: fs.readFileSync('ca.pem') }),
    });
    req.on('response', resolve).on('error', reject).end();
  });
  console.log(`client (https): ${secure.statusCode} ${await readAll(secure)}`);

  for (const server of [origin, secureOrigin, proxy]) server.close();
}

main();
