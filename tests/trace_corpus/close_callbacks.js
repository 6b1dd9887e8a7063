// 'close' events of a socket and a server run in the close phase.
const net = require('node:net');
const server = net.createServer((peer) => {
  console.log('server: accepted');
  peer.on('close', () => console.log('server side: socket closed'));
  peer.destroy();
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('close', () => {
    console.log('client: socket closed');
    server.close(() => console.log('server closed'));
  });
});

// order: varies
// expect poll/macrotask server: accepted
// expect close/macrotask server side: socket closed
// expect close/macrotask client: socket closed
// expect close/nextTick server closed
