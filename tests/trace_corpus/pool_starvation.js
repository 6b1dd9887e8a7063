// libuv's pool with one thread (set before the first job queues): first in, first out. The lookup was
// queued before readFile's second step (its stat), so it reports back first.
process.env.UV_THREADPOOL_SIZE = '1';
const crypto = require('node:crypto');
const dns = require('node:dns');
const fs = require('node:fs');

crypto.pbkdf2('secret', 'salt', 20000, 64, 'sha512', () => console.log('pbkdf2 done'));
fs.readFile(__filename, () => console.log('readFile done'));
dns.lookup('localhost', { family: 4 }, () => console.log('lookup done'));
console.log('main: all three queued');

// expect main/macrotask main: all three queued
// expect poll/macrotask pbkdf2 done
// expect poll/macrotask lookup done
// expect poll/macrotask readFile done
