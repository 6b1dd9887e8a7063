// From the main module, a 0 ms timer and an immediate race.
setTimeout(() => console.log('timeout 0'), 0);
setImmediate(() => console.log('immediate'));

// order: varies
// expect timers/macrotask timeout 0
// expect check/macrotask immediate
