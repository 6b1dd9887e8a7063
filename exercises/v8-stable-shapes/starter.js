// Points come from two places; lengthOf() is hot and should stay optimised for all of them.
function lengthOf(p) {
  return Math.sqrt(p.x * p.x + p.y * p.y);
}

// The first batch is made in code.
function makePoint(x, y) {
  return { x, y };
}

// The second batch arrives as JSON lines with an id we do not need.
function fromJson(line) {
  const point = JSON.parse(line);
  delete point.id;
  return point;
}

const first = Array.from({ length: 100 }, (_, i) => makePoint(i % 7, i % 5));
const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: i, x: i % 5, y: i % 7 }));
const second = lines.map(fromJson);

// V8 test functions (node_args: --allow-natives-syntax): optimise lengthOf now, for what it has seen.
%PrepareFunctionForOptimization(lengthOf);
let total = 0;
for (const p of first) total += lengthOf(p);
%OptimizeFunctionOnNextCall(lengthOf);
lengthOf(first[0]);
const tier = () => (%ActiveTierIsTurbofan(lengthOf) ? 'optimised by TurboFan' : 'not optimised');
console.log(`after the first batch: lengthOf is ${tier()}`);

for (const p of second) total += lengthOf(p);
console.log(`both batches: total length ${total.toFixed(3)}`);
console.log(`second batch has the first batch's map: ${%HaveSameMap(first[0], second[0]) ? 'yes' : 'no'}`);
console.log(`after the second batch: lengthOf is ${tier()}`);
