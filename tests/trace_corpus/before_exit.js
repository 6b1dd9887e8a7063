// beforeExit fires when the loop runs dry; new work starts the loop again.
let rounds = 0;
process.on('beforeExit', () => {
  console.log(`beforeExit ${++rounds}`);
  if (rounds === 1) setTimeout(() => console.log('timer from beforeExit'), 1);
});
process.on('exit', () => console.log('exit'));
console.log('main');

// expect main/macrotask main
// expect exit/macrotask beforeExit 1
// expect timers/macrotask timer from beforeExit
// expect exit/macrotask beforeExit 2
// expect exit/macrotask exit
