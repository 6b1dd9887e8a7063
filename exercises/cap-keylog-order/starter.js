// A TLS 1.3 client and server on 127.0.0.1. The client's 'keylog' event hands
// over each secret as OpenSSL derives it: the same lines --tls-keylog writes to
// a file. In which order do they come, and where do the handshake events fall?
const fs = require('node:fs');
const tls = require('node:tls');

const USE = {
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'reads the server\'s encrypted handshake',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'encrypts the client\'s Finished',
  SERVER_TRAFFIC_SECRET_0: 'reads the server\'s application data',
  CLIENT_TRAFFIC_SECRET_0: 'encrypts the client\'s application data',
  EXPORTER_SECRET: 'feeds exportKeyingMaterial(), no record',
};

const server = tls.createServer({ key: fs.readFileSync('key.pem'), cert: fs.readFileSync('cert.pem') });
server.on('secureConnection', (conn) => {
  console.log('server: secureConnection');
  conn.end('hello');
});

server.listen(0, '127.0.0.1', () => {
  const client = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: fs.readFileSync('ca.pem') });
  client.on('keylog', (line) => {
    const label = line.toString().split(' ')[0]; // LABEL CLIENT_RANDOM SECRET
    console.log(`client keylog: ${label} (${USE[label]})`);
  });
  client.on('secureConnect', () => console.log(`client: secureConnect (${client.getProtocol()})`));
  client.on('data', (data) => console.log(`client: data "${data}"`));
  client.on('close', () => server.close());
});
