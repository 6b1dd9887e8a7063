// One file, two processes: the parent forks this same file with the argument 'child'.
const { fork } = require('node:child_process');

if (process.argv[2] === 'child') {
  // The child: a new Node process with its own memory, its own V8 and its own event loop.
  // It speaks only when the parent writes first, so the order of the lines never depends on luck.
  process.on('message', (greeting) => {
    console.log(`child: got "${greeting}"; my parent is the parent: ${process.ppid === Number(process.env.PARENT_PID)}`);
    console.log(`child: I have an IPC channel: ${typeof process.send === 'function'}`);
    process.send({ pid: process.pid, counter: typeof globalThis.counter });
    process.disconnect(); // closes the channel: nothing else keeps this loop alive, so the child ends
  });
} else {
  globalThis.counter = 41;
  console.log(`parent: I have an IPC channel: ${typeof process.send === 'function'}`);
  const child = fork(__filename, ['child'], { env: { ...process.env, PARENT_PID: String(process.pid) } });
  console.log(`parent: fork() returned at once, child pid known: ${child.pid > 0}`);

  child.on('message', (msg) => {
    console.log(`parent: the child runs as another process: ${msg.pid !== process.pid}`);
    console.log(`parent: my counter is ${globalThis.counter}, the child's is ${msg.counter}`);
  });
  child.on('exit', (code) => console.log(`parent: child exited with code ${code}`));
  child.send('hello'); // queued until the child is up and listening
  console.log('parent: main module done');
}
