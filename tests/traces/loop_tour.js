// A small tour of the loop, recorded once into loop_tour.jsonl for the pure model tests:
//   looplab trace tests/traces/loop_tour.js --save tests/traces/loop_tour.jsonl
const fs = require('node:fs');
console.log('main: start');
setTimeout(function onTimer() {
  console.log('timers: onTimer');
  process.nextTick(function tickInTimer() { console.log('timers: tick'); });
}, 5);
setImmediate(function onImmediate() { console.log('check: onImmediate'); });
fs.readFile(__filename, function onRead() {
  console.log('poll: onRead');
  Promise.resolve().then(function afterRead() { console.log('poll: microtask'); });
});
process.nextTick(function tickInMain() { console.log('main: tick'); });
console.log('main: end');
