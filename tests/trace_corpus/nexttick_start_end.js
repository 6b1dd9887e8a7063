// nextTick runs as soon as the main module ends, before any phase.
console.log('start');
for (let i = 0; i < 1e6; i++);
console.log('end');
setTimeout(() => console.log('timer'), 0);
process.nextTick(() => console.log('nextTick'));

// expect main/macrotask start
// expect main/macrotask end
// expect main/nextTick nextTick
// expect timers/macrotask timer
