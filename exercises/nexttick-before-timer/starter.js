// One nextTick, one 0 ms timer, one immediate, and a main module that keeps
// the thread busy for 20 ms before it ends. Which callback runs first?
console.log('script begins');

setTimeout(() => console.log('0 ms timer fired'), 0);
setImmediate(() => console.log('immediate fired'));
process.nextTick(() => console.log('nextTick callback'));

// Busy work: nothing else can run on this thread until the loop finishes.
const busyUntil = Date.now() + 20;
while (Date.now() < busyUntil) {
  // spin
}

console.log('script ends');
