// A promise job that queues itself forever: the loop never gets past main, and looplab's timeout ends the run.
// Recorded with a small detail limit so the switch to counts comes early and the file stays small:
//   looplab trace tests/traces/promise_starvation.js --detail-limit 600 --timeout 2 \
//     --save tests/traces/promise_starvation_timeout.jsonl
let rounds = 0;
setTimeout(() => console.log(`timer: waited for ${rounds} promise jobs`), 0);
function again() {
  rounds += 1;
  if (rounds % 1000000 === 0) console.log(`promise round ${rounds}`);
  Promise.resolve().then(again);
}
again();
console.log('main module done');
