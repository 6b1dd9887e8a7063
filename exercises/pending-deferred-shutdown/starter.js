// A client says goodbye from a setImmediate callback. When does its end()
// request complete?
const net = require('node:net');

function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const server = net.createServer((peer) => {
  server.close(); // one client is all we serve
  peer.on('end', () => console.log('server: the client hung up'));
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    console.log('client: connected');
    setImmediate(() => {
      console.log('client: calling end()');
      client.end(() => {
        console.log('client: end() completed, our side is shut');
      });
      setTimeout(() => console.log('timer: 0 ms'), 0);
      busy(5); // the timer is overdue before this turn of the loop is over
    });
  });
  client.on('close', () => console.log('client: closed'));
});
