// The course's first walk-through: a read, a write started from its callback, and two timers.
const fs = require('node:fs');
fs.writeFileSync('input.txt', 'some input\n');

function onSecondTimer() {
  fs.readFile('input.txt', 'utf8', function onReadAgain() {
    console.log('read input.txt again');
  });
}
function onWritten() {
  console.log('wrote output.txt');
  setTimeout(onSecondTimer, 20);
}
function onRead(err, data) {
  console.log('read input.txt');
  fs.writeFile('output.txt', data, onWritten);
}
fs.readFile('input.txt', onRead);
setTimeout(function onFirstTimer() {
  console.log('1 ms timer');
}, 1);

// order: varies
// expect poll/macrotask read input.txt
// expect timers/macrotask 1 ms timer
// expect poll/macrotask wrote output.txt
// expect poll/macrotask read input.txt again
