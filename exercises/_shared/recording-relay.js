// startRecordingRelay(port) listens on 127.0.0.1 and copies every connection to that port, keeping what crossed
const net = require('node:net');

function startRecordingRelay(targetPort) {
  const chunks = []; // { from: 'client' | 'server', bytes }, in the order the relay read them
  const relay = net.createServer((client) => {
    const server = net.connect(targetPort, '127.0.0.1');
    client.on('data', (bytes) => {
      chunks.push({ from: 'client', bytes });
      server.write(bytes);
    });
    server.on('data', (bytes) => {
      chunks.push({ from: 'server', bytes });
      client.write(bytes);
    });
    client.on('end', () => server.end()); // pass each side's FIN on
    server.on('end', () => client.end());
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  // Everything one side sent, as one Buffer: what a capture shows for that direction.
  relay.sent = (from) => Buffer.concat(chunks.filter((c) => c.from === from).map((c) => c.bytes));
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(relay)));
}

module.exports = { startRecordingRelay };
