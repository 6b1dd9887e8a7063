// How long does loading a module take, and does the loop wait for it?
// Both modules beside this file spend 50 ms in their top-level code.
const { performance } = require('node:perf_hooks');

const msSince = (start) => (performance.now() - start).toFixed(1);

// 1. require(): the module is found, read, compiled and run inside the call.
const before = performance.now();
require('./csv-tools.cjs');
console.log(`require('./csv-tools.cjs') returned after ${msSince(before)} ms`);

// 2. console.time around import(), then timeEnd on the next line.
console.time("import('./chart-tools.mjs')");
const loading = import('./chart-tools.mjs');
console.timeEnd("import('./chart-tools.mjs')");

// 3. A 2 ms heartbeat notes the longest gap between its beats while the
//    import is under way.
const started = performance.now();
let lastBeat = started;
let longestGap = 0;
const heartbeat = setInterval(() => {
  const now = performance.now();
  longestGap = Math.max(longestGap, now - lastBeat);
  lastBeat = now;
}, 2);

loading.then(() => {
  console.log(`import() settled after ${msSince(started)} ms`);
  setTimeout(() => {
    // a beat after the module's 50 ms, so that its gap has been seen
    clearInterval(heartbeat);
    console.log(`longest gap between heartbeats: ${longestGap.toFixed(1)} ms`);
    const blocked = longestGap >= 50 ? 'yes' : 'no';
    console.log(`the loop was blocked for 50 ms or more: ${blocked}`);
  }, 10);
});
