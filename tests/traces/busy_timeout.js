// A timer callback that never returns, stopped by looplab's timeout, recorded into busy_timeout.jsonl:
//   looplab trace tests/traces/busy_timeout.js --timeout 1 --save tests/traces/busy_timeout.jsonl
// The tracer writes its records 4 KiB at a time, so the callback makes a few hundred promises first: that
// fills the buffer once more, and the trace shows the callback running when the timeout stops it.
setTimeout(function busyLoop() {
  console.log('timer: busy from here on');
  for (let i = 0; i < 400; i++) Promise.resolve(i);
  for (;;);
}, 20);
console.log('main: done');
