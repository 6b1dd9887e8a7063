// readText() now returns a promise that the readFile callback settles:
// resolve() with the text on success, reject() with the error on failure.
const fs = require('node:fs');

function readText(name) {
  return new Promise((resolve, reject) => {
    fs.readFile(name, 'utf8', (err, text) => {
      if (err) {
        reject(err);
        return;
      }
      console.log(`finished reading ${name}`);
      resolve(text.trim());
    });
  });
}

async function main() {
  console.log('main: start');
  const first = await readText('first.txt');
  console.log(`first.txt says: ${first}`);
  const second = await readText('second.txt');
  console.log(`second.txt says: ${second}`);
  console.log('main: done');
}

main().catch((err) => {
  console.error(`main failed: ${err.message}`);
  process.exitCode = 1;
});
