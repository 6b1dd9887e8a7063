// The notes' two clients, on loopback: one connects to our server, one to a port nobody listens on.
// On Linux both outcomes arrive as I/O events in poll; the refusal's 'error' is emitted from a tick.
const net = require('node:net');
const server = net.createServer((peer) => peer.end());
server.listen(0, '127.0.0.1', () => {
  const closed = net.createServer().listen(0, '127.0.0.1', () => {
    const deadPort = closed.address().port;
    closed.close(() => {
      const good = net.connect(server.address().port, '127.0.0.1', () => console.log('connected to our server'));
      good.on('close', () => server.close());
      const bad = net.connect(deadPort, '127.0.0.1', () => console.log('never connects'));
      bad.on('error', (err) => console.log(`connection error: ${err.code}`));
    });
  });
});

// order: varies
// expect poll/macrotask connected to our server
// expect poll/nextTick connection error: ECONNREFUSED
