// An importer crunches four batches of records. A heartbeat timer should tell
// the supervisor, 25 ms after start-up, that the process is still responsive.
const BATCHES = 4;

function crunchBatch(n) {
  // Stands in for 50 ms of parsing and validating one batch of records.
  const until = performance.now() + 50;
  while (performance.now() < until);
  console.log(`batch ${n} of ${BATCHES} done`);
}

setTimeout(() => console.log('heartbeat: still responsive'), 25);

for (let n = 1; n <= BATCHES; n += 1) {
  crunchBatch(n);
}
console.log('import finished');
