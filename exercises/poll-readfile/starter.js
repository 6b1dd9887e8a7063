// One file read, one immediate, and a main module that keeps the thread busy for 50 ms.
const fs = require('node:fs');

console.log('main: asking for shopping-list.txt');
fs.readFile('shopping-list.txt', 'utf8', (err, text) => {
  if (err) throw err;
  const items = text.trim().split('\n');
  console.log(`read: ${items.length} items, the first is ${items[0]}`);
});

setImmediate(() => console.log('immediate: ran'));

const stopAt = Date.now() + 50;
while (Date.now() < stopAt); // 50 ms of other start-up work
console.log('main: start-up work done');
