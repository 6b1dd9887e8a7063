// Two clients connect to one server on 127.0.0.1. A connection is known by four
// values: source ip:port and destination ip:port. Print them from both ends of
// each connection, and see which of the four tell the two connections apart.
const net = require('node:net');

const fourTuple = (socket) =>
  `${socket.localAddress}:${socket.localPort} -> ${socket.remoteAddress}:${socket.remotePort}`;

const accepted = new Map(); // client's port -> the server's socket for that connection
const clients = [];
let ready = 0; // two clients connected and two connections accepted: 4

const server = net.createServer((conn) => {
  accepted.set(conn.remotePort, conn);
  if (++ready === 4) report();
});

server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening socket: ${address}:${port} (no remote end)`);
  for (const name of ['A', 'B']) {
    const client = net.connect(port, '127.0.0.1', () => {
      if (++ready === 4) report();
    });
    clients.push({ name, client });
  }
});

function report() {
  for (const { name, client } of clients) {
    const conn = accepted.get(client.localPort);
    console.log(`client ${name} sees:  ${fourTuple(client)}`);
    console.log(`server sees ${name}: ${fourTuple(conn)}`);
    const mirrored = conn.localPort === client.remotePort && conn.remotePort === client.localPort;
    console.log(`${name}: the same four values, mirrored: ${mirrored}`);
  }
  const [a, b] = clients.map(({ client }) => client);
  console.log(`A and B differ only in the client's port: ${
    a.remotePort === b.remotePort && a.localAddress === b.localAddress && a.localPort !== b.localPort}`);
  for (const { client } of clients) client.destroy();
  for (const conn of accepted.values()) conn.destroy();
  server.close(() => console.log('server: closed'));
}
