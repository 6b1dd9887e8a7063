// Start-up of a small service: hash four account passwords and load config.json.
// The config must be loaded before the first hash is stored.
const crypto = require('node:crypto');
const fs = require('node:fs');

for (const user of ['ada', 'bo', 'cy', 'dee']) {
  crypto.pbkdf2(`${user}-password`, 'salt', 400_000, 32, 'sha256', () => {
    console.log(`hash: ${user} stored`);
  });
}

// Four hashes fill the four pool threads, so give the pool a fifth one.
process.env.UV_THREADPOOL_SIZE = '5';

fs.readFile('config.json', 'utf8', (err, text) => {
  if (err) throw err;
  console.log(`config: port ${JSON.parse(text).port}`);
});
console.log('main: hashing and loading');
