// A 1 ms interval ticks 30 times; its 10th tick keeps the loop busy for 50 ms. perf_hooks' own event-loop delay
// monitor watches the same run, to compare with the delay view. Recorded into delay_block.jsonl:
//   python -m app trace tests/traces/delay_block.js --save tests/traces/delay_block.jsonl
// The delay view shows that tick's stretch away from poll (about 50 ms) and the next tick as about 50 ms late.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const monitor = monitorEventLoopDelay({ resolution: 10 });
monitor.enable();
console.log('main: a tick every 1 ms'); // stdout is made here, not inside the block
let ticks = 0;
const interval = setInterval(function tick() {
  ticks += 1;
  if (ticks === 10) blockFor(50);
  if (ticks === 30) {
    clearInterval(interval);
    monitor.disable();
    console.log(`monitorEventLoopDelay: max ${(monitor.max / 1e6).toFixed(1)} ms`);
  }
}, 1);

function blockFor(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
