// A small debugger client: start greet.js paused, stop on line 3, read `name` there.
const { spawn } = require('node:child_process');

// --inspect-brk: open the inspector on a free loopback port and hold greet.js until told to run.
const child = spawn(process.execPath, ['--inspect-brk=127.0.0.1:0', 'greet.js']);
let stdout = '';
let stderr = '';
child.stdout.on('data', (chunk) => { stdout += chunk; });
child.stderr.on('data', (chunk) => {
  stderr += chunk;
  const found = stderr.match(/ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/);
  if (found && !socket) connect(found[0]);
  // At its end a debugged process waits until its debugger hangs up: let it go.
  if (stderr.includes('Waiting for the debugger to disconnect')) socket.close();
});

const giveUp = setTimeout(() => {
  console.log('gave up after 2 s: greet.js never ran to its end');
  child.kill();
}, 2000);

let socket = null;
let lastId = 0;
let evaluateId = 0;
function send(method, params = {}) {
  lastId += 1;
  socket.send(JSON.stringify({ id: lastId, method, params }));
  return lastId;
}

function connect(address) {
  console.log('child: waiting for a debugger on 127.0.0.1');
  socket = new WebSocket(address);
  socket.onopen = () => {
    console.log('-> Debugger.enable');
    send('Debugger.enable');
    console.log('-> Debugger.setBreakpointByUrl greet.js line 3');
    send('Debugger.setBreakpointByUrl', { urlRegex: 'greet\\.js$', lineNumber: 2 });
  };
  socket.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    if (message.method === 'Debugger.paused') {
      const { reason, hitBreakpoints, callFrames } = message.params;
      console.log(`<- Debugger.paused (${reason}) at line ${callFrames[0].location.lineNumber + 1}`);
      if (hitBreakpoints.length > 0) {
        const question = { callFrameId: callFrames[0].callFrameId, expression: 'name', returnByValue: true };
        evaluateId = send('Debugger.evaluateOnCallFrame', question);
      } else {
        console.log('-> Debugger.resume');
        send('Debugger.resume');
      }
    } else if (message.id === evaluateId) {
      console.log(`   name is ${JSON.stringify(message.result.result.value)} there`);
      console.log('-> Debugger.resume');
      send('Debugger.resume');
    }
  };
}

child.on('exit', (code) => {
  clearTimeout(giveUp);
  console.log(`child printed: ${stdout.trim() || '(nothing)'}`);
  console.log(`child exited with code ${code}`);
});
