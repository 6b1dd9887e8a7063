// process.exit() in a timer: exit listeners run at once; later work never happens.
process.on('exit', (code) => console.log(`exit listener, code ${code}`));
setTimeout(() => {
  console.log('timer: exiting');
  process.exit(3);
}, 5);
setTimeout(() => console.log('never runs'), 50);

// exit_code: 3
// expect timers/macrotask timer: exiting
// expect exit/macrotask exit listener, code 3
