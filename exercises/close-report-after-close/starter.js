// A client fetches one quote from a local server and hangs up.
// The usage report must be written once the connection is really gone.
const net = require('node:net');

const server = net.createServer((conn) => {
  conn.write('quote: measure, then explain\n');
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.setEncoding('utf8');

  client.on('data', (text) => {
    console.log(`client: ${text.trim()}`);
    client.destroy();

    // "One turn of the loop later the socket will be closed": is that so?
    setImmediate(() => {
      console.log('report: connection released');
      server.close(() => console.log('server: stopped'));
    });
  });

  client.on('close', () => console.log('client: close event'));
});
