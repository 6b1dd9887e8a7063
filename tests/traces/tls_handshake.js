// One TLS connection on loopback, recorded on both Nodes for the tls view (tests/test_tls_model.py and the
// snapshots). It reads ca.pem, cert.pem and key.pem from $CERTS (else its own folder); they are made fresh
// for each recording and never committed:
//   CERTS=DIR looplab trace --node /usr/bin/node tests/traces/tls_handshake.js --save tests/traces/tls_handshake_node20.jsonl
//   CERTS=DIR looplab trace tests/traces/tls_handshake.js --save tests/traces/tls_handshake_node24.jsonl
// Both sides listen for key-log lines (only their labels reach the trace), so the ladder shows when each
// side had its keys.
const fs = require('node:fs');
const path = require('node:path');
const tls = require('node:tls');

const dir = process.env.CERTS || __dirname;
const read = (name) => fs.readFileSync(path.join(dir, name));
let keylogLines = 0;

const server = tls.createServer({ key: read('key.pem'), cert: read('cert.pem') }, (socket) => {
  socket.on('data', (chunk) => socket.end(`pong to ${chunk}`));
});
server.on('keylog', () => keylogLines++);

server.listen(0, '127.0.0.1', () => {
  const client = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: read('ca.pem') }, () => {
    const group = client.getEphemeralKeyInfo();
    console.log(`client: ${client.getProtocol()} ${client.getCipher().name} ${group.name || group.type}`);
    client.write('ping');
  });
  client.on('keylog', () => keylogLines++);
  client.on('data', (chunk) => console.log(`client got: ${chunk}`));
  client.on('close', () => server.close(() => console.log(`closed, ${keylogLines} key-log lines`)));
});
