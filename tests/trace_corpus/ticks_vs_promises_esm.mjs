// In an ES module main body the promise callbacks already queued run before the ticks.
Promise.resolve().then(() => console.log('promise 1'));
process.nextTick(() => console.log('tick 1'));
console.log('body done');

// expect main/macrotask body done
// expect main/microtask promise 1
// expect main/nextTick tick 1
