// A settings service and its one client, both in this process, on 127.0.0.1.
// The client gets its answer, and then the program never ends. Why?
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
  });
});

process.on('beforeExit', () => console.log('beforeExit: nothing left to wait for'));
process.on('exit', (code) => console.log(`exit: code ${code}`));
console.log('main: service starting');
