// Two chained file reads, an overdue 0 ms timer and a 200 ms timer.
const fs = require('node:fs');

setTimeout(() => console.log('timer: 0 ms'), 0);
setTimeout(() => console.log('timer: 200 ms, the oven is hot'), 200);

fs.readFile('recipe.txt', 'utf8', (err, recipe) => {
  if (err) throw err;
  console.log(`read: recipe.txt says "${recipe.trim()}"`);
  fs.readFile('pantry.txt', 'utf8', (err2, pantry) => {
    if (err2) throw err2;
    console.log(`read: pantry.txt has ${pantry.trim().split(',').length} ingredients`);
  });
});

const stopAt = Date.now() + 20;
while (Date.now() < stopAt); // 20 ms of start-up work
console.log('main: done');
