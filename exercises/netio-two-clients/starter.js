// One server on 127.0.0.1 and two clients, all in this process. Client B starts only
// once client A has its reply, so every step waits for the one before it.
const net = require('node:net');

let listenFd; // the listening socket's descriptor, known once 'listening' has fired
const fdName = (socket) => `listening fd + ${socket._handle.fd - listenFd}`;

let accepted = 0;
const server = net.createServer((conn) => {
  const n = ++accepted;
  console.log(`server: connection #${n} on ${fdName(conn)}`);
  if (n === 1) {
    setImmediate(() => console.log('check: the poll that accepted #1 is over'));
  }
  conn.setEncoding('utf8');
  conn.on('data', (name) => {
    console.log(`server: read "${name}" from connection #${n}`);
    conn.write(`hi ${name}`);
  });
});

function startClient(name, onReply) {
  const { port } = server.address();
  const socket = net.connect(port, '127.0.0.1', () => socket.write(name));
  socket.setEncoding('utf8');
  socket.once('data', (reply) => {
    console.log(`client ${name}: got "${reply}" on ${fdName(socket)}`);
    onReply(socket);
  });
}

server.listen(0, '127.0.0.1', () => {
  listenFd = server._handle.fd;
  console.log('server: listening');
  startClient('A', (a) => {
    startClient('B', (b) => {
      a.end(); // hang up one after the other: the server's side closes in a known order
      a.on('close', () => b.end());
      b.on('close', () => {
        server.close(() => console.log('server: closed, no connections left'));
      });
    });
  });
});
console.log('main: listen() called');
