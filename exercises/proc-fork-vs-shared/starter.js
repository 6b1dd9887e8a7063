// A forked child process and a worker thread each change a number. Who sees the change?
const fs = require('node:fs');
const { fork } = require('node:child_process');
const { Worker, isMainThread, workerData } = require('node:worker_threads');

let counter = 0;
const say = (line) => fs.writeSync(1, `${line}\n`); // written at once, by the thread that says it
const role = process.argv[2] === 'child' ? 'child' : isMainThread ? 'parent' : 'worker';
say(`${role}: top of the file`);

if (process.argv[2] === 'child') {
  say(`child: counter is ${counter}`);
  counter = 99;
  say('child: set counter to 99');
} else if (!isMainThread) {
  say(`worker: shared[0] is ${workerData[0]}`);
  Atomics.store(workerData, 0, 99);
  say('worker: set shared[0] to 99');
} else {
  counter = 5;
  say('parent: set counter to 5, forking');
  fork(__filename, ['child']).on('exit', () => {
    say(`parent: child ended, counter is ${counter}`);
    const shared = new Int32Array(new SharedArrayBuffer(4));
    shared[0] = 5;
    say('parent: set shared[0] to 5, starting a worker');
    new Worker(__filename, { workerData: shared }).on('exit', () => {
      say(`parent: worker ended, shared[0] is ${Atomics.load(shared, 0)}`);
    });
  });
}
