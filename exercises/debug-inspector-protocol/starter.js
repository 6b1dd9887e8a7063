// A debugger client in ~80 lines: what Chrome DevTools (chrome://inspect) and VS Code do,
// with no browser and no editor. It starts order.js paused, finds it over HTTP, talks the
// inspector protocol over a WebSocket, stops on line 4 twice and reads two variables there.
const { spawn } = require('node:child_process');
const http = require('node:http');

// Loopback only, port 0: the kernel picks a free port and the child prints it on stderr.
const child = spawn(process.execPath, ['--inspect-brk=127.0.0.1:0', 'order.js']);
let childStdout = '';
let childStderr = '';
child.stdout.on('data', (chunk) => { childStdout += chunk; });
child.stderr.on('data', (chunk) => {
  childStderr += chunk;
  const found = childStderr.match(/Debugger listening on (ws:\/\/127\.0\.0\.1:(\d+)\/[\w-]+)/);
  if (found && !attached) {
    attached = true;
    console.log(`child: Debugger listening on ${found[1]}`);
    attach(Number(found[2]), found[1]).catch((err) => { console.log(`client error: ${err.message}`); child.kill(); });
  }
});
let attached = false;

const giveUp = setTimeout(() => {
  console.log('gave up after 5 s');
  child.kill();
}, 5000);

function getJson(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

async function attach(port, address) {
  const version = await getJson(port, '/json/version');
  console.log(`GET /json/version: ${version.Browser}, protocol ${version['Protocol-Version']}`);
  const [target, ...others] = await getJson(port, '/json/list');
  console.log(`GET /json/list: ${1 + others.length} target, type ${target.type}, title ${target.title}`);
  console.log(`  its webSocketDebuggerUrl is the address on stderr: ${target.webSocketDebuggerUrl === address}`);
  console.log(`  devtoolsFrontendUrl: ${target.devtoolsFrontendUrl.split('?')[0]} (what chrome://inspect opens)`);

  const socket = new WebSocket(target.webSocketDebuggerUrl);
  let lastId = 0;
  const replies = new Map();
  function call(method, params = {}) {
    lastId += 1;
    socket.send(JSON.stringify({ id: lastId, method, params }));
    return new Promise((resolve) => replies.set(lastId, resolve));
  }

  socket.onmessage = async ({ data }) => {
    const message = JSON.parse(data);
    if (message.id) return replies.get(message.id)(message.result);
    const { method, params } = message;
    if (method === 'Debugger.breakpointResolved') {
      console.log(`<- Debugger.breakpointResolved: line ${params.location.lineNumber + 1}`);
    } else if (method === 'Debugger.paused') {
      const frame = params.callFrames[0];
      const where = `${frame.functionName || '(top level)'}, line ${frame.location.lineNumber + 1}`;
      console.log(`<- Debugger.paused (${params.reason}) in ${where}`);
      if (params.hitBreakpoints.length > 0) {
        const { result } = await call('Debugger.evaluateOnCallFrame', {
          callFrameId: frame.callFrameId, expression: '[amount, taxed]', returnByValue: true,
        });
        console.log(`-> Debugger.evaluateOnCallFrame [amount, taxed]: ${JSON.stringify(result.value)}`);
      }
      console.log('-> Debugger.resume');
      await call('Debugger.resume');
    } else if (method === 'Runtime.executionContextDestroyed') {
      console.log('<- Runtime.executionContextDestroyed: order.js has finished');
      socket.close(); // the child waits for this before it exits
    }
  };

  await new Promise((resolve) => { socket.onopen = resolve; });
  console.log('-> Runtime.enable');
  await call('Runtime.enable');
  console.log('-> Debugger.enable');
  await call('Debugger.enable');
  const breakpoint = await call('Debugger.setBreakpointByUrl', { urlRegex: 'order\\.js$', lineNumber: 3 });
  console.log(`-> Debugger.setBreakpointByUrl line 4: ${breakpoint.locations.length} locations so far`);
  console.log('-> Runtime.runIfWaitingForDebugger'); // only now does order.js start to run
  await call('Runtime.runIfWaitingForDebugger');
}

child.on('exit', (code) => {
  clearTimeout(giveUp);
  console.log(`child stdout: ${childStdout.trim()}`);
  console.log(`child exited with code ${code}`);
});
