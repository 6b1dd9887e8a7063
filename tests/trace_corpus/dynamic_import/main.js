// A dynamic import() loads asynchronously; its module body runs later, in a microtask.
console.log('main start');
import('./lazy.mjs').then(() => console.log('import resolved'));
setTimeout(() => console.log('timer'), 0);
console.log('main end');

// order: varies
// expect main/macrotask main start
// expect main/macrotask main end
// expect timers/macrotask timer
// expect any/microtask lazy module body
// expect any/microtask import resolved
