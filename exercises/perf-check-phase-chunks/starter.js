// The same four-part report, but each part now defers the next with
// setImmediate, and the work starts from an I/O callback.
const fs = require('node:fs');

const PARTS = 4;

function buildPart(part) {
  let total = 0; // about 10 ms of counting
  for (let i = 0; i < 10_000_000; i += 1) total += i % 7;
  console.log(`part ${part} of ${PARTS} built`);
  if (part < PARTS) {
    setImmediate(buildPart, part + 1);
  } else {
    console.log('report: all parts built');
  }
}

fs.readFile(__filename, () => {
  console.log('readFile: source read, the report starts');
  setTimeout(() => console.log('timer: 0 ms heartbeat'), 0);
  setImmediate(buildPart, 1);
});
console.log('main: reading the source');
