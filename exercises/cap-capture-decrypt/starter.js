// Capture one request over http and over https with a recording relay, then decrypt the https one with a key log
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { startRecordingRelay } = require('./recording-relay.js');
const tls = require('./read-tls.js');

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
const answer = (req, res) => res.end('balance: 42\n');
// The lines worth showing from an HTTP exchange: request or status line, the secret header, the body
const showHttp = (prefix, text) =>
  text.split('\r\n').filter((line, i, all) => i === 0 || /^authorization:/i.test(line) || i === all.length - 1)
    .filter(Boolean).forEach((line) => console.log(`${prefix}${line.trim()}`));

async function main() {
  // 1. http: the relay sees every byte as it is
  const origin = await listen(http.createServer(answer));
  const relay = await startRecordingRelay(origin.address().port);
  await new Promise((resolve) => {
    const url = `http://127.0.0.1:${relay.address().port}/account`;
    http.get(url, { headers: { authorization: 'Bearer looplab-demo-token' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(console.log(`1. http through the relay\nclient: ${res.statusCode} ${body.trim()}`)));
    });
  });
  showHttp('  client -> server: ', relay.sent('client').toString('latin1'));
  showHttp('  server -> client: ', relay.sent('server').toString('latin1'));

  // 2. https: a client in a child Node that writes its TLS secrets to keys.log
  const tlsFiles = { key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') };
  const secureOrigin = await listen(https.createServer(tlsFiles, answer));
  const secureRelay = await startRecordingRelay(secureOrigin.address().port);
  fs.rmSync('keys.log', { force: true });
  const url = `https://127.0.0.1:${secureRelay.address().port}/account`;
  const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: 'ca.pem' }; // trust looplab's throwaway CA
  const output = await new Promise((resolve) => {
    execFile(process.execPath, ['--tls-keylog=keys.log', 'fetch-account.js', url], { env }, (err, stdout) => resolve(stdout));
  });
  console.log(`2. https through the relay, client run with --tls-keylog=keys.log\n${output.trim()}`);
  const sent = { client: tls.splitRecords(secureRelay.sent('client')), server: tls.splitRecords(secureRelay.sent('server')) };
  for (const [from, to] of [['client', 'server'], ['server', 'client']]) {
    const [first, ...rest] = sent[from];
    const name = tls.handshakeNames(first.body)[0];
    const after = [...new Set(rest.map((record) => tls.RECORD_TYPES[record.type]))].join(', ');
    console.log(`  ${from} -> ${to}: ${name} (${first.header.length + first.body.length} bytes), then ${after}`);
  }
  const everything = Buffer.concat([secureRelay.sent('client'), secureRelay.sent('server')]);
  console.log(`  "looplab-demo-token" anywhere in the capture: ${everything.includes('looplab-demo-token') ? 'yes' : 'no'}`);

  // 3. decrypt: the key log line whose client random is this ClientHello's holds each secret
  const random = tls.clientRandom(sent.client[0]);
  const secrets = {};
  for (const line of fs.readFileSync('keys.log', 'utf8').trim().split('\n')) {
    const [label, lineRandom, secret] = line.split(' ');
    if (lineRandom === random) secrets[label] = secret;
  }
  const suite = tls.cipherSuite(sent.server[0]);
  console.log(`3. decrypted with keys.log: ${Object.keys(secrets).length} secrets for this ClientHello's random`);
  console.log(`  cipher suite (from the ServerHello): ${suite[0]}`);
  for (const [from, to, prefix] of [['client', 'server', 'CLIENT'], ['server', 'client', 'SERVER']]) {
    const handshakeKey = tls.decrypter(suite, secrets[`${prefix}_HANDSHAKE_TRAFFIC_SECRET`]);
    const trafficKey = tls.decrypter(suite, secrets[`${prefix}_TRAFFIC_SECRET_0`]);
    let finished = false; // after its Finished, a side switches to its traffic secret
    const groups = [];
    let text = '';
    for (const record of sent[from].filter((r) => r.type === 23)) {
      const secret = finished ? `${prefix}_TRAFFIC_SECRET_0` : `${prefix}_HANDSHAKE_TRAFFIC_SECRET`;
      const inner = (finished ? trafficKey : handshakeKey)(record);
      if (inner.type === 22) {
        const names = tls.handshakeNames(inner.data);
        const last = groups.at(-1);
        if (last && last.secret === secret) last.names.push(...names);
        else groups.push({ secret, names });
        if (names.includes('Finished')) finished = true;
      } else if (inner.type === 23) {
        text += inner.data.toString('latin1');
      }
    }
    for (const { secret, names } of groups) console.log(`  ${from} -> ${to} (${secret}): ${names.join(', ')}`);
    console.log(`  ${from} -> ${to} (${prefix}_TRAFFIC_SECRET_0): application data`);
    showHttp('    ', text);
  }
  for (const server of [origin, relay, secureOrigin, secureRelay]) server.close();
}

main();
