// Which of V8's tiers runs add() at each checkpoint? The answers are printed at the end, grouped by tier.
function add(a, b) {
  return a + b;
}

// %ActiveTierIs...() are V8 test functions: node_args gives this program --allow-natives-syntax.
function tierOf(f) {
  if (%ActiveTierIsTurbofan(f)) return 'TurboFan';
  if (%ActiveTierIsMaglev(f)) return 'Maglev';
  if (%ActiveTierIsSparkplug(f)) return 'Sparkplug';
  return 'Ignition';
}

const checkpoints = [];
let calls = 0;
function callUntil(total) {
  while (calls < total) add(calls++, 1);
  const plural = total === 1 ? '' : 's';
  checkpoints.push([`after ${total.toLocaleString('en-US')} call${plural} with numbers`, tierOf(add)]);
}
%NeverOptimizeFunction(callUntil); // so that add() is never inlined into its caller

for (const total of [1, 10000, 20000]) callUntil(total);

add('1', 2); // a string, where add() has only ever seen small integers
checkpoints.push(["after one more call, add('1', 2)", tierOf(add)]);

for (let i = 0; i < 30000; i++) add(i % 2 ? 'a' : i, 1);
checkpoints.push(['after 30,000 more calls, numbers and strings', tierOf(add)]);

// Nothing is printed before this point, so printing cannot change what V8 decided.
for (const [tier, heading] of [
  ['Ignition', 'Ignition, the bytecode interpreter:'],
  ['Sparkplug', 'Sparkplug, the baseline compiler:'],
  ['Maglev', 'Maglev, the mid-tier optimising compiler:'],
  ['TurboFan', 'TurboFan, the optimising compiler:'],
]) {
  console.log(heading);
  for (const [checkpoint, where] of checkpoints) if (where === tier) console.log(checkpoint);
}
