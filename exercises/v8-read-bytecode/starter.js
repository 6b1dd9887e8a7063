// Asks a child Node to print the bytecode Ignition made for area(), and lays it out line by line.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const flags = ['--print-bytecode', '--print-bytecode-filter=area'];
const printed = execFileSync(process.execPath, [...flags, path.join(__dirname, 'area.js')], {
  encoding: 'utf8',
  timeout: 5000,
});

for (const line of printed.split('\n')) {
  if (/^(Bytecode length|Parameter count|Register count)/.test(line)) console.log(line.trim());
  // e.g. "   39 S> 0x954112377a @    0 : 2d 03 00 00       GetNamedProperty a0, [0], [0]"
  const m = line.match(/@\s+(\d+) : ((?:[0-9a-f]{2} )+)\s*(\S.*)$/);
  if (m) console.log(`@${m[1]}: ${m[3].trim()}  (bytes ${m[2].trim()})`);
  // the constant pool: the names the instructions refer to by index, [0] and [1]
  const c = line.match(/^\s+(\d+): 0x[0-9a-f]+ <String\[\d+\]: #(\w+)>/);
  if (c) console.log(`constant [${c[1]}]: '${c[2]}'`);
}
