// A producer copies 64 records of 1 KiB into a slow sink. The sink asks for at
// most 4 KiB waiting in its buffer (highWaterMark), and says so with the value
// write() returns. This producer never looks at that value.
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

function produce() {
  for (let i = 0; i < RECORDS; i++) {
    sink.write(RECORD);
    peak = Math.max(peak, sink.writableLength);
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
