// Two files, read two ways. Run it under strace -f to see which thread makes each
// system call: the loop's own thread for readFileSync, thread-pool threads for readFile.
const fs = require('node:fs');

const first = fs.readFileSync('sync-read.txt');
console.log(`main: readFileSync(sync-read.txt) returned ${first.length} bytes`);

fs.readFile('async-read.txt', (err, second) => {
  if (err) throw err;
  console.log(`poll: readFile(async-read.txt) called back with ${second.length} bytes`);
});
console.log('main: readFile(async-read.txt) handed over, main goes on');
