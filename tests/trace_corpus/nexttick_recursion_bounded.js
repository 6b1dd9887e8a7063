// A tick that schedules itself holds back the timer until it stops.
let rounds = 0;
function again() {
  if (++rounds < 1000) process.nextTick(again);
  else console.log(`ticks done: ${rounds}`);
}
process.nextTick(again);
setTimeout(() => console.log('timer'), 0);

// expect main/nextTick ticks done: 1000
// expect timers/macrotask timer
