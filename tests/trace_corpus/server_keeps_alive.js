// A listening server keeps Node alive until it is closed.
const net = require('node:net');
console.log('start');
const server = net.createServer().listen(0, '127.0.0.1');
server.on('listening', () => console.log('listening'));
setTimeout(() => server.close(() => console.log('server closed')), 30);
console.log('end');

// expect main/macrotask start
// expect main/macrotask end
// expect main/nextTick listening
// expect timers/nextTick server closed
