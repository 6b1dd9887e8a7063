// A connected UDP socket: connect() fixes the one peer it talks to. Nothing is
// sent over the wire by connect(); the kernel just remembers the peer. Watch
// what that changes: send() without an address, datagrams from anyone else,
// and what happens once the peer is gone.
const dgram = require('node:dgram');

const server = dgram.createSocket('udp4');
const stranger = dgram.createSocket('udp4');
const client = dgram.createSocket('udp4');
let strangerSeen = 0;

server.on('message', (msg, rinfo) => {
  console.log(`server: "${msg}"`);
  server.send('pong', rinfo.port, rinfo.address);
});

// Every socket is bound to loopback first (connect or send on an unbound socket
// would bind it to 0.0.0.0, every interface).
server.bind(0, '127.0.0.1', () => stranger.bind(0, '127.0.0.1', () => client.bind(0, '127.0.0.1', start)));

function start() {
  const serverPort = server.address().port;
  client.connect(serverPort, '127.0.0.1', () => {
    const peer = client.remoteAddress();
    console.log(`client: connected, peer ${peer.address}, server's port: ${peer.port === serverPort}`);
    client.send('ping'); // no port, no address: the connected peer
  });

  client.on('message', (msg, rinfo) => {
    if (rinfo.port !== serverPort) {
      strangerSeen += 1;
      return;
    }
    console.log(`client: "${msg}" from the server`);
    // Someone else writes to the client's port. The kernel drops it.
    stranger.send('psst', client.address().port, '127.0.0.1', () => {
      // Now the peer goes away, and the client sends once more.
      server.close(() => {
        console.log('server: closed');
        client.send('anyone there?', (err) => {
          console.log(`client: send callback, error: ${err ? err.code : 'none'}`);
        });
      });
    });
  });
}

client.on('error', (err) => {
  console.log(`client: 'error' ${err.code} (from ${err.syscall})`);
  console.log(`client: datagrams seen from the stranger: ${strangerSeen}`);
  client.close(() => console.log('client: closed'));
  stranger.close();
});
