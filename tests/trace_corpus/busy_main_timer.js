// A 1 ms timer waits for a busy main module.
setTimeout(() => console.log('timer'), 1);
const until = Date.now() + 50;
while (Date.now() < until);
console.log('main done');

// expect main/macrotask main done
// expect timers/macrotask timer
