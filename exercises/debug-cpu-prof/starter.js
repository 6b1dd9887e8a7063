// Profiles work.js with --cpu-prof, then reads the profile it leaves behind and finds the
// function that spent the most time on the CPU itself (its "self time").
const { execFile } = require('node:child_process');
const fs = require('node:fs');

const args = ['--cpu-prof', '--cpu-prof-dir=profiles', '--cpu-prof-name=work.cpuprofile', 'work.js'];
execFile(process.execPath, args, { timeout: 8000 }, (error, stdout) => {
  if (error) {
    console.log(`work.js failed: ${error.message}`);
    return;
  }
  console.log(`work.js printed: ${stdout.trim()}`);
  // Node writes the profile as the child exits: it is on disk once the child is gone.
  const profile = JSON.parse(fs.readFileSync('profiles/work.cpuprofile', 'utf8'));
  console.log(`profile keys: ${Object.keys(profile).join(', ')}`);
  const { nodes, samples, timeDeltas, startTime, endTime } = profile;
  const ms = Math.round((endTime - startTime) / 1000);
  console.log(`recorded ${ms} ms: ${samples.length} samples, ${nodes.length} call-tree nodes`);

  // samples[k] is the id of the call-tree node on top of the stack at sample k;
  // timeDeltas[k + 1] is how long until the next sample, so that time is node k's.
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const selfTime = new Map();
  let total = 0;
  samples.forEach((id, k) => {
    const spent = timeDeltas[k + 1] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    selfTime.set(name, (selfTime.get(name) ?? 0) + spent);
    total += spent;
  });
  const [hottest, spent] = [...selfTime].sort((a, b) => b[1] - a[1])[0];
  console.log(`hottest by self time: ${hottest}`);
  console.log(`its share: ${Math.round((100 * spent) / total)}% of the sampled time`);
});
