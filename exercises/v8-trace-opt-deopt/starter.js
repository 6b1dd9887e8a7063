// Runs hot.js in a child Node with V8's tracing on, and prints what V8 did to add(), in order.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const flags = [
  '--allow-natives-syntax', // hot.js calls %NeverOptimizeFunction
  '--trace-opt', // a line when V8 marks, compiles and installs optimised code
  '--trace-deopt', // a line when V8 throws optimised code away
  '--no-concurrent-recompilation', // compile on the main thread: the same story every run
];
const trace = execFileSync(process.execPath, [...flags, path.join(__dirname, 'hot.js')], {
  encoding: 'utf8',
  timeout: 5000,
});

const tiersUsed = new Set();
for (const line of trace.split('\n')) {
  if (!line.includes('<JSFunction add ')) continue; // only add(): drive() and Node's own are left out
  let m;
  if ((m = line.match(/^\[marking .* for optimization to (\w+), .*reason: ([^\]]+)\]/))) {
    console.log(`add: marked for ${m[1]} (${m[2]})`);
  } else if ((m = line.match(/^\[completed compiling .*\(target (\w+)\).* - took ([\d., ]+) ms\]/))) {
    const ms = m[2].split(',').reduce((sum, part) => sum + Number(part), 0);
    tiersUsed.add(m[1]);
    console.log(`add: compiled by ${m[1]} in ${ms.toFixed(3)} ms`);
  } else if ((m = line.match(/^\[bailout \(kind: ([\w-]+), reason: ([^)]+)\).*<Code (\w+)>/))) {
    console.log(`add: deoptimised, ${m[1]}, reason "${m[2]}", leaving ${m[3]} code`);
  }
}
console.log(`optimising compilers that ran: ${[...tiersUsed].join(', ')}`);
