// A child's output reaches the parent as data events (poll); 'exit' and 'close' follow.
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', "process.stdout.write('hello from the child')"]);
child.stdout.on('data', (chunk) => console.log(`data: ${chunk}`));
child.on('exit', (code) => console.log(`exit ${code}`));
child.on('close', (code) => console.log(`close ${code}`));

// order: varies
// expect poll/macrotask data: hello from the child
// expect poll/macrotask exit 0
// expect any/any close 0
