// exercises/worker-thread-to-thread's starter: two workers talk over a MessageChannel their parent handed them, while
// the parent's thread is blocked, so the lanes view draws six arrows between worker 1 (A) and worker 2 (B).
// Recorded with: looplab trace tests/traces/thread_to_thread.js --save tests/traces/thread_to_thread.jsonl
// (the bundled Node 24; the lanes view's tests read it).
// Two workers talk over their own MessageChannel, while the parent's thread is blocked.
const { Worker, MessageChannel, isMainThread, parentPort, workerData } = require('node:worker_threads');

if (isMainThread) {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4)); // B sets it after its last reply
  // A port must be in the transfer list: it moves to the worker, it is not copied.
  const a = new Worker(__filename, { workerData: { role: 'A', port: port1 }, transferList: [port1] });
  const b = new Worker(__filename, { workerData: { role: 'B', port: port2, done }, transferList: [port2] });

  const reports = {};
  a.on('message', (m) => { reports.A = m; });
  b.on('message', (m) => { reports.B = m; });
  const exited = [a, b].map((w) => new Promise((resolve) => w.once('exit', resolve)));

  console.log('parent: blocked until B has answered everything');
  Atomics.wait(done, 0, 0, 8000); // the parent's loop runs nothing while A and B talk
  console.log('parent: unblocked, waiting for both workers to end');
  Promise.all(exited).then(() => {
    console.log(`parent: A reported ${reports.A}`);
    console.log(`parent: B reported ${reports.B}`);
  });
} else {
  const { role, port, done } = workerData;
  if (role === 'A') {
    const pongs = [];
    port.on('message', (n) => {
      pongs.push(n);
      if (pongs.length === 3) {
        parentPort.postMessage(`got [${pongs}] straight from B`);
        port.close(); // closes both ends: B's port emits 'close'
      }
    });
    for (const n of [1, 2, 3]) port.postMessage(n);
  } else {
    let answered = 0;
    port.on('message', (n) => {
      port.postMessage(n * 10);
      answered += 1;
      if (answered === 3) { Atomics.store(done, 0, 1); Atomics.notify(done, 0); }
    });
    port.on('close', () => parentPort.postMessage(`answered ${answered} messages from A`));
  }
}
