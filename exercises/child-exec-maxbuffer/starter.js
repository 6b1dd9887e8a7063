// Count the lines of a report that another program writes to its stdout.
const { execFile } = require('node:child_process');

// The "report generator": 20,000 lines of 100 bytes each (99 characters and a newline): 2 MB.
const generator = "const line = 'x'.repeat(99) + '\\n'; for (let i = 0; i < 20000; i++) process.stdout.write(line);";

execFile(process.execPath, ['-e', generator], (err, stdout) => {
  if (err) throw err;
  const lines = stdout.split('\n').length - 1;
  console.log(`report: ${lines} lines, ${Buffer.byteLength(stdout)} bytes`);
  console.log('report: generator exited with code 0');
});
