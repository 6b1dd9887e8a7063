// Count the lines of a report that another program writes to its stdout.
const { spawn } = require('node:child_process');

// The "report generator": 20,000 lines of 100 bytes each (99 characters and a newline): 2 MB.
const generator = "const line = 'x'.repeat(99) + '\\n'; for (let i = 0; i < 20000; i++) process.stdout.write(line);";

// spawn hands the output over chunk by chunk: count as it comes, and keep nothing.
const child = spawn(process.execPath, ['-e', generator]);
let lines = 0;
let bytes = 0;
child.stdout.on('data', (chunk) => {
  bytes += chunk.length;
  for (const byte of chunk) if (byte === 10) lines++;
});
child.on('close', (code) => {
  console.log(`report: ${lines} lines, ${bytes} bytes`);
  console.log(`report: generator exited with code ${code}`);
});
