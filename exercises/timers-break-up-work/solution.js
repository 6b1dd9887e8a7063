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

// One batch per callback. Between two batches the loop gets the thread back,
// and the heartbeat, which fell due while batch 1 was running, gets its turn
// before batch 2.
function crunchFrom(n) {
  crunchBatch(n);
  if (n < BATCHES) {
    setImmediate(crunchFrom, n + 1);
  } else {
    console.log('import finished');
  }
}

setImmediate(crunchFrom, 1);
