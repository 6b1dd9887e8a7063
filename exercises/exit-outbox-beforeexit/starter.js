// An outbox that is only sent once the event loop has nothing else to do.
const outbox = ['welcome', 'invoice'];
let idleCount = 0;

process.on('beforeExit', (code) => {
  idleCount += 1;
  console.log(`beforeExit #${idleCount}: ${outbox.length} waiting, exit code ${code}`);
  if (outbox.length === 0) return;

  const batch = outbox.splice(0);
  process.nextTick(() => console.log('tick from the beforeExit listener'));
  setTimeout(() => {
    console.log(`sent ${batch.length} messages, 1 bounced`);
    process.exitCode = 1; // report the bounce, but let the process end on its own
  }, 10);
});

process.on('exit', (code) => {
  console.log(`exit: code ${code}`);
  setTimeout(() => console.log('exit: a timer scheduled in here'), 0);
});

setTimeout(() => {
  outbox.push('receipt');
  console.log('timer: queued a third message');
}, 5);
console.log(`main: ${outbox.length} messages queued`);
