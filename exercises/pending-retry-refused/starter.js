// A worker must report to its coordinator. The coordinator is slow to boot: it
// only starts listening 30 ms after the worker's first attempt, so that attempt
// is refused.
const net = require('node:net');

const MAX_ATTEMPTS = 10;
const RETRY_DELAY_MS = 15;

function startCoordinator(port) {
  const coordinator = net.createServer((peer) => {
    peer.on('data', (data) => {
      console.log(`coordinator: got "${data}"`);
      peer.end();
      coordinator.close();
      clearTimeout(giveUp);
    });
  });
  coordinator.listen(port, '127.0.0.1', () => {
    console.log('coordinator: listening');
  });
  // Nobody is coming after 300 ms: stop listening, so the program ends either
  // way.
  const giveUp = setTimeout(() => {
    console.log('coordinator: no worker reported');
    coordinator.close();
  }, 300);
}

function reportToCoordinator(port) {
  let attempt = 1;
  const socket = net.connect(port, '127.0.0.1', () => {
    console.log(`worker: connected on attempt ${attempt}`);
    socket.end('worker 7 ready');
  });
  socket.on('error', (err) => {
    console.log(`worker: attempt ${attempt} failed: ${err.code}`);
    console.log('worker: giving up');
  });
}

// A port nobody listens on: let the system pick a free one, note it, then close
// it again.
const probe = net.createServer();
probe.listen(0, '127.0.0.1', () => {
  const { port } = probe.address();
  probe.close(() => {
    setTimeout(startCoordinator, 30, port);
    reportToCoordinator(port);
  });
});
