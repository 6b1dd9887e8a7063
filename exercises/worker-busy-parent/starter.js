// One file, two roles: the parent thread starts a worker running this same file.
const { Worker, isMainThread, threadId, workerData } = require('node:worker_threads');
const fs = require('node:fs');

if (isMainThread) {
  // A 4-byte flag both threads can see: the worker sets it once it has printed.
  const flag = new Int32Array(new SharedArrayBuffer(4));
  console.log(`parent: I am thread ${threadId}, starting a worker`);
  const worker = new Worker(__filename, { workerData: flag });
  worker.on('exit', (code) => console.log(`parent: the worker exited with code ${code}`));
  setTimeout(() => console.log('parent: 0 ms timer'), 0);

  console.log('parent: busy, my main module waits for the flag');
  Atomics.wait(flag, 0, 0, 8000); // blocks this thread (and its loop) until the flag is set
  console.log('parent: the flag is set, my main module ends');
} else {
  console.log(`worker: I am thread ${threadId}, console.log`);
  fs.writeSync(1, `worker: I am thread ${threadId}, fs.writeSync to fd 1\n`);
  Atomics.store(workerData, 0, 1);
  Atomics.notify(workerData, 0);
}
