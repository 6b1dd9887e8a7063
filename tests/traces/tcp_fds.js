// A loopback TCP server and client, recorded for the fds view (tests/test_fd_model.py, the snapshots) and,
// under strace, for the syscalls lane (tests/test_syscalls.py):
//   looplab trace --syscalls tests/traces/tcp_fds.js --save tests/traces/tcp_syscalls.jsonl
// and without:
//   looplab trace tests/traces/tcp_fds.js --save tests/traces/tcp_fds.jsonl
// Both sockets stay open for 80 ms, so looplab's /proc samples see them connected; a file is open meanwhile.
const fs = require('node:fs');
const net = require('node:net');

const file = fs.openSync(__filename, 'r');
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => socket.write(`pong to ${chunk}`));
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.write('ping'));
  client.on('data', (chunk) => {
    console.log(`client got: ${chunk}`);
    setTimeout(() => client.end(), 80);
  });
  client.on('close', () => {
    fs.closeSync(file);
    server.close(() => console.log('server closed'));
  });
});
