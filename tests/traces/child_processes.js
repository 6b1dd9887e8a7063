// A forked child (with a worker thread of its own) and a cluster worker, each exchanging a message with the
// parent, recorded for the lanes and the attribution of child processes' lines (tests/test_trace_children.py):
//   looplab trace tests/traces/child_processes.js --save tests/traces/child_processes.jsonl
// Children are traced on their own channel: their threads are n * 65536 + threadId, n in the order they said
// hello, and each has a Process event (pid, parent's pid, fork or cluster).
const cluster = require('node:cluster');
const { fork } = require('node:child_process');
const { Worker, isMainThread } = require('node:worker_threads');
if (!isMainThread) {
  console.log('thread in the child');
} else if (process.argv[2] === 'child') {
  new Worker(__filename, { argv: ['child'] }).on('exit', () => {
    console.log('child: its worker is done');
    process.send('child ready');
  });
  process.on('message', () => process.disconnect());
} else if (cluster.isWorker) {
  setTimeout(() => {
    console.log('cluster worker: timer');
    process.send('worker ready', () => cluster.worker.disconnect());
  }, 1);
} else {
  console.log('parent: start');
  const child = fork(__filename, ['child']);
  child.on('message', (text) => {
    console.log(`parent got ${text}`);
    child.send('bye');
  });
  child.on('exit', () => {
    const worker = cluster.fork();
    worker.on('message', (text) => console.log(`parent got ${text}`));
    worker.on('exit', () => console.log('parent: all done'));
  });
}
