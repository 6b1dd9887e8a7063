// A report is built in four parts. To "keep the main module short", each part
// is deferred with process.nextTick, and each part defers the next the same way.
const fs = require('node:fs');

const PARTS = 4;

function buildPart(part) {
  let total = 0; // about 10 ms of counting
  for (let i = 0; i < 10_000_000; i += 1) total += i % 7;
  console.log(`part ${part} of ${PARTS} built`);
  if (part < PARTS) {
    process.nextTick(buildPart, part + 1);
  } else {
    console.log('report: all parts built');
  }
}

setTimeout(() => console.log('timer: 0 ms heartbeat'), 0);
fs.readFile(__filename, () => console.log('readFile: own source read'));

process.nextTick(buildPart, 1);
console.log('main: report deferred with nextTick');
