// A service counts to 300 million (a stand-in for a long computation) while it
// should keep answering health checks and keep its heartbeat going.
const http = require('node:http');

const TOTAL = 300_000_000;

// Counts to TOTAL, then calls done(count).
function countAll(done) {
  let i = 0;
  for (; i < TOTAL; i += 1);
  done(i);
}

const server = http.createServer((req, res) => {
  console.log(`server: answered ${req.method} ${req.url}`);
  res.end('ok');
});

let finished = 0;
function oneMoreFinished() {
  finished += 1;
  if (finished === 2) server.close(() => console.log('server: closed'));
}

server.listen(0, '127.0.0.1', () => {
  const heartbeat = setInterval(() => console.log('heartbeat'), 10);

  // A health check, sent to ourselves as the count starts.
  http.get({ host: '127.0.0.1', port: server.address().port, path: '/health' }, (res) => {
    res.resume();
    res.on('end', () => {
      console.log(`client: ${res.statusCode} from /health`);
      oneMoreFinished();
    });
  });

  console.log('count: started');
  countAll((count) => {
    clearInterval(heartbeat);
    console.log(`count: reached ${count}`);
    oneMoreFinished();
  });
});
