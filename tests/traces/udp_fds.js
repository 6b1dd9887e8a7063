// Two UDP sockets on loopback, one of them connected, recorded for the fds view (tests/test_fd_model.py):
//   looplab trace tests/traces/udp_fds.js --save tests/traces/udp_fds.jsonl
// They stay open for 80 ms after the exchange, so looplab's /proc samples see both.
const dgram = require('node:dgram');

const server = dgram.createSocket('udp4');
const client = dgram.createSocket('udp4');
server.on('message', (message, from) => server.send(`echo ${message}`, from.port, from.address));
client.on('message', (message) => {
  console.log(`client got: ${message}`);
  setTimeout(() => {
    client.close();
    server.close(() => console.log('both closed'));
  }, 80);
});
server.bind(0, '127.0.0.1', () => {
  client.connect(server.address().port, '127.0.0.1', () => client.send('ping'));
});
