// The parent and one worker talk through parentPort, one message at a time.
const { Worker, isMainThread, parentPort, workerData, threadId } = require('node:worker_threads');

if (isMainThread) {
  const jobs = [3, 4, 12];
  const worker = new Worker(__filename, { workerData: { name: 'squarer', factor: 2 } });
  console.log('parent: worker started, my main module ends');

  let next = 0; // the next job to send, one at a time: a chain
  worker.on('message', (reply) => {
    console.log(`parent: got ${JSON.stringify(reply)}`);
    if (next < jobs.length) worker.postMessage(jobs[next++]);
    else worker.postMessage('done');
  });
  worker.on('exit', (code) => console.log(`parent: worker exited with code ${code}`));
} else {
  // workerData is here before any message: a copy of what the parent passed to new Worker.
  const { name, factor } = workerData;
  parentPort.postMessage({ from: name, thread: threadId, ready: true });
  parentPort.on('message', (n) => {
    if (n === 'done') {
      parentPort.close(); // nothing else keeps this thread's loop alive: it ends
      return;
    }
    parentPort.postMessage({ from: name, job: n, result: n * n * factor });
  });
}
