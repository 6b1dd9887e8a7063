// Each callback hands the loop more work. When does Node stop?
const fs = require('node:fs');

let timesEmpty = 0;

function countdown(n) {
  console.log(`countdown ${n}`);
  if (n > 1) {
    setTimeout(() => countdown(n - 1), 5);
  } else {
    fs.readFile(__filename, () => console.log('read my own source file'));
  }
}

process.on('beforeExit', () => {
  timesEmpty += 1;
  console.log(`loop is empty (time ${timesEmpty})`);
  if (timesEmpty === 1) {
    setTimeout(() => console.log('a late timer woke the loop up'), 5);
  }
});

process.on('exit', (code) => console.log(`exiting with code ${code}`));

setTimeout(() => countdown(3), 5);
console.log('main module finished');
