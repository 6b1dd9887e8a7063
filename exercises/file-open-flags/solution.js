// Record one more visit in visits.log, and write setup.txt only on the very first run.
const fs = require('node:fs/promises');

async function main() {
  await fs.writeFile('visits.log', 'visit 3\n', { flag: 'a' }); // keep the old lines, add at the end

  try {
    await fs.writeFile('setup.txt', 'set up on visit 3\n', { flag: 'wx' }); // EEXIST if present
    console.log('setup: done now');
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    console.log('setup: already done, left alone');
  }

  const visits = (await fs.readFile('visits.log', 'utf8')).trim().split('\n');
  console.log(`log: ${visits.length} visits, the first is "${visits[0]}"`);
  console.log(`setup.txt: ${(await fs.readFile('setup.txt', 'utf8')).trim()}`);
}

main();
