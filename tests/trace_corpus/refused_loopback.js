// Connecting to a loopback port nobody listens on. On Linux the refusal arrives as an I/O event (poll),
// not as a deferred error (pending): connect() returns EINPROGRESS and the RST comes a moment later.
const net = require('node:net');
const probe = net.createServer().listen(0, '127.0.0.1', () => {
  const { port } = probe.address();
  probe.close(() => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', (err) => console.log(`error ${err.code}`));
    socket.on('close', () => console.log('socket closed'));
  });
});

// expect poll/nextTick error ECONNREFUSED
// expect close/macrotask socket closed
