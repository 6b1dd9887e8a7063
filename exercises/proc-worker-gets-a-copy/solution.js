// Two workers tick off jobs on a shared board; the main thread reads the board when both end.
const { Worker, isMainThread, workerData } = require('node:worker_threads');

if (isMainThread) {
  // A SharedArrayBuffer is handed over, not copied: every thread sees the same bytes.
  const board = { done: new Int32Array(new SharedArrayBuffer(4 * 4)) };
  let running = 2;
  for (const first of [0, 2]) {                     // worker A takes jobs 0-1, worker B 2-3
    new Worker(__filename, { workerData: { board, first } }).on('exit', () => {
      running -= 1;
      if (running === 0) {
        const done = board.done.reduce((sum, d) => sum + d, 0);
        console.log(`main: ${done} of 4 jobs done`);
      }
    });
  }
} else {
  const { board, first } = workerData;
  Atomics.store(board.done, first, 1);              // job finished
  Atomics.store(board.done, first + 1, 1);
}
