// In a CommonJS main module the nextTick queue empties before the microtask queue.
Promise.resolve().then(() => console.log('promise 1'));
process.nextTick(() => console.log('tick 1'));
Promise.resolve().then(() => {
  console.log('promise 2');
  process.nextTick(() => console.log('tick queued by promise 2'));
});
process.nextTick(() => console.log('tick 2'));
setImmediate(() => {
  queueMicrotask(() => console.log('microtask in check'));
  process.nextTick(() => console.log('tick in check'));
  console.log('immediate');
});

// expect main/nextTick tick 1
// expect main/nextTick tick 2
// expect main/microtask promise 1
// expect main/microtask promise 2
// expect main/nextTick tick queued by promise 2
// expect check/macrotask immediate
// expect check/nextTick tick in check
// expect check/microtask microtask in check
