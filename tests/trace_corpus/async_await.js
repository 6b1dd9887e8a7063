// Code after an await resumes as a microtask, drained after the callback that settled the promise.
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function run() {
  console.log('run: before await');
  await wait(10);
  console.log('run: after await');
  await null;
  console.log('run: after awaiting a plain value');
}
console.log('main start');
run();
console.log('main end');

// expect main/macrotask main start
// expect main/macrotask run: before await
// expect main/macrotask main end
// expect timers/microtask run: after await
// expect timers/microtask run: after awaiting a plain value
