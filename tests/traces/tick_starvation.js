// The nexttick-starvation starter (100000 self-scheduling ticks, then the 0 ms timer), recorded with a small
// detail limit so the switch to counts comes early and the file stays small:
//   looplab trace tests/traces/tick_starvation.js --detail-limit 600 --save tests/traces/tick_starvation.jsonl
// With LOOPLAB_ROUNDS=0 the ticks never stop, and looplab's timeout ends the run:
//   LOOPLAB_ROUNDS=0 looplab trace tests/traces/tick_starvation.js --detail-limit 600 --timeout 2 \
//     --save tests/traces/tick_starvation_timeout.jsonl
const limit = Number(process.env.LOOPLAB_ROUNDS ?? 100000) || Infinity;
let rounds = 0;

setTimeout(() => console.log(`timer: waited for ${rounds} ticks`), 0);

function again() {
  rounds += 1;
  if (rounds % 25000 === 0) console.log(`tick round ${rounds}`);
  if (rounds < limit) process.nextTick(again);
}

process.nextTick(again);
console.log('main module done');
