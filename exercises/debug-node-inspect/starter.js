// Drives `node inspect` through its stdin, typing what a person would type at its debug> prompt,
// and prints what the debugger answered. average.js prints "average NaN": why?
const { spawn } = require('node:child_process');

// --port=0: the debuggee's inspector takes a free port on 127.0.0.1 (the default is 9229).
const debug = spawn(process.execPath, ['inspect', '--port=0', 'average.js']);
let unread = ''; // what node inspect printed since the last match
debug.stdout.on('data', (chunk) => {
  unread += chunk.toString().replaceAll('\b', ''); // it erases its prompt with backspaces
  lookForMatch();
});

let waiting = null;
function waitFor(pattern) {
  return new Promise((resolve) => {
    waiting = { pattern, resolve };
    lookForMatch();
  });
}
function lookForMatch() {
  const match = waiting && unread.match(waiting.pattern);
  if (!match) return;
  const { resolve } = waiting;
  waiting = null;
  unread = unread.slice(match.index + match[0].length);
  resolve(match);
}
function type(command) {
  debug.stdin.write(`${command}\n`);
}

const giveUp = setTimeout(() => {
  console.log(`gave up waiting for ${waiting && waiting.pattern}`);
  debug.kill(); // node inspect ends its debuggee when it ends
}, 8000);

async function session() {
  const start = await waitFor(/Break on start in (\S+)/);
  console.log(`paused before the first line: ${start[1]}`);
  type('sb(4)'); // setBreakpoint on line 4 of the current file
  await waitFor(/> 4 /);
  type('cont');
  for (let hit = 1; hit <= 4; hit++) {
    const where = await waitFor(/break in (\S+)/);
    type('exec [i, scores[i], sum]');
    const value = await waitFor(/^(?:debug> )*(\[.*\])$/m);
    console.log(`hit ${hit} at ${where[1]}: [i, scores[i], sum] = ${value[1]}`);
    if (hit === 1) {
      type('next'); // one step over
      const step = await waitFor(/(\w+ in \S+)/);
      console.log(`after next: ${step[1]}`);
    }
    type('cont');
  }
  const printed = await waitFor(/< (average .*)/); // the debuggee's own output, marked with <
  console.log(`average.js printed: ${printed[1]}`);
  await waitFor(/Waiting for the debugger to disconnect/);
  type('.exit');
}

session();
debug.on('exit', (code) => {
  clearTimeout(giveUp);
  console.log(`node inspect exited with code ${code}`);
});
