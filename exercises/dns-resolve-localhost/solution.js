// A health check: find the server by its name, connect, send "ping", expect "pong".
const dns = require('node:dns');
const net = require('node:net');
const { startTinyDns } = require('./tiny-dns.js');

const HOST = 'localhost';

const server = net.createServer((socket) => {
  socket.once('data', (data) => socket.end(data.toString() === 'ping' ? 'pong' : '?'));
});

function check(address, port) {
  const socket = net.connect(port, address, () => {
    console.log(`check: connected to ${HOST}`);
    socket.end('ping');
  });
  socket.on('data', (data) => console.log(`check: got ${data}`));
  socket.on('close', () => server.close(() => console.log('server: closed')));
}

// tiny-dns stands in for the team's DNS server, which knows our services' names
startTinyDns({ onQuery: (q) => console.log(`tiny-dns: asked for ${q.type} ${q.name}`) }).then((tinyDns) => {
  server.listen(0, HOST, () => {
    console.log(`server: listening on ${HOST}`);
    // localhost is a name from /etc/hosts, not from any DNS server: ask the system, as listen() did
    dns.lookup(HOST, (err, address) => {
      if (err) {
        console.log(`check: cannot find ${HOST}: ${err.code}`);
        server.close(() => console.log('server: closed'));
        return;
      }
      check(address, server.address().port);
    });
  });
});
