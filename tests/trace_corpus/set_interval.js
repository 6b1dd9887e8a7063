// setInterval re-arms itself until cleared; each run is a timers callback.
let count = 0;
const interval = setInterval(() => {
  count += 1;
  console.log(`tick ${count}`);
  if (count === 3) {
    clearInterval(interval);
    console.log('cleared');
  }
}, 5);

// expect timers/macrotask tick 1
// expect timers/macrotask tick 2
// expect timers/macrotask tick 3
// expect timers/macrotask cleared
