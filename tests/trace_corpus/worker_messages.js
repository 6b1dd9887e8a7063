// A worker thread prints from its own loop; the main thread hears its message in poll.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (isMainThread) {
  const worker = new Worker(__filename);
  worker.on('message', (text) => console.log(`main got: ${text}`));
  worker.on('exit', () => console.log('worker exited'));
} else {
  console.log('worker body');
  setTimeout(() => {
    console.log('worker timer');
    parentPort.postMessage('hi');
  }, 5);
}

// order: varies
// expect main/macrotask worker body [worker]
// expect timers/macrotask worker timer [worker]
// expect poll/macrotask main got: hi
// Node 20.20 delivered 'exit' from the close phase in about 1 run in 20; Node 24.19 always in poll.
// expect poll|close/macrotask worker exited
