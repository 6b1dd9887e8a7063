// A price list arrives from disk. Its callback asks for three more callbacks:
// a 0 ms timer, an immediate and a nextTick, and then spends 5 ms parsing.
const fs = require('node:fs');

console.log('main: asking for prices.csv');

fs.readFile('prices.csv', 'utf8', (err, csv) => {
  if (err) throw err;
  console.log('read callback: prices.csv arrived');

  setTimeout(() => console.log('timer: 0 ms autosave'), 0);
  setImmediate(() => console.log('immediate: draw the price table'));
  process.nextTick(() => console.log('nextTick: count the rows'));

  // Parsing takes about 5 ms, so the 0 ms timer is overdue before this callback returns.
  const parsedBy = Date.now() + 5;
  while (Date.now() < parsedBy);
  console.log(`read callback: ${csv.trim().split('\n').length} rows parsed`);
});

console.log('main: script done');
