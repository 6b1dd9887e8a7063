// Two workers tick off jobs on a shared board; the main thread reads the board when both end.
const { Worker, isMainThread, workerData } = require('node:worker_threads');

if (isMainThread) {
  const board = { done: [0, 0, 0, 0] };            // one slot per job
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
  board.done[first] = 1;                            // job finished
  board.done[first + 1] = 1;
}
