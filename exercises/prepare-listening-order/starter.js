// When is a server ready? Its 'listening' callback against a promise, a timer and an immediate.
const net = require('node:net');

const server = net.createServer();

setTimeout(() => console.log('timer: 0 ms'), 0);
setImmediate(() => {
  console.log('immediate: closing the server');
  server.close(() => console.log('server: closed'));
});
Promise.resolve().then(() => console.log('promise: resolved in main'));

server.listen(0, '127.0.0.1', () => console.log('server: listening callback'));
console.log(`main: address() right after listen() is ${server.address()}`);

const stopAt = Date.now() + 20;
while (Date.now() < stopAt); // 20 ms of start-up work: the 0 ms timer is overdue by the end
console.log('main: last line');
