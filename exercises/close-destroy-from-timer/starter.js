// The client connects, then a 30 ms timer hangs up on the server by destroying
// the socket. In which phase does the 'close' event arrive, and how much of the
// loop runs before it does?
const net = require('node:net');

const server = net.createServer(() => {});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    console.log('client: connected');
    setTimeout(() => {
      console.log('timer: destroying the socket');
      client.destroy();
      console.log(`timer: destroyed = ${client.destroyed}`);
      setImmediate(() => console.log('immediate: queued by the timer'));
    }, 30);
  });

  client.on('close', () => {
    console.log('client: close event');
    server.close(() => console.log('server: stopped'));
  });
});
