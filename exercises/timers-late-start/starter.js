// A game server schedules five jobs out of order, then spends 100 ms loading
// level data in the main module. In which order do the jobs run?
const bootStarted = Date.now();

function job(name, askedMs) {
  return () => console.log(`${name} (asked for ${askedMs} ms)`);
}

setTimeout(job('metrics flush', 60), 60);
setTimeout(job('cache warm-up', 1), 1);
setTimeout(job('heartbeat', 0), 0);
setTimeout(job('session sweep', 200), 200);
setTimeout(job('autosave', 30), 30);

// Loading the level data: 100 ms in which nothing else can run on this thread.
while (Date.now() - bootStarted < 100);
console.log('main: level data loaded');
