// An existing file takes several trips to the threadpool; an immediate runs in the first check phase.
const fs = require('node:fs');
fs.writeFileSync('note.txt', 'hello world');
fs.readFile('note.txt', 'utf8', (err, text) => console.log(`read: ${text}`));
setImmediate(() => console.log('immediate'));

// expect check/macrotask immediate
// expect poll/macrotask read: hello world
