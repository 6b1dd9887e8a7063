// The overhead benchmark's workload: sequential awaits, then a burst of timers, then a burst of immediates.
// Sizes come from the environment so the same file serves the benchmark and the scale test.
const awaits = Number(process.env.AWAITS || 50000);
const timers = Number(process.env.TIMERS || 10000);
const immediates = Number(process.env.IMMEDIATES || 10000);

function burst(count, schedule) {
  return new Promise((resolve) => {
    let left = count;
    for (let i = 0; i < count; i++) schedule(() => { if (--left === 0) resolve(); });
  });
}

async function main() {
  for (let i = 0; i < awaits; i++) await null;
  await burst(timers, (callback) => setTimeout(callback, 0));
  await burst(immediates, (callback) => setImmediate(callback));
  console.log(`done: ${awaits} awaits, ${timers} timers, ${immediates} immediates`);
}
main();
