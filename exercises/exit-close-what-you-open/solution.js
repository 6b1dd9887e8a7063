// A settings service and its one client, both in this process, on 127.0.0.1.
// Once the client has its answer, both ends are closed, so the loop runs dry and Node exits.
const net = require('node:net');

const settings = { theme: 'dark', fontSize: '14' };

const server = net.createServer((conn) => {
  conn.setEncoding('utf8');
  conn.on('data', (key) => conn.write(`${key} = ${settings[key] ?? '(unset)'}`));
});

server.listen(0, '127.0.0.1', () => {
  console.log('server: listening on a port listen(0) picked');

  const client = net.connect(server.address().port, '127.0.0.1', () => {
    console.log('client: connected, asking for theme');
    client.write('theme');
  });
  client.setEncoding('utf8');
  client.on('data', (answer) => {
    console.log(`client: got "${answer}"`);
    // Hang up. The server's socket sees the end and, with the default allowHalfOpen = false,
    // ends its own side too, so both connected sockets close.
    client.end();
    // Stop accepting. The listening handle closes now; the server's 'close' event would
    // wait until its last connection is gone.
    server.close();
  });
});

// Another way out: unref() all three handles (server, client, and the server's `conn`).
// Node then exits without closing them; closing what you opened is the tidier habit.

process.on('beforeExit', () => console.log('beforeExit: nothing left to wait for'));
process.on('exit', (code) => console.log(`exit: code ${code}`));
console.log('main: service starting');
