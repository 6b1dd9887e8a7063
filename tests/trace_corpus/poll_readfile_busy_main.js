// A read started before a long main module: its callback still waits for poll.
const fs = require('node:fs');
fs.writeFileSync('note.txt', 'hello world');
console.log('START');
fs.readFile('note.txt', 'utf8', (err, text) => console.log(`read: ${text}`));
const until = Date.now() + 60;
while (Date.now() < until);
console.log('END');

// expect main/macrotask START
// expect main/macrotask END
// expect poll/macrotask read: hello world
