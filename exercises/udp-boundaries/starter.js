// A UDP client sends three datagrams of very different sizes to a server on
// 127.0.0.1, one right after the other. The client never called bind(): its
// first send() binds it. What does each side see, and when?
const dgram = require('node:dgram');

const server = dgram.createSocket('udp4');
const client = dgram.createSocket('udp4');
let received = 0;

server.on('message', (msg) => {
  console.log(`server: one 'message' of ${msg.length} bytes`);
  if (++received === 3) {
    server.close(() => console.log('server: closed'));
    client.close(() => console.log('client: closed'));
  }
});

client.on('listening', () => {
  console.log(`client: bound by its first send to ${client.address().address}`);
});

server.bind(0, '127.0.0.1', () => {
  console.log('server: bound');
  const { port } = server.address();
  for (const payload of ['hello', Buffer.alloc(60000, '.'), 'bye']) {
    client.send(payload, port, '127.0.0.1', (err, bytes) => {
      console.log(`client: send callback, ${bytes} bytes`);
    });
  }
  console.log('client: three send() calls made');
});
