// A main thread and one worker bounce a number PINGS times (default 2000): every hop is a postMessage, so the
// lanes view's tracer part (tracer_messages.js) records each send and receive. Used by hand to measure its cost
// (benchmarks/README.md, "tracer_messages.js").
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

const PINGS = Number(process.env.PINGS) || 2000;
if (isMainThread) {
  const worker = new Worker(__filename);
  worker.on('message', (n) => {
    if (n < PINGS) worker.postMessage(n + 1);
    else {
      console.log(`bounced ${n} times`);
      worker.postMessage(-1);
    }
  });
  worker.postMessage(1);
} else {
  parentPort.on('message', (n) => (n < 0 ? parentPort.close() : parentPort.postMessage(n)));
}
