// The streams view's benchmark program (benchmarks/trace_scale.py --program stream_load.js): CHUNKS chunks
// through a Readable, a PassThrough and a Writable with small highWaterMarks, piped, so that the buffers fill
// and drain many times: every hook of tracer_stream.js runs (write()->false, push()->false, drain, lengths).
const { Readable, PassThrough, Writable, pipeline } = require('node:stream');

const chunks = Number(process.env.CHUNKS || 200000);
let made = 0;
const source = new Readable({
  highWaterMark: 64,
  read() {
    made++;
    this.push(made <= chunks ? 'x'.repeat(16) : null);
  },
});
let bytes = 0;
const sink = new Writable({
  highWaterMark: 64,
  write(chunk, encoding, done) {
    bytes += chunk.length;
    if (made % 64 === 0) setImmediate(done);
    else done();
  },
});
pipeline(source, new PassThrough({ highWaterMark: 32 }), sink, (error) => {
  console.log(error ? error.message : `${bytes} bytes`);
});
