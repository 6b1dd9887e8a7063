// process.exit() with a timer and an immediate still queued, recorded into exit_early.jsonl:
//   looplab trace tests/traces/exit_early.js --save tests/traces/exit_early.jsonl
setTimeout(function onTimer() {
  console.log('timer: never printed');
}, 60_000);
setImmediate(function onImmediate() {
  console.log('immediate: never printed');
});
console.log('main: exiting now');
process.exit(3);
