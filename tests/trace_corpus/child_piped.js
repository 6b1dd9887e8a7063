// A child whose stdout is a pipe: the parent copies it to its own stdout, yet the lines are the child's.
const { fork } = require('node:child_process');
if (process.argv[2] === 'child') {
  console.log('child main');
  setImmediate(() => console.log('child immediate'));
} else {
  const child = fork(__filename, ['child'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout.pipe(process.stdout);
  child.on('close', (code) => console.log(`child close ${code}`));
}

// 'close' waits for the end of the child's stdout, so it comes last.
// expect main/macrotask child main [child]
// expect check/macrotask child immediate [child]
// expect poll/macrotask child close 0
