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
  });

  // destroy() closes the descriptor at once, but libuv runs the handle's close
  // callback (and so the 'close' event) in the close phase, after the check
  // phase. The 'close' event is the moment the connection is gone.
  client.on('close', () => {
    console.log('client: close event');
    console.log('report: connection released');
    server.close(() => console.log('server: stopped'));
  });
});
