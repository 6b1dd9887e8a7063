// A greeting server on 127.0.0.1 and one client, in the same process.
const net = require('node:net');

const server = net.createServer((conn) => {
  console.log('server: accepted a connection');
  conn.end('hello, visitor\n'); // send the greeting, then close our side
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address(); // a free port, picked by the system
  console.log('server: listening on 127.0.0.1');

  const client = net.connect(port, '127.0.0.1', () => console.log('client: connected'));
  client.setEncoding('utf8');
  client.on('data', (text) => console.log(`client: received "${text.trim()}"`));
  client.on('end', () => console.log('client: the server has finished sending'));
  client.on('close', () => {
    console.log('client: socket closed');
    server.close(() => console.log('server: closed, nothing left to wait for'));
  });
});

console.log('main: listen() called');
