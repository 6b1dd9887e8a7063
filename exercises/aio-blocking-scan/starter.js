// Every 5 ms tick of a small server: queue a heartbeat, then scan the access log.
// The heartbeat must go out before the scan's report, so the scan must not
// hold up the loop.
const fs = require('node:fs');

function report(text) {
  const lines = text.trim().split('\n');
  const errors = lines.filter((line) => line.endsWith(' 500')).length;
  console.log(`scan: ${lines.length} requests, ${errors} errors`);
}

setTimeout(() => {
  console.log('timer: tick, scanning access.log');
  setImmediate(() => console.log('immediate: heartbeat sent'));
  const text = fs.readFileSync('access.log', 'utf8');
  report(text);
}, 5);
