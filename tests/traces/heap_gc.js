// The heap view's recorded trace (tests/traces/heap_gc.jsonl): short-lived garbage in the main module (scavenges),
// a timer that keeps 20 MB of objects alive (promoted to old space: marking, then mark-sweep-compact), and
// immediates that let them go and churn on until old space shrinks again.
// Recorded with: python -m app trace --save tests/traces/heap_gc.jsonl tests/traces/heap_gc.js
function garbage(rounds) {
  let sum = 0;
  for (let i = 0; i < rounds; i++) sum += { i, text: `item ${i}` }.text.length;
  return sum;
}

let kept = [];
console.log('main: garbage', garbage(200000) > 0);
setTimeout(function keep() {
  for (let i = 0; i < 200000; i++) kept.push({ i, text: `kept ${i}` });
  console.log('timer: kept', kept.length);
  setImmediate(function letGo() {
    kept = [];
    let rounds = 0;
    (function churn() {
      garbage(200000);
      if (++rounds < 4) setImmediate(churn);
      else console.log('immediate: churned', rounds);
    })();
  });
}, 5);
