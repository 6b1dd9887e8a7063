// The same idea done by hand with process.nextTick.
function work(callback) {
  console.log('working');
  process.nextTick(callback, 42);
}
work((n) => console.log(`callback got ${n}`));
setTimeout(() => console.log('timer'), 0);
console.log('main ends');

// expect main/macrotask working
// expect main/macrotask main ends
// expect main/nextTick callback got 42
// expect timers/macrotask timer
