// stream.pipeline from a generator through gzip into a counting writable, recorded for the streams view
// (tests/test_stream_model.py): a readable in objectMode, a transform, a writable.
//   looplab trace tests/traces/stream_pipeline_gzip.js --save tests/traces/stream_pipeline_gzip.jsonl
const { Readable, Writable, pipeline } = require('node:stream');
const zlib = require('node:zlib');

function* lines() {
  for (let i = 0; i < 200; i++) yield `line ${i} of a log that compresses well\n`;
}
let bytes = 0;
const counter = new Writable({
  write(chunk, encoding, done) {
    bytes += chunk.length;
    done();
  },
});
pipeline(Readable.from(lines()), zlib.createGzip(), counter, (error) => {
  console.log(error ? `failed: ${error.message}` : `compressed to ${bytes > 0 ? 'some' : 'no'} bytes`);
});
