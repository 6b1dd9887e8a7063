// How many threads libuv's pool really started: the threads that appeared when the first job was queued
// (libuv starts them all then, and waits for them). tests/test_trace_corpus.py compares it with the tracer's.
const fs = require('node:fs');
const before = fs.readdirSync('/proc/self/task').length;
fs.stat(__filename, () => console.log(fs.readdirSync('/proc/self/task').length - before));

// expect poll/macrotask 4
