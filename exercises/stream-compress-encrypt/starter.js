// Compress, then encrypt, a file with one pipeline; then undo both with a
// second pipeline and prove the round trip. The key is derived here, at run
// time, from a passphrase and a random salt: nothing secret is in a file.
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { pipeline } = require('node:stream/promises');

const sha256 = (file) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function main() {
  const text = 'stream me, compress me, encrypt me\n'.repeat(20_000);
  fs.writeFileSync('report.txt', text);
  console.log(`report.txt: ${fs.statSync('report.txt').size} bytes`);

  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync('a passphrase typed at run time', salt, 32); // AES-256
  const iv = crypto.randomBytes(16);

  await pipeline(
    fs.createReadStream('report.txt'),
    zlib.createGzip(),
    crypto.createCipheriv('aes-256-cbc', key, iv),
    fs.createWriteStream('report.txt.gz.enc'),
  );
  const sealed = fs.statSync('report.txt.gz.enc').size;
  console.log(`report.txt.gz.enc: ${sealed} bytes (gzip, then AES-256-CBC)`);

  await pipeline( // the other order, for comparison
    fs.createReadStream('report.txt'),
    crypto.createCipheriv('aes-256-cbc', key, iv),
    zlib.createGzip(),
    fs.createWriteStream('report.txt.enc.gz'),
  );
  const wrongOrder = fs.statSync('report.txt.enc.gz').size;
  console.log(`report.txt.enc.gz: ${wrongOrder} bytes (AES-256-CBC, then gzip)`);

  await pipeline(
    fs.createReadStream('report.txt.gz.enc'),
    crypto.createDecipheriv('aes-256-cbc', key, iv),
    zlib.createGunzip(),
    fs.createWriteStream('report.copy.txt'),
  );
  console.log(`report.copy.txt: ${fs.statSync('report.copy.txt').size} bytes`);
  const same = sha256('report.txt') === sha256('report.copy.txt');
  console.log(`same bytes as report.txt: ${same}`);

  try {
    await pipeline(
      fs.createReadStream('report.txt.gz.enc'),
      // the wrong key:
      crypto.createDecipheriv('aes-256-cbc', crypto.randomBytes(32), iv),
      zlib.createGunzip(),
      fs.createWriteStream('garbage.txt'),
    );
  } catch (err) {
    console.log(`wrong key: ${err.code}`);
  }
}

main();
