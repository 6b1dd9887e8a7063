// Where in a turn of the loop does a timer run? libuv counts every time it
// enters poll (performance.nodeTiming.uvMetricsInfo.loopCount), so each line
// says how many polls happened since the client connected.
const net = require('node:net');

const polls = () => performance.nodeTiming.uvMetricsInfo.loopCount;
let base = 0;
const report = (what) => console.log(`${what} (polls +${polls() - base})`);

function busy(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const server = net.createServer((peer) => {
  peer.destroy(); // the server side hangs up at once...
  server.close(); // ...and stops listening: nothing of it stays open
});

server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => {
    base = polls();
    report('client connected');
    setImmediate(() => {
      report('immediate 1');
      client.destroy();
      setTimeout(() => {
        report('0 ms timer');
        setImmediate(() => {
          report('immediate 2');
          // The last thing keeping Node alive is this immediate. An unref'd
          // timer does not keep Node alive by itself: does it still get to run?
          setTimeout(() => report("unref'd timer"), 0).unref();
          busy(5);
        });
      }, 0);
      busy(5); // the 0 ms timer is overdue before this turn of the loop ends
    });
  });
  client.on('close', () => report('client closed'));
});

process.on('exit', () => console.log('exit'));
