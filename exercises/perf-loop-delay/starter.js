// Measure how late the event loop is: idle, during one 100 ms block of work,
// and during the same work cut into twenty 5 ms chunks.
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const timers = require('node:timers/promises');

const sleep = timers.setTimeout;
const nextTurn = timers.setImmediate;

const RESOLUTION = 10; // the sampling timer's period, in ms
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION });

function busyFor(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const ms = (ns) => (ns / 1e6).toFixed(1);

function report(label, since) {
  const busy = performance.eventLoopUtilization(since).utilization;
  const p50 = ms(histogram.percentile(50));
  const p99 = ms(histogram.percentile(99));
  const max = ms(histogram.max);
  const loop = `loop busy ${Math.round(busy * 100)}%`;
  console.log(`${label}: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, ${loop}`);
  // reset() also forgets when the last sample was taken: the next one is lost
  histogram.reset();
  return performance.eventLoopUtilization();
}

async function main() {
  console.log(`sampling every ${RESOLUTION} ms`);
  histogram.enable();
  let since = performance.eventLoopUtilization();

  await sleep(100); // nothing to do
  since = report('idle', since);

  await sleep(25); // a sample or two to start from after the reset
  busyFor(100); // one block
  await sleep(30); // let the sampler take a sample after it
  const worst = histogram.max;
  since = report('one 100 ms block', since);
  const atLeast = worst >= 100e6 ? 'at least' : 'less than';
  console.log(`one block: the worst sample took ${atLeast} 100 ms`);

  await sleep(25);
  for (let chunk = 0; chunk < 20; chunk += 1) {
    busyFor(5);
    await nextTurn(); // give the loop a turn: timers, poll, check
  }
  await sleep(30);
  report('20 chunks of 5 ms', since);

  histogram.disable();
}

main();
