// A writer that overfills a slow Writable and waits for 'drain', recorded for the streams view
// (tests/test_stream_model.py, tests/test_stream_view.py), once on each Node: their default highWaterMark differs
// (16 KiB on Node 20, 64 KiB on Node 24), so the same program fills after 4 or 16 writes.
//   looplab trace tests/traces/stream_drain.js --node /usr/bin/node --save tests/traces/stream_drain_node20.jsonl
//   looplab trace tests/traces/stream_drain.js --save tests/traces/stream_drain_node24.jsonl
const { Writable } = require('node:stream');

class SlowDisk extends Writable {
  _write(chunk, encoding, done) {
    setImmediate(done); // one chunk per loop iteration
  }
}

const disk = new SlowDisk(); // the default highWaterMark
const chunk = Buffer.alloc(4096, 'x');
let written = 0;

function writeMore() {
  while (written < 40) {
    written++;
    if (!disk.write(chunk)) {
      console.log(`write ${written} returned false at ${disk.writableLength} bytes`);
      disk.once('drain', writeMore);
      return;
    }
  }
  disk.end(() => console.log('finished'));
}
writeMore();
