// a server that counts accepts, and tcpStates(port): its sockets as /proc/net/tcp lists them
const fs = require('node:fs');
const net = require('node:net');

let accepted = 0;
const server = net.createServer((conn) => {
  accepted += 1;
  conn.destroy();
});

function tcpStates(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const counts = new Map();
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, remote, state, queues] = line.trim().split(/\s+/);
    if (!local || !(local.endsWith(hex) || remote.endsWith(hex))) continue;
    const backlog = parseInt(queues.split(':')[1], 16); // rx_queue: the accept queue
    const name = state === '0A' ? `LISTEN (accept queue ${backlog})`
      : state === '01' ? 'ESTABLISHED' : null; // others: old runs' TIME_WAIT
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
}
