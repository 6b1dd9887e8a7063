// Three ways to run another program. The program here is Node itself (process.execPath), so it
// exists wherever the course runs; a shell is /bin/sh.
const { spawn, execFile, exec } = require('node:child_process');

const node = process.execPath;
// A child that prints three lines, 100 ms apart.
const ticker = "let n = 0; const t = setInterval(() => { console.log('tick ' + ++n); if (n === 3) clearInterval(t); }, 100);";

// 1. spawn: no shell; stdout is a stream, each chunk arrives as the child writes it.
function withSpawn(next) {
  const begin = Date.now();
  const child = spawn(node, ['-e', ticker]);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    for (const line of chunk.trim().split('\n')) console.log(`spawn: "${line}" at ${Date.now() - begin} ms`);
  });
  child.on('close', (code) => {
    console.log(`spawn: closed with code ${code} at ${Date.now() - begin} ms`);
    next();
  });
}

// 2. execFile: no shell either, but the whole output is buffered and handed over at the end.
function withExecFile(next) {
  const begin = Date.now();
  execFile(node, ['-e', ticker], (err, stdout) => {
    const lines = stdout.trim().split('\n');
    console.log(`execFile: ${lines.length} lines in one callback, after at least 300 ms: ${Date.now() - begin >= 300}`);
    // Without a shell, "$WORD" reaches the child as it is written.
    execFile(node, ['-e', 'console.log(process.argv[1])', '$WORD'], (err2, out) => {
      console.log(`execFile: the argument arrived as ${out.trim()}`);
      next();
    });
  });
}

// 3. exec: one command line, run by /bin/sh -c, which expands $WORD before Node sees it.
function withExec() {
  const env = { ...process.env, WORD: 'expanded-by-the-shell' };
  exec(`"${node}" -e "console.log(process.argv[1])" "$WORD"`, { env }, (err, out) => {
    console.log(`exec: the argument arrived as ${out.trim()}`);
  });
}

withSpawn(() => withExecFile(withExec));
