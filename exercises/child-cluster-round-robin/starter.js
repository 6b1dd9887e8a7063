// A cluster of two HTTP workers on one loopback port. The primary sends the requests itself.
const cluster = require('node:cluster');
const http = require('node:http');

const REQUESTS = 20;

if (cluster.isPrimary) {
  const policy = cluster.schedulingPolicy === cluster.SCHED_RR ? 'rr (the primary accepts)' : 'none (the workers accept)';
  console.log(`primary: scheduling policy ${policy}`);
  cluster.fork();
  cluster.fork();

  const ports = new Set();
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    ports.add(address.port);
    if (++listening < 2) return;
    console.log(`primary: 2 workers listening, on ${ports.size} port(s)`);
    sendRequests([...ports][0]);
  });

  // One request after the other, each on a new connection (agent: false), so that every request
  // is a connection for the cluster to hand out.
  function sendRequests(port) {
    const answered = { 1: 0, 2: 0 };
    const next = (left) => {
      if (left === 0) return report(answered);
      http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          answered[body]++;
          next(left - 1);
        });
      });
    };
    next(REQUESTS);
  }

  function report(answered) {
    console.log(`primary: worker 1 answered ${answered[1]}, worker 2 answered ${answered[2]}`);
    // disconnect() closes every worker's server and IPC channel; each worker then ends by itself.
    cluster.disconnect();
  }

  let exited = 0;
  cluster.on('exit', () => exited++);
  process.on('exit', () => console.log(`primary: ${exited} workers exited before me`));
} else {
  http.createServer((req, res) => res.end(String(cluster.worker.id))).listen(0, '127.0.0.1');
}
