// Three ways to import in an ES module: a static import (runs before the body), a dynamic import()
// (a promise, loaded later) and an awaited dynamic import (the body waits for it).
import greeting from './static.mjs';
console.log(`body starts: ${greeting}`);
const later = import('./later.mjs');
console.log(`import() gives a ${later.constructor.name}`);
const waited = await import('./awaited.mjs');
console.log(`awaited module says ${waited.default}`);
process.nextTick(() => console.log('tick after the awaits'));

// The dynamic imports finish in the main module's own microtask drain on Node 24, and in poll on Node 20,
// whose loader reads the files asynchronously; there the two imports race (1 run in 10 swapped them).
// order[node <=21]: varies
// expect main/macrotask static module runs
// expect main/macrotask body starts: hello from static
// expect main/macrotask import() gives a Promise
// expect[node >=22] main/microtask later module runs
// expect[node >=22] main/microtask awaited module runs
// expect[node >=22] main/microtask awaited module says 42
// expect[node >=22] main/nextTick tick after the awaits
// expect[node <=21] poll/microtask later module runs
// expect[node <=21] poll/microtask awaited module runs
// expect[node <=21] poll/microtask awaited module says 42
// expect[node <=21] poll/nextTick tick after the awaits
