// A 10 ms interval and a 35 ms timeout, behind a main module that is busy for
// 50 ms. Does the interval make up for the ticks it missed?
const started = performance.now();
let ticks = 0;

const ticker = setInterval(() => {
  ticks += 1;
  console.log(`interval: tick ${ticks}`);
  if (ticks === 3) {
    clearInterval(ticker); // otherwise the interval keeps Node alive for ever
    console.log('interval: cleared after 3 ticks');
  }
}, 10);

setTimeout(() => console.log('timeout: 35 ms'), 35);

// Compressing a save file: 50 ms of work that nothing can interrupt.
while (performance.now() - started < 50);
console.log('main: save file compressed');
