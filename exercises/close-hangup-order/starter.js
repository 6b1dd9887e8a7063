// The server sends one line and hangs up. The client reacts to 'data', 'end'
// and 'close', and queues an immediate from its 'end' listener. Once the client
// is closed it stops the server.
const net = require('node:net');

const server = net.createServer((conn) => {
  conn.end('closing time\n'); // send one line, then our FIN
  conn.on('close', () => console.log('server side: socket close'));
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.setEncoding('utf8');

  client.on('data', (text) => console.log(`client: data "${text.trim()}"`));
  client.on('end', () => {
    console.log('client: end');
    setImmediate(() => console.log('client: immediate queued in end'));
  });
  client.on('close', () => {
    console.log('client: close');
    server.close(() => console.log('server: close callback'));
  });
});
