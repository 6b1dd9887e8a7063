// require() runs a module where it is called: at load, or later inside a poll callback.
const fs = require('node:fs');
console.log('main start');
require('./early.js');
if (process.env.NEVER_SET) require('./never.js');
fs.readFile(__filename, () => {
  console.log('read done');
  require('./late.js');
  console.log('after late require');
});
console.log('main end');

// expect main/macrotask main start
// expect main/macrotask early module runs
// expect main/macrotask main end
// expect poll/macrotask read done
// expect poll/macrotask late module runs
// expect poll/macrotask after late require
