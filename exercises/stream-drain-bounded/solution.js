// A producer copies 64 records of 1 KiB into a slow sink. The sink asks for at
// most 4 KiB waiting in its buffer (highWaterMark), and says so with the value
// write() returns. This producer stops when write() says false and goes on
// when the sink emits 'drain'.
const { Writable } = require('node:stream');

const RECORDS = 64;
const RECORD = Buffer.alloc(1024, 'x');

let peak = 0; // the most bytes the sink ever held in its buffer
const sink = new Writable({
  highWaterMark: 4096,
  write(chunk, encoding, done) {
    setImmediate(done); // a slow disk: one chunk per loop turn
  },
});

let next = 0;
function produce() {
  while (next < RECORDS) {
    const roomLeft = sink.write(RECORD);
    next += 1;
    peak = Math.max(peak, sink.writableLength);
    if (!roomLeft) {
      sink.once('drain', produce); // wait until the buffer is empty again
      return;
    }
  }
  sink.end();
}

sink.on('finish', () => {
  console.log(`finish: ${RECORDS} records written`);
  const limit = sink.writableHighWaterMark;
  const verdict = peak <= limit ? 'ok' : 'too much';
  console.log(`peak buffer: ${peak} bytes (limit ${limit}): ${verdict}`);
});

produce();
