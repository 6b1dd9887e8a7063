// Lists this process's threads at four moments it chooses (Linux only: it reads /proc).
const fs = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

function threads(moment) {
  const tids = fs.readdirSync('/proc/self/task');
  const names = new Map();
  for (const tid of tids) {
    const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    names.set(name, (names.get(name) ?? 0) + 1);
  }
  const byName = [...names].sort().map(([name, n]) => `${name} x${n}`).join(', ');
  console.log(`${moment}: ${tids.length} threads (${byName})`);
}

// /proc/thread-self links to "PID/task/TID" for the thread that reads it.
function whoAmI() {
  const [pid, , tid] = fs.readlinkSync('/proc/thread-self').split('/');
  return `pid ${Number(pid) === process.pid ? '== process.pid' : '!= process.pid'}, `
    + `tid ${tid === pid ? '== pid' : '!= pid'}`;
}

if (isMainThread) {
  console.log(`main thread: ${whoAmI()}`);
  threads('at start');
  fs.stat(__filename, () => {                    // the thread pool's first job
    threads('after the first pool job');
    const hold = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(__filename, { workerData: hold });
    worker.once('message', (who) => {
      console.log(`worker thread: ${who}`);
      threads('while a worker runs');
      Atomics.store(hold, 0, 1);                  // let the worker end
      Atomics.notify(hold, 0);
    });
    worker.once('exit', () => {
      // 'exit' can come a moment before the kernel has removed the thread: wait for it (at most 1 s).
      const start = Date.now();
      const gone = () => fs.readdirSync('/proc/self/task').length < 12 || Date.now() - start > 1000;
      const check = () => (gone() ? threads('after the worker ended') : setTimeout(check, 5));
      check();
    });
  });
} else {
  parentPort.postMessage(whoAmI());
  Atomics.wait(workerData, 0, 0);                 // sleep until the main thread has counted
}
