// A dynamic import() loads asynchronously; its module body runs later, in a microtask.
console.log('main start');
import('./lazy.mjs').then(() => console.log('import resolved'));
setTimeout(() => console.log('timer'), 0);
console.log('main end');

// Node 24 loads the module synchronously, inside the main module's own microtask drain; Node 20 reads it
// from disk, so it finishes in a later poll phase, after the timer (10 runs of 10 on each).
// expect main/macrotask main start
// expect main/macrotask main end
// expect[node >=22] main/microtask lazy module body
// expect[node >=22] main/microtask import resolved
// expect timers/macrotask timer
// expect[node <=21] poll/microtask lazy module body
// expect[node <=21] poll/microtask import resolved
