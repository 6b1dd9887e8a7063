// A forked child starts a worker thread: the worker's line is that child's worker's.
const { fork } = require('node:child_process');
const { Worker, isMainThread } = require('node:worker_threads');
if (!isMainThread) {
  console.log('worker in child main');
} else if (process.argv[2] === 'child') {
  const worker = new Worker(__filename, { argv: ['child'] });
  worker.on('exit', () => console.log('worker in child exit'));
} else {
  fork(__filename, ['child']).on('exit', (code) => console.log(`child exit ${code}`));
}

// A worker's output is drained before its 'exit' is emitted, so the order is fixed.
// expect main/macrotask worker in child main [child-worker]
// Node 20.20 delivered a worker's 'exit' from the close phase now and then (worker_messages.js).
// expect poll|close/macrotask worker in child exit [child]
// expect poll/macrotask child exit 0
