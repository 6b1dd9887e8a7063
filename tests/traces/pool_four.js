// The default pool of four threads: five hashes and a file read. The fifth hash and the read wait for a slot.
const crypto = require('node:crypto');
const fs = require('node:fs');

for (let i = 1; i <= 5; i++) {
  crypto.pbkdf2('secret', `salt${i}`, 60000 * i, 32, 'sha256', () => console.log(`hash ${i} done`));
}
fs.readFile(__filename, () => console.log('readFile done'));
