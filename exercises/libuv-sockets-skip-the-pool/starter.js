// An echo server and its client on 127.0.0.1. Once they are connected, four
// slow hashes take all four pool threads, and the client sends "ping".
// Does the echo have to wait for a free thread?
const crypto = require('node:crypto');
const net = require('node:net');

let startedAt = 0;
const elapsed = () => Math.round(performance.now() - startedAt);

const server = net.createServer((socket) => socket.pipe(socket)); // echo back

function fillThePool() {
  let hashed = 0;
  for (let i = 0; i < 4; i++) {
    crypto.pbkdf2(`password-${i}`, 'salt', 500_000, 32, 'sha256', () => {
      hashed += 1;
      console.log(`pool: hash ${hashed} of 4 done`);
      if (hashed === 4) {
        console.log(`pool: all hashes done after ${elapsed()} ms`);
        server.close();
      }
    });
  }
  startedAt = performance.now();
  console.log('client: connected, 4 hashes queued, the pool is full');
}

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    fillThePool();
    client.write('ping');
  });
  client.on('data', (reply) => {
    console.log(`tcp: "${reply}" came back after ${elapsed()} ms`);
    client.end();
  });
});
