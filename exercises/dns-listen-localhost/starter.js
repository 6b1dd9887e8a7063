// Two servers: one listens on a name, one on an address. A 0 ms timer, and 20 ms of start-up work.
const net = require('node:net');

const byName = net.createServer();
const byAddress = net.createServer();

byName.listen(0, 'localhost', () => {
  console.log("server 'localhost': listening");
  byName.close();
});
byAddress.listen(0, '127.0.0.1', () => {
  console.log("server '127.0.0.1': listening");
  byAddress.close();
});
setTimeout(() => console.log('timer: 0 ms'), 0);

console.log(`main: after listen(), byName.address() is ${byName.address()}`);
const stopAt = Date.now() + 20;
while (Date.now() < stopAt); // 20 ms of start-up work: loading a cache, say
console.log('main: start-up work done');
