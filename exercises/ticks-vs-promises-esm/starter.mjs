// The same program as before, but this file is an ES module (.mjs).
console.log('sync: first line');

setTimeout(() => console.log('timer: 0 ms'), 0);

Promise.resolve().then(() => {
  console.log('promise: alpha');
  process.nextTick(() => console.log('tick: queued by alpha'));
});

process.nextTick(() => {
  console.log('tick: one');
  Promise.resolve().then(() => console.log('promise: queued by tick one'));
});

Promise.resolve().then(() => console.log('promise: beta'));
process.nextTick(() => console.log('tick: two'));

console.log('sync: last line');
