// A one-off import job. While it runs, a heartbeat tells a dashboard it is still going.
const steps = [
  { name: 'download', ms: 20 },
  { name: 'validate', ms: 400 },
  { name: 'store', ms: 20 },
];

const heartbeat = setInterval(() => {
  console.log('heartbeat: import still running');
}, 300);

function runStep(index) {
  if (index === steps.length) {
    console.log('import finished');
    return;
  }
  const step = steps[index];
  setTimeout(() => {
    console.log(`step ${index + 1}: ${step.name} done`);
    runStep(index + 1);
  }, step.ms);
}

process.on('beforeExit', () => console.log('beforeExit: nothing left to wait for'));
process.on('exit', (code) => console.log(`exit: code ${code}`));
runStep(0);
console.log('main: import started');
