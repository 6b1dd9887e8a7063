// Two cluster workers, started one after the other: each prints from its own loop, then leaves.
const cluster = require('node:cluster');
if (cluster.isPrimary) {
  console.log('primary main');
  const start = (n) => {
    const worker = cluster.fork({ WORKER_N: String(n) });
    worker.on('message', (text) => console.log(`primary got ${text}`));
    worker.on('exit', () => {
      console.log(`worker ${n} exit`);
      if (n < 2) start(n + 1);
    });
  };
  start(1);
} else {
  const n = process.env.WORKER_N;
  console.log(`worker ${n} main`);
  setTimeout(() => {
    console.log(`worker ${n} timer`);
    process.send(`hello from ${n}`, () => cluster.worker.disconnect());
  }, 1);
}

// The second worker starts when the first has gone, so the order is fixed.
// expect main/macrotask primary main
// expect main/macrotask worker 1 main [child]
// expect timers/macrotask worker 1 timer [child]
// expect poll/nextTick primary got hello from 1
// expect poll/macrotask worker 1 exit
// expect main/macrotask worker 2 main [child]
// expect timers/macrotask worker 2 timer [child]
// expect poll/nextTick primary got hello from 2
// expect poll/macrotask worker 2 exit
