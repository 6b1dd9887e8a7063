// Wait until a 100 ms warm-up timer sets a flag, checking the flag every 10 ms.
// With no immediate queued, Node's idle handle is off, so poll may sleep until
// the next timer is due instead of returning at once.
let ready = false;
let checks = 0;
const cpuAtStart = process.cpuUsage();

setTimeout(() => {
  ready = true;
  console.log('timer: warm-up finished');
}, 100);

function waitForReady() {
  checks += 1;
  if (!ready) {
    setTimeout(waitForReady, 10); // look again in 10 ms; the loop sleeps in poll meanwhile
    return;
  }
  const cpu = process.cpuUsage(cpuAtStart);
  console.log(`waiter: saw the flag after ${checks} checks`);
  console.log(`cpu: ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU time used while waiting`);
}

waitForReady();
console.log('main: waiting for the warm-up');
