// A server on 127.0.0.1 greets every client. Our client connects, and at the same
// moment starts reading a one-line file. Which answer is back first?
const fs = require('node:fs');
const net = require('node:net');

const server = net.createServer((socket) => socket.end('hello'));

server.listen(0, '127.0.0.1', () => {
  console.log('listening: connecting, and reading note.txt');
  const client = net.connect(server.address().port, '127.0.0.1');
  client.on('data', (data) => console.log(`socket: "${data}"`));
  client.on('end', () => server.close());
  fs.readFile('note.txt', 'utf8', (err, text) => {
    if (err) throw err;
    console.log(`file: "${text.trim()}"`);
  });
  setImmediate(() => console.log('immediate: ran'));
});
