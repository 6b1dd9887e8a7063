// Back up an archive, gzipped, to a "disk" that fills up after two chunks.
// The copy fails, as it should. What happens to the streams that fed it?
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { Writable } = require('node:stream');

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

source.pipe(gzip).pipe(backupDisk);
backupDisk.on('error', (err) => console.log(`backup failed: ${err.message}`));

process.on('exit', () => {
  console.log(`source file closed: ${source.closed}`);
  console.log(`gzip destroyed: ${gzip.destroyed}`);
});
