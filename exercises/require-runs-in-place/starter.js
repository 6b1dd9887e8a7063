// The same idea as before, in CommonJS: where does each require() run?
console.log('app: start');
const catalog = require('./catalog.js');
console.log(`app: catalog has ${catalog.items.length} items`);

if (process.argv.includes('--verbose')) {
  require('./debug-tools.js'); // only loaded if this branch runs
}

const catalogAgain = require('./catalog.js');
const same = catalogAgain === catalog;
console.log(`app: second require returns the same object: ${same}`);

setTimeout(() => console.log('app: 0 ms timer fired'), 0);
console.log('app: end');
