// A forked child starts a worker thread: the worker's lines are that child's worker's.
const { fork } = require('node:child_process');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (!isMainThread) {
  console.log('worker in child main');
  parentPort.postMessage('done');
} else if (process.argv[2] === 'child') {
  const worker = new Worker(__filename, { argv: ['child'] });
  worker.on('message', (text) => console.log(`child got ${text}`));
  worker.on('exit', () => console.log('worker in child exit'));
} else {
  fork(__filename, ['child']).on('exit', (code) => console.log(`child exit ${code}`));
}

// The worker's console.log and its message reach the child's main thread on two ports: either may come first.
// order: varies
// expect main/macrotask worker in child main [child-worker]
// expect poll/macrotask child got done [child]
// expect poll|close/macrotask worker in child exit [child]
// expect poll/macrotask child exit 0
