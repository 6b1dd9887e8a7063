// Inside an I/O callback the check phase comes first, every time.
const fs = require('node:fs');
fs.readFile(__filename, () => {
  setTimeout(() => console.log('timeout 0'), 0);
  setImmediate(() => console.log('immediate'));
});

// expect check/macrotask immediate
// expect timers/macrotask timeout 0
