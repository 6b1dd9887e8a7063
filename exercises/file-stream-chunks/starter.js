// A 10,000-byte file read by a stream in 4 KiB chunks. After each event an immediate
// reports the bytes seen so far, which shows where each event lands in the loop.
const fs = require('node:fs');

const stream = fs.createReadStream('stars.txt', { highWaterMark: 4096 });
let bytes = 0;
let chunks = 0;

stream.on('open', () => {
  console.log('open: descriptor ready');
  setImmediate(() => console.log(`immediate: ${bytes} bytes so far`));
});
stream.on('data', (chunk) => {
  bytes += chunk.length;
  chunks += 1;
  console.log(`data: ${chunk.length} bytes`);
  setImmediate(() => console.log(`immediate: ${bytes} bytes so far`));
});
stream.on('end', () => console.log(`end: ${chunks} chunks, ${bytes} bytes`));
stream.on('close', () => console.log('close: descriptor released'));

console.log('main: reading stars.txt (10000 bytes)');
