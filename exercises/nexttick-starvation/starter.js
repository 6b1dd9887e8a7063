// A nextTick callback that keeps scheduling itself, but stops after 100000
// rounds so the program always ends. When does the 0 ms timer get its turn?
let rounds = 0;

setTimeout(() => console.log(`timer: waited for ${rounds} ticks`), 0);

function again() {
  rounds += 1;
  if (rounds % 25000 === 0) console.log(`tick round ${rounds}`);
  if (rounds < 100000) process.nextTick(again);
}

process.nextTick(again);
console.log('main module done');
