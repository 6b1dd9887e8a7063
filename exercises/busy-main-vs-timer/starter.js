// A 1 ms timer, then 80 ms in which the main module never lets go of the thread.
const label = 'checkout service';
setTimeout(() => console.log('timer: 1 ms timer fired'), 1);
console.log(`main: starting ${label}, 1 ms timer scheduled`);

// Busy-wait: the clock keeps moving, but nothing else can run on this thread.
const busyUntil = Date.now() + 80;
let laps = 0;
while (Date.now() < busyUntil) laps += 1;

console.log('main: 80 ms of busy work done');
console.log('main: end of busy.js');
