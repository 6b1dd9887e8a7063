// The parent asks a worker for one answer, prints it, and should then end.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename);
  worker.on('exit', (code) => console.log(`parent: worker exited with code ${code}`));
  worker.once('message', (answer) => {
    console.log(`parent: 6 * 7 = ${answer}`);
    // A watchdog, unref'd so it never keeps the process alive by itself: it fires only if
    // something else still does, one second after the answer.
    setTimeout(() => {
      console.log('parent: still running 1 s after the answer, something keeps the process alive');
      process.exit(1);
    }, 1000).unref();
    // The only job is done: stop the worker. Its loop would wait for messages forever.
    worker.terminate();
  });
  worker.postMessage([6, 7]);
} else {
  // The worker serves jobs for as long as its port is open.
  parentPort.on('message', ([a, b]) => parentPort.postMessage(a * b));
}
