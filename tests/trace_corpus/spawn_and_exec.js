// spawn of process.execPath with inherited stdio is traced as a child; exec's output is the parent's to print;
// a non-Node child is not traced at all.
const { spawn, exec } = require('node:child_process');
if (process.argv[2] === 'child') {
  process.nextTick(() => console.log('spawned tick'));
  console.log('spawned main');
} else {
  const child = spawn(process.execPath, [__filename, 'child'], { stdio: 'inherit' });
  child.on('exit', (code) => {
    console.log(`spawned exit ${code}`);
    exec(`"${process.execPath}" -e "console.log('exec child')"`, (error, stdout) => {
      process.stdout.write(stdout); // the child's line, printed by the parent: the parent's line
      console.log(`exec said ${stdout.trim()}`);
      const shell = spawn('/bin/sh', ['-c', 'echo from sh'], { stdio: 'inherit' });
      shell.on('exit', (code) => console.log(`sh exit ${code}`));
    });
  });
}

// exec's callback runs at the child's 'close', which comes after its exit and its pipes' closes: poll or close.
// The shell is no Node process: its line has no phase.
// expect main/macrotask spawned main [child]
// expect main/nextTick spawned tick [child]
// expect poll/macrotask spawned exit 0
// expect poll|close/macrotask exec child
// expect poll|close/macrotask exec said exec child
// expect any/any from sh
// expect poll/macrotask sh exit 0
