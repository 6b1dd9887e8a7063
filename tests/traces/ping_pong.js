// The localhost-ping-pong starter, recorded into ping_pong.jsonl for the end-state tests:
//   looplab trace tests/traces/ping_pong.js --save tests/traces/ping_pong.jsonl
// and, with the server left open (LOOPLAB_KEEP_SERVER=1), stopped by the timeout into ping_pong_timeout.jsonl:
//   LOOPLAB_KEEP_SERVER=1 looplab trace tests/traces/ping_pong.js --timeout 2 --save tests/traces/ping_pong_timeout.jsonl
const net = require('node:net');
const keepServer = process.env.LOOPLAB_KEEP_SERVER === '1';

const server = net.createServer((socket) => {
  console.log('server: connection accepted');
  socket.on('data', (chunk) => {
    console.log(`server: received "${chunk}"`);
    socket.end('pong');
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
    if (!keepServer) server.close(() => console.log('server: closed'));
  });
});

process.on('exit', () => console.log('exit: no callbacks left'));
console.log('main module finished');
