// Read record 3 of records.txt (16 bytes at offset 32) through a file descriptor,
// without reading the rest of the file.
const fs = require('node:fs');

const RECORD_SIZE = 16;
const wanted = 3;
const record = Buffer.alloc(RECORD_SIZE);
let fd;

console.log('main: opening records.txt');
fs.open('records.txt', 'r', (err, descriptor) => {
  if (err) throw err;
  fd = descriptor;
  console.log('open: descriptor ready');
});

fs.read(fd, record, 0, RECORD_SIZE, (wanted - 1) * RECORD_SIZE, (err, bytesRead) => {
  if (err) throw err;
  console.log(`read: record ${wanted} is "${record.toString('utf8', 0, bytesRead).trim()}"`);
});
