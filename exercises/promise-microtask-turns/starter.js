// Three ways to wait for something: an async function, a .then() chain and a
// callback API (fs.readFile). Plus two immediates, to see what happens between
// one loop callback and the next.
const fs = require('node:fs');

async function brewTea() {
  console.log('tea: kettle on');
  await 'hot water'; // not a promise, yet the function still pauses here
  console.log('tea: steeping');
}

console.log('main: start');

fs.readFile(__filename, () => {
  console.log('readFile: callback');
  Promise.resolve().then(() => console.log('readFile: then'));
  process.nextTick(() => console.log('readFile: tick'));
});

setImmediate(() => {
  console.log('immediate one');
  Promise.resolve().then(() => console.log('immediate one: then'));
});
setImmediate(() => console.log('immediate two'));

Promise.resolve('toast')
  .then((food) => console.log(`chain: ${food}`))
  .then(() => console.log('chain: jam'));

brewTea();
console.log('main: end');
