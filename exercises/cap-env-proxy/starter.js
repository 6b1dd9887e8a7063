// Which requests does NODE_USE_ENV_PROXY send through HTTP_PROXY / HTTPS_PROXY, on this Node?
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { startForwardProxy } = require('./forward-proxy.js');

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const origin = http.createServer((req, res) => res.end('origin\n'));
const tlsFiles = { key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') };
const secureOrigin = https.createServer(tlsFiles, (req, res) => res.end('secure origin\n'));
let proxySaw = [];
const proxy = startForwardProxy((line) => proxySaw.push(line.replace('proxy: ', '')));

// Run ask.js in a child Node with exactly this environment: nothing of ours leaks in.
function ask(env, api, url) {
  return new Promise((resolve) => {
    proxySaw = [];
    execFile(process.execPath, ['ask.js', api, url], { env }, (err, stdout) => {
      resolve(`${stdout.trim()} (proxy saw: ${proxySaw.join(', ') || 'nothing'})`);
    });
  });
}

async function main() {
  const ports = { origin: await listen(origin), secure: await listen(secureOrigin), proxy: await listen(proxy) };
  const proxyUrl = `http://127.0.0.1:${ports.proxy}`;
  const base = {
    PATH: process.env.PATH,
    NODE_EXTRA_CA_CERTS: 'ca.pem', // trust looplab's throwaway CA (read once, when Node starts)
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
  };
  const cases = [
    ['HTTP_PROXY and HTTPS_PROXY only', base, [['http', 'http://127.0.0.1/'], ['fetch', 'http://127.0.0.1/']]],
    ['... and NODE_USE_ENV_PROXY=1', { ...base, NODE_USE_ENV_PROXY: '1' }, [
      ['http', 'http://127.0.0.1/'],
      ['fetch', 'http://127.0.0.1/'],
      ['https', 'https://127.0.0.1/'],
      ['fetch', 'https://127.0.0.1/'],
    ]],
    ['... and NO_PROXY=localhost', { ...base, NODE_USE_ENV_PROXY: '1', NO_PROXY: 'localhost' }, [
      ['http', 'http://localhost/'],
      ['http', 'http://127.0.0.1/'],
    ]],
  ];
  console.log(`Node ${process.versions.node.split('.')[0]}`);
  for (const [title, env, requests] of cases) {
    console.log(title);
    for (const [api, url] of requests) {
      const port = url.startsWith('https') ? ports.secure : ports.origin;
      const target = url.replace(/\/$/, `:${port}/`);
      const result = await ask(env, api, target);
      const shown = result.replaceAll(String(port), url.startsWith('https') ? 'SECURE' : 'ORIGIN');
      console.log(`  ${api.padEnd(5)} ${url.padEnd(19)} ${shown}`);
    }
  }
  for (const server of [origin, secureOrigin, proxy]) server.close();
}

main();
