// A promise resolved by a timer: its then-callback is a microtask drained after that timer.
// The 0 ms timer is set first: set last, it raced the 20 ms one whenever the main module took 19 ms
// between the two (a loaded machine, once in 20 traced runs).
setTimeout(() => console.log('0 ms timer'), 0);
function later(ms, value) {
  return new Promise((resolve) => setTimeout(() => {
    console.log(`timer ${ms} ms resolves`);
    resolve(value);
  }, ms));
}
console.log('before');
const pending = later(20, 'done');
console.log('after');
pending.then((value) => console.log(`then: ${value}`));

// expect main/macrotask before
// expect main/macrotask after
// expect timers/macrotask 0 ms timer
// expect timers/macrotask timer 20 ms resolves
// expect timers/microtask then: done
