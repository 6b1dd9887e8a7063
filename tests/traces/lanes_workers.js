// A main thread and two workers passing a counter round a ring: main -> worker 1 -> main -> worker 2 -> main ...
// Every hop is one postMessage, so the order is fixed by construction. Each worker also waits on a short timer
// before it answers, so its lane shows a timers phase as well as the message's callback.
// Recorded with: looplab trace tests/traces/lanes_workers.js --save tests/traces/lanes_workers.jsonl
// (the bundled Node 24; the lanes view's tests read it).
const { Worker, isMainThread, parentPort, threadId } = require('node:worker_threads');

if (isMainThread) {
  const workers = [new Worker(__filename), new Worker(__filename)];
  let hops = 0;
  for (const [index, worker] of workers.entries()) {
    worker.on('message', (count) => {
      console.log(`main got ${count} from worker ${index + 1}`);
      if (++hops === 4) {
        for (const each of workers) each.postMessage('stop');
        return;
      }
      workers[(index + 1) % 2].postMessage(count + 1);
    });
  }
  workers[0].postMessage(1);
} else {
  parentPort.on('message', (message) => {
    if (message === 'stop') return parentPort.close();
    setTimeout(() => {
      console.log(`worker ${threadId} passes ${message}`);
      parentPort.postMessage(message);
    }, 5);
  });
}
