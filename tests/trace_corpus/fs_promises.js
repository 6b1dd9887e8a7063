// fs.promises: the work completes in poll and the await resumes as a microtask there.
const fsp = require('node:fs/promises');
async function main() {
  await fsp.writeFile('note.txt', 'promised text');
  const text = await fsp.readFile('note.txt', 'utf8');
  console.log(`read: ${text}`);
}
main().then(() => console.log('main resolved'));
console.log('main module end');

// expect main/macrotask main module end
// expect poll/microtask read: promised text
// expect poll/microtask main resolved
