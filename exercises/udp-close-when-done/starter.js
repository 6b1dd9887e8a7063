// A time-of-day service over UDP, and a client that asks it once. The client
// gets its answer, yet the program never ends.
const dgram = require('node:dgram');

const server = dgram.createSocket('udp4');
server.on('message', (msg, rinfo) => {
  console.log(`server: "${msg}" from ${rinfo.address}`);
  server.send('it is 12:00', rinfo.port, rinfo.address); // answer to where it came from
});

server.bind(0, '127.0.0.1', () => {
  const client = dgram.createSocket('udp4');
  client.on('message', (msg) => {
    console.log(`client: answer "${msg}"`);
  });
  client.bind(0, '127.0.0.1', () => { // loopback only
    client.send('time?', server.address().port, '127.0.0.1');
  });
});
