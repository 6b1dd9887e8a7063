// dns.lookup uses getaddrinfo on libuv's threadpool; its callback runs in poll.
const dns = require('node:dns');
dns.lookup('localhost', { family: 4 }, (err, address) => console.log(`localhost is ${err ? err.code : address}`));
setImmediate(() => console.log('immediate'));

// order: varies
// expect poll/macrotask localhost is 127.0.0.1
// expect check/macrotask immediate
