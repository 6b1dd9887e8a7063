// readFileSync in the main module and in a timer, one readFile, and an immediate.
const fs = require('node:fs');

const lineCount = (text) => text.trim().split('\n').length;

const text = fs.readFileSync('poem.txt', 'utf8');
console.log(`main: readFileSync gave ${lineCount(text)} lines`);

fs.readFile('poem.txt', 'utf8', (err, later) => {
  if (err) throw err;
  console.log(`readFile callback: ${lineCount(later)} lines`);
});
console.log('main: readFile asked for poem.txt');

setTimeout(() => {
  const again = fs.readFileSync('poem.txt', 'utf8');
  console.log(`timer: readFileSync gave ${lineCount(again)} lines`);
}, 1);
setImmediate(() => console.log('immediate: ran'));

const stopAt = Date.now() + 20;
while (Date.now() < stopAt); // 20 ms of start-up work: the 1 ms timer is due when it ends
console.log('main: end');
