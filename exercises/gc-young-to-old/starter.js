// spaces.js: run with `node --expose-gc --min-semi-space-size=16 spaces.js`.
// gc({ type: 'minor' }) runs one young-generation collection (a scavenge); gc() a full one.
const v8 = require('node:v8');

// A move counts when a space changes by more than this many bytes: the 50,000 small objects take
// about 2 MB, the array 8 MB; V8's own bookkeeping moves a few hundred KB now and then.
const SMALL = 1_000_000;
const LARGE = 6_000_000;

function usedBySpace() {
  const used = {};
  for (const space of v8.getHeapSpaceStatistics()) used[space.space_name] = space.space_used_size;
  return used;
}

function grewMost(before, after) {
  let best = null;
  for (const name of Object.keys(after)) {
    if (best === null || after[name] - before[name] > after[best] - before[best]) best = name;
  }
  return best;
}

function collect(label, options) {
  const before = usedBySpace();
  if (options) gc(options);
  else gc(); // gc(undefined) is a scavenge on Node 24: pass nothing for a full collection
  const after = usedBySpace();
  const change = (name) => after[name] - before[name];
  console.log(label);
  if (change('old_space') > SMALL) console.log('the small objects moved to old_space');
  if (change('large_object_space') > LARGE) console.log('the array moved to large_object_space');
  if (change('old_space') < -SMALL) console.log('the small objects were freed from old_space');
  if (change('large_object_space') < -LARGE) console.log('the array was freed from large_object_space');
}

function makeSmallObjects() {
  const list = [];
  for (let i = 0; i < 50_000; i++) list.push({ id: i });
  return list;
}

const kept = { small: null, array: null }; // what the program still holds

let before = usedBySpace();
kept.small = makeSmallObjects();
console.log(`made 50,000 small objects: ${grewMost(before, usedBySpace())}`);

before = usedBySpace();
kept.array = new Array(1_000_000).fill(0); // 1,000,000 slots of 8 bytes
console.log(`made an array of 1,000,000 elements: ${grewMost(before, usedBySpace())}`);

collect('minor GC 1', { type: 'minor' });
collect('minor GC 2', { type: 'minor' });
kept.small = null;
kept.array = null;
console.log('dropped both');
collect('minor GC 3', { type: 'minor' });
collect('full GC');
