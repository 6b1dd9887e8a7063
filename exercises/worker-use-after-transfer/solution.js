// The parent hands a 1 MiB buffer to a worker without copying it, then checks the worker's sum.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

function checksum(buffer) {
  let sum = 0;
  for (const byte of new Uint8Array(buffer)) sum += byte;
  return sum;
}

if (isMainThread) {
  const data = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
  const worker = new Worker(__filename);
  // Read what the parent needs first: after the transfer its buffer is empty (detached).
  const mine = checksum(data.buffer);
  const size = data.byteLength;
  // In the transfer list, the memory moves to the worker instead of being copied.
  worker.postMessage(data.buffer, [data.buffer]);
  console.log(`parent: sent ${size} bytes`);
  console.log(`parent: my checksum ${mine}`);

  worker.once('message', (theirs) => {
    console.log(`parent: worker's checksum ${theirs}`);
    console.log(theirs === mine ? 'parent: checksums match' : 'parent: checksums DIFFER');
  });
  worker.on('exit', (code) => console.log(`parent: worker exited with code ${code}`));
} else {
  parentPort.once('message', (buffer) => {
    parentPort.postMessage(checksum(buffer));
  });
}
