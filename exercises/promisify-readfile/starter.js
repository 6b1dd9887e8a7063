// readText() is meant to give back a promise of the file's text, so that
// main() can await it. It doesn't return anything, so the awaits don't wait.
const fs = require('node:fs');

function readText(name) {
  fs.readFile(name, 'utf8', (err, text) => {
    if (err) throw err;
    console.log(`finished reading ${name}`);
    return text.trim(); // returned to fs.readFile, which ignores it
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
