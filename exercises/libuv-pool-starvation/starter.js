// The pool has one thread (UV_THREADPOOL_SIZE=1 for this run). A slow hash goes
// in first, then a lookup of localhost and a small file read.
const crypto = require('node:crypto');
const dns = require('node:dns');
const fs = require('node:fs');

crypto.pbkdf2('secret', 'salt', 1_000_000, 32, 'sha256', () => {
  console.log('pbkdf2: key derived');
});
dns.lookup('localhost', { family: 4 }, (err, address) => {
  if (err) throw err;
  console.log(`lookup: localhost is ${address}`);
});
fs.readFile('pantry.txt', 'utf8', (err, text) => {
  if (err) throw err;
  console.log(`readFile: ${text.trim().split('\n').length} items`);
});
setImmediate(() => console.log('immediate: the loop thread is free'));
console.log('main: three jobs handed to the pool');
