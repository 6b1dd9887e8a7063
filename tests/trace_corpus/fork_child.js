// A forked child shares the parent's stdout and runs its own loop: each of its lines is its own process's.
const { fork } = require('node:child_process');
if (process.argv[2] === 'child') {
  console.log('child main');
  setTimeout(() => {
    console.log('child timer');
    process.send('ready');
  }, 5);
  process.on('message', (text) => {
    console.log(`child got ${text}`);
    setImmediate(() => {
      console.log('child immediate');
      process.disconnect();
    });
  });
} else {
  console.log('parent main');
  const child = fork(__filename, ['child']);
  child.on('message', (text) => {
    console.log(`parent got ${text}`);
    child.send('go');
  });
  child.on('exit', (code) => console.log(`child exit ${code}`));
}

// Each step waits for the one before it (a message, a timer), so the order is fixed.
// expect main/macrotask parent main
// expect main/macrotask child main [child]
// expect timers/macrotask child timer [child]
// expect poll/nextTick parent got ready
// expect poll/nextTick child got go [child]
// expect check/macrotask child immediate [child]
// expect poll/macrotask child exit 0
