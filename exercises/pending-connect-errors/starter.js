// A health checker probes three local endpoints at once. Which answer comes
// back first, and from which phase of the loop?
const net = require('node:net');
const path = require('node:path');

const spare = net.createServer();
spare.listen(0, '127.0.0.1', () => {
  const closedPort = spare.address().port; // free now: nobody listens on it
  spare.close(() => {
    const service = net.createServer((peer) => peer.destroy());
    service.listen(0, '127.0.0.1', () => {
      const livePort = service.address().port;

      // 1. TCP to the closed port
      const dead = net.connect(closedPort, '127.0.0.1');
      dead.on('error', (err) => {
        console.log(`tcp probe of the closed port: ${err.code}`);
      });

      // 2. TCP to the live service
      const live = net.connect(livePort, '127.0.0.1', () => {
        console.log('tcp probe of the service: connected');
        live.destroy();
        service.close();
      });

      // 3. A Unix domain socket (a file on this machine) that does not exist
      const agent = net.connect(path.join(__dirname, 'agent.sock'));
      agent.on('error', (err) => console.log(`unix socket probe: ${err.code}`));

      setImmediate(() => console.log('first immediate'));
      console.log('all three probes started');
    });
  });
});
