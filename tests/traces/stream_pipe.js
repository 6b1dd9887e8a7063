// A fast readable piped into a slow writable, recorded for the streams view (tests/test_stream_model.py):
//   looplab trace tests/traces/stream_pipe.js --save tests/traces/stream_pipe.jsonl
// The readable makes 24 chunks of 1 KiB (highWaterMark 4 KiB); the writable (highWaterMark 2 KiB) takes one
// every 2 ms, so pipe() sees write() return false, pauses the readable until 'drain', and the readable's own
// buffer fills to its highWaterMark (push() returns false) meanwhile.
const { Readable, Writable } = require('node:stream');

let made = 0;
const source = new Readable({
  highWaterMark: 4096,
  read() {
    made++;
    this.push(made <= 24 ? Buffer.alloc(1024, 'a') : null);
  },
});
const sink = new Writable({
  highWaterMark: 2048,
  write(chunk, encoding, done) {
    setTimeout(done, 2);
  },
});
source.on('end', () => console.log('source ended'));
sink.on('finish', () => console.log('sink finished'));
source.pipe(sink);
