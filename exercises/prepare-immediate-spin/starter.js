// Wait until a 100 ms warm-up timer sets a flag, checking the flag again and again.
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
    setImmediate(waitForReady); // look again on the next loop iteration
    return;
  }
  const cpu = process.cpuUsage(cpuAtStart);
  console.log(`waiter: saw the flag after ${checks} checks`);
  console.log(`cpu: ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU time used while waiting`);
}

waitForReady();
console.log('main: waiting for the warm-up');
