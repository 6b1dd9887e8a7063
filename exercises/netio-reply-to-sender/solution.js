// A tiny greeting service on 127.0.0.1 and two clients, all in this process.
// Both clients connect first; then A asks for its greeting, and B asks once A has
// its answer.
// Each accepted connection has its own socket (its own fd): reply on the one that
// asked.
const net = require('node:net');

let accepted = 0;
const server = net.createServer((conn) => {
  accepted += 1;
  console.log(`server: connection #${accepted}`);
  conn.setEncoding('utf8');
  conn.on('data', (name) => {
    conn.write(`hello, ${name}`); // the socket these bytes came from
  });
  if (accepted === 2) bothConnected();
});

const clients = {};
function connectClient(name) {
  const socket = net.connect(server.address().port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('data', (text) => {
    console.log(`client ${name}: got "${text}"`);
    if (name === 'A') clients.B.write('B');
    else finish();
  });
  clients[name] = socket;
}

let giveUp;
function bothConnected() {
  clients.A.write('A');
  giveUp = setTimeout(() => {
    console.log('client A: no answer after 1 s');
    finish();
  }, 1000);
}

function finish() {
  clearTimeout(giveUp);
  clients.A.end();
  clients.B.end();
  server.close(() => console.log('server: closed'));
}

server.listen(0, '127.0.0.1', () => {
  console.log('server: listening');
  connectClient('A');
  connectClient('B');
});
