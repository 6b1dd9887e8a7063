// A counter passed back and forth over the IPC channel, one message at a time.
const { fork } = require('node:child_process');

if (process.argv[2] === 'child') {
  process.on('message', (n) => {
    console.log(`child: got ${n}`);
    setImmediate(() => {
      console.log(`child: immediate, sending ${n + 1}`);
      process.send(n + 1);
    });
    process.nextTick(() => console.log(`child: nextTick after ${n}`));
  });
  process.on('disconnect', () => console.log('child: channel closed'));
} else {
  console.log('parent: forking');
  const child = fork(__filename, ['child']);

  child.on('message', (n) => {
    if (n < 4) {
      console.log(`parent: got ${n}, sending ${n + 1}`);
      child.send(n + 1);
    } else {
      console.log(`parent: got ${n}, disconnecting`);
      child.disconnect();
    }
  });
  child.on('exit', (code) => console.log(`parent: child exited with code ${code}`));

  console.log('parent: main module done, sending 1');
  child.send(1);
}
