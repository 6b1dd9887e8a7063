// Back up an archive, gzipped, to a "disk" that fills up after two chunks.
// The copy fails, as it should; pipeline() then destroys every stream of the
// chain, so the file is closed and the gzip stream freed.
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { Writable, pipeline } = require('node:stream');

// 1 MiB of random bytes, which gzip cannot shrink:
fs.writeFileSync('photos.tar', crypto.randomBytes(1 << 20));

let chunks = 0;
const backupDisk = new Writable({
  write(chunk, encoding, done) {
    chunks += 1;
    done(chunks > 2 ? new Error('disk full') : null);
  },
});

const source = fs.createReadStream('photos.tar');
const gzip = zlib.createGzip();

pipeline(source, gzip, backupDisk, (err) => {
  if (err) console.log(`backup failed: ${err.message}`);
});

process.on('exit', () => {
  console.log(`source file closed: ${source.closed}`);
  console.log(`gzip destroyed: ${gzip.destroyed}`);
});
