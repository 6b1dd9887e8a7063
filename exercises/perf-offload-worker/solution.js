// A service must compute fib(35) (a recursive function: no easy chunks to cut
// it into) while a monitor pings it every 5 ms. Can it answer the pings?
const http = require('node:http');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const N = 35;

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

let result = null;
let pingsAnswered = 0;
let pingsSent = 0;

// The monitor: one ping, then the next 5 ms after its answer, until the result
// is in (and never more than 200). Then it closes the server.
function ping(server) {
  if (result !== null || pingsSent === 200) {
    server.close(() => console.log('server: closed'));
    return;
  }
  pingsSent += 1;
  http.get({ host: '127.0.0.1', port: server.address().port, path: '/ping' }, (res) => {
    res.resume();
    res.on('end', () => setTimeout(ping, 5, server));
  });
}

function report(value) {
  result = value;
  console.log(`main: fib(${N}) = ${value}`);
  console.log(`main: answered ${pingsAnswered} pings while fib(${N}) was computed`);
}

if (isMainThread) {
  const server = http.createServer((req, res) => {
    pingsAnswered += 1;
    res.end('pong');
  });
  server.listen(0, '127.0.0.1', () => {
    ping(server);
    console.log(`main: computing fib(${N})`);
    // The same file runs in a worker thread, which computes while this thread
    // goes on serving. The worker posts its result and ends.
    const worker = new Worker(__filename, { workerData: N });
    worker.once('message', report);
  });
} else {
  parentPort.postMessage(fib(workerData));
}
