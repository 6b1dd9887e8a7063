// Lines written straight to fd 1, past process.stdout (pino's default destination does this), keep their
// phase and queue: fs.writeSync from each phase, and fs.write, whose line counts where it was asked for.
const fs = require('node:fs');
fs.writeSync(1, 'main: writeSync\n');
process.nextTick(() => fs.writeSync(1, 'nextTick: writeSync\n'));
setTimeout(() => {
  fs.writeSync(1, Buffer.from('timer: writeSync with a Buffer\n'));
  setImmediate(() => {
    fs.write(1, 'immediate: fs.write\n', () => {
      fs.writeSync(1, Buffer.from('>>poll: writeSync with an offset\n<<'), 2, 31);
    });
  });
}, 0);

// expect main/macrotask main: writeSync
// expect main/nextTick nextTick: writeSync
// expect timers/macrotask timer: writeSync with a Buffer
// expect check/macrotask immediate: fs.write
// expect poll/macrotask poll: writeSync with an offset
