// One thread in libuv's pool: a slow pbkdf2 holds it, and the file read and the lookup queue behind it.
process.env.UV_THREADPOOL_SIZE = '1'; // libuv reads it when the first job is queued, just below
const crypto = require('node:crypto');
const dns = require('node:dns');
const fs = require('node:fs');

crypto.pbkdf2('secret', 'salt', 100000, 64, 'sha512', () => console.log('pbkdf2 done'));
fs.readFile(__filename, () => console.log('readFile done'));
dns.lookup('localhost', { family: 4 }, () => console.log('lookup done'));
console.log('main: all three queued');
