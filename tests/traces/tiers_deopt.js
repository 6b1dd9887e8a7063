// The tiers view's recorded trace (tiers_deopt_node24.jsonl, tiers_deopt_node20.jsonl):
//   python -m app trace tests/traces/tiers_deopt.js --tiers --save tests/traces/tiers_deopt_node24.jsonl
// One hot function, `scale`: optimised while it sees small integers, deoptimised when a fraction comes
// (V8's guess "always a small integer" fails), then optimised again for numbers of both kinds.
function scale(value) {
  return value * 2;
}

function warm(fraction, count) {
  let last = 0;
  for (let i = 0; i < count; i++) last = scale(i + fraction);
  return last;
}

setImmediate(() => {
  console.log('integers', warm(0, 300000) > 0);
  setImmediate(() => {
    console.log('a fraction', warm(0.5, 300000) > 0);
    setImmediate(() => console.log('again', warm(0.25, 300000) > 0));
  });
});
