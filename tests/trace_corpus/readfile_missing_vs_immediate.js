// A failed read and an immediate: the read's error can beat the immediate, or not.
const fs = require('node:fs');
fs.readFile('no-such-file.txt', (err) => console.log(`read failed: ${err.code}`));
setImmediate(() => console.log('immediate'));

// order: varies
// expect poll/macrotask read failed: ENOENT
// expect check/macrotask immediate
