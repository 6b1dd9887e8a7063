// The parent asks a child process to add up some numbers, prints the answer, and should then end.
const { fork } = require('node:child_process');

if (process.argv[2] === 'child') {
  process.on('message', (numbers) => {
    process.send(numbers.reduce((a, b) => a + b, 0));
  });
} else {
  const child = fork(__filename, ['child']);
  child.on('message', (sum) => {
    console.log(`parent: the sum is ${sum}`);
    // A watchdog that does not keep the loop alive itself (unref): it only fires if something else does.
    setTimeout(() => {
      console.log('watchdog: still running 1.5 s after the answer, something keeps the loop alive');
      process.exit(1);
    }, 1500).unref();
    child.disconnect(); // the last message is in: close the channel, and both loops can end
  });
  child.on('exit', (code) => console.log(`parent: child exited with code ${code}`));
  child.send([1, 2, 3, 4]);
}
