// The main thread serves HTTP on 127.0.0.1 and hands each request's CPU work to one of two workers.
const { Worker, isMainThread, parentPort, threadId } = require('node:worker_threads');
const http = require('node:http');

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2); // slow on purpose: CPU work
}

if (!isMainThread) {
  parentPort.on('message', ({ id, n }) => parentPort.postMessage({ id, result: fib(n), thread: threadId }));
} else {
  const POOL_SIZE = 2; // this machine: os.availableParallelism() is 2
  const pool = Array.from({ length: POOL_SIZE }, () => new Worker(__filename));
  const waiting = new Map(); // job id -> the response to answer
  let nextJob = 0;
  for (const worker of pool) {
    worker.on('message', ({ id, result, thread }) => {
      waiting.get(id).end(`${result} from thread ${thread}`);
      waiting.delete(id);
    });
  }

  const server = http.createServer((req, res) => {
    const n = Number(req.url.slice('/fib/'.length));
    const id = nextJob++;
    waiting.set(id, res);
    pool[id % POOL_SIZE].postMessage({ id, n }); // round robin: job 0, 2 -> first, 1, 3 -> second
  });

  server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address();
    const numbers = [24, 25, 26, 27];
    // Four requests at once: the two workers compute side by side.
    const answers = await Promise.all(numbers.map(async (n) => {
      const res = await fetch(`http://127.0.0.1:${port}/fib/${n}`);
      return res.text();
    }));
    answers.forEach((answer, i) => console.log(`GET /fib/${numbers[i]} -> ${answer.split(' ')[0]}`));
    const perThread = {};
    for (const answer of answers) {
      const thread = answer.split(' ').pop();
      perThread[thread] = (perThread[thread] || 0) + 1;
    }
    console.log(`requests per worker thread: ${Object.values(perThread).join(' and ')}`);
    server.close();
    await Promise.all(pool.map((worker) => worker.terminate()));
    console.log('server closed, workers stopped');
  });
}
