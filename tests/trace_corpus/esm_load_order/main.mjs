// Static imports run before the importing module's body, depth first.
console.log('main body');
import './helper.mjs';
setTimeout(() => console.log('timer after loading'), 0);

// expect main/macrotask helper: loading
// expect main/macrotask main body
// expect timers/macrotask timer after loading
