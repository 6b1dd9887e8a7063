// gc-report.js: runs allocate.js three times under `--trace-gc` and counts V8's collections.
const { execFileSync } = require('node:child_process');

// One --trace-gc line per collection, for example (Node 24 adds "pooled: 0 MB, ")
// [4242:0x2d9ae000]  21 ms: Scavenge 4.9 (6.7) -> 4.3 (9.0) MB, 0.71 / 0.00 ms  (average mu ...
const TRACE_LINE = /: (Scavenge|Minor Mark-Sweep|Minor Mark-Compact|Mark-Compact|Mark-Sweep)\b.*? MB, (?:pooled: \S+ MB, )?([\d.]+) \/ [\d.]+ ms/;

function traceGc(nodeOptions, mode) {
  const out = execFileSync(process.execPath, [...nodeOptions, '--trace-gc', 'allocate.js', mode], {
    encoding: 'utf8',
    timeout: 5000,
  });
  const counts = {};
  let longest = { ms: 0, kind: 'none' };
  for (const line of out.split('\n')) {
    const match = TRACE_LINE.exec(line);
    if (!match) continue;
    const [, kind, ms] = match;
    counts[kind] = (counts[kind] || 0) + 1;
    if (Number(ms) > longest.ms) longest = { ms: Number(ms), kind };
  }
  return { counts, longest };
}

function report(label, nodeOptions, mode) {
  const { counts, longest } = traceGc(nodeOptions, mode);
  const young = Object.keys(counts).filter((kind) => kind !== 'Mark-Compact');
  const youngText = young.map((kind) => `${counts[kind]} ${kind}`).join(', ') || '0 young';
  console.log(`${label}: ${youngText}, ${counts['Mark-Compact'] || 0} Mark-Compact; ` +
    `longest pause ${longest.ms.toFixed(2)} ms (${longest.kind})`);
}

report('short-lived', [], 'short');
report('kept', [], 'kept');
report('kept, 1 MB semi-spaces', ['--max-semi-space-size=1'], 'kept');
