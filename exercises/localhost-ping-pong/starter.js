// Both ends of a TCP connection in one process. What keeps Node alive, and when does it stop?
const net = require('node:net');

const server = net.createServer((socket) => {
  console.log('server: connection accepted');
  socket.on('data', (chunk) => {
    console.log(`server: received "${chunk}"`);
    socket.end('pong'); // reply, then close our side
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`server: listening on 127.0.0.1:${port}`);

  const client = net.connect(port, '127.0.0.1', () => {
    console.log('client: connected');
    client.write('ping');
  });
  client.on('data', (chunk) => console.log(`client: received "${chunk}"`));
  client.on('close', () => {
    console.log('client: closed');
    server.close(() => console.log('server: closed'));
  });
});

process.on('exit', () => console.log('exit: no callbacks left'));
console.log('main module finished');
