// A UDP client sends three datagrams of very different sizes to a server on
// 127.0.0.1, one right after the other. What does each side see, and when?
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

server.bind(0, '127.0.0.1', () => {
  console.log('server: bound');
  // Bind the client to loopback ourselves: a send on an unbound socket would
  // bind it to 0.0.0.0, every interface of the machine.
  client.bind(0, '127.0.0.1', () => {
    console.log('client: bound');
    const { port } = server.address();
    for (const payload of ['hello', Buffer.alloc(60000, '.'), 'bye']) {
      client.send(payload, port, '127.0.0.1', (err, bytes) => {
        console.log(`client: send callback, ${bytes} bytes`);
      });
    }
    console.log('client: three send() calls made');
  });
});
