// Timers that came due during a long main module all run in the first timers pass, shortest first.
const start = Date.now();
const report = (name) => console.log(`timer ${name}`);
setTimeout(report, 60, '60 ms');
setTimeout(report, 0, '0 ms');
setTimeout(report, 1, '1 ms');
setTimeout(report, 200, '200 ms');
while (Date.now() - start < 100);
console.log('main done after 100 ms');

// expect main/macrotask main done after 100 ms
// expect timers/macrotask timer 0 ms
// expect timers/macrotask timer 1 ms
// expect timers/macrotask timer 60 ms
// expect timers/macrotask timer 200 ms
