// Node starts one prepare handle of its own (it runs just before every poll) and a
// check handle (just after). The pair tells V8 "this thread is idle now" and "busy
// again". This program profiles itself to see what those two marks leave behind.
const inspector = require('node:inspector');

const session = new inspector.Session();
session.connect();

function busyWork(ms) {
  const stopAt = Date.now() + ms;
  while (Date.now() < stopAt); // stands in for real CPU work
}

// Milliseconds of the profile spent in "(idle)" and in busyWork.
function timeSpent(profile) {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  const micros = { '(idle)': 0, busyWork: 0 };
  profile.samples.forEach((id, i) => {
    const name = names.get(id);
    const gap = profile.timeDeltas[i + 1] ?? 0; // time until the next sample
    if (name in micros) micros[name] += gap;
  });
  return { idle: Math.round(micros['(idle)'] / 1000), busy: Math.round(micros.busyWork / 1000) };
}

session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 }); // a sample every 0.5 ms
session.post('Profiler.start');
console.log('main: profiler started');

busyWork(40);
console.log('main: 40 ms of busy work done, now waiting for a 60 ms timer');

setTimeout(() => {
  session.post('Profiler.stop', (err, { profile }) => {
    if (err) throw err;
    session.disconnect();
    const ms = timeSpent(profile);
    console.log('timers: timer fired, profiler stopped');
    console.log(`profile: busyWork was on the CPU: ${ms.busy > 0 ? 'yes' : 'no'}`);
    console.log(`profile: samples marked (idle): ${ms.idle > 0 ? 'yes' : 'none'}`);
    console.log(`profile: about ${ms.busy} ms in busyWork, ${ms.idle} ms (idle)`);
  });
}, 60);
