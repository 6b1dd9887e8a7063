// One source, two builds: as node-gyp's Release (optimised) and Debug (unoptimised, with debug info) would.
const fs = require('node:fs');
const { buildAddon } = require('./build-addon');

const builds = [
  { name: 'release', flags: ['-O2'] },
  { name: 'debug', flags: ['-O0', '-g'] },
];
for (const build of builds) {
  build.file = buildAddon('sum.c', `sum-${build.name}.node`, build.flags);
  build.size = fs.statSync(build.file).size;
  // -g adds DWARF sections (.debug_info, .debug_line...) that map machine code back to lines of sum.c
  build.debugInfo = fs.readFileSync(build.file).includes('.debug_info');
  console.log(`${build.name} (${build.flags.join(' ')}): ${build.size} bytes, debug info: ${build.debugInfo ? 'yes' : 'no'}`);
}
const [release, debug] = builds;
console.log(`the debug build is larger: ${debug.size > release.size ? 'yes' : 'no'}`);

for (const build of builds) {
  const { sum } = require(build.file);
  sum(2, 3, (err, result) => console.log(`${build.name}: sum(2, 3) = ${result}`));
}
