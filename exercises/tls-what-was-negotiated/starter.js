const tls = require('node:tls');
const fs = require('node:fs');

const options = { key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') };
const server = tls.createServer(options, (socket) => socket.end('bye'));

// One TLS connection to our own server; `extra` narrows what the client offers.
function connect(label, extra, next) {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: server.address().port,
    ca: fs.readFileSync('ca.pem'),
    ...extra,
  }, () => {
    const key = socket.getEphemeralKeyInfo(); // client side only (null on the server's)
    const cipher = socket.getCipher().name;
    const group = `${key.name} (${key.type})`;
    console.log(`${label}: ${socket.getProtocol()}, ${cipher}, group ${group}`);
  });
  socket.resume();
  socket.on('close', next);
}

const major = process.versions.node.split('.')[0];
console.log(`Node ${major} with OpenSSL ${process.versions.openssl}`);
server.listen(0, '127.0.0.1', () => {
  connect('default', {}, () => {
    connect('TLS 1.2 at most', { maxVersion: 'TLSv1.2' }, () => {
      connect('X25519 only', { ecdhCurve: 'X25519' }, () => server.close());
    });
  });
});
