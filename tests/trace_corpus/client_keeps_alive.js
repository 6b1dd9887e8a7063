// An open client connection keeps Node alive until it is destroyed. The timer starts once the client is
// connected: started before, its 30 ms raced the connection, and under load the timer won.
const net = require('node:net');
const server = net.createServer((peer) => peer.on('data', () => {}));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    console.log('connected');
    setTimeout(() => {
      console.log('destroying the client');
      client.destroy();
    }, 30);
  });
  client.on('close', () => {
    console.log('client closed');
    server.close();
  });
});

// expect poll/macrotask connected
// expect timers/macrotask destroying the client
// expect close/macrotask client closed
