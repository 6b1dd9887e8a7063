// sum.c (beside this file) is compiled into sum.node with the local C compiler, then loaded with require().
const { buildAddon } = require('./build-addon');
const { sum } = require(buildAddon('sum.c', 'sum.node'));

process.nextTick(() => console.log('nextTick: the main module is over'));

console.log('calling sum(2, 3, cb)');
const returned = sum(2, 3, (err, result) => console.log(`cb: err ${err}, result ${result}`));
console.log(`sum(2, 3, cb) returned ${returned}`);

try {
  sum('2', 3, () => console.log('cb for the string'));
} catch (error) {
  console.log(`sum('2', 3, cb) threw ${error.name} [${error.code}]: ${error.message}`);
}
